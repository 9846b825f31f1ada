"""The on-disk index cache: fingerprints, per-file token cache, atomic generations, a lock.

Layout of ``<cache>/<corpus key>/``::

    CURRENT              name of the active generation folder (replaced atomically)
    gen-<id>/            one complete index: manifest.json, meta.json, vocab.json, *.npy, texts.bin
    files/<key>.tok      tokens of one file, keyed by its content hash and the index settings
    lock                 held while an index is being checked or built

A generation folder is fully written and flushed before CURRENT names it, so a crash at any
moment leaves either the old index or the new one. Nothing is read back with pickle.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..ingest.formats.registry import suffix_list
from ..ingest.loader import SourceFile, discover
from ..ingest.process import init_worker, process_and_store
from ..ingest.result import FileResult
from ..ingest.workers import run_parallel
from ..types import BuildReport, CorpusError, FileRead, ReadNotes, Skipped
from .build import TermMerger, assemble
from .corpus import CorpusIndex, DocMeta
from .delta import update

FORMAT_VERSION = 9

Progress = Callable[[int, int, int], None]  # (files done, files total, chunks so far)


class StaleIndex(ValueError):
    """The cached index is intact but was made by another format version or other settings."""


def files_read(docs: list[DocMeta]) -> list[FileRead]:
    """Per file, in corpus order, what reading it found (the documents of one file carry the
    file's notes; their titles are gathered)."""
    files: dict[str, FileRead] = {}
    for doc in docs:
        if doc.path not in files:
            files[doc.path] = FileRead(doc.path, doc.format, ReadNotes.from_json(doc.notes), [doc.title])
        else:
            files[doc.path].titles.append(doc.title)
    for item in files.values():
        item.notes.documents = max(item.notes.documents, len(item.titles))
    return list(files.values())


def _params_key(params: dict[str, Any]) -> str:
    blob = json.dumps({"format": FORMAT_VERSION, **params}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


TOKEN_FORMAT = 1
# What a file's tokens depend on besides its content and the settings: the code that reads,
# chunks and tokenises it, the user dictionary and stopwords, and jieba itself.
_TOKEN_SOURCES = (
    "ingest/loader.py",
    "ingest/documents.py",
    "ingest/chunker.py",
    "ingest/process.py",
    "ingest/result.py",
    "index/columns.py",
    "lang/text.py",
    "lang/numerals.py",
    "lang/headings.py",
    "lang/places.py",
    "lang/shapes.py",
    "types.py",
    "dates/kinds.py",
    "dates/when.py",
    "dates/ask.py",
    "dates/years.py",
    "dates/report.py",
    "dates/published.py",
    "dates/periods.py",
    "dates/leadins.py",
    "ingest/formats/*.py",
    "ingest/parts.py",
    "atomic.py",
)


@functools.lru_cache(maxsize=8)
def _token_key_cached(blob: str) -> str:
    import jieba

    from config import STOPWORDS, USER_DICT

    from ..dates.years import DATING_FILE
    from ..ingest.formats.pdf_ocr import available as ocr_available

    digest = hashlib.sha256(blob.encode())
    digest.update(str(getattr(jieba, "__version__", "")).encode())
    digest.update(b"ocr" if ocr_available() else b"no-ocr")  # scanned pages are read once OCR is installed
    here = Path(__file__).resolve().parent.parent  # retrieval/
    sources = sorted(p for name in _TOKEN_SOURCES for p in here.glob(name))
    for path in sources + [USER_DICT, STOPWORDS, DATING_FILE]:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
    return digest.hexdigest()[:16]


def _token_key(params: dict[str, Any]) -> str:
    """Key of per-file token cache entries: changes whenever the tokens could."""
    return _token_key_cached(json.dumps({"tokens": TOKEN_FORMAT, **params}, sort_keys=True))


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
        self.token_key = _token_key(params)

    # Below this much new text, tokenising in this process beats starting worker processes.
    parallel_min_bytes = 2 * 2**20

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
            raise StaleIndex("索引由另一版本的程序建立，格式不同")
        if manifest.get("params_key") != self.params_key:
            raise StaleIndex("索引是用其他设置建立的")
        if manifest.get("token_key") != self.token_key:
            raise StaleIndex("读取、分词或断年份的规则（或用户词典、停用词）已改动")
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
                        report.skipped, report.files = corpus.skipped, files_read(corpus.docs)
                        report.seconds = time.perf_counter() - start
                        return corpus, report
                except StaleIndex as exc:
                    report.warnings.append(f"索引缓存无法使用（{exc}），正在重建")
                except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
                    report.warnings.append(f"索引缓存无法使用（文件已损坏或不完整：{exc}），正在重建")
            # A few files added, changed or removed are spliced into the active generation.
            spliced = None if force else update(self, files, walk_skipped, report, progress)
            corpus = spliced if spliced is not None else self._build(files, walk_skipped, report, progress)
        report.rebuilt = True
        report.documents, report.chunks = len(corpus.docs), corpus.n_chunks
        report.skipped, report.files = corpus.skipped, files_read(corpus.docs)
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

    def _previous_files(self) -> dict[str, Any]:
        """``{rel: [size, mtime_ns, sha256]}`` of the active generation, or {} if unreadable."""
        gen = self._current()
        if gen is None:
            return {}
        try:
            known = self._read_manifest(gen)["files"]
            return known if isinstance(known, dict) else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    # --- building ------------------------------------------------------------------------------
    def _entry(self, digest: str) -> Path:
        return self.folder / "files" / f"{digest}-{self.token_key}.tok"

    def _digest(self, source: SourceFile, previous: dict[str, Any]) -> str | None:
        """Content hash of a file: from the last manifest when size and mtime are unchanged."""
        known = previous.get(source.rel)
        if (
            isinstance(known, list)
            and len(known) == 3
            and known[0] == source.size
            and known[1] == source.mtime_ns
            and isinstance(known[2], str)
            and known[2]
        ):
            return known[2]
        try:
            return hashlib.sha256(source.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def _cached_result(self, source: SourceFile, previous: dict[str, Any]) -> FileResult | None:
        """The cached tokens of a file whose content is unchanged, else None."""
        digest = self._digest(source, previous)
        if digest is None:
            return None
        path = self._entry(digest)
        if not path.exists():
            return None
        try:
            result = FileResult.load(path)
            if result.sha256 != digest:
                raise ValueError("token cache entry belongs to other content")
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                path.unlink()  # damaged: the file is tokenised again and the entry rewritten
            return None
        result.rel = source.rel  # the same content may sit under another name
        return result

    def _build(
        self, files: list[SourceFile], walk_skipped: list[Skipped], report: BuildReport, progress: Progress | None
    ) -> CorpusIndex:
        previous = self._previous_files()
        entries = self.folder / "files"
        entries.mkdir(parents=True, exist_ok=True)
        for stale in entries.glob(".*.tmp"):  # left by a build that was killed; we hold the lock
            with contextlib.suppress(OSError):
                stale.unlink()
        skipped = list(walk_skipped)
        todo: list[tuple[int, SourceFile]] = []
        slots: list[FileResult | Skipped | None] = [None] * len(files)
        terms = TermMerger()  # each file's terms merged as it arrives, then released
        for i, source in enumerate(files):
            cached = self._cached_result(source, previous)
            if cached is not None:
                slots[i] = cached
                terms.add(cached, release=True)
                report.reused_files += 1
            else:
                todo.append((i, source))
        done = report.reused_files
        chunks = sum(s.n_chunks for s in slots if isinstance(s, FileResult))
        if progress:
            progress(done, len(files), chunks)
        for i, result in self._run(todo):
            slots[i] = result
            done += 1
            if isinstance(result, FileResult):
                terms.add(result, release=True)
                chunks += result.n_chunks
                report.tokenised_files += 1
            if progress:
                progress(done, len(files), chunks)
        results = [slot for slot in slots if isinstance(slot, FileResult)]
        skipped.extend(slot for slot in slots if isinstance(slot, Skipped))
        del slots
        if not results:
            detail = "；".join(f"{s.path}：{s.reason}" for s in skipped[:5])
            raise CorpusError(
                f"语料文件夹中没有可读的报告（{suffix_list()}）：{self.corpus}" + (f"（{detail}）" if detail else "")
            )
        corpus = assemble(results, self.params, skipped, terms)
        del terms
        digests = {r.rel: r.sha256 for r in results}
        del results
        gen = self._publish(corpus, files, digests)
        del corpus
        self._prune(set(digests.values()))
        # Serve from the files just written: memory-mapped, nothing held twice.
        return CorpusIndex.load(gen, self.params)

    def _run(self, todo: list[tuple[int, SourceFile]]) -> Iterator[tuple[int, FileResult | Skipped]]:
        """Tokenise files (in worker processes when it pays), storing each in the token cache.

        Yields (slot, result) as files finish; a file whose worker fails becomes Skipped.
        """
        if not todo:
            return
        job = (self.params, str(self.folder / "files"), _token_key(self.params))
        workers = min(self.workers, len(todo))
        if workers <= 1 or sum(s.size for _, s in todo) < self.parallel_min_bytes:
            init_worker(*job)
            for i, source in todo:
                yield i, process_and_store(source)
            return
        yield from run_parallel(todo, workers, init_worker, job, process_and_store)

    def _prune(self, keep: set[str]) -> None:
        """Drop cached tokens of content no longer in the corpus, and tokens made by other
        settings or another version of the code (they would never be read again)."""
        wanted = {f"{digest}-{self.token_key}.tok" for digest in keep}
        for path in (self.folder / "files").iterdir():
            if path.name not in wanted and not path.name.startswith("."):
                with contextlib.suppress(OSError):
                    path.unlink()

    def _publish(self, corpus: CorpusIndex, files: list[SourceFile], digests: dict[str, str]) -> Path:
        """Write a new generation and switch CURRENT to it atomically; drop old generations."""
        gen = self.folder / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = gen.with_name(gen.name + ".partial")
        try:
            corpus.save(tmp)
            manifest = {
                "format": FORMAT_VERSION,
                "params_key": self.params_key,
                "token_key": self.token_key,
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
            write_atomic(self.folder / "CURRENT", gen.name + "\n")
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise CorpusError(f"无法写入索引缓存 {self.folder}：{exc.strerror or exc}") from None
        for old in self.folder.glob("gen-*"):
            if old != gen:
                shutil.rmtree(old, ignore_errors=True)
        return gen
