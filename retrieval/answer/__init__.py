"""Answering a question: the stages :class:`~retrieval.answer.compose.Composer` runs, from question
analysis to the selected sentences (see ``docs/architecture.md``)."""
