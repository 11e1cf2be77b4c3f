"""``bio``'s input (a structured profile, a tone and a length) and output (a third-person
professional bio)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Tone = Literal["professional", "friendly", "formal"]
Length = Literal["short", "medium", "long"]
MAX_WORDS: dict[Length, int] = {"short": 60, "medium": 120, "long": 250}
"""The most words a bio of each length may have."""
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(min_length=1, max_length=200)
    organization: str | None = Field(default=None, max_length=200)
    start_year: int | None = Field(default=None, ge=1900, le=2100)
    end_year: int | None = Field(default=None, ge=1900, le=2100)


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=200, description="The current role.")
    organization: str | None = Field(default=None, max_length=200)
    pronouns: Literal["she", "he", "they"] | None = Field(
        default=None, description="How to refer to the person; without them, by name."
    )
    experience: list[Position] = Field(
        default_factory=list, max_length=30, description="Earlier roles, most recent first."
    )
    skills: list[Item] = Field(default_factory=list, max_length=50)
    achievements: list[Item] = Field(default_factory=list, max_length=30)

    def as_text(self) -> str:
        """Every word of the profile: the names a bio may use."""
        return " ".join(
            [
                self.name,
                self.role,
                self.organization or "",
                *(f"{p.role} {p.organization or ''}" for p in self.experience),
                *self.skills,
                *self.achievements,
            ]
        )


class BioInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: Profile
    tone: Tone = "professional"
    length: Length = Field(
        default="medium", description="short: at most 60 words; medium: 120; long: 250."
    )

    @property
    def max_words(self) -> int:
        return MAX_WORDS[self.length]


class Bio(BaseModel):
    bio: str = Field(description="The bio, in the third person.")
    outcome: Literal["written", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> Bio:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self
