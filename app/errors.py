"""The root of Courier's exceptions.

Every domain error derives from :class:`CourierError`; its docstring is its
default message. The HTTP layer maps them to RFC 9457 problem documents in one
place (``app/problems.py``).
"""

from __future__ import annotations


class CourierError(Exception):
    """Courier failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())

    @property
    def message(self) -> str:
        return str(self)
