"""Time-aligning speech onto notes: consonants before the note onset, vowels stretched over the note."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np

from engine.speech import Phone, Speech
from engine.vocals.lines import Line, SungNote

# IPA letters that make a phoneme a syllable nucleus (plus the syllabic mark on consonants).
_VOWELS = frozenset("aeiouyæɐɑɒɔəɘɚɛɜɝɞɤɨɪʉʊʌʏøœɶɵɯᵻᵿᵊ\u0329?")  # "?": a name espeak-ng could not spell
MAX_CONSONANT_S = 0.14  # a consonant longer than this in the speech is shortened when sung
MIN_VOWEL_SHARE = 0.35  # of a syllable's span, kept for its vowel however many consonants crowd it
LOUD_SHARE = 0.7  # a held vowel stretches only where it is this loud (of its peak): attack and release keep time
MAX_ATTACK_S = 0.03  # a softer rise than this (a vowel that opens a word) is sung quicker, so it is full on the beat


def is_vowel(ipa: str) -> bool:
    """Whether an espeak-ng IPA phoneme is a vowel (or a syllabic consonant)."""
    return any(char in _VOWELS for char in ipa)


@dataclass(slots=True)
class Unit:
    """What is sung from one note onset: consonants before it, then the vowel(s) and coda over its notes."""

    onset: list[Phone]
    nucleus: list[Phone]  # from the first vowel to the last vowel, inner consonants included
    coda: list[Phone]
    notes: list[SungNote]


@dataclass(frozen=True, slots=True)
class Segment:
    """One phoneme's place: samples [src_start, src_end) of the speech sung over [start, end) seconds."""

    src_start: int
    src_end: int
    start: float
    end: float
    vowel: bool = False  # sung voiced throughout, even where the speech's own voicing starts late


def _split_syllables(phones: list[Phone]) -> list[list[Phone]]:
    """espeak-ng's phonemes of one word cut into syllables: one vowel each, a lone consonant opens the next."""
    nuclei = [index for index, phone in enumerate(phones) if is_vowel(phone.ipa)]
    if not nuclei:
        nuclei = [max(range(len(phones)), key=lambda index: phones[index].end - phones[index].start)]
    cuts = [0]
    for previous, current in itertools.pairwise(nuclei):
        between = current - previous - 1
        cuts.append(previous + 1 + (1 if between >= 2 else 0))
    cuts.append(len(phones))
    return [phones[a:b] for a, b in itertools.pairwise(cuts)]


def _unit(phones: list[Phone], notes: list[SungNote]) -> Unit:
    voiced = [index for index, phone in enumerate(phones) if is_vowel(phone.ipa)]
    if not voiced:
        voiced = [max(range(len(phones)), key=lambda index: phones[index].end - phones[index].start)]
    first, last = voiced[0], voiced[-1]
    return Unit(phones[:first], phones[first : last + 1], phones[last + 1 :], notes)


def word_units(phones: list[Phone], syllable_notes: list[list[SungNote]]) -> list[Unit]:
    """Map a word's spoken syllables onto its sung ones; surplus notes hold the vowel before them."""
    spoken = _split_syllables(phones)
    sung = len(syllable_notes)
    # Fewer spoken syllables than sung ones ("laooh" read as one): round up, so the first sung syllable gets
    # the first spoken one and the surplus at the end hold its vowel, rather than the first note going unsung.
    rounding = 0 if len(spoken) >= sung else sung - 1
    groups: list[tuple[list[Phone], list[SungNote]]] = []
    for index, notes in enumerate(syllable_notes):
        first, last = (index * len(spoken) + rounding) // sung, ((index + 1) * len(spoken) + rounding) // sung
        chunk = [phone for syllable in spoken[first:last] for phone in syllable]
        if chunk or not groups:
            groups.append((chunk, list(notes)))
        else:
            groups[-1][1].extend(notes)  # fewer spoken syllables than notes: a melisma on the vowel
    return [_unit(chunk, notes) for chunk, notes in groups if chunk]


def line_units(line: Line, speech: Speech, word_starts: list[int]) -> list[Unit]:
    """Every unit of a spoken line, the phonemes assigned to words by their character offsets."""
    by_word: list[list[Phone]] = [[] for _ in line]
    for phone in speech.phones:
        by_word[max(bisect.bisect_right(word_starts, phone.text_position) - 1, 0)].append(phone)
    units: list[Unit] = []
    for word, phones in zip(line, by_word, strict=True):
        if phones:
            units += word_units(phones, [syllable.notes for syllable in word.syllables])
    return units


def _seconds(phones: list[Phone], rate: int) -> list[float]:
    return [min((phone.end - phone.start) / rate, MAX_CONSONANT_S) for phone in phones]


def _place(phones: list[Phone], durations: list[float], start: float) -> list[Segment]:
    segments = []
    for phone, duration in zip(phones, durations, strict=True):
        segments.append(Segment(phone.start, phone.end, start, start + duration))
        start += duration
    return segments


def align(units: list[Unit], speech: Speech, earliest: float) -> list[Segment]:
    """The sung time of every phoneme, in order; nothing starts before `earliest` seconds."""
    sample_rate = speech.sample_rate
    segments: list[Segment] = []
    for index, unit in enumerate(units):
        start, end = unit.notes[0].start, unit.notes[-1].end
        onset = _seconds(unit.onset, sample_rate)
        room = start - earliest  # the unit before kept room for this onset, up to half its own span
        scale = min(1.0, max(room, 0.0) / sum(onset)) if onset else 1.0
        onset = [duration * scale for duration in onset]
        onset_start = max(start - sum(onset), earliest)
        segments += _place(unit.onset, onset, onset_start)
        following = units[index + 1] if index + 1 < len(units) else None
        stop = end
        if following is not None:
            next_onset = sum(_seconds(following.onset, sample_rate))
            stop = min(end, max(following.notes[0].start - next_onset, start + (end - start) * 0.5))
        coda = _seconds(unit.coda, sample_rate)
        span = max(stop - start, 0.03)
        coda_room = span * (1 - MIN_VOWEL_SHARE)
        if sum(coda) > coda_room:
            coda = [duration * coda_room / sum(coda) for duration in coda]
        vowel_start = max(start, onset_start + sum(onset))
        vowel_end = max(vowel_start + 0.02, stop - sum(coda))
        segments += _stretch(unit.nucleus, vowel_start, vowel_end, speech)
        segments += _place(unit.coda, coda, vowel_end)
        earliest = segments[-1].end
    return segments


def _stretch(nucleus: list[Phone], start: float, end: float, speech: Speech) -> list[Segment]:
    """Vowels share the time left by the inner consonants, in proportion to their spoken lengths."""
    sample_rate = speech.sample_rate
    consonants = [0.0 if is_vowel(phone.ipa) else min((phone.end - phone.start) / sample_rate, 0.08)
                  for phone in nucleus]  # fmt: skip
    budget = end - start
    if sum(consonants) > budget * 0.5:
        consonants = [duration * budget * 0.5 / sum(consonants) for duration in consonants]
    vowel_weights = [phone.end - phone.start if is_vowel(phone.ipa) else 0 for phone in nucleus]
    if not any(vowel_weights):
        vowel_weights = [phone.end - phone.start for phone in nucleus]
        consonants = [0.0] * len(nucleus)
    left = budget - sum(consonants)
    total = sum(vowel_weights)
    segments: list[Segment] = []
    for phone, consonant, weight in zip(nucleus, consonants, vowel_weights, strict=True):
        duration = consonant + left * weight / total
        segments += _hold(phone, start, duration, speech) if weight else _place([phone], [duration], start)
        start += duration
    return segments


def _hold(vowel: Phone, start: float, duration: float, speech: Speech) -> list[Segment]:
    """A vowel sung long: its attack and release at spoken speed, only its loud steady part stretched."""
    rate = speech.sample_rate
    if duration <= (vowel.end - vowel.start) / rate:
        return [Segment(vowel.start, vowel.end, start, start + duration, vowel=True)]
    window = max(int(0.005 * rate), 1)
    envelope = np.convolve(np.abs(speech.audio[vowel.start : vowel.end]), np.ones(window) / window, mode="same")
    loud = np.flatnonzero(envelope >= LOUD_SHARE * float(envelope.max()))
    length = vowel.end - vowel.start
    head = int(min(max(loud[0], window * 2), length * 0.6)) if len(loud) else length // 3
    tail = int(max(min(loud[-1], length - window * 2), head + window)) if len(loud) else 2 * length // 3
    if tail >= length or tail - head < window:
        return [Segment(vowel.start, vowel.end, start, start + duration, vowel=True)]
    attack, release = min(head / rate, MAX_ATTACK_S), (length - tail) / rate
    held_from, held_to = start + attack, start + duration - release
    return [Segment(vowel.start, vowel.start + head, start, held_from, vowel=True),
            Segment(vowel.start + head, vowel.start + tail, held_from, held_to, vowel=True),
            Segment(vowel.start + tail, vowel.end, held_to, start + duration, vowel=True)]  # fmt: skip
