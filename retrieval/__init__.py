"""ReportQA's engine: cited, extractive answers from a folder of Chinese work reports.

Typical use::

    from retrieval import Engine
    engine = Engine.open()            # the bundled seeds/ corpus, or settings.corpus
    answer = engine.answer("古丈县现有各级各类学校多少所？")
"""

from .engine import Engine, EngineHolder
from .types import Answer, BuildReport, Chunk, Citation, CorpusError, Document, Passage, Sentence, Skipped

__all__ = [
    "Answer",
    "BuildReport",
    "Chunk",
    "Citation",
    "CorpusError",
    "Document",
    "Engine",
    "EngineHolder",
    "Passage",
    "Sentence",
    "Skipped",
]
