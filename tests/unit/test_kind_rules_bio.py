"""``bio``'s rules refuse a bad bio (first person, too long, a name not in the profile);
with no model, the template writes it and says so in ``model``."""

from __future__ import annotations

import pytest

from app.llm.extractive import ExtractiveProvider
from tasks.kinds import bio
from tasks.kinds.bio import Bio
from tasks.kinds.bio.rules import third_person
from tests.support.kind_inputs_a import PROFILE

GOOD = "Aiko Tanaka is Head of Platform Engineering at Globex. She spoke at KubeCon Europe 2024."


def test_rules__a_good_bio_keeps_them_all():
    assert bio.RULES.problems(PROFILE, Bio(bio=GOOD, outcome="written")) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("I am Head of Platform Engineering at Globex.", "write in the third person"),
        ("Aiko leads our platform team at Globex.", "write in the third person"),
        (" ".join(["word"] * 61), "bio: 61 words, at most 60 allowed (short)"),
        ("Aiko Tanaka worked at Google before Globex.", "sentence 1: a name that is not in"),
        (f"{GOOD} She lives in Berlin.", "sentence 3: a name that is not in the profile"),
        ("", "bio: empty"),
    ],
)
def test_bio_rules__refuse(text, problem):
    assert problem in "; ".join(bio.RULES.problems(PROFILE, Bio(bio=text, outcome="written")))


def test_rules__the_country_us_is_not_a_pronoun_and_sentence_starts_are_not_names():
    text = "Aiko Tanaka is Head of Platform Engineering at Globex. Before that, she spoke."
    assert bio.RULES.problems(PROFILE, Bio(bio=text, outcome="written")) == []
    assert list(third_person(PROFILE, Bio(bio="She moved to the US.", outcome="written"))) == []


async def test_offline__the_template_writes_it_and_model_says_template():
    result = await bio.write_bio(PROFILE, ExtractiveProvider())

    assert result.model == "template" and result.prompt_version == "bio/v1"
    assert result.output.outcome == "written"
    assert result.output.bio == (
        "Aiko Tanaka is Head of Platform Engineering at Globex. Her skills include "
        "Kubernetes and PostgreSQL. Notable achievements: Spoke at KubeCon Europe 2024."
    )


async def test_offline__leaves_out_what_would_break_a_rule_or_the_bound():
    profile = PROFILE.profile.model_copy(
        update={"achievements": ["Grew our team to 40 people", *["Spoke at KubeCon"] * 30]}
    )
    job = PROFILE.model_copy(update={"profile": profile})

    result = await bio.write_bio(job, ExtractiveProvider())

    assert "our" not in result.output.bio.split()
    assert len(result.output.bio.split()) <= 60
    assert bio.RULES.problems(job, result.output) == []


def test_refusal__keeps_the_rules():
    assert bio.RULES.problems(PROFILE, bio.refuse("no")) == []
    assert bio.RULES.problems(PROFILE, Bio(bio="x", outcome="refused", refusal_reason="no")) == [
        "bio: a refusal carries no bio"
    ]
