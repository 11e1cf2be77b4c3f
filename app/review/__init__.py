"""Human review: the per-kind risk policy that holds finished outputs, the review queue
and the decisions on it."""
