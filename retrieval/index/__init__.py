"""The searchable index of a corpus.

Read side (what answering imports): :mod:`.bm25` (BM25 postings), :mod:`.columns` (the names of
the chunk and sentence columns), :mod:`.corpus` (:class:`~.corpus.CorpusIndex`, the loaded tables)
and :mod:`.vectors` (sentence vectors and nearest-sentence search). Write side: :mod:`.build`
(files' results assembled into one index), :mod:`.store` (the cache on disk, built or refreshed
when needed), :mod:`.embedding` (sentence vectors computed and cached); :mod:`.embedder` holds the
models that turn text into vectors (for questions and sentences alike).
"""
