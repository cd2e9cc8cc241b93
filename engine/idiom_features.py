"""Idiom features: what makes a genre sound like itself, measured from the notes alone (MusPy-style).

Every feature is a pure function of a Score read back from MIDI; nothing looks at the spec or at the
roles the composer meant. The parts are told apart the way a listener would: drums by channel, the
bass as the lowest pitched part, the lead as the highest part that plays one note at a time, and the
comping as the pitched parts that play chords.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from statistics import median

from engine.instruments import KICK, SIDE_STICK
from engine.metrics import polyphony as _polyphony
from engine.score import Note, Score, Track

STEPS_PER_BEAT = 4  # the sixteenth grid riffs and comping are compared on
_KICKS = frozenset({35, KICK})
_LEADS = frozenset(range(80, 88))  # GM synth leads: square (pulse) and saw waves


def beats_per_bar(score: Score) -> float:
    """Quarter-note beats in one bar of the score's meter."""
    top, bottom = (int(n) for n in score.meter.split("/"))
    return top * 4 / bottom


def bar_count(score: Score) -> int:
    """Whole or partial bars the piece lasts."""
    return max(1, math.ceil(score.length_beats / beats_per_bar(score) - 1e-6))


def _pitched(score: Score) -> list[Track]:
    return [track for track in score.tracks if not track.is_drum and track.notes]


def _mean_pitch(track: Track) -> float:
    return sum(note.pitch for note in track.notes) / len(track.notes)


def track_polyphony(track: Track) -> float:
    """Notes per distinct onset: 1.0 for a single line, 3–4 for block chords."""
    onsets = {round(note.start * STEPS_PER_BEAT * 3) for note in track.notes}
    return len(track.notes) / max(1, len(onsets))


def bass_track(score: Score) -> Track | None:
    """The pitched part with the lowest average pitch (None when only one pitched part plays)."""
    tracks = _pitched(score)
    if len(tracks) < 2:
        return None
    return min(tracks, key=_mean_pitch)


def lead_track(score: Score) -> Track | None:
    """The highest part that plays mostly one note at a time; else the highest part (its top line counts)."""
    bass = bass_track(score)
    tracks = [track for track in _pitched(score) if track is not bass]
    lines = [track for track in tracks if track_polyphony(track) <= 1.3]
    pool = lines or tracks
    return max(pool, key=_mean_pitch) if pool else None


def comping_tracks(score: Score) -> list[Track]:
    """Pitched parts that play chords (two or more notes per onset on average), neither lead nor bass."""
    lead, bass = lead_track(score), bass_track(score)
    return [t for t in _pitched(score) if t is not lead and t is not bass and track_polyphony(t) >= 1.6]


def skyline(notes: list[Note]) -> list[Note]:
    """The top note of each onset."""
    top: dict[int, Note] = {}
    for note in notes:
        key = round(note.start * STEPS_PER_BEAT * 3)
        if key not in top or note.pitch > top[key].pitch:
            top[key] = note
    return [top[key] for key in sorted(top)]


def bar_patterns(notes: list[Note], bar_beats: float, bars: int) -> list[tuple[tuple[int, int], ...]]:
    """Each bar's line as (sixteenth, contour step): the rhythm and the ups and downs, so a figure moved
    to a new chord root or quality still matches itself."""
    steps_per_bar = round(bar_beats * STEPS_PER_BEAT)
    grouped: list[list[tuple[int, int]]] = [[] for _ in range(bars)]
    for note in sorted(notes, key=lambda n: n.start):
        step = round(note.start * STEPS_PER_BEAT)
        index = step // steps_per_bar
        if 0 <= index < bars:
            grouped[index].append((step % steps_per_bar, note.pitch))
    patterns = []
    for bar in grouped:
        contour = [0][: len(bar)] + [(b > a) - (b < a) for (_, a), (_, b) in pairwise(bar)]
        patterns.append(tuple((step, move) for (step, _), move in zip(bar, contour, strict=True)))
    return patterns


def _bar_lines(notes: list[Note], bar_beats: float, bars: int) -> list[list[int]]:
    """The pitches each bar's notes start with, bar by bar."""
    lines: list[list[int]] = [[] for _ in range(bars)]
    for note in notes:
        index = round(note.start * STEPS_PER_BEAT) // round(bar_beats * STEPS_PER_BEAT)
        if 0 <= index < bars:
            lines[index].append(note.pitch)
    return lines


def _repeats(patterns: list[tuple[tuple[int, int], ...]], index: int) -> bool:
    return bool(patterns[index]) and any(index >= lag and patterns[index - lag] == patterns[index] for lag in (1, 2, 4))


def riff_repetition(score: Score) -> float:
    """Share of the lead's sounding bars that repeat the bar 1, 2 or 4 bars back: loops score near 1."""
    lead = lead_track(score)
    if lead is None:
        return 0.0
    patterns = bar_patterns(skyline(lead.notes), beats_per_bar(score), bar_count(score))
    sounding = [index for index, pattern in enumerate(patterns) if pattern]
    if len(sounding) < 2:
        return 0.0
    return sum(_repeats(patterns, index) for index in sounding[1:]) / (len(sounding) - 1)


def lead_melody_share(score: Score) -> float:
    """Share of bars where the lead sings a line: two or more notes on two or more pitches, not a loop repeat."""
    lead = lead_track(score)
    if lead is None:
        return 0.0
    bars = bar_count(score)
    patterns = bar_patterns(skyline(lead.notes), beats_per_bar(score), bars)
    tuneful = 0
    lines = _bar_lines(skyline(lead.notes), beats_per_bar(score), bars)
    for index, pattern in enumerate(patterns):
        if len(pattern) >= 2 and len(set(lines[index])) >= 2 and not _repeats(patterns, index):
            tuneful += 1
    return tuneful / bars


def ostinato_density(score: Score) -> float:
    """Onsets per beat of the busiest pitched part, median over the bars it plays (2 = eighths, 4 = sixteenths)."""
    bar_beats = beats_per_bar(score)
    best = 0.0
    for track in _pitched(score):
        per_bar: Counter[int] = Counter()
        for onset in {round(note.start * STEPS_PER_BEAT * 3) for note in track.notes}:
            per_bar[int(onset / (STEPS_PER_BEAT * 3) / bar_beats + 1e-6)] += 1
        if len(per_bar) >= max(2, bar_count(score) // 4):
            best = max(best, median(per_bar.values()) / bar_beats)
    return best


def _strong_beats(score: Score) -> tuple[float, ...]:
    """Beats (from the bar line) that count as strong: 1 and 3 of 4/4, the dotted-quarter pulses of 6/8."""
    return {"4/4": (0.0, 2.0), "12/8": (0.0, 1.5, 3.0, 4.5), "6/8": (0.0, 1.5), "9/8": (0.0, 1.5, 3.0)}.get(
        score.meter, (0.0,)
    )


def offbeat_share(score: Score) -> float:
    """Share of the comping's onsets off the strong beats (skank, bossa, stabs high; block chords low)."""
    bar_beats = beats_per_bar(score)
    strong = _strong_beats(score)
    onsets = {round(note.start * 12) / 12 for track in comping_tracks(score) for note in track.notes}
    if not onsets:
        return 0.0
    off = [onset for onset in onsets if not any(abs(onset % bar_beats - beat) < 0.1 for beat in strong)]
    return len(off) / len(onsets)


def _kicks(score: Score) -> list[float]:
    return sorted({round(n.start * 12) / 12 for t in score.tracks if t.is_drum for n in t.notes if n.pitch in _KICKS})


def kicks_per_beat(score: Score) -> float:
    """Bass-drum hits per beat over the bars that have any (4/4 floor = 1, double kick ≥ 1.5)."""
    kicks = _kicks(score)
    bar_beats = beats_per_bar(score)
    bars = {int(kick / bar_beats + 1e-6) for kick in kicks}
    return len(kicks) / (len(bars) * bar_beats) if bars else 0.0


def four_on_the_floor(score: Score) -> float:
    """Share of bars with a kick on every beat."""
    kicks = {round(kick * 4) / 4 for kick in _kicks(score)}
    bar_beats = beats_per_bar(score)
    bars = bar_count(score)
    full = sum(all(bar * bar_beats + beat in kicks for beat in range(int(bar_beats))) for bar in range(bars))
    return full / bars


def one_drop(score: Score) -> float:
    """Share of kick bars with the kick on beat 3 but not on beat 1 (reggae's one drop)."""
    kicks = {round(kick * 4) / 4 for kick in _kicks(score)}
    bar_beats = beats_per_bar(score)
    with_kick = {int(kick / bar_beats + 1e-6) for kick in kicks}
    if not with_kick or bar_beats < 4:
        return 0.0
    drops = sum(bar * bar_beats + 2 in kicks and bar * bar_beats not in kicks for bar in with_kick)
    return drops / len(with_kick)


def _pair_ratio(positions: list[float], unit: float) -> float | None:
    """Long-to-short ratio from where the second note of each pair falls inside its unit (None: too few)."""
    if len(positions) < 8:
        return None
    position = median(positions) / unit
    return position / (1.0 - position)


def swing_ratio(score: Score) -> float:
    """Long-to-short ratio of swung pairs (1.0 straight, 2.0 triplet swing), eighths or sixteenths: the swung one."""
    starts = [note.start for track in score.tracks for note in track.notes]
    eighths = [start % 1.0 for start in starts if 0.3 < start % 1.0 < 0.72]
    sixteenths = [start % 0.5 for start in starts if 0.15 < start % 0.5 < 0.36]
    ratios = [ratio for ratio in (_pair_ratio(eighths, 1.0), _pair_ratio(sixteenths, 0.5)) if ratio is not None]
    return max(ratios, key=lambda ratio: abs(ratio - 1.0)) if ratios else 1.0


def mean_polyphony(score: Score) -> float:
    """Pitches sounding at once where anything sounds (MusPy's polyphony)."""
    return _polyphony(score)[0]


def drum_density(score: Score) -> float:
    """Drum hits per beat over the whole piece (0 for no pulse)."""
    hits = {(round(n.start * 12), n.pitch) for t in score.tracks if t.is_drum for n in t.notes}
    return len(hits) / max(1.0, score.length_beats)


def mean_note_beats(score: Score) -> float:
    """Median length of the pitched notes in beats: long swells in ambient, short stabs in techno."""
    lengths = [note.duration for track in _pitched(score) for note in track.notes]
    return float(median(lengths)) if lengths else 0.0


def mean_velocity(score: Score) -> float:
    """Average loudness of the pitched notes (MIDI velocity): gentle ballads sit low."""
    velocities = [note.velocity for track in _pitched(score) for note in track.notes]
    return sum(velocities) / len(velocities) if velocities else 0.0


def low_notes_per_bar(score: Score) -> float:
    """Pitched notes below middle C per bar, all parts: a sparse left hand plays few."""
    low = sum(1 for track in _pitched(score) for note in track.notes if note.pitch < 60)
    return low / bar_count(score)


def synth_lead_share(score: Score) -> float:
    """Share of pitched notes played on synth-lead programs (pulse and saw waves)."""
    notes = [(track.program, note) for track in _pitched(score) for note in track.notes]
    return sum(program in _LEADS for program, _ in notes) / len(notes) if notes else 0.0


def short_note_share(score: Score) -> float:
    """Share of the comping's notes shorter than a dotted eighth: palm-muted chugs and stabs."""
    notes = [note for track in comping_tracks(score) for note in track.notes]
    return sum(note.duration < 0.375 for note in notes) / len(notes) if notes else 0.0


def staggered_entries(score: Score) -> float:
    """How many different bars the parts (drums included) first come in at: a layered build enters in stages."""
    bar_beats = beats_per_bar(score)
    firsts = {int(min(note.start for note in track.notes) / bar_beats + 1e-6) for track in score.tracks if track.notes}
    return float(len(firsts))


def brass_share(score: Score) -> float:
    """Share of pitched notes played on brass programs (trumpets, trombone, tuba, horns, brass section)."""
    notes = [track.program for track in _pitched(score) for _ in track.notes]
    return sum(56 <= program <= 63 for program in notes) / len(notes) if notes else 0.0


def rim_share(score: Score) -> float:
    """Share of drum hits on the side stick (rim clicks: bossa nova's cross-stick clave, reggae's drop)."""
    hits = [n.pitch for t in score.tracks if t.is_drum for n in t.notes]
    return sum(pitch == SIDE_STICK for pitch in hits) / len(hits) if hits else 0.0


def tempo(score: Score) -> float:
    """The written tempo in bpm."""
    return score.tempo_bpm


FEATURES: dict[str, Callable[[Score], float]] = {
    "tempo": tempo,
    "riff_repetition": riff_repetition,
    "lead_melody_share": lead_melody_share,
    "ostinato_density": ostinato_density,
    "offbeat_share": offbeat_share,
    "kicks_per_beat": kicks_per_beat,
    "four_on_the_floor": four_on_the_floor,
    "one_drop": one_drop,
    "swing_ratio": swing_ratio,
    "polyphony": mean_polyphony,
    "drum_density": drum_density,
    "note_beats": mean_note_beats,
    "velocity": mean_velocity,
    "low_notes_per_bar": low_notes_per_bar,
    "synth_lead_share": synth_lead_share,
    "short_note_share": short_note_share,
    "rim_share": rim_share,
    "brass_share": brass_share,
    "staggered_entries": staggered_entries,
}
