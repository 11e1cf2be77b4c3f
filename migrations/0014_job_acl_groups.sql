-- 0014 a job records the ACL groups it was submitted with.
--
-- A job runs on behalf of its requester with the groups of the key that submitted
-- it (api_keys.acl_groups, fixed when the key is made, 0008). The exact-match model
-- cache keys on them (app/llm/cache_key.py), so two requesters with different groups
-- never share an answer, and retrieval reads documents through them. They are
-- recorded at intake (a replay keeps its original's) and never change. Jobs submitted
-- before this migration have NULL: their groups were never recorded, so they are
-- never answered from the cache and never fill it.
ALTER TABLE jobs ADD COLUMN acl_groups text[];
COMMENT ON COLUMN jobs.acl_groups IS 'ACL groups of the key that submitted the job (a replay: of its original), fixed at intake; the model cache keys on them. NULL for jobs submitted before groups were recorded (they never use the cache).';

-- Who asked, and with which groups, is fixed at intake (as replayed_by_id is, 0008).
CREATE TRIGGER jobs_acl_groups_fixed BEFORE UPDATE OF acl_groups ON jobs
    FOR EACH ROW
    WHEN (NEW.acl_groups IS DISTINCT FROM OLD.acl_groups)
    EXECUTE FUNCTION courier_jobs_replay_origin_fixed();
