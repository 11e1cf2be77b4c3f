"""HTTP endpoint listing the prompt versions of each kind and the tenant's policies."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from app.keys.auth import authenticated, provide_principal
from app.keys.service import Principal
from app.problems import problem_responses
from app.prompts.experiments import PromptPolicies
from app.prompts.schemas import KindPromptVersions, PromptPolicyView, PromptVersionList


def provide_prompt_policies(state: State) -> PromptPolicies:
    return state.services.prompt_policies


class PromptController(Controller):
    path = "/v1/prompts"
    tags = ["prompts"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "policies": Provide(provide_prompt_policies, sync_to_thread=False),
    }

    @get(
        "/",
        operation_id="ListPromptVersions",
        summary="Prompt versions of each kind",
        description=(
            "Each job kind's prompt versions, its current one, and the calling tenant's pin or "
            "split, if an operator set one. Every job records the version it ran "
            "(prompt_version)."
        ),
        responses=problem_responses(401, 503),
    )
    async def list_versions(
        self, principal: NamedDependency[Principal], policies: NamedDependency[PromptPolicies]
    ) -> PromptVersionList:
        chosen = await policies.list(principal.tenant_id)
        data = []
        for kind in sorted(policies.kinds.values(), key=lambda k: k.name):
            if kind.prompts is None:
                continue
            policy = chosen.get(kind.name)
            data.append(
                KindPromptVersions(
                    kind=kind.name,
                    versions=kind.prompts.versions,
                    current=kind.prompts.current,
                    policy=PromptPolicyView(
                        version=policy.version,
                        split_version=policy.split_version,
                        split_percent=policy.split_percent,
                    )
                    if policy
                    else None,
                )
            )
        return PromptVersionList(data=data)
