"""The musical spec: the single source of truth for what the engine is asked to make."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import UserError
from engine.genres import GENRES, written_name
from engine.instruments import DRUM_KITS, INSTRUMENTS, Role
from engine.tune.tune import Tune

TONICS = tuple(["C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B"])
PITCH_CLASS = {
    "C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
    "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11,
}  # fmt: skip
MODES = ("major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian")
METERS = ("2/4", "3/4", "4/4", "5/4", "6/8", "7/8", "9/8", "12/8")

TEMPO_RANGE = (40, 240)
DURATION_RANGE = (5.0, 300.0)
MAX_PARTS = 8
# The sung voices: the register each sings in (MIDI notes, a comfortable pop tessitura), and the
# languages the words can be in (the five the understanding reads).
VOICES: dict[str, tuple[int, int]] = {"female": (57, 76), "male": (45, 64)}
LANGUAGES = ("en", "es", "fr", "de", "pt")
VOCAL_SHIFT_RANGE = (-7, 7)  # semitones "sing it higher/lower" can move a voice's register
SECTION_NAMES = ("intro", "verse", "pre-chorus", "chorus", "bridge", "breakdown", "drop", "solo", "outro")
# The other names the composer's song forms use, so a sized form can be written down as an explicit one.
FORM_SECTION_NAMES = (*SECTION_NAMES, "build", "head", "theme", "episode", "tune a", "tune b", "drift", "swell", "glow")


def _one_of(allowed: Collection[str], what: str) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return AfterValidator(check)


InstrumentName = Annotated[str, _one_of(INSTRUMENTS, "instrument")]
GenreName = Annotated[str, _one_of(GENRES, "genre")]
OptionalGenre = Annotated[str | None, _one_of(GENRES, "genre")]
SectionName = Annotated[str, _one_of(FORM_SECTION_NAMES, "section")]
Key = Annotated[str, _one_of(PITCH_CLASS, "key")]
Mode = Annotated[str, _one_of(MODES, "mode")]
Meter = Annotated[str, _one_of(METERS, "meter")]
DrumKit = Annotated[str, _one_of(DRUM_KITS, "drum kit")]
VoiceName = Annotated[str | None, _one_of(VOICES, "voice")]
Language = Annotated[str | None, _one_of(LANGUAGES, "language")]


class PartSpec(BaseModel):
    """One instrument in the arrangement and the role it plays."""

    model_config = ConfigDict(frozen=True)

    name: InstrumentName
    role: Role
    style: OptionalGenre = None  # a genre whose way of playing this role to borrow: bass "jazz" walks
    variant: int = Field(0, ge=0)  # a new variant re-rolls this part alone (jam votes, "regenerate the bass")

    @property
    def program(self) -> int:
        """The General MIDI program (0–127) this part is played with."""
        return INSTRUMENTS[self.name].program


class SectionSpec(BaseModel):
    """One section of an explicit song form (jams build the form section by section)."""

    model_config = ConfigDict(frozen=True)

    name: SectionName
    bars: int = Field(8, ge=1, le=64)
    energy: float | None = Field(None, ge=0.0, le=1.0)
    mood: str | None = None  # e.g. "dark" makes this section darker than the piece
    variant: int = Field(0, ge=0)
    # Section edits of a `sectioned` piece (engine/sectioned.py); the defaults change nothing.
    tune: bool = False  # the user's tune (MusicSpec.tune) is this section's lead
    # The form this section was written as part of ((name, bars, tune) each) and its place in it; None: the
    # piece's own form. Growing the form leaves a pinned section's notes as they were.
    context: tuple[tuple[str, int, bool], ...] | None = None
    position: int = Field(0, ge=0)
    context_beats: float | None = None  # where that form ended, when not on its last bar line
    drums: bool | None = None  # None: as the piece; False: this section without drums
    transpose: int = Field(0, ge=-12, le=12)  # semitones: a key change for this section


MixCharacter = Literal["clean", "lofi", "radio", "telephone"]
MIX_LEVEL_KEYS = ("melody", "chords", "bass", "pad", "counter", "drums", "vocals")


def _known_levels(levels: dict[str, int]) -> dict[str, int]:
    unknown = sorted(set(levels) - set(MIX_LEVEL_KEYS))
    if unknown:
        raise ValueError(f"unknown mix level {unknown[0]!r}")
    return levels


class MixSpec(BaseModel):
    """How the piece is mixed, in steps a reply can move; changing it never changes the notes."""

    model_config = ConfigDict(frozen=True)

    reverb: int = Field(0, ge=-3, le=3)  # "more reverb" +1, "drier" −1
    width: int = Field(0, ge=-3, le=2)  # "wider" +1, "narrower" −1
    mono: bool = False
    tone: int = Field(0, ge=-3, le=3)  # "brighter" +1, "darker"/"warmer" −1
    punch: int = Field(0, ge=0, le=3)
    character: MixCharacter = "clean"  # "lo-fi"/"vintage"/"vinyl", "radio", "telephone"
    # Level steps per role (or "vocals"): "louder drums" {"drums": 1}, "quieter bass" {"bass": -1}.
    levels: Annotated[dict[str, Annotated[int, Field(ge=-4, le=4)]], AfterValidator(_known_levels)] = {}

    def changes(self) -> list[str]:
        """What differs from the default mix, in the words the chat shows: 'reverb ↑', 'drums ↑'."""

        def arrow(steps: int) -> str:
            return ("↑" if steps > 0 else "↓") * min(abs(steps), 3)

        notes = [f"reverb {arrow(self.reverb)}"] if self.reverb else []
        notes += [f"width {arrow(self.width)}"] if self.width else []
        notes += ["mono"] if self.mono else []
        notes += [f"{'brighter' if self.tone > 0 else 'darker'} {arrow(self.tone)}"] if self.tone else []
        notes += [f"punch {arrow(self.punch)}"] if self.punch else []
        notes += [self.character] if self.character != "clean" else []
        notes += [f"{key} {arrow(steps)}" for key, steps in sorted(self.levels.items()) if steps]
        return notes


class MusicSpec(BaseModel):
    """What to compose: style, feel, harmony frame, instrumentation, length and seed."""

    model_config = ConfigDict(frozen=True)

    genre: GenreName
    mood: str = "neutral"
    valence: float = Field(0.0, ge=-1.0, le=1.0)
    arousal: float = Field(0.0, ge=-1.0, le=1.0)
    tempo_bpm: int = Field(ge=TEMPO_RANGE[0], le=TEMPO_RANGE[1])
    key: Key
    mode: Mode
    meter: Meter
    parts: tuple[PartSpec, ...] = Field(min_length=1, max_length=MAX_PARTS)
    drums: bool
    drum_kit: DrumKit = "standard"
    drum_density: float = Field(0.5, ge=0.0, le=1.0)
    drum_style: OptionalGenre = None  # a genre whose groove the drums play ("hip hop": boom bap); None: own
    duration_s: float = Field(ge=DURATION_RANGE[0], le=DURATION_RANGE[1])
    energy: float = Field(0.5, ge=0.0, le=1.0)
    lyrics: str | None = None
    vocals: bool = False  # a voice sings the lyrics (a vocalise on the melody when there are none)
    voice: VoiceName = None  # None: the register that suits the tune (engine.lyrics.voice_for)
    language: Language = None  # None: read from the words (engine.lyrics.language_for)
    vocal_shift: int = Field(0, ge=VOCAL_SHIFT_RANGE[0], le=VOCAL_SHIFT_RANGE[1])
    title: str = ""
    seed: int = Field(0, ge=0, le=2**31 - 1)
    form: tuple[SectionSpec, ...] = ()  # explicit sections; empty: the composer sizes a form to duration_s
    tune: Tune | None = None  # a melody the user brought (hummed, played or a MIDI file)
    sectioned: bool = False  # each section is written on its own: editing one leaves the others note for note
    mix: MixSpec = MixSpec()  # read only by the mixer: a mix change leaves the MIDI byte-identical

    @model_validator(mode="after")
    def _one_part_per_instrument(self) -> MusicSpec:
        names = [part.name for part in self.parts]
        if len(set(names)) != len(names):
            raise ValueError("an instrument is listed twice")
        return self

    @property
    def instruments(self) -> list[str]:
        """The canonical instrument names, melody first."""
        return [part.name for part in self.parts]

    @property
    def tonic_pc(self) -> int:
        """The tonic as a pitch class, C = 0."""
        return PITCH_CLASS[self.key]

    @property
    def beats_per_bar(self) -> float:
        """Quarter-note beats in one bar of this meter."""
        top, bottom = (int(n) for n in self.meter.split("/"))
        return top * 4 / bottom

    def summary(self) -> str:
        """One line a chat user reads: 'Sad piano ballad · A minor · 72 bpm · 0:45'."""
        minutes, seconds = divmod(round(self.duration_s), 60)
        mood = "" if self.mood == "neutral" else self.mood
        name = self.title or f"{mood} {written_name(self.genre)}".strip()
        parts = [name[:1].upper() + name[1:], f"{self.key} {self.mode}", f"{self.tempo_bpm} bpm"]
        if self.meter != "4/4":
            parts.append(self.meter)
        parts.append(f"{minutes}:{seconds:02d}")
        return " · ".join(parts)

    def public_dict(self) -> dict[str, Any]:
        """The spec as the command-line contract prints it (names, not GM numbers, first)."""
        data = self.model_dump(mode="json", exclude={"tune"})
        if self.tune is not None:
            data["melody_source"] = self.tune.source()
        data["instruments"] = self.instruments
        data["parts"] = [
            {"name": part.name, "role": part.role, "program": part.program, "style": part.style} for part in self.parts
        ]
        return data

    def replace(self, **changes: Any) -> MusicSpec:
        """A validated copy with some fields changed; bad values raise UserError."""
        return build_spec({**self.model_dump(), **changes})


_FIELD_MESSAGES = {
    "tempo_bpm": f"Tempo must be between {TEMPO_RANGE[0]} and {TEMPO_RANGE[1]} bpm.",
    "duration_s": (f"Length must be between {DURATION_RANGE[0]:.0f} seconds and {DURATION_RANGE[1] / 60:.0f} minutes."),
    "parts": f"A piece needs between 1 and {MAX_PARTS} instruments.",
    "meter": f"I can write in these meters: {', '.join(METERS)}.",
    "key": "I didn't recognise that key; try something like 'in Bb' or 'F# minor'.",
    "seed": "The seed must be a whole number between 0 and 2147483647.",
}


def build_spec(fields: dict[str, Any]) -> MusicSpec:
    """Validate raw fields into a MusicSpec, turning the first problem into a one-line UserError."""
    try:
        return MusicSpec.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        # The parts message is about their number; a problem inside one part says what it is.
        whole_field = field != "parts" or len(error["loc"]) == 1
        detail = error["msg"].removeprefix("Value error, ")
        message = _FIELD_MESSAGES.get(field) if whole_field else None
        raise UserError(message or f"That doesn't work for {field or 'the spec'}: {detail}.") from exc
