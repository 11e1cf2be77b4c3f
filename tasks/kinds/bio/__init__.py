"""``bio``: a professional bio in the third person from a structured profile (name, role,
experience, skills, achievements), in a tone and within a length. Small tier (a short
routine text). When no model answers, a template bio is filled in from the profile and
``model`` says ``template``."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.bio.handler import PROMPTS, TEMPLATE, refuse, template_bio, write_bio
from tasks.kinds.bio.models import Bio, BioInput, Position, Profile
from tasks.kinds.bio.rules import RULES

KIND = Kind(
    name="bio",
    input_model=BioInput,
    output_model=Bio,
    handler=write_bio,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a short routine text
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "TEMPLATE",
    "Bio",
    "BioInput",
    "Position",
    "Profile",
    "refuse",
    "template_bio",
    "write_bio",
]
