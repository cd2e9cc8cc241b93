"""The learned PartWriter ("model"): melody and piano accompaniment from the shipped networks over the plan's chords."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from engine.compose.theory import derive_seed, scale_pcs
from engine.model.data import energy_bin_for_level, prefix_tokens
from engine.model.originality import OriginalityIndex
from engine.model.rerank import measure, measure_accompaniment
from engine.model.sample import BarFrame, Masks, bars_to_notes, sample_bars
from engine.model.tokenizer import BEATS_PER_BAR, CHORD_SLOTS_PER_BEAT, PITCH_RANGE, Vocab
from engine.plan import Chord, Plan, Section, chord_class
from engine.score import Note
from engine.spec import MODES, MusicSpec

SEGMENT_BARS = 8  # bars sampled per pass; longer sections continue with the previous bars as context
CONTEXT_BARS = 4
ATTEMPTS = 3  # fresh batches tried before giving the part back to the rules
LOW_INTERVAL_LIMIT = 48  # under C3 the piano part plays chord roots and fifths only


@dataclass(frozen=True, slots=True)
class GenerationStats:
    """What one melody cost: batches sampled and candidates the originality guard threw out."""

    batches: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class _Part:
    """How one part is sampled and judged: its network, note grammar, candidates and ranking."""

    name: str
    model: torch.nn.Module
    polyphonic: bool
    candidates: int
    guarded: bool
    rank: Callable[[list[Note], list[Chord], frozenset[int], int, float], float]


@dataclass(slots=True)
class ModelWriter:
    """Writes the melody (and, with the piano network, the piano accompaniment) with the trained models."""

    model: torch.nn.Module = field(repr=False)
    vocab: Vocab = field(repr=False)
    index: OriginalityIndex = field(repr=False)
    candidates: int = 4
    temperature: float = 0.95
    use_guard: bool = True
    name: str = "model"
    piano_model: torch.nn.Module | None = field(default=None, repr=False)
    piano_candidates: int = 2
    masks: Masks = field(init=False, repr=False)
    last_stats: GenerationStats = field(default_factory=GenerationStats)

    def __post_init__(self) -> None:
        self.masks = Masks.build(self.vocab)

    def melody(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """A melody over every bar of the plan inside [low, high], or None when the model cannot write it."""
        part = _Part("melody", self.model, False, self.candidates, self.use_guard, _melody_score)
        return self._write(part, plan, low, high, seed, min_span=7)

    def accompaniment(self, plan: Plan, spec: MusicSpec, low: int, high: int, seed: int) -> list[Note] | None:
        """A piano accompaniment over every bar inside [low, high], or None when there is no piano network."""
        if self.piano_model is None:
            return None
        part = _Part("piano", self.piano_model, True, self.piano_candidates, False, _accompaniment_score)
        return self._write(part, plan, low, high, seed, min_span=14)

    def _write(self, part: _Part, plan: Plan, low: int, high: int, seed: int, min_span: int) -> list[Note] | None:
        low, high = max(low, PITCH_RANGE[0]), min(high, PITCH_RANGE[1] - 1)
        if plan.beats_per_bar != BEATS_PER_BAR or high - low < min_span or plan.mode not in MODES:
            return None  # trained on 4/4 only; other meters and tiny ranges go to the rules
        generator = torch.Generator().manual_seed(derive_seed(seed, f"model-{part.name}"))
        bar_tokens: list[list[int]] = []
        notes: list[Note] = []
        written: dict[tuple[str, tuple[Chord, ...]], tuple[int, list[list[int]], list[Note]]] = {}
        batches = rejected = 0
        for section in plan.sections:
            first_beat = section.start_bar * BEATS_PER_BAR
            key = (section.name, _relative_chords(section))
            if key in written:  # a repeated section (second chorus) plays its part again
                earlier_beat, tokens, earlier = written[key]
                bar_tokens += tokens
                notes += [Note(n.start - earlier_beat + first_beat, n.duration, n.pitch, n.velocity) for n in earlier]
                continue
            section_tokens: list[list[int]] = []
            section_notes: list[Note] = []
            for offset in range(0, section.bars, SEGMENT_BARS):
                count = min(SEGMENT_BARS, section.bars - offset)
                segment = self._segment(part, plan, section, offset, count, low, high, bar_tokens, notes, generator)
                if segment is None:
                    return None
                tokens, fresh, stats = segment
                batches, rejected = batches + stats.batches, rejected + stats.rejected
                bar_tokens += tokens
                notes += fresh
                section_tokens += tokens
                section_notes += fresh
            written[key] = (first_beat, section_tokens, section_notes)
        self.last_stats = GenerationStats(batches, rejected)
        end = plan.total_bars * BEATS_PER_BAR
        return [Note(n.start, min(n.duration, end - n.start), n.pitch, n.velocity) for n in notes if n.start < end]

    def _segment(
        self,
        part: _Part,
        plan: Plan,
        section: Section,
        offset: int,
        count: int,
        low: int,
        high: int,
        history: list[list[int]],
        notes_so_far: list[Note],
        generator: torch.Generator,
    ) -> tuple[list[list[int]], list[Note], GenerationStats] | None:
        first_bar = section.start_bar + offset
        scale = frozenset(scale_pcs(plan.tonic_pc, plan.mode))
        floor = LOW_INTERVAL_LIMIT if part.polyphonic else 0
        frames = [self._frame(plan, bar, scale, low, high, floor) for bar in range(first_bar, first_bar + count)]
        tempo = self.vocab.id(self.vocab.tempo_token(plan.tempo_bpm))
        energy = energy_bin_for_level(section.energy)
        prompt = prefix_tokens(self.vocab, plan.tonic_pc, plan.mode, energy, tempo)
        prompt += [token for bar in history[-CONTEXT_BARS:] for token in bar]
        chords = [c for c in plan.chords if c.start < (first_bar + count) * BEATS_PER_BAR]
        velocity = round(72 + 30 * section.energy) - (12 if part.polyphonic else 0)
        tail = notes_so_far[-8:]
        rejected = 0
        for attempt in range(ATTEMPTS):
            outputs = sample_bars(
                part.model,
                self.vocab,
                self.masks,
                prompt,
                frames,
                part.candidates,
                generator,
                self.temperature,
                polyphonic=part.polyphonic,
            )
            ranked: list[tuple[float, list[list[int]], list[Note]]] = []
            for tokens in outputs:
                fresh = bars_to_notes(tokens, self.vocab, first_bar * BEATS_PER_BAR, velocity, part.polyphonic)
                ranked.append((part.rank(fresh, chords, scale, count, section.energy), tokens, fresh))
            ranked.sort(key=lambda item: -item[0])
            for _total, tokens, fresh in ranked:
                if not fresh:
                    continue
                if part.guarded and not self.index.is_original(tail + fresh):
                    rejected += 1
                    continue
                return tokens, fresh, GenerationStats(attempt + 1, rejected)
        return None

    def _frame(self, plan: Plan, bar: int, scale: frozenset[int], low: int, high: int, bass_floor: int = 0) -> BarFrame:
        """A bar's header and allowed pitches: scale and chord tones, only roots and fifths under bass_floor."""
        header = bar_header(self.vocab, plan.chords, bar * BEATS_PER_BAR)
        begin, end = bar * BEATS_PER_BAR, (bar + 1) * BEATS_PER_BAR
        bar_chords = [c for c in plan.chords if c.start < end and c.start + c.duration > begin]
        allowed = set(scale) | {pc for chord in bar_chords for pc in chord.pitch_classes}
        # Thirds and other close intervals turn to mud low on a piano (the low interval limit).
        bass = {pc for c in bar_chords for pc in (c.root % 12, (c.root + 7) % 12, c.bass) if pc is not None}
        return BarFrame(
            tuple(header),
            frozenset(p for p in range(low, high + 1) if p % 12 in (allowed if p >= bass_floor else bass)),
        )


def bar_header(vocab: Vocab, chords: tuple[Chord, ...], bar_start: float) -> list[int]:
    """Bar + (ChordPos, Chord) tokens: the chord sounding at the downbeat, then changes on half-beats."""
    header = [vocab.id("Bar_None")]
    current = None
    for chord in chords:
        slot = round((chord.start - bar_start) * CHORD_SLOTS_PER_BEAT)
        name = f"Chord_{chord.root % 12}_{chord_class(chord.quality)}"
        if chord.start <= bar_start + 0.25 and chord.start + chord.duration > bar_start + 0.25:
            current = name
            header = [vocab.id("Bar_None"), vocab.id("ChordPos_0"), vocab.id(name)]
        elif 0 < slot < BEATS_PER_BAR * CHORD_SLOTS_PER_BEAT and name != current:
            header += [vocab.id(f"ChordPos_{slot}"), vocab.id(name)]
            current = name
    return header


def _relative_chords(section: Section) -> tuple[Chord, ...]:
    origin = section.start_bar * BEATS_PER_BAR
    return tuple(Chord(c.root, c.quality, c.start - origin, c.duration, c.bass) for c in section.chords)


def _melody_score(notes: list[Note], chords: list[Chord], scale: frozenset[int], bars: int, energy: float) -> float:
    target = 2.0 + 4.0 * energy  # notes per bar: POP909's melody quartiles run from about 3 to 6
    return measure(notes, chords, scale, BEATS_PER_BAR, bars, target).total


def _accompaniment_score(
    notes: list[Note], chords: list[Chord], scale: frozenset[int], bars: int, energy: float
) -> float:
    target = 8.0 + 9.0 * energy  # notes per bar: POP909's piano quartiles run from about 9 to 16
    return measure_accompaniment(notes, chords, scale, BEATS_PER_BAR, bars, target).total
