"""Chords and comping: per-style rhythm patterns and voicings laid over the plan's chords.

Pattern symbols: 'x' the whole voicing ('X' accented), a digit one voice counted from the bottom
(wrapping), 'u' every voice but the lowest ('U' accented) — the "pah" of an oom-pah.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.compose.grid import bar_slice, chord_at, generic_grid, parse_grid, pick, step_beats, variation
from engine.compose.theory import bar_steps
from engine.compose.voicing import voice
from engine.plan import Chord, Plan
from engine.score import Note


@dataclass(frozen=True, slots=True)
class CompStyle:
    """How a style comps: the voicing, grids per meter (quiet to busy) and a fallback for other meters."""

    voicing: str
    grids: dict[str, tuple[str, ...]]
    fallback: str = "block"
    gate: float = 1.0  # share of the written length that sounds: < 1 is staccato


_BLOCK = {"4/4": ("x---------------", "x-------x-------", "x---x---x---x---"),
          "3/4": ("x-----------", "x---x---x---"), "6/8": ("x-----------", "x-----x-----"),
          "2/4": ("x-------", "x---x---")}  # fmt: skip

COMP_STYLES: dict[str, CompStyle] = {
    "block": CompStyle("close", _BLOCK),
    "pad": CompStyle("close", {"4/4": ("x---------------",)}, "sustain"),
    "pop_keys": CompStyle(
        "spread",
        {
            "4/4": ("0---2---3---4---", "0-1-2-3-4-3-2-1-", "x-------x---x---", "x---x-x---x-x---"),
            "3/4": ("0---2---3---", "0-1-2-3-4-3-", "x---x---x---"),
            "6/8": ("0-2-3-0-2-3-", "x-----x-----", "x---x-x---x-"),
            "2/4": ("0-2-3-4-", "x---x---"),
        },
        "arp",
    ),
    "ballad_arp": CompStyle(
        "spread",
        {
            "4/4": ("0---2---3---4---", "0-1-2-3-4-3-2-1-"),
            "3/4": ("0-1-2-3-4-3-",),
            "6/8": ("0-2-3-0-2-3-",),
            "2/4": ("0-2-3-4-",),
        },
        "arp",
    ),
    "pluck": CompStyle(
        "spread",
        {
            "4/4": ("0-1-2-3-4-3-2-1-",),
            "3/4": ("0-1-2-3-4-3-",),
            "6/8": ("0-2-3-0-2-3-",),
            "2/4": ("0-2-3-4-",),
        },
        "arp",
    ),
    "strum": CompStyle(
        "guitar",
        {
            "4/4": ("X---------------", "X-------X-------", "X---x-x---x-X-x-", "X-x-X-x-X-x-X-x-"),
            "3/4": ("X-----------", "X---x-x-x-x-"),
            "6/8": ("X-----x-----", "X-x-x-X-x-x-"),
            "2/4": ("X-------", "X---x-x-"),
        },
        "block",
        0.95,
    ),
    "celtic_strum": CompStyle(
        "guitar",
        {
            "6/8": ("X-----X-----", "X-x-x-X-x-x-", "X-xxx-X-xxx-"),
            "4/4": ("X---x-x---x-X-x-",),
        },
        "block",
        0.9,
    ),
    "country": CompStyle(
        "spread",
        {
            "4/4": ("0---u---1---u---", "0---u-u-1---u-u-"),
            "3/4": ("0---u---u---",),
            "2/4": ("0---u---",),
        },
        "block",
        0.7,
    ),
    "power": CompStyle(
        "power",
        {
            "4/4": ("X---------------", "X-------X-------", "X-----x-X-----x-", "X-x-X-x-X-x-X-x-"),
        },
        "block",
        0.9,
    ),
    "power8": CompStyle("power", {"4/4": ("X-------X-------", "X-x-x-x-X-x-x-x-")}, "block", 0.8),
    "metal_power": CompStyle(
        "power",
        {
            "4/4": ("X-------X-------", "X-x-x-x-X-x-x-x-", "XxxxXxxxXxxxXxxx"),
        },
        "block",
        0.7,
    ),
    "shell": CompStyle(
        "shell",
        {
            "4/4": ("x-------x-------", "x-----x-........", "x-----x---x-....", "x-----x---x-..x-"),
        },
        "block",
        0.9,
    ),
    "blues_comp": CompStyle(
        "close",
        {
            "4/4": ("x-------x-------", "x-----x-x-----x-", "x---x---x---x---"),
            "12/8": ("X-----------------------", "X-----------x-----------"),
        },
        "block",
        0.9,
    ),
    "funk": CompStyle("stab", {"4/4": ("x-..x-..x-..x-..", "x-.x..x-x-.x..x-", "x.xx..x.x.xx..x.")}, "offbeat", 0.5),
    "stabs": CompStyle(
        "stab",
        {
            "4/4": ("x---------------", "x-.....x..x.....", "..x..x....x..x..", "x..x..x...x..x.."),
        },
        "offbeat",
        0.6,
    ),
    "house_stab": CompStyle(
        "stab", {"4/4": ("x---------------", "..x...x...x...x.", "..x..x.x..x..x.x")}, "offbeat", 0.5
    ),
    "disco": CompStyle("stab", {"4/4": ("x---------------", "..x...x...x...x.", ".xx.xx.x.xx.xx.x")}, "offbeat", 0.35),
    "soul_keys": CompStyle(
        "close",
        {
            "4/4": ("x---------------", "x-------x-------", "x-----x-x---x---", "x---x-x-x---x-x-"),
        },
        "block",
        0.95,
    ),
    "hiphop_keys": CompStyle(
        "close", {"4/4": ("x---------------", "x-------x-......", "x-----x---x-....")}, "block", 0.95
    ),
    "lofi_keys": CompStyle(
        "close", {"4/4": ("x---------------", "x-----------x---", "x-----x-----x---")}, "block", 0.95
    ),
    "synth_pulse": CompStyle(
        "close", {"4/4": ("x---------------", "x-x-x-x-x-x-x-x-", "xxxxxxxxxxxxxxxx")}, "block", 0.6
    ),
    "cinematic": CompStyle(
        "spread",
        {
            "4/4": ("x---------------", "0-1-2-3-4-3-2-1-", "0123432101234321"),
            "3/4": ("x-----------", "0-1-2-3-4-3-"),
            "6/8": ("x-----------", "0-2-3-0-2-3-"),
        },
        "sustain",
    ),
    # An action cue's strings: a gallop or running sixteenths on the low voice, the chord struck on accents.
    "action_ostinato": CompStyle(
        "low",
        {
            "4/4": ("0-000-000-000-00", "X000000000000000", "X00-000X00-000X0"),
            "3/4": ("0-000-000-00", "X00000000000"),
            "6/8": ("0-00-00-00-0", "X00000X00000"),
            "2/4": ("0-000-00", "X0000000"),
        },
        "arp",
        0.8,
    ),
    "alberti": CompStyle(
        "low",
        {
            "4/4": ("x-------x-------", "0-2-1-2-0-2-1-2-", "0212021202120212"),
            "3/4": ("x-----------", "0-2-1-2-1-2-"),
            "6/8": ("0-2-1-0-2-1-",),
            "2/4": ("0-2-1-2-",),
        },
        "arp",
    ),
    "baroque_arp": CompStyle(
        "spread",
        {
            "4/4": ("x-------x-------", "0-1-2-3-0-1-2-3-", "0123232101232321"),
            "3/4": ("0-1-2-3-2-1-",),
            "2/4": ("0-1-2-3-",),
        },
        "arp",
    ),
    "skank": CompStyle("stab", {"4/4": ("....x-......x-..", "..x-..x-..x-..x-")}, "offbeat", 0.45),
    "montuno": CompStyle(
        "close",
        {
            "4/4": ("x-------x-------x-------x-------", "x-0-.-x-0-x-.-x-.-x-0-x-.-x-0-x-"),
        },
        "offbeat",
        0.8,
    ),
    "bossa": CompStyle(
        "close", {"4/4": ("x---------------x---------------", "x--x--x---x--x----x--x--x---x---")}, "offbeat", 0.9
    ),
    "tango": CompStyle(
        "low",
        {
            "2/4": ("X---x---", "X-x-X-x-", "X--xX-x-"),
            "4/4": ("X---x---X---x---", "X-x-X-x-X-x-X-x-"),
        },
        "block",
        0.6,
    ),
    "chip_arp": CompStyle("close", {"4/4": ("0-1-2-3-0-1-2-3-", "0123012301230123")}, "arp", 0.8),
    "gospel": CompStyle("close", {"4/4": ("x---------------", "x-------x-----x-", "x-----x-..x-x---")}),
    "march": CompStyle(
        "close", {"2/4": ("x-------", "..x-..x-", "x-x-x-x-"), "4/4": ("..x-..x-..x-..x-",)}, "offbeat", 0.6
    ),
    "waltz": CompStyle("spread", {"3/4": ("x-----------", "0---u---u---", "0---u---u---")}, "block", 0.8),
    # A keyboard or guitar that plays the tune with nobody comping gives itself a left hand.
    "left_hand": CompStyle(
        "spread",
        {
            "4/4": ("0---2---3---4---", "0-1-2-3-4-3-2-1-", "0---u---0---u---", "0---u-u-0---u-u-"),
            "3/4": ("0-1-2-3-4-3-", "0---u---u---"),
            "6/8": ("0-2-3-0-2-3-", "0---u-0---u-"),
            "2/4": ("0-2-3-4-", "0---u---"),
            "12/8": ("0-2-3-0-2-3-0-2-3-0-2-3-",),
        },
        "arp",
    ),
}


def _register(kind: str, low: int, high: int) -> tuple[int, int]:
    """The slice of an instrument's range a voicing kind uses (middle of the keyboard, or lower)."""
    if kind == "low":
        return max(low, 43), max(min(high, 64), max(low, 43) + 12)
    if kind in ("spread", "guitar", "power"):
        return low, min(high, max(low + 24, 84))
    window_low, window_high = max(low, 48), min(high, 79)
    if window_high - window_low < 12:
        return low, high
    return window_low, window_high


def _grid(style: CompStyle, meter: str, energy: float, bar: int, shift: int) -> str:
    options = style.grids.get(meter)
    if options is None:
        return generic_grid(meter, style.fallback)
    if any(len(grid) != bar_steps(meter) for grid in options):
        shift = 0  # a two-bar pattern (clave, montuno) is never broken in the middle
    return bar_slice(pick(options, energy, shift), meter, bar)


def _voices(symbol: str, voicing: list[int]) -> list[int]:
    if symbol in "xX":
        return voicing
    if symbol in "uU":
        return voicing[1:] or voicing
    return [voicing[int(symbol) % len(voicing)]]


def write_comping(
    plan: Plan,
    meter: str,
    style_name: str,
    low: int,
    high: int,
    end_beat: float,
    rng: random.Random,
) -> list[Note]:
    """Comp the plan's chords in the named style inside [low, high]; the last bar holds the final chord."""
    style = COMP_STYLES[style_name]
    kind = "close" if style.voicing == "low" else style.voicing
    window = _register(style.voicing, low, high)
    chords = plan.chords
    steps = bar_steps(meter)
    voicings: dict[float, list[int]] = {}
    previous: list[int] | None = None
    notes: list[Note] = []
    final_bar = plan.total_bars - 1

    def voicing_for(chord: Chord) -> list[int]:
        nonlocal previous
        if chord.start not in voicings:
            voicings[chord.start] = voice(kind, chord, window[0], window[1], previous)
            previous = voicings[chord.start]
        return voicings[chord.start]

    for section in plan.sections:
        base_velocity = 52 + 44 * section.energy
        for bar in range(section.bars):
            start = (section.start_bar + bar) * plan.beats_per_bar
            if section.start_bar + bar == final_bar:
                final = chord_at(chords, start)
                for pitch in voicing_for(final):
                    notes.append(Note(start, end_beat - start, pitch, round(base_velocity)))
                break
            grid = _grid(style, meter, section.energy, section.start_bar + bar, variation(bar, rng.random()))
            for hit in parse_grid(grid[:steps]):
                onset = start + step_beats(hit.step)
                chord = chord_at(chords, onset)
                chord_end = chord.start + chord.duration
                length = min(step_beats(hit.length), chord_end - onset)
                velocity = base_velocity + (12 if hit.symbol in "XU" else 0) + rng.uniform(-3, 3)
                for pitch in _voices(hit.symbol, voicing_for(chord)):
                    notes.append(Note(onset, length * style.gate, pitch, round(velocity)))
                # A chord change under a held pattern note is struck again so the harmony is heard.
                later = chord_at(chords, chord_end)
                hold_end = onset + step_beats(hit.length)
                if hit.symbol in "xX" and later.start > chord.start and chord_end < hold_end - 1e-6:
                    for pitch in voicing_for(later):
                        notes.append(Note(chord_end, (hold_end - chord_end) * style.gate, pitch, round(velocity - 6)))
    return notes
