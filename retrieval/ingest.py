"""One file in, one record out: decoded, cleaned, chunked and tokenised.

:func:`process_file` is a pure function of the file and the index settings, so it can run in
worker processes and its result can be cached per file content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chunker import chunk_document
from .loader import INLINE_NOISE, SourceFile, UnreadableFile, make_document, noise_spans, read_text
from .text import default_tokenizer, normalize
from .types import SECTION_SEP, Skipped


@dataclass
class FileResult:
    """Everything the index needs from one file. JSON-serialisable via :meth:`to_json`."""

    rel: str
    sha256: str
    text: str
    title: str
    places: list[str]
    years: list[int]
    issuer: str
    # Per chunk: [section, paragraph, start, end, para_start, para_end, [[s, e], ...]]
    chunks: list[list[Any]]
    # Per chunk, per sentence: tokens of the normalised, boilerplate-free sentence.
    tokens: list[list[list[str]]]

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in ("rel", "sha256", "title", "places", "years",
                                              "issuer", "chunks", "tokens")}
        if with_text:
            data["text"] = self.text
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], text: str) -> "FileResult":
        fields = {k: data[k] for k in ("rel", "sha256", "title", "places", "years", "issuer",
                                       "chunks", "tokens")}
        if not isinstance(fields["chunks"], list) or len(fields["chunks"]) != len(fields["tokens"]):
            raise ValueError("chunk and token lists differ in length")
        return cls(text=text, **fields)


def clean_for_index(text: str) -> str:
    """The part of a sentence that is matched: without markers and URLs, normalised."""
    return normalize(INLINE_NOISE.sub(" ", text))


def process_file(source: SourceFile, params: dict[str, Any]) -> FileResult | Skipped:
    """Read, chunk and tokenise one file; a file that cannot be read becomes :class:`Skipped`."""
    try:
        text, digest = read_text(source, params["max_file_mb"] * 2**20,
                                 params["max_docx_xml_mb"] * 2**20)
    except UnreadableFile as exc:
        return Skipped(source.rel, str(exc))
    doc = make_document(source.rel, source.rel, text)
    noise = noise_spans(text, doc.title)
    spans = chunk_document(doc, noise, params["max_chunk_chars"])
    tokenizer = default_tokenizer()
    chunks: list[list[Any]] = []
    tokens: list[list[list[str]]] = []
    for span in spans:
        chunks.append([SECTION_SEP.join(span.section), span.paragraph, span.start, span.end,
                       span.para_start, span.para_end, [list(s) for s in span.sentences]])
        tokens.append([tokenizer.tokens(clean_for_index(text[s:e]), normalized=True)
                       for s, e in span.sentences])
    if not chunks:
        return Skipped(source.rel, "没有找到可以索引的段落")
    return FileResult(source.rel, digest, text, doc.title, list(doc.places), list(doc.years),
                      doc.issuer, chunks, tokens)
