"""Start-up shared by every front end: settings from the command line, and the engine opened with
progress on the terminal and its warnings printed."""

from __future__ import annotations

import argparse
import sys

from config import Settings, load_settings
from retrieval.engine import Engine

from . import render
from .progress import ProgressLine, VectorProgressLine


def settings_from(args: argparse.Namespace) -> Settings:
    """Validated settings with the command line's --corpus, --cache-dir and --top-k applied."""
    overrides = {"corpus": args.corpus, "cache_dir": args.cache_dir, "top_k": args.top_k}
    return load_settings(config_file=args.config, overrides=overrides)


def open_engine(
    settings: Settings, args: argparse.Namespace, *, rebuild: bool = False, semantic: str = "build"
) -> Engine:
    """The engine over ``settings.corpus``, with progress lines while indexing and while sentence
    vectors are built (unless --quiet), and the index's warnings and skipped files on stderr.
    ``semantic`` is passed to :meth:`Engine.open` (``background`` for the bot)."""
    progress = vectors_line = None
    if not args.quiet and sys.stderr.isatty():
        progress, vectors_line = ProgressLine(), VectorProgressLine()

    def vector_progress(done: int, total: int) -> None:
        progress.close()  # the index line ends before the vectors' line starts
        vectors_line(done, total)

    try:
        engine = Engine.open(
            settings,
            rebuild=rebuild,
            progress=progress,
            semantic=semantic,
            vector_progress=vector_progress if vectors_line else None,
        )
    finally:
        if progress:
            progress.close()
        if vectors_line:
            vectors_line.close()
    for warning in engine.report.warnings:
        print(render.terminal_safe(f"注意：{warning}"), file=sys.stderr)
    if engine.report.rebuilt and engine.report.skipped and not args.quiet:
        for s in engine.report.skipped:
            print(render.terminal_safe(f"注意：已跳过 {s.path}：{s.reason}"), file=sys.stderr)
    return engine
