"""The model's vocabulary: miditok REMI (tempo, time signature) plus key, mode, energy and chord tokens."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from miditok import REMI, TokenizerConfig

from engine.errors import EngineError
from engine.files import atomic_path
from engine.plan import CHORD_CLASSES

TOKENIZER_FILE = "tokenizer.json"
PITCH_RANGE = (36, 97)  # miditok's range is half-open: MIDI 36 (C2) … 96 (C7)
POSITIONS_PER_BEAT = 4
BEATS_PER_BAR = 4  # the model is trained on 4/4 bars only (POP909 is almost all 4/4)
CHORD_SLOTS_PER_BEAT = 2  # chord changes are placed on half-beats
ENERGY_BINS = 4
MODE_TOKENS = ("major", "minor")
MINOR_LIKE_MODES = frozenset({"minor", "dorian", "phrygian", "locrian", "aeolian"})


def mode_token(mode: str) -> str:
    """Major-like or minor-like: the two modes POP909 labels."""
    return "minor" if mode in MINOR_LIKE_MODES else "major"


def conditioning_tokens() -> list[str]:
    """Every token Bandmate adds to the REMI vocabulary, in a fixed order."""
    tokens = [f"Key_{pc}" for pc in range(12)]
    tokens += [f"Mode_{mode}" for mode in MODE_TOKENS]
    tokens += [f"Energy_{level}" for level in range(ENERGY_BINS)]
    tokens += [f"ChordPos_{slot}" for slot in range(BEATS_PER_BAR * CHORD_SLOTS_PER_BEAT)]
    tokens += [f"Chord_{root}_{quality}" for root in range(12) for quality in CHORD_CLASSES]
    return tokens


def remi_config() -> TokenizerConfig:
    """REMI without velocities: 16th-note grid, durations up to 8 beats, 16 tempo bins, 4/4 and 3/4."""
    return TokenizerConfig(
        pitch_range=PITCH_RANGE,
        beat_res={(0, 4): POSITIONS_PER_BEAT, (4, 8): 2},
        use_velocities=False,
        use_tempos=True,
        num_tempos=16,
        tempo_range=(50, 200),
        use_time_signatures=True,
        time_signature_range={4: [4, 3]},
        special_tokens=["PAD", "BOS", "EOS"],
    )


@dataclass(frozen=True, slots=True)
class Vocab:
    """The tokenizer with fast name↔id maps and decoded token meanings."""

    remi: REMI
    ids: dict[str, int]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.names)

    def id(self, name: str) -> int:
        """The id of a token name; EngineError if the vocabulary lacks it."""
        try:
            return self.ids[name]
        except KeyError as exc:
            raise EngineError(f"token {name!r} is not in the model vocabulary") from exc

    def pitch_of(self, token_id: int) -> int | None:
        """The MIDI pitch of a Pitch token, else None."""
        name = self.names[token_id]
        return int(name[6:]) if name.startswith("Pitch_") else None

    def duration_beats(self, token_id: int) -> float | None:
        """The length in beats of a Duration token ('Duration_1.2.4' is 1 + 2/4), else None."""
        name = self.names[token_id]
        if not name.startswith("Duration_"):
            return None
        beats, ticks, resolution = (int(part) for part in name[9:].split("."))
        return beats + ticks / resolution

    def position_of(self, token_id: int) -> int | None:
        """The 16th-note slot of a Position token, else None."""
        name = self.names[token_id]
        return int(name[9:]) if name.startswith("Position_") else None

    def tempo_token(self, bpm: float) -> str:
        """The Tempo token nearest to a tempo."""
        tempos = [float(name[6:]) for name in self.names if name.startswith("Tempo_")]
        nearest = min(tempos, key=lambda value: abs(value - bpm))
        return next(name for name in self.names if name.startswith("Tempo_") and float(name[6:]) == nearest)


def _vocab_from_remi(remi: REMI) -> Vocab:
    for token in conditioning_tokens():
        if token not in remi.vocab:
            remi.add_to_vocab(token)
    ids = dict(remi.vocab)
    names = [""] * len(ids)
    for name, index in ids.items():
        names[index] = name
    return Vocab(remi=remi, ids=ids, names=tuple(names))


def build_vocab() -> Vocab:
    """A fresh vocabulary from the fixed configuration."""
    return _vocab_from_remi(REMI(remi_config()))


def save_vocab(vocab: Vocab, directory: Path) -> Path:
    """Write the miditok tokenizer file, with Bandmate's token list, atomically beside the weights."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / TOKENIZER_FILE
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        raw = Path(scratch) / "raw.json"
        vocab.remi.save(raw)
        content = json.loads(raw.read_text())
    content["bandmate_vocab"] = list(vocab.names)
    with atomic_path(target) as temp:
        temp.write_text(json.dumps(content))
    return target


def load_vocab(directory: Path) -> Vocab:
    """Load the tokenizer saved beside the weights and check it matches the ids the model was trained on."""
    path = directory / TOKENIZER_FILE
    try:
        content = json.loads(path.read_text())
        remi = REMI(params=path)
    except (OSError, ValueError, KeyError) as exc:
        raise EngineError(f"cannot load the model tokenizer from {path}: {exc}") from exc
    vocab = _vocab_from_remi(remi)
    if list(vocab.names) != content.get("bandmate_vocab", list(vocab.names)):
        raise EngineError(f"tokenizer at {path} does not match the vocabulary the model was trained with")
    return vocab
