"""Prosody: where each syllable of a line falls in the bar, stressed syllables on the strong beats.

A line is one phrase of `bars` bars on an eighth-note grid. A small dynamic programme places one
onset per syllable: a stressed syllable costs little on a beat and a lot between beats, an unstressed
one the reverse; even, short steps inside a line are cheap, long holds in the middle of a word dear;
the last syllable aims at the last bar's downbeat and is held there; leading unstressed syllables may
fall just before the bar line as a pickup. The same line and bars always get the same rhythm.
"""

from __future__ import annotations

from functools import cache

from engine.compose.theory import METER_GROUPS, strong_steps
from engine.lyrics.syllables import PRIMARY, SECONDARY

SLOT_BEATS = 0.5  # the grid: eighth notes
PICKUP_SLOTS = 3  # at most three eighths before the line's first bar line
LINE_BAR_CHOICES = (2, 4, 8)
MAX_SYLLABLES_PER_SECOND = 4.5  # faster than this is patter, not singing
FILL = 0.7  # a line uses at most this share of its grid, so it breathes
# Cost of a syllable of each stress on a slot of each metric weight (3 downbeat … 0 off the beat).
_PLACEMENT: dict[int, dict[float, float]] = {
    PRIMARY: {3: 0.0, 2.5: 0.1, 2: 0.4, 0: 4.0},
    SECONDARY: {3: 0.2, 2.5: 0.2, 2: 0.2, 0: 1.2},
    0: {3: 1.2, 2.5: 0.9, 2: 0.4, 0: 0.0},
}
# Cost of the step from one syllable to the next, in eighths: quarters flow in simple meters, while
# compound meters (beats of three eighths) flow in eighths and dotted quarters.
_GAP_COST = {1: 0.0, 2: 0.05, 3: 0.35, 4: 0.25}
SYNCOPATION_COST = 0.3
_COMPOUND_GAP_COST = {1: 0.0, 2: 0.3, 3: 0.05, 4: 0.45, 6: 0.3}


def eighths_per_bar(meter: str) -> int:
    """Eighth-note slots in one bar."""
    return sum(METER_GROUPS[meter])


def slot_weights(meter: str) -> tuple[float, ...]:
    """Metric weight of each eighth of a bar: 3 the downbeat, 2.5 the mid-bar strong beat, 2 a beat, 0 off."""
    weights = [0.0] * eighths_per_bar(meter)
    step = 0
    for eighths in METER_GROUPS[meter]:
        weights[step] = 2.0
        step += eighths
    for sixteenth in strong_steps(meter):
        weights[sixteenth // 2] = 2.5
    weights[0] = 3.0
    return tuple(weights)


def on_beat(beat_in_bar: float, meter: str, weight: float = 2.0) -> bool:
    """Whether a time inside the bar falls on a beat (weight 2), or a strong beat: downbeat, mid-bar (2.5)."""
    slot = beat_in_bar / SLOT_BEATS
    if abs(slot - round(slot)) > 1e-6:
        return False
    return slot_weights(meter)[round(slot) % eighths_per_bar(meter)] >= weight


def line_bars(syllables: int, meter: str, tempo_bpm: float) -> int:
    """How many bars a line of this many syllables takes: the fewest that sing it unhurried."""
    seconds_per_bar = eighths_per_bar(meter) * SLOT_BEATS * 60.0 / tempo_bpm
    for bars in LINE_BAR_CHOICES:
        room = bars * eighths_per_bar(meter) * FILL
        if syllables <= room and syllables <= bars * seconds_per_bar * MAX_SYLLABLES_PER_SECOND:
            return bars
    return LINE_BAR_CHOICES[-1]


def _gap_cost(gap: int, inside_word: bool, stressed: bool, compound: bool) -> float:
    """Holding a syllable `gap` eighths: long holds are dear inside a word and on an unstressed syllable."""
    cost = (_COMPOUND_GAP_COST if compound else _GAP_COST).get(gap, 0.25 * (gap - 3))
    return cost * (1.6 if inside_word and gap > 2 else 1.0) * (1.0 if stressed or gap <= 2 else 1.8)


@cache
def line_rhythm(
    stresses: tuple[int, ...], word_ends: tuple[bool, ...], bars: int, meter: str, pickup: bool
) -> tuple[float, ...]:
    """Onsets (beats from the line's first bar line, a pickup negative) of each syllable of a line."""
    count = len(stresses)
    per_bar = eighths_per_bar(meter)
    weights = slot_weights(meter)
    compound = set(METER_GROUPS[meter]) == {3}
    total = bars * per_bar
    lowest = -PICKUP_SLOTS if pickup else 0
    highest = max(total - 3, count - 1 + lowest)
    slots = range(lowest, highest + 1)
    target_end = total - per_bar if bars > 1 else max(0, total - 4)

    def place(index: int, slot: int) -> float:
        weight = 0.0 if slot < 0 else weights[slot % per_bar]
        return _PLACEMENT[stresses[index]][weight] + (0.3 if slot < 0 else 0.0)

    def syncopated(prev: int, slot: int) -> float:
        """A note struck between beats and held over the next beat: fine now and then, not as a habit."""
        if prev < 0 or weights[prev % per_bar] >= 2.0:
            return 0.0
        following = next(s for s in range(prev + 1, prev + per_bar + 1) if weights[s % per_bar] >= 2.0)
        return SYNCOPATION_COST if slot > following else 0.0

    inf = float("inf")
    best = [{slot: inf for slot in slots} for _ in range(count)]
    back: list[dict[int, int]] = [{} for _ in range(count)]
    for slot in slots:
        best[0][slot] = place(0, slot) + 0.12 * max(0, slot)
    for index in range(1, count):
        inside_word, stressed = not word_ends[index - 1], stresses[index - 1] > 0
        for slot in slots:
            if slot - lowest < index:
                continue
            here = place(index, slot)
            options = (
                (
                    best[index - 1][prev]
                    + _gap_cost(slot - prev, inside_word, stressed, compound)
                    + syncopated(prev, slot),
                    prev,
                )
                for prev in range(max(lowest, slot - 2 * per_bar), slot)
                if best[index - 1][prev] < inf
            )
            cost, prev = min(options, default=(inf, lowest))
            best[index][slot] = cost + here
            back[index][slot] = prev
    last = min(slots, key=lambda s: best[-1][s] + 0.15 * abs(s - target_end))
    onsets = [last]
    for index in range(count - 1, 0, -1):
        onsets.append(back[index][onsets[-1]])
    return tuple(slot * SLOT_BEATS for slot in reversed(onsets))
