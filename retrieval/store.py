"""The on-disk index cache: fingerprints, per-file token cache, atomic generations, a lock.

Layout of ``<cache>/<corpus key>/``::

    CURRENT              name of the active generation folder (replaced atomically)
    gen-<id>/            one complete index: manifest.json, meta.json, vocab.json, *.npy, texts.bin
    files/<key>.json     tokens of one file, keyed by its content hash and the index settings
    lock                 held while an index is being checked or built

A generation folder is fully written and flushed before CURRENT names it, so a crash at any
moment leaves either the old index or the new one. Nothing is read back with pickle.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .corpus import CorpusIndex
from .ingest import FileResult, process_file
from .loader import SourceFile, discover
from .types import Skipped

FORMAT_VERSION = 1

Progress = Callable[[int, int, int], None]  # (files done, files total, chunks so far)


class CorpusError(Exception):
    """The corpus folder cannot be used at all (missing, empty). The message is for users."""


@dataclass
class BuildReport:
    """What opening an index did, for ``reportqa index`` and for logs."""

    documents: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt: bool = False
    reused_files: int = 0
    tokenised_files: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    cache_folder: str = ""


def _params_key(params: dict[str, Any]) -> str:
    blob = json.dumps({"format": FORMAT_VERSION, **params}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def corpus_cache_folder(cache_root: Path, corpus: Path) -> Path:
    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_root / f"{corpus.resolve().name[:40]}-{key}"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _file_signature(files: list[SourceFile]) -> dict[str, list[int]]:
    return {f.rel: [f.size, f.mtime_ns] for f in files}


class IndexStore:
    """Opens the index of one corpus folder, building or refreshing it when needed."""

    def __init__(self, corpus: Path, cache_root: Path, params: dict[str, Any], workers: int = 1):
        self.corpus = corpus
        self.params = params
        self.workers = workers
        self.folder = corpus_cache_folder(cache_root, corpus)
        self.params_key = _params_key(params)

    # --- reading the active generation -----------------------------------------------------
    def _current(self) -> Path | None:
        try:
            name = (self.folder / "CURRENT").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not name.startswith("gen-") or "/" in name:
            return None
        return self.folder / name

    def _read_manifest(self, gen: Path) -> dict[str, Any]:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
            raise ValueError("index format version differs")
        if manifest.get("params_key") != self.params_key:
            raise ValueError("index was built with other settings")
        return manifest

    # --- the one public operation ---------------------------------------------------------------
    def open(self, *, force: bool = False, progress: Progress | None = None) -> tuple[CorpusIndex, BuildReport]:
        """The corpus index, loaded from the cache when it matches the corpus, else (re)built."""
        start = time.perf_counter()
        if not self.corpus.exists():
            raise CorpusError(f"语料文件夹不存在：{self.corpus}")
        if not self.corpus.is_dir():
            raise CorpusError(f"语料路径不是文件夹：{self.corpus}")
        files, walk_skipped = discover(self.corpus)
        report = BuildReport(cache_folder=str(self.folder))
        with _locked(self.folder):
            gen = self._current()
            if gen is not None and not force:
                try:
                    manifest = self._read_manifest(gen)
                    if self._fresh(manifest, files):
                        corpus = CorpusIndex.load(gen, self.params)
                        report.documents, report.chunks = len(corpus.docs), corpus.n_chunks
                        report.skipped = corpus.skipped
                        report.seconds = time.perf_counter() - start
                        return corpus, report
                except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
                    report.warnings.append(f"索引缓存无法使用（{exc}），正在重建")
            corpus = self._build(files, walk_skipped, report, progress)
        report.rebuilt = True
        report.documents, report.chunks = len(corpus.docs), corpus.n_chunks
        report.skipped = corpus.skipped
        report.seconds = time.perf_counter() - start
        return corpus, report

    def _fresh(self, manifest: dict[str, Any], files: list[SourceFile]) -> bool:
        known: dict[str, Any] = manifest["files"]
        if set(known) != {f.rel for f in files}:
            return False
        for f in files:
            size, mtime_ns, digest = known[f.rel]
            if size != f.size:
                return False
            if mtime_ns != f.mtime_ns:  # touched: unchanged only if the content is the same
                try:
                    if hashlib.sha256(f.path.read_bytes()).hexdigest() != digest:
                        return False
                except OSError:
                    return False
        return True

    # --- building ------------------------------------------------------------------------------
    def _cached_result(self, source: SourceFile) -> FileResult | None:
        """The cached tokens of a file whose content is unchanged, else None."""
        try:
            data = source.path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        path = self.folder / "files" / f"{digest}-{self.params_key}.json"
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            result = FileResult.from_json(cached, text=cached.pop("text"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        result.rel = source.rel  # the same content may sit under another name
        return result

    def _store_result(self, result: FileResult) -> None:
        folder = self.folder / "files"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{result.sha256}-{self.params_key}.json"
        _write_atomic(path, json.dumps(result.to_json(with_text=True), ensure_ascii=False))

    def _build(self, files: list[SourceFile], walk_skipped: list[Skipped], report: BuildReport,
               progress: Progress | None) -> CorpusIndex:
        results: list[FileResult] = []
        skipped = list(walk_skipped)
        todo: list[tuple[int, SourceFile]] = []
        slots: list[FileResult | Skipped | None] = [None] * len(files)
        for i, source in enumerate(files):
            cached = self._cached_result(source)
            if cached is not None:
                slots[i] = cached
                report.reused_files += 1
            else:
                todo.append((i, source))
        done = report.reused_files
        chunks = sum(len(s.chunks) for s in slots if isinstance(s, FileResult))
        if progress:
            progress(done, len(files), chunks)
        for i, result in self._run(todo):
            slots[i] = result
            done += 1
            if isinstance(result, FileResult):
                chunks += len(result.chunks)
                report.tokenised_files += 1
                self._store_result(result)
            if progress:
                progress(done, len(files), chunks)
        for slot in slots:
            if isinstance(slot, FileResult):
                results.append(slot)
            elif isinstance(slot, Skipped):
                skipped.append(slot)
        if not results:
            detail = "；".join(f"{s.path}：{s.reason}" for s in skipped[:5])
            raise CorpusError(f"语料文件夹中没有可读的报告（.txt/.md/.docx）：{self.corpus}"
                              + (f"（{detail}）" if detail else ""))
        corpus = CorpusIndex.assemble(results, self.params, skipped)
        self._publish(corpus, files, results)
        return corpus

    def _run(self, todo: list[tuple[int, SourceFile]]) -> Iterator[tuple[int, FileResult | Skipped]]:
        """Process files, in worker processes when there are several files and workers."""
        if self.workers > 1 and len(todo) > 1:
            from concurrent.futures import ProcessPoolExecutor
            with ProcessPoolExecutor(max_workers=self.workers) as pool:
                futures = [(i, source, pool.submit(process_file, source, self.params))
                           for i, source in todo]
                for i, source, future in futures:
                    try:
                        yield i, future.result()
                    except Exception as exc:  # a worker died on one file: skip it, keep the rest
                        yield i, Skipped(source.rel, f"处理失败（{type(exc).__name__}）")
        else:
            for i, source in todo:
                yield i, process_file(source, self.params)

    def _publish(self, corpus: CorpusIndex, files: list[SourceFile], results: list[FileResult]) -> None:
        """Write a new generation and switch CURRENT to it atomically; drop old generations."""
        gen = self.folder / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = gen.with_name(gen.name + ".partial")
        digests = {r.rel: r.sha256 for r in results}
        try:
            corpus.save(tmp)
            manifest = {
                "format": FORMAT_VERSION,
                "params_key": self.params_key,
                "params": self.params,
                "corpus": str(self.corpus.resolve()),
                "files": {f.rel: [f.size, f.mtime_ns, digests.get(f.rel, "")] for f in files},
                "documents": len(corpus.docs),
                "chunks": corpus.n_chunks,
                "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
            _fsync_tree(tmp)
            os.replace(tmp, gen)
            _write_atomic(self.folder / "CURRENT", gen.name + "\n")
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise CorpusError(f"无法写入索引缓存 {self.folder}：{exc.strerror or exc}") from None
        for old in self.folder.glob("gen-*"):
            if old != gen:
                shutil.rmtree(old, ignore_errors=True)

