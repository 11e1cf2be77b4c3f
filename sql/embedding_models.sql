-- Embedding models: which one serves search, which are being filled.

-- name: embedding_model_activate :optional
-- Make a building model the active one (after the previous one is retired in the same
-- transaction, see embedding_model_retire_active).
UPDATE embedding_models SET state = 'active', activated_at = now()
WHERE model = %(model)s::text AND state = 'building'
RETURNING model;

-- name: embedding_model_active :optional
-- The model that serves search, if any.
SELECT model, dimensions FROM embedding_models WHERE state = 'active';

-- name: embedding_model_ensure :one
-- Register the configured model: active at once when no model is active yet (a new
-- installation), otherwise building until every chunk has its embedding. A retired
-- model that is configured again builds again.
INSERT INTO embedding_models (model, dimensions, state, activated_at)
SELECT %(model)s::text, %(dimensions)s::int,
       CASE WHEN active.model IS NULL THEN 'active' ELSE 'building' END,
       CASE WHEN active.model IS NULL THEN now() END
FROM (SELECT NULL::text AS none) one
LEFT JOIN embedding_models active ON active.state = 'active'
ON CONFLICT (model) DO UPDATE
SET state = CASE WHEN embedding_models.state = 'retired' THEN 'building' ELSE embedding_models.state END
RETURNING model, state;

-- name: embedding_model_list :many
-- Every model that is not retired: the ones chunks are embedded with.
SELECT model, dimensions, state FROM embedding_models WHERE state <> 'retired' ORDER BY model;

-- name: embedding_model_purged :exec
-- The retention pruner deleted every embedding of this retired model: later passes skip it.
UPDATE embedding_models SET purged_at = now()
WHERE model = %(model)s::text AND state = 'retired';

-- name: embedding_model_retire_active :exec
-- Retire the active model other than this one (its embeddings stay until the retention
-- pruner purges them, see embedding_model_purged).
UPDATE embedding_models SET state = 'retired', purged_at = NULL
WHERE state = 'active' AND model <> %(model)s::text;

-- name: embedding_model_retired_unpurged :many
-- Retired models whose embeddings may remain: what the retention pruner still deletes.
SELECT model FROM embedding_models WHERE state = 'retired' AND purged_at IS NULL ORDER BY model;
