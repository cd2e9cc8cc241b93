"""Each genre's idiom as ranges of measurable features (engine/idiom_features.py), with the reason for each.

Every genre is judged on its tempo (the genre table's own range), its pulse (drums or none), its feel
(swung or straight eighths) and whether it is a song carried by a tune or a loop; the genres with a
signature texture add the features that make it (the reggae skank and one drop, bossa nova's
syncopated comping and rim clicks, metal's palm-muted chugs and double kick, techno's riff loop over a
four-on-the-floor kick, ambient's pulseless swells…). A few idioms narrower than a genre are judged
as well: the jazz piano trio, the battle cue and the ballad of issue 17, and trance.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.genres import GENRES


@dataclass(frozen=True, slots=True)
class Range:
    """Where a feature must fall for the idiom, and why."""

    low: float
    high: float
    why: str

    def holds(self, value: float) -> bool:
        """Whether the measured value is inside the range (ends included)."""
        return self.low <= value <= self.high


INF = 1e9
_LOOPED = frozenset({"edm", "house", "techno", "trance"})
_UNTUNED = frozenset({"ambient"})  # a drone has no tune to carry

LOOP = {
    "riff_repetition": Range(0.6, 1.0, "club music is 1–4-bar loops: most bars repeat the bar 1, 2 or 4 back"),
    "lead_melody_share": Range(0.0, 0.3, "no sung-style lead unless asked: at most the first bar of each loop"),
    "four_on_the_floor": Range(0.7, 1.0, "the kick on every beat, except in the intro and breakdown"),
    "staggered_entries": Range(2, INF, "built by layering: the parts come in at two or more different bars"),
}
SONG = {
    "lead_melody_share": Range(0.2, 1.0, "a song carries a tune through at least a fifth of its bars"),
    "riff_repetition": Range(0.0, 0.6, "a tune develops: fewer than 6 bars in 10 repeat the bar 1, 2 or 4 back"),
}
SIGNATURES: dict[str, dict[str, Range]] = {
    "techno": {"note_beats": Range(0.0, 0.5, "short stabs and sixteenth riffs, nothing held")},
    "house": {"offbeat_share": Range(0.8, 1.0, "chord stabs on the off-beats between the kicks")},
    "edm": {"ostinato_density": Range(3.5, 4.5, "the arpeggio runs in sixteenths")},
    "trance": {
        "ostinato_density": Range(3.5, 4.5, "the trance arpeggio runs in sixteenths"),
        "tempo": Range(128, 145, "trance sits at 128–145 bpm"),
    },
    "battle": {
        "tempo": Range(120, INF, "an action cue drives: 120 bpm or more unless a tempo is given"),
        "ostinato_density": Range(2.0, 4.5, "a string ostinato in eighths or sixteenths"),
        "drum_density": Range(1.5, INF, "percussion drives the cue"),
        "brass_share": Range(0.1, 1.0, "brass (horns, trombones) carries part of the cue"),
    },
    "ballad": {
        "tempo": Range(50, 84, "a ballad is slow"),
        "velocity": Range(0, 75, "gentle dynamics"),
        "low_notes_per_bar": Range(0, 12, "a sparse left hand: a few bass and chord notes per bar"),
        "drum_density": Range(0, 0.05, "no drum kit"),
    },
    "jazz piano trio": {
        "swing_ratio": Range(1.3, 2.3, "swung eighths"),
        "polyphony": Range(2.0, INF, "the piano comps under its own tune"),
        "drum_density": Range(1.0, INF, "the drummer keeps time on the ride"),
    },
    "reggae": {
        "offbeat_share": Range(0.8, 1.0, "the skank: chords on the off-beats, never on 1 and 3"),
        "one_drop": Range(0.6, 1.0, "one drop: the kick on beat 3, beat 1 left empty"),
    },
    "bossa nova": {
        "offbeat_share": Range(0.5, 1.0, "syncopated guitar comping off the strong beats"),
        "rim_share": Range(0.08, 1.0, "rim clicks play the bossa clave"),
    },
    "metal": {
        "short_note_share": Range(0.8, 1.0, "palm-muted chugs: short rhythm-guitar notes"),
        "kicks_per_beat": Range(1.5, INF, "double kick: two or more kicks per beat"),
    },
    "chiptune": {
        "ostinato_density": Range(3.0, 4.5, "pulse-wave arpeggios in sixteenths"),
        "synth_lead_share": Range(0.3, 1.0, "pulse and saw waves carry much of the music"),
        "tempo": Range(120, INF, "chiptune is fast"),
    },
    "ambient": {
        "drum_density": Range(0, 0.05, "no pulse: no drum kit"),
        "note_beats": Range(2.0, INF, "long swells: notes held two beats or more"),
        "ostinato_density": Range(0, 1.0, "nothing moves faster than a note a beat"),
    },
    "funk": {"short_note_share": Range(0.6, 1.0, "choppy sixteenth-note comping (clavinet, scratch guitar)")},
    "disco": {
        "four_on_the_floor": Range(0.7, 1.0, "four on the floor"),
        "offbeat_share": Range(0.8, 1.0, "off-beat chord stabs and octave hi-hats"),
    },
    "punk": {"ostinato_density": Range(2.0, INF, "driving eighth-note downstrokes")},
    "latin": {"offbeat_share": Range(0.6, 1.0, "the piano montuno anticipates the beat")},
    "march": {
        "four_on_the_floor": Range(0.7, 1.0, "the bass drum on every beat"),
        "offbeat_share": Range(0.6, 1.0, "after-beat chords (the oom-pah)"),
    },
    "waltz": {"offbeat_share": Range(0.4, 1.0, "oom-pah-pah: chords on beats 2 and 3")},
    "classical": {"ostinato_density": Range(1.5, INF, "running accompaniment (Alberti bass)")},
    "baroque": {"ostinato_density": Range(1.5, INF, "a running continuo line")},
    "cinematic": {"polyphony": Range(4.0, INF, "a full orchestral texture")},
    "trap": {"drum_density": Range(3.0, INF, "rolling hi-hats")},
    "lullaby": {"velocity": Range(0, 75, "soft throughout")},
    "tango": {"short_note_share": Range(0.5, 1.0, "marcato: short, accented chords")},
}


def _swing(genre: str) -> dict[str, Range]:
    swing = GENRES[genre].swing if genre in GENRES else 0.0
    if swing >= 0.2:
        return {"swing_ratio": Range(1.3, 2.3, "the eighths swing (a long–short pair, 2:1 is a full triplet)")}
    if swing == 0.0:
        return {"swing_ratio": Range(0.9, 1.15, "straight eighths")}
    return {}


def _pulse(genre: str) -> dict[str, Range]:
    if genre not in GENRES:
        return {}
    if GENRES[genre].drums:
        return {"drum_density": Range(0.5, INF, "a drum kit keeps the pulse")}
    return {"drum_density": Range(0.0, 0.05, "played without a drum kit")}


def _tempo(genre: str) -> dict[str, Range]:
    if genre not in GENRES:
        return {}
    low, _, high = GENRES[genre].tempo
    return {"tempo": Range(low, high, f"the genre's own tempo range, {low}–{high} bpm")}


def ranges_for(idiom: str) -> dict[str, Range]:
    """Every range an idiom is judged on: tempo, pulse, feel, song or loop, then its signature."""
    genre = {"trance": "edm", "battle": "cinematic", "ballad": "pop", "jazz piano trio": "jazz"}.get(idiom, idiom)
    judged: dict[str, Range] = {**_tempo(genre), **_pulse(genre), **_swing(genre)}
    if idiom in _LOOPED:
        judged.update(LOOP)
    elif idiom not in _UNTUNED:
        judged.update(SONG)
    judged.update(SIGNATURES.get(idiom, {}))
    return judged
