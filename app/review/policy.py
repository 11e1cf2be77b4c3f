"""When a finished output waits for a person: the per-kind risk policy.

An execution that produced a valid output asks :func:`review_reasons` whether to
deliver it (``succeeded``) or hold it (``needs_review``). The reasons come from two
places: the kind's :class:`ReviewPolicy` (the kind is high-risk, the input is, the
output is unsure of itself or escalates), each a :class:`ReviewReason`, and the
safety checks of the model layer (app/safety/screening.py: ``injection_suspected``,
``guard_violation``), which hold the output of any kind with a policy. The job keeps
them all (``jobs.review_reasons``, a JSON list of objects with a ``code``) and its
``needs_review`` event names their codes (tasks/execution.py).

A detail is for the reviewer: it says what was found and where, and never quotes
the input or the output (those are shown to the reviewer beside it, and the details
are stored beyond the job's own columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

# Codes the policy itself gives; the safety checks add injection_suspected and
# guard_violation (app/safety/screening.py).
HIGH_RISK_KIND = "high_risk_kind"
HIGH_RISK_INPUT = "high_risk"
LOW_CONFIDENCE = "low_confidence"
ESCALATION = "escalation"


@dataclass(frozen=True)
class ReviewReason:
    """Why an output is held: a stable ``code`` programs and metrics group by, and a
    ``detail`` for the reviewer."""

    code: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class ReviewPolicy:
    """A kind's risk policy: which of its finished outputs a person sees first.

    A kind whose ``review`` is None has no review: its guards refuse instead of holding
    (architecture §7)."""

    always: bool = False
    """Every output of the kind is reviewed (a high-risk kind)."""
    high_risk_input: bool = True
    """Review an output whose input the kind judges high-risk (``Kind.high_risk``)."""
    confidence: Callable[[Any], float | None] | None = None
    """The output's confidence, 0 to 1 (None: it states none), compared with
    ``min_confidence``."""
    min_confidence: float = 0.0
    """Review an output whose confidence is below this."""
    escalations: frozenset[str] = frozenset()
    """Values of the output's ``outcome`` that hand the question to a person (e.g.
    ``escalated``): such an output is reviewed."""
    window: timedelta | None = None
    """The review deadline: a held job's ``expires_at`` moves to at least now + this, so
    a reviewer has that long; None (or a shorter one) gives the worker's review window
    (``COURIER_REVIEW_WINDOW_SECONDS``, 24 h). Either way a job whose deadline passes in
    review expires (its output is never shown)."""

    def reasons(self, *, high_risk_input: bool, output: BaseModel) -> list[ReviewReason]:
        """The reasons this policy holds ``output`` for, in a stable order; none: deliver it."""
        found = []
        if self.always:
            found.append(ReviewReason(HIGH_RISK_KIND, "every output of this kind is reviewed"))
        if self.high_risk_input and high_risk_input:
            found.append(ReviewReason(HIGH_RISK_INPUT, "the kind judged this input high-risk"))
        if self.confidence is not None:
            confidence = self.confidence(output)
            if confidence is not None and confidence < self.min_confidence:
                found.append(
                    ReviewReason(
                        LOW_CONFIDENCE,
                        f"confidence {confidence:.2f} is below {self.min_confidence:.2f}",
                    )
                )
        outcome = getattr(output, "outcome", None)
        if outcome in self.escalations:
            found.append(ReviewReason(ESCALATION, f"the output's outcome is {outcome!r}"))
        return found
