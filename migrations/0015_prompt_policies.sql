-- 0015 prompt experiments: a tenant's kind pinned to a prompt version, or split between two.
CREATE TABLE prompt_policies (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    kind           text NOT NULL,
    version        text NOT NULL,
    split_version  text,
    split_percent  smallint,
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, kind),
    CONSTRAINT prompt_policies_version_of_kind CHECK (
        version ~ '^[a-z][a-z0-9_]*/v[1-9][0-9]*$' AND split_part(version, '/', 1) = kind
    ),
    CONSTRAINT prompt_policies_split_version_of_kind CHECK (
        split_version ~ '^[a-z][a-z0-9_]*/v[1-9][0-9]*$' AND split_part(split_version, '/', 1) = kind
    ),
    CONSTRAINT prompt_policies_split_complete CHECK ((split_version IS NULL) = (split_percent IS NULL)),
    CONSTRAINT prompt_policies_split_percent_range CHECK (split_percent BETWEEN 1 AND 99),
    CONSTRAINT prompt_policies_split_two_versions CHECK (split_version <> version)
);
COMMENT ON TABLE prompt_policies IS 'Which prompt version a tenant''s jobs of a kind run with, set by an operator (`courier prompts pin|split|unpin`); a kind without a row runs its current (newest) version.';
COMMENT ON COLUMN prompt_policies.version IS 'The pinned version (e.g. email_reply/v1); in a split, the version of the jobs not drawn for split_version.';
COMMENT ON COLUMN prompt_policies.split_version IS 'In a split, the other version; NULL for a pin.';
COMMENT ON COLUMN prompt_policies.split_percent IS 'In a split, the share of jobs (1 to 99 percent) that run split_version, drawn from a hash of the job id (the same job always draws the same); NULL for a pin.';
