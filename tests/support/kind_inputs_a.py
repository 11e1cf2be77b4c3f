"""A realistic input of ``account_summary``, ``follow_up_draft``, ``product_description``
and ``bio``, for tests of their rules and answers."""

from __future__ import annotations

from tasks.kinds.account_summary import AccountSummaryInput
from tasks.kinds.bio import BioInput
from tasks.kinds.follow_up_draft import FollowUpDraftInput
from tasks.kinds.product_description import ProductDescriptionInput

ACCOUNT = AccountSummaryInput(
    account="Northwind Traders",
    emails=[
        {
            "id": "e1",
            "body": "We were charged twice for invoice INV-2231 in March. This is frustrating.",
        },
        {"id": "e2", "body": "Thanks, the login issue is fixed now and the team is happy."},
    ],
    crm_notes=[{"id": "n1", "text": "Renewal due on 30 June for 40 seats."}],
)
CONVERSATION = FollowUpDraftInput(
    sender="Sam Okafor",
    recipient="Maria",
    about="the Q3 rollout",
    conversation=[
        {"id": "t1", "speaker": "Maria Lopez", "text": "We need SSO before 12 September."},
        {
            "id": "t2",
            "speaker": "Sam Okafor",
            "text": "I will send the SSO configuration guide by Friday.",
        },
    ],
)
PRODUCT = ProductDescriptionInput(
    locale="en-US",
    max_bullets=3,
    product={
        "name": "Trail Runner 2 jacket",
        "brand": "Northpeak",
        "attributes": {"material": "recycled polyester", "weight_g": 240},
        "features": ["Taped seams keep the rain out"],
    },
    references=[{"id": "care", "text": "Wash the jacket at 30 degrees."}],
)
PROFILE = BioInput(
    length="short",
    profile={
        "name": "Aiko Tanaka",
        "role": "Head of Platform Engineering",
        "organization": "Globex",
        "pronouns": "she",
        "skills": ["Kubernetes", "PostgreSQL"],
        "achievements": ["Spoke at KubeCon Europe 2024"],
    },
)
