"""Files processed in a pool of worker processes, a few batches in flight per worker; a pool that
breaks leaves its files to this process. The caller says what is done per process and per file
(for the index: :func:`retrieval.ingest.process.init_worker` and
:func:`~retrieval.ingest.process.process_and_store`, see :mod:`retrieval.index.store`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..types import Skipped

if TYPE_CHECKING:  # annotations only
    from .loader import SourceFile


def _process_batch(task: Callable[[SourceFile], Any], sources: list[SourceFile]) -> list[Any]:
    return [task(s) for s in sources]


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


def run_parallel(
    todo: list[tuple[int, SourceFile]],
    workers: int,
    init: Callable[..., None],
    job: tuple,
    task: Callable[[SourceFile], Any],
) -> Iterator[tuple[int, Any]]:
    """Batches to a pool of worker processes, at most a few in flight per worker; a pool that
    breaks leaves its files to this process. ``init(*job)`` runs once per process, ``task`` once
    per file (both module-level functions, so that worker processes can import them); a batch
    that fails yields :class:`Skipped` files."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    batches = _batches(todo, workers)
    left: list[list[tuple[int, SourceFile]]] = []
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        # Single-threaded: forked workers inherit the loaded modules and tokenizer for free.
        init(*job)
        ctx: multiprocessing.context.BaseContext = multiprocessing.get_context("fork")
    else:  # another thread may hold a lock a forked child would inherit: start afresh
        ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init, initargs=job) as pool:
        pending: dict[Future, list[tuple[int, SourceFile]]] = {}
        queue = iter(batches)
        broken = False
        while True:
            while not broken and len(pending) < workers * 3:
                batch = next(queue, None)
                if batch is None:
                    break
                try:
                    pending[pool.submit(_process_batch, task, [s for _, s in batch])] = batch
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
        init(*job)
        for batch in left:
            for i, source in batch:
                yield i, task(source)
