"""Inputs for judging the tune path, made here: folk melodies from music21's corpus, rendered as a hum,
a whistle, a piano and a sung "la" (the singer of engine.vocals), clean or under noise at a given SNR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

from engine.audio.render import Renderer
from engine.midi import score_to_midi
from engine.score import Note, Score, Track
from engine.tune.audio_input import SAMPLE_RATE

# (corpus file, tune number): short German and Luxembourgish folk songs in 2/4, 3/4, 4/4 and 6/8.
FOLK_TUNES = (
    ("essenFolksong/kinder0", 1), ("essenFolksong/kinder0", 3), ("essenFolksong/kinder0", 5),
    ("essenFolksong/erk5", 1), ("essenFolksong/erk5", 2), ("essenFolksong/han1", 1),
    ("essenFolksong/han1", 2), ("essenFolksong/boehme10", 1), ("essenFolksong/boehme10", 2),
    ("essenFolksong/lux", 1), ("essenFolksong/lux", 2), ("essenFolksong/altdeu20", 1),
)  # fmt: skip
MAX_SECONDS = 14.0
_RNG_SEED = 16
SUNG_CENTRE = 67  # inside the female voice's register, so the singer sings the notes where they are written


@dataclass(frozen=True, slots=True)
class Melody:
    """A reference melody: notes as (onset s, offset s, MIDI pitch), its tempo and where it came from."""

    name: str
    notes: list[tuple[float, float, int]]
    tempo_bpm: float
    meter: str


def folk_melodies(count: int = len(FOLK_TUNES), tempo_bpm: float = 96.0) -> list[Melody]:
    """The first `count` corpus tunes, cut to about 14 s at `tempo_bpm` (ties joined, chords topped)."""
    from music21 import corpus

    melodies = []
    for index, (name, number) in enumerate(FOLK_TUNES[:count]):
        score = corpus.parse(name, number=number).stripTies()
        signatures = score.recurse().getElementsByClass("TimeSignature")
        meter = signatures[0].ratioString if signatures else "4/4"
        tempo = tempo_bpm + 8 * (index % 3 - 1)  # 88, 96, 104: the tempo finder sees more than one
        beat = 60.0 / tempo
        notes = []
        for item in score.flatten().notes:
            start = float(item.offset) * beat
            if start >= MAX_SECONDS:
                break
            pitch = max(p.midi for p in item.pitches)
            notes.append((start, start + float(item.quarterLength) * beat, pitch))
        melodies.append(Melody(f"{name.split('/')[-1]}#{number}", notes, tempo, meter))
    return melodies


def _in_register(notes: list[tuple[float, float, int]], centre: int) -> list[tuple[float, float, int]]:
    middle = sorted(p for _, _, p in notes)[len(notes) // 2]
    shift = 12 * round((centre - middle) / 12)
    return [(s, e, p + shift) for s, e, p in notes]


def _frequency_track(notes: list[tuple[float, float, int]], length: int, glide_s: float) -> tuple[np.ndarray, ...]:
    """Per-sample frequency (with a short glide into each note) and an amplitude envelope with breaths."""
    frequency = np.zeros(length)
    envelope = np.zeros(length)
    previous = None
    for start, end, pitch in notes:
        a, b = int(start * SAMPLE_RATE), min(length, int(end * SAMPLE_RATE))
        target = 440.0 * 2 ** ((pitch - 69) / 12)
        frequency[a:b] = target
        glide = min(b - a, int(glide_s * SAMPLE_RATE))
        if previous is not None and glide > 0:
            frequency[a : a + glide] = np.geomspace(previous, target, glide)
        previous = target
        sounding = max(1, int((b - a) * 0.9))  # a breath or a re-articulation before the next note
        attack, release = min(sounding, int(0.03 * SAMPLE_RATE)), min(sounding, int(0.05 * SAMPLE_RATE))
        shape = np.ones(sounding)
        shape[:attack] = np.linspace(0, 1, attack)
        shape[sounding - release :] = np.minimum(shape[sounding - release :], np.linspace(1, 0, release))
        envelope[a : a + sounding] = shape
    return frequency, envelope


def _voice(notes: list[tuple[float, float, int]], harmonics: list[float], vibrato_cents: float,
           breath: float, glide_s: float, rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    length = int((notes[-1][1] + 0.5) * SAMPLE_RATE)
    frequency, envelope = _frequency_track(notes, length, glide_s)
    t = np.arange(length) / SAMPLE_RATE
    wobble = 2 ** (vibrato_cents / 1200 * np.sin(2 * np.pi * 5.5 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(frequency * wobble) / SAMPLE_RATE
    tone = sum(weight * np.sin((k + 1) * phase) for k, weight in enumerate(harmonics))
    noise = sosfilt(butter(2, [300, 4000], "bandpass", fs=SAMPLE_RATE, output="sos"), rng.standard_normal(length))
    audio = (tone + breath * noise) * envelope
    return (0.3 * audio / max(1e-9, np.max(np.abs(audio)))).astype(np.float32)


def hum(notes: list[tuple[float, float, int]], rng: np.random.Generator) -> np.ndarray:
    """A closed-mouth hum around A3: a dark harmonic tone, vibrato, a glide between notes, breath noise."""
    placed = _in_register(notes, 57)
    return _voice(placed, [1.0, 0.5, 0.25, 0.12, 0.06, 0.03], 25.0, 0.06, 0.04, rng)


def whistle(notes: list[tuple[float, float, int]], rng: np.random.Generator) -> np.ndarray:
    """A whistle around A5: almost a sine, quick vibrato, airy noise."""
    placed = _in_register(notes, 81)
    return _voice(placed, [1.0, 0.05], 15.0, 0.12, 0.02, rng)


def piano(notes: list[tuple[float, float, int]], renderer: Renderer) -> np.ndarray:
    """The melody played on a General MIDI piano (FluidSynth), mono at the transcriber's rate."""
    placed = _in_register(notes, 67)
    beat = 0.5  # the score is written at 120 bpm so seconds map to beats by doubling
    score = Score(120.0, "4/4", "C", "major", [Track("piano", 0, "melody", [
        Note(s / beat, (e - s) / beat * 0.95, p, 90) for s, e, p in placed])], placed[-1][1] / beat + 1)  # fmt: skip
    audio = renderer.render(score_to_midi(score)).mean(axis=1)
    if renderer.sample_rate != SAMPLE_RATE:
        audio = resample_poly(audio, SAMPLE_RATE, renderer.sample_rate)
    return audio.astype(np.float32)


def sung_la(notes: list[tuple[float, float, int]]) -> np.ndarray:
    """The melody sung on "la" by the female voice around G4 (the Bandmate singer), a breath every 8 notes."""
    from engine.vocals import sing

    placed = _in_register(notes, SUNG_CENTRE)
    beat = 0.5  # the notes are written at 120 bpm so seconds map to beats by doubling
    sung = [Note(s / beat, (e - s) / beat, p, 90, "la\n" if (i + 1) % 8 == 0 else "la ")
            for i, (s, e, p) in enumerate(placed)]  # fmt: skip
    return sing(sung, beat, "female", "en", SAMPLE_RATE)


def with_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """The audio with white noise added at `snr_db` (signal power over the voiced part)."""
    voiced = audio[np.abs(audio) > 1e-4]
    power = float(np.mean(voiced**2)) if len(voiced) else 1e-6
    noise = rng.standard_normal(len(audio)) * np.sqrt(power / 10 ** (snr_db / 10))
    return (audio + noise).astype(np.float32)


def placed_reference(notes: list[tuple[float, float, int]], kind: str) -> list[tuple[float, float, int]]:
    """The reference notes in the register the input was rendered in."""
    return _in_register(notes, {"hum": 57, "whistle": 81, "piano": 67, "sung la": SUNG_CENTRE}[kind])


def generator(index: int) -> np.random.Generator:
    """A reproducible random stream per input."""
    return np.random.default_rng(_RNG_SEED + index)
