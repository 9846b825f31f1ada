"""Chinese text for matching: normalising and tokenising, synonyms, answer shapes, outline headings."""
