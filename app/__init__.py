"""Courier: long LLM jobs run asynchronously on PostgreSQL, each result delivered exactly once."""
