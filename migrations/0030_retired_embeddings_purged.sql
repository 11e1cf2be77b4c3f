-- 0030 a retired embedding model's embeddings are deleted in the background.
--
-- Search reads only the active model's embeddings, so once a change of model has
-- switched search over, the previous model's rows are dead weight in the table and its
-- HNSW index (384 floats and an index entry per chunk). The retention pruner deletes
-- them tenant by tenant and then sets purged_at, so its later passes skip the model. A
-- model configured again builds anew (embedding_model_ensure), and one retired again
-- is purged again (embedding_model_retire_active clears purged_at).
ALTER TABLE embedding_models ADD COLUMN purged_at timestamptz;
COMMENT ON COLUMN embedding_models.purged_at IS
    'When the retention pruner had deleted every embedding of this retired model; NULL while any may remain.';
