-- 0032 a page of jobs learns, in one statement, what its reader may see of the
-- documents its results cite or its jobs retrieved.
--
-- Showing a finished job (GET /v1/jobs, a job, the console's list) resolves the
-- documents its result cites for the reader and withholds the result when the reader
-- cannot read one it cites or one the job retrieved (0028). That was up to three
-- statements per job, two of them in a transaction of their own (BEGIN, the
-- principal, the read, COMMIT). courier_job_reader_documents answers for a whole page
-- in one autocommitted statement, as courier_search_scope (0027) does for a search:
-- it names the principal (transaction-local, so the settings end with the statement)
-- and then reads documents under row level security as the caller (SECURITY INVOKER:
-- the policies decide, this function filters nothing). Statements of a PL/pgSQL
-- function run in order, so the read sees the principal.
CREATE FUNCTION courier_job_reader_documents(
    p_tenant_id uuid, p_user_id uuid, p_groups text[], p_job_ids uuid[], p_cited_ids uuid[]
) RETURNS TABLE (id uuid, retrieved_by uuid[], visible boolean, title text, url text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('courier.tenant_id', p_tenant_id::text, true),
            set_config('courier.user_id', p_user_id::text, true),
            set_config('courier.groups', p_groups::text, true),
            set_config('courier.scope', '', true);
    RETURN QUERY
    WITH retrieved AS (
        SELECT s.document_id, array_agg(DISTINCT s.job_id) AS job_ids
        FROM job_sources s
        WHERE s.job_id = ANY (p_job_ids)
        GROUP BY s.document_id
    ), wanted AS (
        SELECT coalesce(r.document_id, c.cited) AS document_id,
               coalesce(r.job_ids, '{}'::uuid[]) AS job_ids
        FROM retrieved r
        FULL JOIN (SELECT DISTINCT u.cited FROM unnest(p_cited_ids) AS u (cited)) c
            ON c.cited = r.document_id
    )
    SELECT w.document_id, w.job_ids, d.id IS NOT NULL, d.title, d.url
    FROM wanted w
    LEFT JOIN documents d ON d.id = w.document_id;
END
$$;
COMMENT ON FUNCTION courier_job_reader_documents(uuid, uuid, text[], uuid[], uuid[]) IS
    'Acting for the reader (transaction-local), under row level security: each document the jobs p_job_ids retrieved or their results cite (p_cited_ids), whether the reader may see it now, its title and URL, and which of the jobs retrieved it.';
