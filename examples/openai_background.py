"""OpenAI background mode, written for OpenAI, run against Courier unchanged.

Only the ``openai`` SDK is used. Point it at Courier with the two variables the SDK
reads itself::

    OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=<a Courier API key> \\
        python examples/openai_background.py

``MODEL`` picks the model (default ``gpt-4.1-mini``, Courier's default small tier).
"""

from __future__ import annotations

import os
import time

from openai import OpenAI
from pydantic import BaseModel

MODEL = os.environ.get("MODEL", "gpt-4.1-mini")
client = OpenAI()


class Ticket(BaseModel):
    product: str
    urgency: int


# 1. Background: create, then poll until it is done.
response = client.responses.create(
    model=MODEL,
    instructions="Answer in one sentence.",
    input="Why would a team keep background LLM jobs in its own PostgreSQL?",
    background=True,
    metadata={"example": "poll"},
)
print(f"created {response.id}: {response.status}")
while response.status in ("queued", "in_progress"):
    time.sleep(0.2)
    response = client.responses.retrieve(response.id)
print(f"polled: {response.status}: {response.output_text!r}")
print(f"usage: {response.usage.input_tokens} in, {response.usage.output_tokens} out")

# 2. Stream, lose the connection, resume after the last event seen.
response = client.responses.create(
    model=MODEL, input="Describe Courier in a few sentences.", background=True
)
seen = []
stream = client.responses.retrieve(response.id, stream=True)
for event in stream:
    seen.append(event)
    if event.type == "response.in_progress" or event.sequence_number >= 2:
        break
stream.close()
print(f"dropped after event {seen[-1].sequence_number} ({seen[-1].type})")
with client.responses.stream(response_id=response.id, starting_after=seen[-1].sequence_number) as s:
    for event in s:
        seen.append(event)
    final = s.get_final_response()
numbers = [event.sequence_number for event in seen]
print(
    f"resumed: events {numbers[0]}..{numbers[-1]}, each once: {numbers == list(range(len(seen)))}"
)
print(f"streamed: {final.status}: {final.output_text!r}")

# 3. Structured output, parsed into a pydantic model.
parsed = client.responses.parse(
    model=MODEL,
    input="The checkout page of the shop app crashes for every customer. How urgent, 1-5?",
    text_format=Ticket,
)
print(f"parsed: {parsed.output_parsed!r}")

# 4. Cancel a background response.
response = client.responses.create(model=MODEL, input="A long essay, please.", background=True)
cancelled = client.responses.cancel(response.id)
print(f"cancelled {cancelled.id}: {cancelled.status}")
