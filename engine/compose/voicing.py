"""Chord voicings: which pitches a chord gets in a register, led smoothly from the previous chord."""

from __future__ import annotations

from engine.compose.theory import nearest_with_pc
from engine.plan import Chord


def _chord_tones(chord: Chord, limit: int) -> list[int]:
    """Pitch classes to voice, dropping the fifth first when there are more than `limit`."""
    pcs = list(chord.pitch_classes)
    if len(pcs) > limit and len(pcs) >= 4:
        pcs.pop(2)  # the fifth adds least colour
    return pcs[:limit]


def _stack(pcs: list[int], bottom: int) -> list[int]:
    """The pitch classes stacked upwards in close position from the first pitch at or above `bottom`."""
    pitches: list[int] = []
    floor = bottom
    for pc in pcs:
        pitch = floor + ((pc - floor) % 12)
        pitches.append(pitch)
        floor = pitch + 1
    return pitches


def close_voicing(chord: Chord, low: int, high: int, previous: list[int] | None, limit: int = 4) -> list[int]:
    """A close-position voicing inside [low, high], the inversion nearest the previous voicing."""
    pcs = _chord_tones(chord, limit)
    candidates: list[list[int]] = []
    for inversion in range(len(pcs)):
        order = pcs[inversion:] + pcs[:inversion]
        for bottom in range(low, max(low + 1, high - 6)):
            if bottom % 12 != order[0]:
                continue
            pitches = _stack(order, bottom)
            if pitches[-1] <= high:
                candidates.append(pitches)
    if not candidates:
        return sorted({nearest_with_pc(pc, (low + high) / 2, low, high) for pc in pcs})
    centre = (low + high) / 2
    target = sum(previous) / len(previous) if previous else centre

    def cost(pitches: list[int]) -> tuple[float, int]:
        motion = abs(sum(pitches) / len(pitches) - target)
        if previous and len(previous) == len(pitches):
            motion = sum(abs(a - b) for a, b in zip(sorted(previous), pitches, strict=True)) / len(pitches)
        return motion + abs(sum(pitches) / len(pitches) - centre) * 0.15, pitches[0]

    return min(candidates, key=cost)


def spread_voicing(chord: Chord, low: int, high: int, previous: list[int] | None) -> list[int]:
    """A root in the bass register under a close voicing an octave or more above: ballad and arpeggio shape."""
    bass_pc = chord.bass if chord.bass is not None else chord.root
    root = nearest_with_pc(bass_pc, low + 6, low, high)
    upper_low = max(root + 7, low + 12)
    upper = close_voicing(chord, upper_low, min(high, upper_low + 16), previous[1:] if previous else None, 3)
    fifth = nearest_with_pc((chord.root + 7) % 12, root + 7, root + 1, high)
    return sorted({root, fifth, *upper})


def shell_voicing(chord: Chord, low: int, high: int, previous: list[int] | None) -> list[int]:
    """Jazz shell: third and seventh (plus a ninth when the chord has one), no root, mid register."""
    steps = [(pc - chord.root) % 12 for pc in chord.pitch_classes]
    third = next((s for s in steps if s in (3, 4)), steps[1])
    seventh = next((s for s in steps if s in (9, 10, 11)), 7)
    guide = [(chord.root + third) % 12, (chord.root + seventh) % 12]
    if any(s in (2, 14) for s in steps):
        guide.append((chord.root + 2) % 12)
    anchor = previous[0] if previous else (low + high) / 2 - 4
    first = nearest_with_pc(guide[0], anchor, low, high - 6)
    pitches = [first]
    for pc in guide[1:]:
        pitches.append(first + ((pc - first) % 12 or 12))
    return [p for p in pitches if p <= high] or [first]


def power_voicing(chord: Chord, low: int, high: int) -> list[int]:
    """Root, fifth and octave in the low-mid register: the rock guitar power chord."""
    root = nearest_with_pc(chord.root, max(low, 40) + 5, low, high - 12)
    return [pitch for pitch in (root, root + 7, root + 12) if pitch <= high]


def guitar_voicing(chord: Chord, low: int, high: int) -> list[int]:
    """An open-position guitar shape: root low, then fifth, octave, third and fifth above."""
    root = nearest_with_pc(chord.bass if chord.bass is not None else chord.root, max(low, 40) + 5, low, high)
    steps = [(pc - chord.root) % 12 for pc in chord.pitch_classes]
    third = next((s for s in steps if s in (2, 3, 4, 5)), 7)
    colour = next((s for s in steps if s in (9, 10, 11)), None)
    shape = [0, 7, 12, 12 + third, 19]
    if colour is not None:
        shape[2] = colour
    return sorted({pitch for pitch in (root + step for step in shape) if low <= pitch <= high})


def voice(kind: str, chord: Chord, low: int, high: int, previous: list[int] | None) -> list[int]:
    """Voice a chord in the named way: close, spread, shell, power, guitar or stab."""
    if kind == "spread":
        return spread_voicing(chord, low, high, previous)
    if kind == "shell":
        return shell_voicing(chord, low, high, previous)
    if kind == "power":
        return power_voicing(chord, low, high)
    if kind == "guitar":
        return guitar_voicing(chord, low, high)
    if kind == "stab":
        top = min(high, max(low + 14, 79))
        return close_voicing(chord, max(low, top - 16), top, previous, 4)
    return close_voicing(chord, low, high, previous)
