"""Tokenising files for the index, in this process or in a pool of worker processes, each file's
result also written to the per-file token cache (see :mod:`retrieval.index.store`)."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator

from .ingest import FileResult, process_file
from .loader import SourceFile
from .lang.text import default_tokenizer
from .types import Skipped


# Set once per process by init_worker: the index settings, the token cache folder and the key of
# its entries (retrieval/index/store.py).
_JOB: tuple[dict[str, Any], str, str] | None = None


def init_worker(params: dict[str, Any], entries: str, key: str) -> None:
    """Per process: remember the job and build the tokenizer once (jieba's model load)."""
    global _JOB
    _JOB = (params, entries, key)
    default_tokenizer()


def process_and_store(source: SourceFile) -> FileResult | Skipped:
    """Tokenise one file and write its token cache entry (atomically, by content hash)."""
    assert _JOB is not None, "init_worker was not called"
    params, entries, key = _JOB
    try:
        result = process_file(source, params)
    except Exception as exc:  # a bug or an unexpected input in one file: skip it, keep the rest
        return Skipped(source.rel, f"处理失败（{type(exc).__name__}）")
    if isinstance(result, FileResult):
        path = Path(entries) / f"{result.sha256}-{key}.tok"
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(result.dumps())
            os.replace(tmp, path)
        except OSError:  # the cache is an optimisation; the index is still built
            with contextlib.suppress(OSError):
                tmp.unlink()
    return result


def _process_batch(sources: list[SourceFile]) -> list[FileResult | Skipped]:
    return [process_and_store(s) for s in sources]


def _batches(todo: list[tuple[int, SourceFile]], workers: int) -> list[list[tuple[int, SourceFile]]]:
    """Consecutive files grouped so that each worker gets many small batches (for an even
    load and a lively progress display) and each batch is worth a round trip."""
    total = sum(s.size for _, s in todo)
    target = max(64 * 1024, min(4 * 2**20, total // (workers * 16) or 1))
    out: list[list[tuple[int, SourceFile]]] = []
    batch: list[tuple[int, SourceFile]] = []
    size = 0
    for item in todo:
        batch.append(item)
        size += item[1].size
        if size >= target or len(batch) >= 32:
            out.append(batch)
            batch, size = [], 0
    if batch:
        out.append(batch)
    return out


def run_parallel(todo: list[tuple[int, SourceFile]], workers: int,
                 job: tuple[dict[str, Any], str, str]) -> Iterator[tuple[int, FileResult | Skipped]]:
    """Batches to a pool of worker processes, at most a few in flight per worker; a pool that
    breaks leaves its files to this process."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    batches = _batches(todo, workers)
    left: list[list[tuple[int, SourceFile]]] = []
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        # Single-threaded: forked workers inherit the loaded modules and tokenizer for free.
        init_worker(*job)
        ctx = multiprocessing.get_context("fork")
    else:  # another thread may hold a lock a forked child would inherit: start afresh
        ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=job) as pool:
        pending: dict[Future, list[tuple[int, SourceFile]]] = {}
        queue = iter(batches)
        broken = False
        while True:
            while not broken and len(pending) < workers * 3:
                batch = next(queue, None)
                if batch is None:
                    break
                try:
                    pending[pool.submit(_process_batch, [s for _, s in batch])] = batch
                except BrokenProcessPool:
                    left.append(batch)
                    broken = True
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                batch = pending.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    broken = True
                    left.append(batch)
                    continue
                except Exception as exc:
                    results = [Skipped(s.rel, f"处理失败（{type(exc).__name__}）") for _, s in batch]
                for (i, _), result in zip(batch, results):
                    yield i, result
        if broken:
            left.extend(queue)
    if left:  # a worker died (killed, out of memory): finish here, one file at a time
        init_worker(*job)
        for batch in left:
            for i, source in batch:
                yield i, process_and_store(source)

