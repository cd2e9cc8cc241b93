"""The tune as the spec carries it: quantised notes in beats, the tempo, meter and key it was heard in."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_TUNE_NOTES = 2_000

# (start beat, length in beats, MIDI pitch), from the top of the tune's first bar.
TuneNote = tuple[float, float, int]
# (start beat, length in beats, root pitch class, quality from engine.plan.CHORD_INTERVALS).
TuneChord = tuple[float, float, int, str]


class Tune(BaseModel):
    """A melody brought by the user; it plays as the lead wherever the form marks a section `tune`."""

    model_config = ConfigDict(frozen=True)

    file: str  # the name it came as, for the reply and the JSON contract
    notes: tuple[TuneNote, ...] = Field(min_length=1, max_length=MAX_TUNE_NOTES)
    bars: int = Field(ge=1, le=128)
    tempo_bpm: int
    key: str
    mode: str
    meter: str
    chords: tuple[TuneChord, ...] = ()  # the file's own chords (MIDI); empty: harmonise the melody

    def heard(self) -> str:
        """What was heard, in one line: 'heard 14 notes, 92 bpm, E minor, 4/4'."""
        return f"heard {len(self.notes)} notes, {self.tempo_bpm} bpm, {self.key} {self.mode}, {self.meter}"

    def source(self) -> dict[str, object]:
        """The `melody_source` object of the command-line contract."""
        return {"file": self.file, "notes": len(self.notes), "tempo_bpm": self.tempo_bpm, "key": self.key,
                "mode": self.mode, "meter": self.meter}  # fmt: skip
