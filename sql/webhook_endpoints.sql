-- Webhook endpoints: a tenant's push destinations, and the per-tenant secret that
-- signs deliveries to jobs' callback_url.

-- name: callback_secret_ensure :one
-- The tenant's callback signing secret, created on first use.
WITH created AS (
    INSERT INTO callback_secrets (tenant_id) VALUES (%(tenant_id)s::uuid)
    ON CONFLICT (tenant_id) DO NOTHING
    RETURNING secret, previous_secret, previous_secret_expires_at, created_at
)
SELECT secret, previous_secret, previous_secret_expires_at, created_at FROM created
UNION ALL
SELECT secret, previous_secret, previous_secret_expires_at, created_at
FROM callback_secrets WHERE tenant_id = %(tenant_id)s::uuid
LIMIT 1;

-- name: callback_secret_rotate :one
-- A new callback secret; the old one keeps signing alongside until the overlap ends.
UPDATE callback_secrets
SET previous_secret = secret,
    previous_secret_expires_at = clock_timestamp() + %(overlap)s::interval,
    secret = courier_webhook_secret()
WHERE tenant_id = %(tenant_id)s::uuid
RETURNING secret, previous_secret, previous_secret_expires_at, created_at;

-- name: webhook_endpoint_delete :one
-- Delete an endpoint (kept, marked deleted, so its delivery history stays readable).
UPDATE webhook_endpoints SET deleted_at = clock_timestamp()
WHERE id = %(endpoint_id)s::uuid AND tenant_id = %(tenant_id)s::uuid AND deleted_at IS NULL
RETURNING id;

-- name: webhook_endpoint_disable :exec
-- Stop sending to an endpoint (its receiver answered 410 Gone).
UPDATE webhook_endpoints SET disabled_at = clock_timestamp(), disabled_reason = %(reason)s::text
WHERE id = %(endpoint_id)s::uuid AND disabled_at IS NULL;

-- name: webhook_endpoint_get :one
-- One live (not deleted) endpoint of a tenant.
SELECT id, url, description, event_types, include_result, created_at, disabled_at, disabled_reason,
       previous_secret_expires_at
FROM webhook_endpoints
WHERE id = %(endpoint_id)s::uuid AND tenant_id = %(tenant_id)s::uuid AND deleted_at IS NULL;

-- name: webhook_endpoint_insert :one
-- Register an endpoint with a new secret (returned once, here).
INSERT INTO webhook_endpoints (tenant_id, url, description, event_types, include_result)
VALUES (%(tenant_id)s::uuid, %(url)s::text, %(description)s::text, %(event_types)s::text[],
        %(include_result)s::boolean)
RETURNING id, url, description, event_types, include_result, created_at, disabled_at, disabled_reason,
          previous_secret_expires_at, secret;

-- name: webhook_endpoint_list :many
-- A tenant's live endpoints, newest first.
SELECT id, url, description, event_types, include_result, created_at, disabled_at, disabled_reason,
       previous_secret_expires_at
FROM webhook_endpoints
WHERE tenant_id = %(tenant_id)s::uuid AND deleted_at IS NULL
ORDER BY id DESC;

-- name: webhook_endpoint_rotate_secret :one
-- A new secret; the old one keeps signing alongside it until the overlap ends.
UPDATE webhook_endpoints
SET previous_secret = secret,
    previous_secret_expires_at = clock_timestamp() + %(overlap)s::interval,
    secret = courier_webhook_secret()
WHERE id = %(endpoint_id)s::uuid AND tenant_id = %(tenant_id)s::uuid AND deleted_at IS NULL
RETURNING id, url, description, event_types, include_result, created_at, disabled_at, disabled_reason,
          previous_secret_expires_at, secret;
