"""Music-theory helpers the part writers share: scales, meters, pitch fitting and seeded randomness."""

from __future__ import annotations

import hashlib
import random

MODE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}

# Beat groups of each meter in eighth notes: where the felt pulses of a bar fall.
METER_GROUPS: dict[str, tuple[int, ...]] = {
    "2/4": (2, 2),
    "3/4": (2, 2, 2),
    "4/4": (2, 2, 2, 2),
    "5/4": (2, 2, 2, 2, 2),
    "6/8": (3, 3),
    "7/8": (2, 2, 3),
    "9/8": (3, 3, 3),
    "12/8": (3, 3, 3, 3),
}
STEPS_PER_BEAT = 4  # the pattern grid is sixteenth notes of a quarter-note beat


def bar_steps(meter: str) -> int:
    """Sixteenth-note steps in one bar of this meter."""
    return sum(METER_GROUPS[meter]) * 2


def group_starts(meter: str) -> list[int]:
    """The sixteenth-note steps where each beat group of the bar starts."""
    starts, step = [], 0
    for eighths in METER_GROUPS[meter]:
        starts.append(step)
        step += eighths * 2
    return starts


def strong_steps(meter: str) -> set[int]:
    """Steps of the bar's strong beats: the downbeat and the start of the bar's second half."""
    starts = group_starts(meter)
    strong = {0}
    if len(starts) >= 4:
        strong.add(starts[len(starts) // 2])
    return strong


def scale_pcs(tonic_pc: int, mode: str) -> tuple[int, ...]:
    """The seven pitch classes of the mode on this tonic."""
    return tuple((tonic_pc + step) % 12 for step in MODE_STEPS[mode])


def scale_pitches(pcs: tuple[int, ...] | list[int], low: int, high: int) -> list[int]:
    """Every MIDI pitch in [low, high] whose pitch class is in `pcs`, ascending."""
    wanted = set(pcs)
    return [pitch for pitch in range(max(0, low), min(127, high) + 1) if pitch % 12 in wanted]


def nearest_with_pc(pc: int, target: float, low: int = 0, high: int = 127) -> int:
    """The pitch of class `pc` closest to `target`, kept inside [low, high] when the range allows."""
    base = round(target) - ((round(target) - pc) % 12)
    candidates = [base + shift for shift in (-12, 0, 12, 24)]
    inside = [pitch for pitch in candidates if low <= pitch <= high]
    pool = inside or candidates
    return min(pool, key=lambda pitch: (abs(pitch - target), pitch))


def fold_into(pitch: int, low: int, high: int) -> int:
    """Move a pitch by octaves until it lies in [low, high] (or as close as an octave allows)."""
    while pitch < low and pitch + 12 <= 127:
        pitch += 12
    while pitch > high and pitch - 12 >= 0:
        pitch -= 12
    return max(0, min(127, pitch))


def derive_seed(seed: int, *labels: str | int) -> int:
    """A stable 63-bit seed from a base seed and labels (Python's hash() is salted per process)."""
    text = "|".join([str(seed), *(str(label) for label in labels)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def rng_for(seed: int, *labels: str | int) -> random.Random:
    """An independent random stream for one purpose, so adding a part never reshuffles another."""
    return random.Random(derive_seed(seed, *labels))
