"""A tiny deterministic embedder for tests: no model, vectors from hashing characters.

Each character and character pair of a text adds 1 to one of ``dim`` buckets (chosen by a
stable hash); the sum is L2-normalised. Texts sharing many characters get a high cosine, the
same text always gets the same vector, and a query is embedded exactly like a passage.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np


class FakeEmbedder:
    def __init__(self, dim: int = 32, name: str = "fake-chars-v1"):
        self.dim = dim
        self.name = name
        self.passage_calls = 0
        self.passages_embedded = 0
        self.query_calls = 0
        self.gate: threading.Event | None = None  # when set up, passages() waits for it
        self.started = threading.Event()

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for gram in list(text) + [text[i : i + 2] for i in range(len(text) - 1)]:
            h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            v[0] = 1.0
            return v
        return v / norm

    def query(self, text: str) -> np.ndarray:
        self.query_calls += 1
        return self._vec(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(30), "test gate never opened"
        self.passage_calls += 1
        self.passages_embedded += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
