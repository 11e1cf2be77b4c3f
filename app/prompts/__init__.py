"""Prompts: versioned Jinja2 templates beside each kind, untrusted text marked as data,
and the per-tenant choice of a kind's prompt version (pins and splits)."""
