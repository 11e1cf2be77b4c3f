"""What a tenant reads about prompt versions over HTTP."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PromptPolicyView(BaseModel):
    version: str = Field(
        description="The pinned version; in a split, the version of the other jobs.",
        examples=["email_reply/v1"],
    )
    split_version: str | None = Field(description="In a split, the other version; null: a pin.")
    split_percent: int | None = Field(
        description="In a split, the percent of jobs (drawn by job id) that run split_version."
    )


class KindPromptVersions(BaseModel):
    kind: str = Field(examples=["email_reply"])
    versions: list[str] = Field(
        description="Every prompt version of the kind, oldest first.",
        examples=[["email_reply/v1", "email_reply/v2"]],
    )
    current: str = Field(description="The newest version: what jobs run unless a policy says.")
    policy: PromptPolicyView | None = Field(
        description="This tenant's pin or split for the kind (set by an operator with "
        "`courier prompts pin|split`); null: its jobs run the current version."
    )


class PromptVersionList(BaseModel):
    data: list[KindPromptVersions]
