"""The music model Bandmate trains on POP909 and ships: `load_writer()` gives its PartWriter."""

from __future__ import annotations

from pathlib import Path

from engine.errors import EngineError
from engine.partwriter import PartWriter

CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoint"


def load_writer(checkpoint_dir: Path | None = None, candidates: int = 4) -> PartWriter | None:
    """The model's PartWriter, or None when the checkpoint is missing or unloadable (the rules then write)."""
    directory = checkpoint_dir or CHECKPOINT_DIR
    if not (directory / "model.safetensors").is_file():
        return None
    # torch and transformers load slowly; keep them out of processes that never use the model
    from engine.model.model import load_model
    from engine.model.originality import OriginalityIndex
    from engine.model.tokenizer import load_vocab
    from engine.model.writer import ModelWriter

    try:
        vocab = load_vocab(directory)
        model, _config = load_model(directory, vocab.id("PAD_None"), vocab.id("BOS_None"), vocab.id("EOS_None"))
        index = OriginalityIndex.load(directory)
    except EngineError:
        return None
    return ModelWriter(model, vocab, index, candidates=candidates)
