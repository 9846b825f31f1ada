"""Adding, changing or removing a few files without re-assembling the whole index.

:func:`splice` puts together runs of documents taken from existing corpus indexes (the active
generation, and a small index of the files that are new or changed) into one corpus index with
the same tables, sections, texts and BM25 scores as a full build of those files in that order.
Tables are sliced and concatenated; the postings of the large index stay sorted when their
chunks are renumbered, so the new files' postings are put into them term by term rather than
sorted again, and every weight is recomputed from the kept term frequencies (the corpus's idf and average
length change with every file). Work is proportional to the index's size in array operations,
with no tokenising and no sort of the whole corpus.

Terms are numbered in text order, as a full build numbers them (:class:`retrieval.index.build.TermMerger`),
and terms no file holds any longer are dropped, so the result equals a full build array for
array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ingest.result import FileResult
from ..types import BuildReport, Skipped
from .bm25 import BM25Index
from .build import assemble
from .columns import CHUNK_DATING, CHUNK_OFFSETS, PER_SENTENCE
from .corpus import CorpusIndex

if TYPE_CHECKING:
    from ..ingest.loader import SourceFile
    from .store import IndexStore

# A change keeping at least this share of the previous index's chunks is spliced into it;
# a larger change is assembled from every file (as fast, and it leaves no dropped terms behind).
SPLICE_MIN_KEPT = 0.5

# Tables copied slice by slice, per chunk and per sentence.
_PER_CHUNK = (*CHUNK_OFFSETS, *CHUNK_DATING)


@dataclass
class Run:
    """Documents ``lo`` to ``hi`` (exclusive) of ``source``, and where they land in the result."""

    source: CorpusIndex
    lo: int
    hi: int
    c0: int = 0  # chunks of the run in the source
    c1: int = 0
    out_chunk: int = 0  # first chunk id in the result


def update(
    store: IndexStore,
    files: list[SourceFile],
    walk_skipped: list[Skipped],
    report: BuildReport,
    progress: Callable[[int, int, int], None] | None,
) -> CorpusIndex | None:
    """The index of ``files`` with the files added, changed or removed since the store's active
    generation spliced into it, published; None when there is nothing to splice into (no
    generation, or one without term frequencies) or when most of the corpus changed."""
    previous, gen = store._previous_files(), store._current()
    try:
        old = CorpusIndex.load(gen, store.params) if previous and gen is not None else None
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        old = None
    if old is None or old.bm25.tf is None:
        return None
    where: dict[str, list[int]] = {}  # path -> its documents in the old index (consecutive)
    for d, m in enumerate(old.docs):
        where.setdefault(m.path, [d, d])[1] = d + 1
    plan: list[tuple[int, int] | int] = []  # per file: its old documents, or its position to read
    for i, source in enumerate(files):
        known = previous.get(source.rel)
        digest = known[2] if isinstance(known, list) and len(known) == 3 and isinstance(known[2], str) else None
        if source.rel in where and digest and store._digest(source, previous) == digest:
            plan.append((where[source.rel][0], where[source.rel][1]))
        else:
            plan.append(i)
    bounds = doc_chunks(old)
    kept = sum(int(bounds[p[1]] - bounds[p[0]]) for p in plan if isinstance(p, tuple))
    if kept < SPLICE_MIN_KEPT * old.n_chunks:
        return None
    results = _read(store, files, [i for i in plan if isinstance(i, int)], previous, report, progress)
    new = [r for r in (results[p] for p in plan if isinstance(p, int)) if isinstance(r, FileResult)]
    small = assemble(new, store.params) if new else None
    runs, at = [], 0
    for p in plan:
        if isinstance(p, tuple):
            runs.append(Run(old, p[0], p[1]))
        elif isinstance(res := results[p], FileResult) and small is not None:
            runs.append(Run(small, at, at + len(res.documents())))
            at += len(res.documents())
    skipped = list(walk_skipped) + [
        r for r in (results[p] for p in plan if isinstance(p, int)) if isinstance(r, Skipped)
    ]
    corpus = splice(runs, store.params, skipped)
    digests = {
        f.rel: (r.sha256 if isinstance(r := results.get(i), FileResult) else previous[f.rel][2])
        for i, f in enumerate(files)
        if not isinstance(results.get(i), Skipped)
    }
    del runs, small, old, new, results
    published = store._publish(corpus, files, digests)
    del corpus
    store._prune(set(digests.values()))
    return CorpusIndex.load(published, store.params)


def _read(
    store: IndexStore,
    files: list[SourceFile],
    todo: list[int],
    previous: dict[str, Any],
    report: BuildReport,
    progress: Callable[[int, int, int], None] | None,
) -> dict[int, FileResult | Skipped]:
    """The files at positions ``todo``: from the token cache, else tokenised."""
    results: dict[int, FileResult | Skipped] = {}
    for i in todo:
        cached = store._cached_result(files[i], previous)
        if cached is not None:
            results[i] = cached
    report.reused_files = len(files) - len(todo) + len(results)
    done = report.reused_files
    for i, result in store._run([(i, files[i]) for i in todo if i not in results]):
        results[i] = result
        report.tokenised_files += int(isinstance(result, FileResult))
        done += 1
        if progress:
            progress(done, len(files), 0)
    return results


def doc_chunks(corpus: CorpusIndex) -> np.ndarray:
    """The first chunk of every document, and the number of chunks at the end (len docs + 1)."""
    return np.searchsorted(corpus.tables["chunk_doc"], np.arange(len(corpus.docs) + 1), side="left")


def splice(runs: Sequence[Run], params: dict[str, Any], skipped: Sequence[Skipped] = ()) -> CorpusIndex:
    """One corpus index of ``runs`` in order (see the module's description)."""
    runs = [r for r in runs if r.hi > r.lo]
    sources = list({id(r.source): r.source for r in runs}.values())
    bounds = {id(s): doc_chunks(s) for s in sources}
    out = 0
    for r in runs:
        b = bounds[id(r.source)]
        r.c0, r.c1, r.out_chunk = int(b[r.lo]), int(b[r.hi]), out
        out += r.c1 - r.c0
    terms, remaps = _vocabulary(sources)
    chunk_ids, tf, df = _postings(runs, sources, remaps, len(terms), out)
    alive = df > 0  # a term no file holds any longer is dropped, as a full build never has it
    compact = np.cumsum(alive) - 1
    vocab = {t: i for i, t in enumerate(t for t, a in zip(terms, alive.tolist()) if a)}
    remaps = {key: compact[m].astype(np.int32) for key, m in remaps.items()}
    tables, sections = _tables(runs, remaps)
    doc_len = np.concatenate([r.source.bm25.doc_len[r.c0 : r.c1] for r in runs]).astype(np.int32)
    bm25 = BM25Index._finish(vocab, df[alive], chunk_ids, tf, doc_len, params["k1"], params["b"], params["epsilon"])
    docs = [d for r in runs for d in r.source.docs[r.lo : r.hi]]
    texts = b"".join(
        bytes(r.source.texts[int(r.source.tables["doc_bytes"][r.lo]) : int(r.source.tables["doc_bytes"][r.hi])])
        for r in runs
    )
    return CorpusIndex(docs, sections, tables, bm25, texts, list(skipped))


def _vocabulary(sources: list[CorpusIndex]) -> tuple[list[str], dict[int, np.ndarray]]:
    """The merged terms in text order (as a full build numbers them) and, per source, its term
    id -> merged id (ascending when the source's terms are in text order)."""
    terms = list(sources[0].bm25.vocab)
    known = sources[0].bm25.vocab
    extra = sorted({w for s in sources[1:] for w in s.bm25.vocab if w not in known})
    if extra or any(a > b for a, b in zip(terms, terms[1:])):
        terms = sorted(terms + extra)  # two sorted runs: merged in one pass
    index = {t: i for i, t in enumerate(terms)}
    remaps = {
        id(s): np.fromiter(map(index.__getitem__, s.bm25.vocab), dtype=np.int64, count=len(s.bm25.vocab))
        for s in sources
    }
    return terms, remaps


def _postings(
    runs: list[Run], sources: list[CorpusIndex], remaps: dict[int, np.ndarray], n_terms: int, n_chunks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(chunk ids, term frequencies, postings per merged term) of every kept posting, term-major
    with chunks ascending. The largest source's postings keep their order when renumbered; the
    other sources' postings are put into them term by term."""
    for s in sources:
        if s.bm25.tf is None:
            raise ValueError("the index keeps no term frequencies")
    big = max(sources, key=lambda s: s.bm25.postings.shape[0])
    chunk, tf, df = _renumbered(big, runs, remaps[id(big)], n_terms, n_chunks)
    for s in sources:
        if s is big:
            continue
        terms, chunks, tfs = _triples(s, runs, remaps[id(s)], n_chunks)
        ptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=ptr[1:])
        pos = np.empty(terms.shape[0], dtype=np.int64)
        edges = np.flatnonzero(np.diff(terms)) + 1
        for a, b in zip([0, *edges.tolist()], [*edges.tolist(), terms.shape[0]]):
            lo, hi = int(ptr[terms[a]]), int(ptr[terms[a] + 1])
            pos[a:b] = lo + np.searchsorted(chunk[lo:hi], chunks[a:b])
        chunk, tf = np.insert(chunk, pos, chunks), np.insert(tf, pos, tfs)
        df += np.bincount(terms, minlength=n_terms)
    return chunk, tf, df


def _chunk_map(s: CorpusIndex, runs: list[Run]) -> np.ndarray:
    """Each chunk of ``s`` -> its id in the result, or -1 when no run keeps it."""
    chunk_map = np.full(s.bm25.n_chunks, -1, dtype=np.int32)
    for r in runs:
        if r.source is s:
            chunk_map[r.c0 : r.c1] = np.arange(r.out_chunk, r.out_chunk + r.c1 - r.c0, dtype=np.int32)
    return chunk_map


def _renumbered(
    s: CorpusIndex, runs: list[Run], remap: np.ndarray, n_terms: int, n_chunks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(chunk ids, term frequencies, postings per merged term) of the postings of ``s`` kept by
    ``runs``, renumbered. Term and chunk numbers keep their order (the usual case: terms in text
    order, files in path order), so the postings need no sort; else they are sorted."""
    mine = [r for r in runs if r.source is s]
    in_order = all(a.c1 <= b.c0 and a.out_chunk < b.out_chunk for a, b in zip(mine, mine[1:]))
    if not in_order or bool((np.diff(remap) <= 0).any()):
        terms, chunk, tf = _triples(s, runs, remap, n_chunks)
        return chunk, tf, np.bincount(terms, minlength=n_terms)
    bm = s.bm25
    chunk = _chunk_map(s, runs)[bm.postings]
    counts = np.diff(bm.indptr)
    tf = np.asarray(bm.tf)
    if chunk.shape[0] and int(chunk.min()) < 0:  # postings of dropped chunks left out
        keep = chunk >= 0
        kept = np.zeros(keep.shape[0] + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        counts = kept[bm.indptr[1:]] - kept[bm.indptr[:-1]]
        chunk, tf = chunk[keep], tf[keep]
    df = np.zeros(n_terms, dtype=np.int64)
    df[remap] = counts
    return chunk, np.array(tf, dtype=np.int32), df


def _triples(
    s: CorpusIndex, runs: list[Run], remap: np.ndarray, n_chunks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(merged term, chunk id, term frequency) of the postings of ``s`` kept by ``runs``,
    sorted by term, then chunk."""
    bm = s.bm25
    chunk = _chunk_map(s, runs)[bm.postings]
    keep = chunk >= 0
    keys = np.repeat(remap.astype(np.int64), np.diff(bm.indptr))[keep]
    keys *= max(n_chunks, 1)
    keys += chunk[keep]
    order = np.argsort(keys, kind="stable")
    terms, chunks = np.divmod(keys[order], max(n_chunks, 1))
    return terms, chunks.astype(np.int32), np.asarray(bm.tf)[keep][order].astype(np.int32)


def _tables(runs: list[Run], remaps: dict[int, np.ndarray]) -> tuple[dict[str, np.ndarray], list[str]]:
    """The corpus tables of the runs in order, and the section paths numbered as a full build
    numbers them (by first use, chunk after chunk)."""
    parts: dict[str, list[np.ndarray]] = {
        name: []
        for name in (
            *_PER_CHUNK,
            *PER_SENTENCE,
            "chunk_doc",
            "tok",
            "lead_tok",
            "n_sent",
            "n_tok",
            "n_lead",
            "n_bytes",
        )
    }
    section_ids: dict[str, int] = {}
    section_parts: list[np.ndarray] = []
    out_doc = 0
    for r in runs:
        t = r.source.tables
        c0, c1 = r.c0, r.c1
        s0, s1 = int(t["sent_ptr"][c0]), int(t["sent_ptr"][c1])
        for name in _PER_CHUNK:
            parts[name].append(t[name][c0:c1])
        for name in PER_SENTENCE:
            parts[name].append(t[name][s0:s1])
        parts["chunk_doc"].append((t["chunk_doc"][c0:c1] - r.lo + out_doc).astype(t["chunk_doc"].dtype))
        out_doc += r.hi - r.lo
        remap = remaps[id(r.source)]
        parts["tok"].append(remap[t["tok"][int(t["tok_ptr"][s0]) : int(t["tok_ptr"][s1])]])
        parts["lead_tok"].append(remap[t["lead_tok"][int(t["lead_ptr"][c0]) : int(t["lead_ptr"][c1])]])
        parts["n_sent"].append(np.diff(t["sent_ptr"][c0 : c1 + 1]))
        parts["n_tok"].append(np.diff(t["tok_ptr"][s0 : s1 + 1]))
        parts["n_lead"].append(np.diff(t["lead_ptr"][c0 : c1 + 1]))
        parts["n_bytes"].append(np.diff(t["doc_bytes"][r.lo : r.hi + 1]))
        names, used = r.source.sections, t["chunk_section"][c0:c1]
        distinct = np.unique(used)  # the paths these chunks use, numbered by text across sources
        ids = np.zeros(len(names), dtype=np.int64)
        ids[distinct] = [section_ids.setdefault(names[i], len(section_ids)) for i in distinct.tolist()]
        section_parts.append(ids[used])
    tables = {
        name: np.concatenate(parts[name]) for name in (*_PER_CHUNK, *PER_SENTENCE, "chunk_doc", "tok", "lead_tok")
    }
    for name, counts in (
        ("sent_ptr", "n_sent"),
        ("tok_ptr", "n_tok"),
        ("lead_ptr", "n_lead"),
        ("doc_bytes", "n_bytes"),
    ):
        flat = np.concatenate(parts[counts])
        ptr = np.zeros(flat.shape[0] + 1, dtype=np.int64)
        np.cumsum(flat, out=ptr[1:])
        tables[name] = ptr
    chunk_section, sections = _renumber_sections(np.concatenate(section_parts), list(section_ids))
    tables["chunk_section"] = chunk_section
    return tables, sections


def _renumber_sections(ids: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Section ids numbered by first use in chunk order, and their paths (unused ones dropped)."""
    distinct, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(distinct.shape[0], dtype=np.int32)
    rank[order] = np.arange(distinct.shape[0], dtype=np.int32)
    return rank[inverse.reshape(-1)], [names[i] for i in distinct[order].tolist()]
