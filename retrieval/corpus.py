"""The searchable corpus: documents, chunk and sentence tables, token ids and the BM25 index.

Tables are columns of numpy arrays so that a large corpus loads as memory-mapped files and
no per-chunk Python object exists until a chunk is shown.
"""

from __future__ import annotations

import json
import mmap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .index import BM25Index
from .ingest import FileResult
from .types import SECTION_SEP, Chunk, Citation, Document, Skipped

TABLES = ("chunk_doc", "chunk_start", "chunk_end", "para_start", "para_end", "paragraph",
          "chunk_section", "sent_ptr", "sent_start", "sent_end", "tok_ptr", "tok", "doc_bytes")


@dataclass
class DocMeta:
    doc_id: str
    path: str
    title: str
    places: tuple[str, ...]
    years: tuple[int, ...]
    issuer: str
    sha256: str


@dataclass
class CorpusIndex:
    docs: list[DocMeta]
    sections: list[str]
    tables: dict[str, np.ndarray]
    bm25: BM25Index
    texts: bytes | mmap.mmap  # UTF-8 texts of all documents, back to back
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._text_cache: dict[int, str] = {}
        self.id_to_term: list[str] | None = None

    # --- sizes ---------------------------------------------------------------------------
    @property
    def n_chunks(self) -> int:
        return int(self.tables["chunk_doc"].shape[0])

    # --- documents and text ----------------------------------------------------------------
    def text(self, doc: int) -> str:
        """Decoded text of document ``doc`` (a few recent ones are kept)."""
        cached = self._text_cache.get(doc)
        if cached is None:
            lo, hi = int(self.tables["doc_bytes"][doc]), int(self.tables["doc_bytes"][doc + 1])
            cached = bytes(self.texts[lo:hi]).decode("utf-8")
            if len(self._text_cache) >= 64:
                self._text_cache.pop(next(iter(self._text_cache)))
            self._text_cache[doc] = cached
        return cached

    def document(self, doc: int) -> Document:
        m = self.docs[doc]
        return Document(m.doc_id, m.path, m.title, self.text(doc), m.places, m.years, m.issuer)

    def doc_index(self, doc_id: str) -> int | None:
        for i, m in enumerate(self.docs):
            if m.doc_id == doc_id:
                return i
        return None

    # --- chunks and sentences ----------------------------------------------------------------
    def chunk(self, i: int) -> Chunk:
        t = self.tables
        lo, hi = int(t["sent_ptr"][i]), int(t["sent_ptr"][i + 1])
        sentences = tuple(zip(t["sent_start"][lo:hi].tolist(), t["sent_end"][lo:hi].tolist()))
        section = self.sections[int(t["chunk_section"][i])]
        return Chunk(i, self.docs[int(t["chunk_doc"][i])].doc_id,
                     tuple(section.split(SECTION_SEP)) if section else (),
                     int(t["paragraph"][i]), int(t["chunk_start"][i]), int(t["chunk_end"][i]),
                     int(t["para_start"][i]), int(t["para_end"][i]), sentences)

    def sentence_range(self, chunk: int) -> range:
        t = self.tables
        return range(int(t["sent_ptr"][chunk]), int(t["sent_ptr"][chunk + 1]))

    def sentence_tokens(self, sent: int) -> np.ndarray:
        t = self.tables
        return t["tok"][int(t["tok_ptr"][sent]):int(t["tok_ptr"][sent + 1])]

    def citation(self, chunk: int, sent: int) -> Citation:
        t = self.tables
        doc = int(t["chunk_doc"][chunk])
        m = self.docs[doc]
        return Citation(m.doc_id, m.title, m.path, self.sections[int(t["chunk_section"][chunk])],
                        int(t["paragraph"][chunk]), int(t["sent_start"][sent]),
                        int(t["sent_end"][sent]), int(t["para_start"][chunk]),
                        int(t["para_end"][chunk]))

    def sentence_text(self, chunk: int, sent: int) -> str:
        t = self.tables
        return self.text(int(t["chunk_doc"][chunk]))[int(t["sent_start"][sent]):int(t["sent_end"][sent])]

    def term(self, term_id: int) -> str:
        if self.id_to_term is None:
            terms = [""] * len(self.bm25.vocab)
            for word, i in self.bm25.vocab.items():
                terms[i] = word
            self.id_to_term = terms
        return self.id_to_term[term_id]

    # --- building -----------------------------------------------------------------------------
    @classmethod
    def assemble(cls, results: Sequence[FileResult], params: dict[str, Any],
                 skipped: Sequence[Skipped] = ()) -> "CorpusIndex":
        """Put per-file results together into one corpus index (in the given order)."""
        vocab: dict[str, int] = {}
        sections: dict[str, int] = {}
        cols: dict[str, list[int]] = {name: [] for name in TABLES}
        rows: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        doc_len: list[int] = []
        texts: list[bytes] = []
        docs: list[DocMeta] = []
        n_sent = 0
        n_tok = 0
        cols["sent_ptr"].append(0)
        cols["tok_ptr"].append(0)
        cols["doc_bytes"].append(0)
        byte_pos = 0
        for d, res in enumerate(results):
            docs.append(DocMeta(res.rel, res.rel, res.title, tuple(res.places), tuple(res.years),
                                res.issuer, res.sha256))
            encoded = res.text.encode("utf-8")
            texts.append(encoded)
            byte_pos += len(encoded)
            cols["doc_bytes"].append(byte_pos)
            for (section, paragraph, start, end, pstart, pend, sents), sent_tokens in zip(res.chunks, res.tokens):
                cols["chunk_doc"].append(d)
                cols["chunk_start"].append(start)
                cols["chunk_end"].append(end)
                cols["para_start"].append(pstart)
                cols["para_end"].append(pend)
                cols["paragraph"].append(paragraph)
                cols["chunk_section"].append(sections.setdefault(section, len(sections)))
                chunk_ids: list[int] = []
                for (s, e), toks in zip(sents, sent_tokens):
                    ids = [vocab.setdefault(w, len(vocab)) for w in toks]
                    chunk_ids.extend(ids)
                    cols["sent_start"].append(s)
                    cols["sent_end"].append(e)
                    cols["tok"].extend(ids)
                    n_tok += len(ids)
                    cols["tok_ptr"].append(n_tok)
                    n_sent += 1
                cols["sent_ptr"].append(n_sent)
                uniq, counts = np.unique(np.asarray(chunk_ids, dtype=np.int64), return_counts=True)
                rows.append(uniq)
                tfs.append(counts)
                doc_len.append(len(chunk_ids))
        wide = {"sent_ptr", "tok_ptr", "doc_bytes", "chunk_start", "chunk_end", "para_start",
                "para_end", "sent_start", "sent_end"}
        tables = {name: np.asarray(values, dtype=np.int64 if name in wide else np.int32)
                  for name, values in cols.items()}
        bm25 = BM25Index.from_counts(vocab, rows, tfs, np.asarray(doc_len, dtype=np.int32),
                                     params["k1"], params["b"], params["epsilon"])
        return cls(docs, list(sections), tables, bm25, b"".join(texts), list(skipped))

    # --- persistence ------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write every part into ``folder`` (JSON and .npy; never pickle)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in self.tables.items():
            with open(folder / f"{name}.npy", "wb") as fh:
                np.save(fh, array, allow_pickle=False)
        self.bm25.save(folder)
        with open(folder / "texts.bin", "wb") as fh:
            fh.write(self.texts)
        meta = {
            "docs": [vars(d) for d in self.docs],
            "sections": self.sections,
            "skipped": [[s.path, s.reason] for s in self.skipped],
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        (folder / "vocab.json").write_text(json.dumps(list(self.bm25.vocab), ensure_ascii=False),
                                           encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, params: dict[str, Any]) -> "CorpusIndex":
        """Load a saved corpus; raises ValueError (or OSError) if anything is missing or damaged."""
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        terms = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError("vocabulary is not a list of terms")
        vocab = {t: i for i, t in enumerate(terms)}
        tables = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in TABLES}
        bm25 = BM25Index.load(folder, vocab, params["k1"], params["b"], params["epsilon"])
        texts_path = folder / "texts.bin"
        with open(texts_path, "rb") as fh:
            size = texts_path.stat().st_size
            texts: bytes | mmap.mmap = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        docs = [DocMeta(d["doc_id"], d["path"], d["title"], tuple(d["places"]), tuple(d["years"]),
                        d["issuer"], d["sha256"]) for d in meta["docs"]]
        skipped = [Skipped(p, r) for p, r in meta.get("skipped", [])]
        corpus = cls(docs, list(meta["sections"]), tables, bm25, texts, skipped)
        corpus.check(size)
        return corpus

    def check(self, text_bytes: int) -> None:
        t = self.tables
        n = self.n_chunks
        for name in ("chunk_start", "chunk_end", "para_start", "para_end", "paragraph", "chunk_section"):
            if t[name].shape != (n,):
                raise ValueError(f"table {name} is truncated")
        if t["sent_ptr"].shape != (n + 1,) or int(t["sent_ptr"][-1]) != t["sent_start"].shape[0]:
            raise ValueError("sentence table is truncated")
        if t["sent_end"].shape != t["sent_start"].shape or t["tok_ptr"].shape != (t["sent_start"].shape[0] + 1,):
            raise ValueError("sentence table is truncated")
        if int(t["tok_ptr"][-1]) != t["tok"].shape[0]:
            raise ValueError("token table is truncated")
        if t["doc_bytes"].shape != (len(self.docs) + 1,) or int(t["doc_bytes"][-1]) != text_bytes:
            raise ValueError("document texts are truncated")
        if self.bm25.n_chunks != n:
            raise ValueError("BM25 index and chunk table differ in size")
        if n and (int(t["chunk_doc"].max()) >= len(self.docs) or int(t["chunk_section"].max()) >= len(self.sections)):
            raise ValueError("chunk table points past its documents")
