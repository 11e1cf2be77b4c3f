"""Retrieval: documents with ACLs, chunking, embeddings and hybrid search under row
level security (docs/retrieval.md)."""
