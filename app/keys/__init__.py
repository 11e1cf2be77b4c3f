"""API keys and the principals they act for."""
