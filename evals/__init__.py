"""Offline quality and safety evaluation (architecture §8): datasets (``evals/datasets``),
metrics (:mod:`evals.metrics`), the runner behind ``courier eval`` (:mod:`evals.runner`)
and its report (:mod:`evals.report`). See evals/README.md."""
