"""Conversations: a follow-up message (那长葛呢？, 去年呢？) rewritten into a standalone question
(:mod:`.followup`), with the word lists of ``config/dialogue.toml`` and the corpus's places
(:mod:`.lexicon`)."""
