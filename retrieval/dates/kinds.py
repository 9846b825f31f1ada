"""The names of document kinds, report styles and period kinds, shared by dating, the index and
the composer (see :mod:`retrieval.dates`)."""

# Document kinds (Document.kind) and report styles (how the report's year relates to its parts).
REPORT, COMPANION = "report", "companion"
WORK_REPORT, SUMMARY = "work_report", "summary"
# Section period kinds.
REVIEW, PLAN = "review", "plan"
# How a section's period kind is stored in the index's chunk table: 0 none, 1 review, 2 plan.
PERIOD_KINDS = (None, REVIEW, PLAN)
