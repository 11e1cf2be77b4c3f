"""Safety in the model layer: untrusted text screened for injected instructions,
outputs guarded before delivery, PII kept out of storage (architecture §7)."""
