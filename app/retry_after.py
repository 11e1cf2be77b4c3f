"""The Retry-After header (RFC 9110 §10.2.3): how long a server asks us to wait.

Read by the webhook relay (receivers) and the model layer (providers).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_SECONDS = 3600.0
"""The longest wait a header may ask for: a hostile or broken value cannot park work for years."""


def parse_retry_after(
    value: str | None, now: datetime | None = None, maximum: float = MAX_SECONDS
) -> float | None:
    """Seconds from a Retry-After value: delta-seconds (decimals tolerated) or an
    HTTP-date; ``None`` when absent or unreadable; bounded to ``[0, maximum]``."""
    if not value:
        return None
    seconds: float | None
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = _until(value, now or datetime.now(UTC))
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), maximum)


def _until(value: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()
