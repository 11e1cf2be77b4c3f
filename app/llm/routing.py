"""Routing: which model a job's steps ask first, and where they fall back to.

Each kind names its default tier (the small model for extraction, classification
and routine drafts; the large one for high-risk generations). A policy moves a job
up (a risk signal from its input, a tenant on a premium tier) or down (the tenant's
budget asks for the small model: that wins, a budget is a ceiling). A step whose
model fails with provider errors falls back along the chain large → small →
extractive, each model at most once: the chain is a list without repeats, never a
graph that can loop. A step whose budget reservation is refused, for a tenant that
chose ``--when-over small``, jumps to the small model of its chain (the step runner,
app/llm/steps.py, decides that call by call, when the reservation is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.llm.extractive import ExtractiveProvider

Tier = Literal["small", "large"]
EXTRACTIVE = ExtractiveProvider.name
PREMIUM_TENANT_TIERS = frozenset({"premium", "enterprise"})
"""Tenant tiers whose jobs use the large model whatever their kind's default."""


@dataclass(frozen=True)
class RoutingSignals:
    high_risk: bool = False
    """The kind judged this job's input high-risk (``Kind.high_risk``)."""
    tenant_tier: str | None = None
    """The tenant's commercial tier, when known."""
    prefer_small: bool = False
    """The tenant's budget asks for the small model (``--when-over small``)."""


@dataclass(frozen=True)
class ModelTiers:
    """The model of each tier on the configured provider."""

    small: str
    large: str


def route(default: Tier, signals: RoutingSignals) -> Tier:
    """The tier a job's steps start at."""
    if signals.prefer_small:
        return "small"
    if signals.high_risk or signals.tenant_tier in PREMIUM_TENANT_TIERS:
        return "large"
    return default


def fallback_chain(tier: Tier, tiers: ModelTiers | None) -> list[str]:
    """The models a step tries, in order, each once; ``tiers`` None: no network
    provider is configured, only the extractive one answers."""
    if tiers is None:
        return [EXTRACTIVE]
    models = [tiers.large, tiers.small] if tier == "large" else [tiers.small]
    return list(dict.fromkeys([*models, EXTRACTIVE]))  # without repeats, in order
