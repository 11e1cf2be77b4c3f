"""The OpenAI-compatible Responses API (architecture §11): a response is a job of
kind ``response``, created through the intake and delivered from the event log."""
