"""The SQL loader: every query named once, malformed files reported with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.queries import QueryFileError, load_queries


def test_repository_sql__loads_with_known_shapes():
    queries = load_queries()
    assert {"job_insert", "job_finish", "job_lease_take", "api_key_authenticate"} <= set(queries)
    assert all(q.shape in {"one", "optional", "many", "exec"} and q.sql for q in queries.values())


def test_repository_sql__queries_are_alphabetical_within_each_file():
    by_file: dict[str, list[str]] = {}
    for query in load_queries().values():
        by_file.setdefault(query.origin.split(":")[0], []).append(query.name)
    for file, names in by_file.items():
        assert names == sorted(names), file


def test_repository_sql__uses_named_parameters_only():
    for query in load_queries().values():
        assert "%s" not in query.sql, query.origin


def test_malformed_header__names_file_and_line(tmp_path: Path):
    (tmp_path / "things.sql").write_text("-- a file\n\n-- name: thing_get one\nSELECT 1;\n")
    with pytest.raises(QueryFileError, match=r"things.sql:3: malformed header"):
        load_queries(tmp_path)


def test_duplicate_name__is_refused_with_both_places(tmp_path: Path):
    (tmp_path / "a.sql").write_text("-- name: x_get :one\nSELECT 1;\n")
    (tmp_path / "b.sql").write_text("-- name: x_get :one\nSELECT 2;\n")
    with pytest.raises(QueryFileError, match=r"b.sql:1: query 'x_get' already defined at a.sql:1"):
        load_queries(tmp_path)


def test_header_without_sql__is_refused(tmp_path: Path):
    (tmp_path / "a.sql").write_text("-- name: x_get :one\n-- only a comment\n")
    with pytest.raises(QueryFileError, match="has no SQL"):
        load_queries(tmp_path)
