"""Which model names a Responses request may ask for, and the tier each runs on.

Courier routes by tier, not by name (app/llm/routing.py): a response runs like any
job, starting at its tier and falling back along the chain (large → small →
extractive), each call recorded and budgeted. The names configured for the tiers
(``COURIER_MODEL_SMALL``, ``COURIER_MODEL_LARGE``) are always accepted, and so are
``courier-small`` and ``courier-large``; ``COURIER_RESPONSES_MODEL_ALIASES`` adds
more (e.g. ``{"gpt-4o-mini": "small"}``, so code written for OpenAI runs unchanged).
Any other name is refused: the request would otherwise run on a model it did not ask for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.errors import BadRequestError
from app.llm.routing import Tier

BUILT_IN_ALIASES: Mapping[str, Tier] = {"courier-small": "small", "courier-large": "large"}


class ModelNotAllowed(BadRequestError):
    """The model is not one Courier serves."""

    param = "model"
    code = "model_not_found"


@dataclass(frozen=True)
class ModelNames:
    """The accepted model names and their tiers."""

    tiers: Mapping[str, Tier]

    @classmethod
    def configured(
        cls, *, small: str, large: str, aliases: Mapping[str, Tier] | None = None
    ) -> ModelNames:
        # The tier models win over an alias of the same name: they are what runs.
        return cls({**BUILT_IN_ALIASES, **(aliases or {}), small: "small", large: "large"})

    def tier(self, model: str) -> Tier:
        """The tier ``model`` runs on; :class:`ModelNotAllowed` for a name not accepted."""
        tier = self.tiers.get(model)
        if tier is None:
            accepted = ", ".join(sorted(self.tiers))
            raise ModelNotAllowed(
                f"The model '{model[:200]}' is not served here; use one of: {accepted} "
                "(COURIER_RESPONSES_MODEL_ALIASES adds names)."
            )
        return tier
