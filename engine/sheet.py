"""The lead sheet: the tune, its chord symbols and the words under the notes, engraved by LilyPond.

`lead_sheet_ly` writes LilyPond source directly (absolute pitches, a sixteenth-note grid, notes split
at bar lines and tied); `write_sheet` runs LilyPond offline into a PNG and a PDF, each written atomically.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import symusic

from engine.compose import compose, make_plan
from engine.errors import SheetError
from engine.files import write_bytes_atomic
from engine.midi import key_signature
from engine.plan import Chord
from engine.score import Note, Score, Track
from engine.spec import PITCH_CLASS, MusicSpec

GRID = 4  # sixteenths per quarter-note beat
LILYPOND_TIMEOUT_S = 120
_SHARP_NAMES = ("c", "cis", "d", "dis", "e", "f", "fis", "g", "gis", "a", "ais", "b")
_FLAT_NAMES = ("c", "des", "d", "ees", "e", "f", "ges", "g", "aes", "a", "bes", "b")
_LENGTHS = ((16, "1"), (12, "2."), (8, "2"), (6, "4."), (4, "4"), (3, "8."), (2, "8"), (1, "16"))
_CHORD_SUFFIX = {
    "maj": "", "min": ":m", "dim": ":dim", "aug": ":aug", "sus2": ":sus2", "sus4": ":sus4", "5": ":1.5",
    "7": ":7", "maj7": ":maj7", "min7": ":m7", "hdim7": ":m7.5-", "dim7": ":dim7", "maj9": ":maj9",
    "min9": ":m9", "9": ":9", "6": ":6", "min6": ":m6",
}  # fmt: skip
_MODES = {"major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian"}


def tune_track(score: Score) -> Track | None:
    """The line a lead sheet shows: the vocals when someone sings, else the first melody part."""
    by_name = next((track for track in score.tracks if track.name == "vocals"), None)
    return by_name or next((t for t in score.tracks if t.role == "melody" and not t.is_drum and t.notes), None)


def _name(pitch_class: int, flats: bool) -> str:
    return (_FLAT_NAMES if flats else _SHARP_NAMES)[pitch_class % 12]


def _pitch(pitch: int, flats: bool) -> str:
    octave = pitch // 12 - 4
    return _name(pitch, flats) + ("'" * octave if octave > 0 else "," * -octave)


def _spans(length: int, position: int, bar: int) -> list[int]:
    """A length in sixteenths cut at bar lines and into lengths one note value can show."""
    pieces: list[int] = []
    while length > 0:
        room = bar - position % bar
        take = min(length, room)
        while take > 0:
            value = next(v for v, _ in _LENGTHS if v <= take)
            pieces.append(value)
            take -= value
            length -= value
            position += value
    return pieces


def _duration(sixteenths: int) -> str:
    return next(text for value, text in _LENGTHS if value == sixteenths)


def _quantised(notes: list[Note], end: int) -> list[tuple[int, int, Note]]:
    """(start, length) in sixteenths per note, one at a time, each held to the next unless a rest is felt."""
    ordered: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, -n.pitch)):
        if ordered and note.start < ordered[-1].start + ordered[-1].duration - 1e-6 and note.pitch < ordered[-1].pitch:
            continue  # the skyline: an accompanying note under the sounding tune note
        ordered.append(note)
    placed: list[tuple[int, int, Note]] = []
    for index, note in enumerate(ordered):
        start = max(0, round(note.start * GRID))
        if placed and start <= placed[-1][0]:
            continue  # a chord or a duplicate onset: the tune is the top note
        following = round(ordered[index + 1].start * GRID) if index + 1 < len(ordered) else end
        stop = max(start + 1, round((note.start + note.duration) * GRID))
        if following - stop <= 1:
            stop = following  # legato: a breath shorter than a sixteenth is not a rest
        placed.append((start, max(1, min(stop, following, end) - start), note))
    return placed


def _escape(text: str) -> str:
    return text.replace("\\", "").replace('"', "'")


def _melody_and_words(track: Track, bar: int, end: int, flats: bool) -> tuple[str, str]:
    tokens: list[str] = []
    words: list[str] = []
    position = 0
    for start, length, note in _quantised(track.notes, end):
        if start > position:
            tokens += [f"r{_duration(p)}" for p in _spans(start - position, position, bar)]
        pieces = _spans(length, start, bar)
        name = _pitch(note.pitch, flats)
        tokens += [f"{name}{_duration(p)}" + ("~" if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
        syllable = note.lyric.strip()
        if syllable:
            words.append(f'"{_escape(syllable)}"' + (" --" if not note.lyric.endswith((" ", "\n")) else ""))
        elif any(n.lyric for n in track.notes):
            words.append("_")  # a melisma: the syllable before is held over this note
        position = start + length
    if end > position:
        tokens += [f"r{_duration(p)}" for p in _spans(end - position, position, bar)]
    return " ".join(tokens), " ".join(words)


def _chords(chords: tuple[Chord, ...] | list[Chord], end: int, flats: bool) -> str:
    tokens: list[str] = []
    position = 0
    for chord in chords:
        start = round(chord.start * GRID)
        stop = min(end, round((chord.start + chord.duration) * GRID))
        if start > position:
            tokens.append(f"s16*{start - position}")
        if stop <= max(start, position):
            continue
        bass = f"/{_name(chord.bass, flats)}" if chord.bass is not None else ""
        tokens.append(
            f"{_name(chord.root, flats)}16*{stop - max(start, position)}{_CHORD_SUFFIX.get(chord.quality, '')}{bass}"
        )
        position = stop
    return " ".join(tokens)


def lead_sheet_ly(score: Score, chords: tuple[Chord, ...] | list[Chord], title: str = "") -> str:
    """LilyPond source for the score's lead sheet: chord names over the tune, the words under it."""
    track = tune_track(score)
    if track is None:
        raise SheetError("the piece has no tune to write a lead sheet for")
    numerator, denominator = (int(n) for n in score.meter.split("/"))
    bar = round(numerator * 4 / denominator * GRID)
    end = -(-round(score.length_beats * GRID) // bar) * bar
    sharps, _ = key_signature(score.key, score.mode)
    flats = sharps < 0
    melody, words = _melody_and_words(track, bar, end, flats)
    pitches = sorted(note.pitch for note in track.notes)
    clef = '"treble_8"' if pitches and pitches[len(pitches) // 2] < 60 else "treble"
    mode = score.mode if score.mode in _MODES else "major"
    lyrics = f"\\addlyrics {{ {words} }}" if words.strip("_ ") else ""
    return f"""\\version "2.24.0"
\\header {{ title = "{_escape(title)}" tagline = ##f }}
\\paper {{ #(set-paper-size "a4") page-breaking = #ly:one-page-breaking }}
\\score {{
  <<
    \\new ChordNames \\chordmode {{ {_chords(chords, end, flats)} }}
    \\new Staff {{
      \\clef {clef} \\key {_name(PITCH_CLASS[score.key], flats)} \\{mode} \\time {score.meter}
      \\tempo 4 = {round(score.tempo_bpm)}
      {melody} \\bar "|."
    }}
    {lyrics}
  >>
  \\layout {{ }}
}}
"""


def write_sheet(
    score: Score, chords: tuple[Chord, ...] | list[Chord], target_dir: Path, *, name: str = "sheet", title: str = ""
) -> tuple[Path, Path]:
    """Engrave the lead sheet into `target_dir` as `name`.png and `name`.pdf; SheetError if LilyPond fails."""
    binary = shutil.which("lilypond")
    if binary is None:
        raise SheetError("LilyPond is not installed (Debian package lilypond)")
    source = lead_sheet_ly(score, chords, title)
    with tempfile.TemporaryDirectory(prefix="sheet-") as work:
        folder = Path(work)
        (folder / "sheet.ly").write_text(source, encoding="utf-8")
        command = [binary, "--silent", "--pdf", "--png", "-dresolution=110", "-o", "sheet", "sheet.ly"]
        try:
            done = subprocess.run(
                command, cwd=folder, capture_output=True, text=True, timeout=LILYPOND_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SheetError(f"LilyPond did not finish: {exc}") from exc
        png, pdf = folder / "sheet.png", folder / "sheet.pdf"
        if done.returncode != 0 or not png.is_file() or not pdf.is_file():
            raise SheetError(f"LilyPond failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
        targets = target_dir / f"{name}.png", target_dir / f"{name}.pdf"
        write_bytes_atomic(targets[0], png.read_bytes())
        write_bytes_atomic(targets[1], pdf.read_bytes())
    return targets


def _notes_from_midi(path: Path, track_name: str) -> list[Note] | None:
    """The notes of one named track of a MIDI file, in beats; None when the file has no such track."""
    try:
        midi = symusic.Score.from_file(str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise SheetError(f"cannot read {path.name}: {exc}") from exc
    track = next((t for t in midi.tracks if t.name == track_name and len(t.notes)), None)
    if track is None:
        return None
    quarter = midi.ticks_per_quarter
    return [Note(n.time / quarter, n.duration / quarter, n.pitch, n.velocity) for n in track.notes]


def sheet_beside(score: Score, spec: MusicSpec, target: Path) -> tuple[Path, Path]:
    """The lead sheet of a piece just made, as siblings of its MP3 (same name, .png and .pdf)."""
    title = spec.title or spec.summary()
    return write_sheet(score, make_plan(spec).chords, target.parent, name=target.stem, title=title)


def piece_sheet(spec: MusicSpec, midi_path: Path, *, title: str = "") -> tuple[Path, Path]:
    """The lead sheet of a made piece, beside its MIDI: chords from the plan, the tune as the MIDI plays it.

    The sung line (and its words) is the composer's rules, the same for the same spec; an instrumental
    tune is read back from the MIDI, since a trained model may have written it.
    """
    plan = make_plan(spec)
    score = compose(spec, plan=plan)
    track = tune_track(score)
    if track is not None and track.name != "vocals" and midi_path.is_file():
        played = _notes_from_midi(midi_path, track.name)
        if played is not None:
            track.notes = played
    return write_sheet(score, plan.chords, midi_path.parent, name=midi_path.stem, title=title or spec.title)
