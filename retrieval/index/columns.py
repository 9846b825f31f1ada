"""The column schema both sides of the index share: the chunk and sentence columns of one file's
result (ingest writes them, the index build reads them) and the tables of a corpus index (the
build writes them, :class:`~retrieval.index.corpus.CorpusIndex` reads them)."""

# Columns of FileResult.chunk_cols and FileResult.sent_cols. ``period`` is a year or -1;
# ``period_kind`` is 0 (none), 1 (review) or 2 (plan), see :data:`retrieval.dates.kinds.PERIOD_KINDS`;
# ``lead_start`` and ``lead_end`` are the offsets of the lead-in before the chunk's paragraph (-1 if none).
CHUNK_COLS = (
    "paragraph",
    "start",
    "end",
    "para_start",
    "para_end",
    "n_sentences",
    "period",
    "period_kind",
    "lead_start",
    "lead_end",
    "n_lead_tokens",
)
SENT_COLS = ("start", "end", "n_tokens", "period")

# Tables with one value per chunk: its offsets and paragraph; its dating and lead-in.
CHUNK_OFFSETS = ("chunk_start", "chunk_end", "chunk_bstart", "chunk_bend", "para_start", "para_end", "paragraph")
CHUNK_DATING = ("chunk_period", "chunk_period_kind", "lead_start", "lead_end")
# Tables with one value per sentence.
PER_SENTENCE = ("sent_start", "sent_end", "sent_period")

# The tables of a corpus index, one .npy file each.
TABLES = (
    "chunk_doc",
    "chunk_start",
    "chunk_end",
    "chunk_bstart",
    "chunk_bend",
    "para_start",
    "para_end",
    "paragraph",
    "chunk_section",
    "sent_ptr",
    "sent_start",
    "sent_end",
    "tok_ptr",
    "tok",
    "doc_bytes",
    # Dating and lead-ins (retrieval/dates/): a year or -1; 0 none, 1 review, 2 plan;
    # lead-in offsets or -1, and the lead-in's tokens (part of the chunk's BM25 document).
    "sent_period",
    "chunk_period",
    "chunk_period_kind",
    "lead_start",
    "lead_end",
    "lead_ptr",
    "lead_tok",
)
