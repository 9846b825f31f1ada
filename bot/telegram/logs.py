"""Logging for the bot: one stderr handler, quiet HTTP libraries, and the token redacted everywhere."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import IO

REDACTED = "[REDACTED]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Replaces secrets (the bot token, its secret half, the webhook secret) in every record."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            if ":" in secret:  # the part after the bot id is the actual secret
                found.add(secret.split(":", 1)[1])
        # Longest first, so the whole token is replaced before its tail.
        self._secrets = sorted((s for s in found if len(s) >= 6), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class LibraryTracebacks(logging.Filter):
    """Folds tracebacks logged by python-telegram-bot into one line (its errors are expected ones:
    network trouble, a rejected token); the bot's own errors keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("telegram"):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(
    secrets: Iterable[str], *, quiet: bool = False, debug: bool = False, stream: IO[str] | None = None
) -> RedactingFilter:
    """Log to ``stream`` (stderr) through a :class:`RedactingFilter`; return the filter.

    httpx logs every request URL (which contains the token) at INFO: it is limited to warnings,
    and redacted anyway.
    """
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    redactor = RedactingFilter(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    if not debug:
        handler.addFilter(LibraryTracebacks())
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        old.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    # The library's own polling retries are reported through our error handler.
    logging.getLogger("telegram.ext.Updater").setLevel(logging.DEBUG if debug else logging.ERROR)
    return redactor
