"""Word vectors learnt from sentences the full model embedded (the tokenlearn way), for
``tools/distill_static.py --learn-ridge``.

The distilled table embeds each word alone; a sentence's vector is then the mean of its words'
vectors, which ranks sentences for a question much less well than the model does. Here the word
vectors themselves are fitted so that the mean of a sentence's word vectors comes as close as it
can to the model's vector of that sentence:

    minimise  ‖A W − Y‖² + λ ‖W − W₀‖²

``A`` is the sentences' mean-pooling matrix over the table's words (a word not in the table
spreads its share over its characters, as :meth:`StaticTable.word_vector` does), ``Y`` the
model's unit sentence vectors (384 dimensions), ``W₀`` the distilled words carried into the
model's space by a ridge regression of the sentences' mean vectors onto ``Y`` (so that a word no
sentence holds keeps its distilled meaning). Solved by conjugate gradients on the normal
equations, every column at once. The learnt vectors are then reduced to the ``dims`` directions
that carry most of ``Y`` (right singular vectors, not centred, so cosines are kept).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.index.static import StaticTable


def pooling_matrix(table: StaticTable, token_lists: Sequence[Sequence[str]]):
    """(A, kept): the mean-pooling matrix (sentences × table rows, CSR) of the sentences with at
    least one word that has a vector, and the indices of those sentences."""
    from scipy.sparse import csr_matrix

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    kept: list[int] = []
    for s, toks in enumerate(token_lists):
        groups = []
        for w in toks:
            i = table.row.get(w)
            if i is not None:
                groups.append([i])
            elif table.word_vector(w) is not None:  # a word not in the table: its characters
                groups.append([table.row[ch] for ch in w if ch in table.row and not ch.isdigit()])
        groups = [g for g in groups if g]
        if not groups:
            continue
        for g in groups:
            rows.extend([len(kept)] * len(g))
            cols.extend(g)
            vals.extend([1.0 / (len(g) * len(groups))] * len(g))
        kept.append(s)
    a = csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(len(kept), len(table.words)))
    return a, np.asarray(kept, dtype=np.int64)


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def start_vectors(table: StaticTable, a, y: np.ndarray) -> np.ndarray:
    """W₀: the distilled word vectors through a ridge map of unit mean vectors onto ``y``, scaled
    so that the pooled vectors themselves (not normalised) come closest to ``y``."""
    x = _unit(np.asarray(a @ table.vectors.astype(np.float32)))
    p = np.linalg.solve(x.T.astype(np.float64) @ x + np.eye(x.shape[1]), x.T.astype(np.float64) @ y).astype(np.float32)
    w0 = table.vectors.astype(np.float32) @ p
    pooled = np.asarray(a @ w0)
    return w0 * float((pooled * y).sum() / (pooled**2).sum())


def learn(
    table: StaticTable,
    token_lists: Sequence[Sequence[str]],
    full: np.ndarray,
    *,
    ridge: float = 0.1,
    iterations: int = 60,
    dims: int = 256,
    log=print,
) -> StaticTable:
    """A table of the same words whose vectors are fitted to ``full`` (the model's unit vectors
    of the sentences ``token_lists``), ``dims`` wide, with no projection."""
    a, kept = pooling_matrix(table, token_lists)
    y = np.asarray(full, dtype=np.float32)[kept]
    w0 = start_vectors(table, a, y)
    at = a.T.tocsr()
    b = np.asarray(at @ y) + ridge * w0
    w = w0.copy()
    r = b - (np.asarray(at @ (a @ w)) + ridge * w)
    p, rs = r.copy(), (r * r).sum(axis=0)
    started = time.perf_counter()
    for _ in range(iterations):
        ap = np.asarray(at @ (a @ p)) + ridge * p
        alpha = rs / np.maximum((p * ap).sum(axis=0), 1e-30)
        w += p * alpha
        r -= ap * alpha
        new = (r * r).sum(axis=0)
        p = r + p * (new / np.maximum(rs, 1e-30))
        rs = new
    fitted = _unit(np.asarray(a @ w))
    log(
        f"word vectors learnt from {len(kept)} sentences in {time.perf_counter() - started:.0f} s "
        f"(ridge {ridge}, {iterations} steps): mean cosine with the model's vectors "
        f"{float((_unit(np.asarray(a @ w0)) * y).sum(axis=1).mean()):.3f} before, {float((fitted * y).sum(axis=1).mean()):.3f} after"
    )
    _, _, vt = np.linalg.svd(y, full_matrices=False)
    return StaticTable(table.words, (w @ vt[:dims].T).astype(np.float16))
