"""The music models Bandmate trains on POP909 and ships: `load_writer()` gives their PartWriter."""

from __future__ import annotations

import logging
from pathlib import Path

from engine.errors import EngineError
from engine.partwriter import PartWriter

CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoint"
MELODY_DIR = CHECKPOINT_DIR / "melody"
PIANO_DIR = CHECKPOINT_DIR / "piano"
log = logging.getLogger("bandmate.model")


def load_writer(checkpoint_dir: Path | None = None, candidates: int = 4) -> PartWriter | None:
    """The models' PartWriter (melody, plus piano accompaniment when that network loads), or None for the rules."""
    root = checkpoint_dir or CHECKPOINT_DIR
    melody_dir, piano_dir = root / MELODY_DIR.name, root / PIANO_DIR.name
    if not (melody_dir / "model.safetensors").is_file():
        return None
    # torch and transformers load slowly; keep them out of processes that never use the model
    from transformers.utils import logging as transformers_logging

    from engine.model.model import load_model
    from engine.model.originality import OriginalityIndex
    from engine.model.tokenizer import load_vocab
    from engine.model.writer import ModelWriter

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar would print into chats and the CLI
    try:
        vocab = load_vocab(melody_dir)
        special = (vocab.id("PAD_None"), vocab.id("BOS_None"), vocab.id("EOS_None"))
        melody, _config = load_model(melody_dir, *special)
        index = OriginalityIndex.load(melody_dir)
    except EngineError:
        log.warning("the melody model in %s could not be loaded; the rules compose alone", melody_dir, exc_info=True)
        return None
    piano = None
    if (piano_dir / "model.safetensors").is_file():
        try:
            if load_vocab(piano_dir).names == vocab.names:  # both networks read the same tokens
                piano, _config = load_model(piano_dir, *special)
        except EngineError:
            log.warning("the piano model in %s could not be loaded; the rules accompany", piano_dir, exc_info=True)
            piano = None
    return ModelWriter(melody, vocab, index, candidates=candidates, piano_model=piano)
