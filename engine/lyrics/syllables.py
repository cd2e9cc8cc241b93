"""Words → sung syllables with stress: hyphenation by pyphen, English stress from the CMU dictionary.

Other languages count their syllables by vowel nuclei and take stress from each language's usual rule
(Spanish and Portuguese by ending and accent marks, French on the last full vowel, German on the
stem's first syllable) — a best effort that gets most common words right.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

import pronouncing
import pyphen

PRIMARY, SECONDARY, UNSTRESSED = 2, 1, 0

_PYPHEN_DICTIONARIES = {"en": "en_US", "es": "es", "fr": "fr", "de": "de_DE", "pt": "pt_PT"}
VOWELS = "aeiouyáéíóúàèìòùâêîôûãõäöüëïœæ"
_ACCENTED = "áéíóúâêôãõ"
# Two vowels that are always sung as two syllables (hiatus) in Spanish and Portuguese.
_HIATUS = re.compile(r"[aeo][aeo]|[íú]|[aeo][íú]|[íú][aeo]")
# Consonant pairs that begin a syllable together ("ca-bra", "ta-blo"), so a split goes before them.
_ONSETS = frozenset(
    [
        "bl",
        "br",
        "cl",
        "cr",
        "dr",
        "fl",
        "fr",
        "gl",
        "gr",
        "pl",
        "pr",
        "tr",
        "ch",
        "sh",
        "th",
        "ph",
        "wh",
        "qu",
        "gu",
        "ll",
        "rr",
        "nh",
        "lh",
        "sch",
    ]
)
# Short words a line passes over lightly: articles, pronouns, prepositions, auxiliaries, conjunctions.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an the of to in on at by for from with and or but nor so as if than that this "
        "is am are was were be been it its i me my you your he him his she her we us our they "
        "them their can will would could should shall do does did has have had not no "
        "up out off into onto".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas de del al a en con por para y o u que me te se "
        "le les lo mi tu su nos es son era fue".split()
    ),
    "fr": frozenset(
        "le la les un une des de du au aux à en et ou que qui je tu il elle on nous vous "
        "ils elles me te se ma ta sa mon ton son mes tes ses ne pas est".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einen einem einer und oder zu im in am an auf "
        "mit von ich du er sie es wir ihr mein dein sein ist bin bist sind war".split()
    ),
    "pt": frozenset(
        "o a os as um uma de do da dos das no na em com por para e ou que me te se "
        "lhe meu teu seu é são era foi".split()
    ),
}
_GERMAN_PREFIXES = ("be", "ge", "er", "ver", "zer", "ent", "emp")


@dataclass(frozen=True, slots=True)
class Syllable:
    """One sung syllable: its written letters, its stress (0–2) and whether it ends a word."""

    text: str
    stress: int
    word_end: bool


def nuclei(word: str, language: str) -> list[tuple[int, int]]:
    """The (start, end) letter spans of the word's vowel nuclei: one per sung syllable."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(f"[{VOWELS}]+", word):
        start, end = match.span()
        if start > 0 and word[start] == "u" and word[start - 1] in "qg" and end - start > 1:
            start += 1  # the u of "que", "guerra" is silent
        spans.extend(_split_run(word, start, end, language))
    if language == "fr" and len(spans) > 1 and re.search(r"[^aeiouy](e|es|ent)$", word):
        spans.pop()  # a final mute e
    if language == "en" and len(spans) > 1 and re.search(r"[^aeiouy]e$", word) and not word.endswith("le"):
        spans.pop()
    return spans or [(0, len(word))]


def _split_run(word: str, start: int, end: int, language: str) -> list[tuple[int, int]]:
    """A run of vowels is one nucleus, except a hiatus in Spanish and Portuguese."""
    if language not in ("es", "pt") or end - start < 2:
        return [(start, end)]
    for cut in range(start + 1, end):
        if _HIATUS.fullmatch(word[cut - 1 : cut + 1]):
            return [(start, cut), *_split_run(word, cut, end, language)]
    return [(start, end)]


def split_at_nuclei(word: str, spans: list[tuple[int, int]]) -> list[str]:
    """Letters cut between nuclei: one consonant (or a known onset pair) goes with the next syllable."""
    cuts: list[int] = []
    for (_, end), (start, _) in itertools.pairwise(spans):
        cluster = word[end:start]
        if len(cluster) <= 1:
            cuts.append(end)
        elif len(cluster) >= 3 and cluster[-3:] in _ONSETS:
            cuts.append(start - 3)
        elif cluster[-2:] in _ONSETS:
            cuts.append(start - 2)
        else:
            cuts.append(start - 1)
    bounds = [0, *cuts, len(word)]
    return [word[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@cache
def _hyphenator(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_PYPHEN_DICTIONARIES[language], left=1, right=1)


def _english_stresses(word: str) -> list[int] | None:
    phones = pronouncing.phones_for_word(word.replace("’", "'"))
    if not phones:
        return None
    digits = pronouncing.stresses(phones[0])
    return [{"1": PRIMARY, "2": SECONDARY}.get(d, UNSTRESSED) for d in digits] or None


def _rule_stresses(word: str, count: int, language: str) -> list[int]:
    """Stress by each language's usual rule; English words the dictionary lacks stress their first."""
    stresses = [UNSTRESSED] * count
    if count == 1:
        return [PRIMARY]
    pieces = split_at_nuclei(word, nuclei(word, language))
    accent = next((i for i, piece in enumerate(pieces) if any(c in _ACCENTED for c in piece)), None)
    if language in ("es", "pt") and accent is not None and accent < count:
        index = accent
    elif language in ("es", "pt"):
        index = count - 2 if re.search(r"([aeiou]|[aeiou]s|n|m|ns)$", word) else count - 1
    elif language == "fr":
        index = count - 1
    elif language == "de":
        index = 1 if word.startswith(_GERMAN_PREFIXES) and count > 2 else 0
    else:
        index = 0
    stresses[index] = PRIMARY
    return stresses


def _fit(pieces: list[str], count: int, language: str) -> list[str]:
    """Hyphenation pieces merged or split to the number of sung syllables."""
    pieces = list(pieces)
    while len(pieces) > count:
        index = min(range(len(pieces) - 1), key=lambda i: len(pieces[i]) + len(pieces[i + 1]))
        pieces[index : index + 2] = [pieces[index] + pieces[index + 1]]
    while len(pieces) < count:
        splittable = [(len(p), i) for i, p in enumerate(pieces) if len(nuclei(p, language)) > 1]
        if not splittable:
            break  # fewer written syllables than sounded ones ("fire"): sung as written
        index = max(splittable)[1]
        parts = split_at_nuclei(pieces[index], nuclei(pieces[index], language))
        middle = len(parts) // 2
        pieces[index : index + 1] = ["".join(parts[:middle]), "".join(parts[middle:])]
    return pieces


def word_syllables(word: str, language: str) -> list[Syllable]:
    """The syllables of one word (letters and apostrophes only), stress marked; [] for no letters."""
    letters = word.lower()
    if not re.search(f"[a-z{VOWELS}]", letters):
        return []
    stresses = _english_stresses(letters) if language == "en" else None
    count = len(stresses) if stresses else len(nuclei(letters, language))
    pieces = _fit(_hyphenator(language).inserted(word).split("-"), count, language)
    if stresses is None or len(stresses) != len(pieces):
        stresses = _rule_stresses(letters, len(pieces), language)
    if len(pieces) == 1:
        stresses = [UNSTRESSED if letters in FUNCTION_WORDS.get(language, frozenset()) else PRIMARY]
    last = len(pieces) - 1
    return [
        Syllable(piece, stress, index == last)
        for index, (piece, stress) in enumerate(zip(pieces, stresses, strict=True))
    ]


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words_of(line: str) -> list[str]:
    """The sung words of a line: runs of letters (apostrophes inside), emoji and punctuation dropped."""
    return _WORD.findall(line)


def line_syllables(line: str, language: str) -> list[Syllable]:
    """Every syllable of a lyric line in order."""
    return [syllable for word in words_of(line) for syllable in word_syllables(word, language)]
