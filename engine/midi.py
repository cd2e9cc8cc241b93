"""Score → Standard MIDI File bytes (symusic), deterministic for the same score."""

from __future__ import annotations

import symusic

from engine.score import Score
from engine.spec import PITCH_CLASS

TICKS_PER_QUARTER = 480

# Semitones from a church mode's tonic down to the tonic of the major scale it shares notes with.
_MODE_TO_PARENT_MAJOR = {
    "major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9, "locrian": 11,
}  # fmt: skip
_SHARPS_OF_MAJOR = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: 6, 5: -1, 10: -2, 3: -3, 8: -4, 1: -5}


def key_signature(key: str, mode: str) -> tuple[int, int]:
    """(sharps, tonality) for a MIDI key signature: sharps −7…7, tonality 0 major / 1 minor."""
    parent = (PITCH_CLASS[key] - _MODE_TO_PARENT_MAJOR[mode]) % 12
    return _SHARPS_OF_MAJOR[parent], 1 if mode == "minor" else 0


def _ticks(beats: float) -> int:
    return round(beats * TICKS_PER_QUARTER)


def score_to_midi(score: Score) -> bytes:
    """Encode a score as a type-1 MIDI file: tempo, meter, key, one track per part with mix CCs and lyrics."""
    midi = symusic.Score(TICKS_PER_QUARTER)
    numerator, denominator = (int(n) for n in score.meter.split("/"))
    midi.tempos.append(symusic.Tempo(0, qpm=float(score.tempo_bpm)))
    midi.time_signatures.append(symusic.TimeSignature(0, numerator, denominator))
    sharps, tonality = key_signature(score.key, score.mode)
    midi.key_signatures.append(symusic.KeySignature(0, sharps, tonality))
    for section in score.sections:
        midi.markers.append(symusic.TextMeta(_ticks(section.start_beat), section.name))
    for track in score.tracks:
        out = symusic.Track(name=track.name, program=track.program, is_drum=track.is_drum)
        for number, value in ((7, track.volume), (10, track.pan), (91, track.reverb), (93, track.chorus)):
            out.controls.append(symusic.ControlChange(0, number, value))
        for note in sorted(track.notes, key=lambda n: (n.start, n.pitch, n.duration)):
            start = _ticks(note.start)
            duration = max(1, _ticks(note.start + note.duration) - start)
            out.notes.append(symusic.Note(start, duration, note.pitch, note.velocity))
            if note.lyric:  # one lyric meta event per sung syllable, at its note: karaoke players show it
                out.lyrics.append(symusic.TextMeta(start, note.lyric))
        midi.tracks.append(out)
    return midi.dumps_midi()
