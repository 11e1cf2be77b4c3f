"""Fixtures are defined once, and only in conftest.py files: tests/conftest.py for what
the suites share, a suite's own conftest.py for the rest. Helpers that are not
fixtures live in tests/support/."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
        isinstance(target, ast.Name) and target.id == "fixture"
    )


def _fixture_name(node: ast.FunctionDef | ast.AsyncFunctionDef, decorator: ast.expr) -> str:
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                return str(keyword.value.value)
    return node.name


def _fixtures(source: str) -> list[str]:
    return [
        _fixture_name(node, decorator)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
        if _is_fixture(decorator)
    ]


def _defined() -> dict[str, list[str]]:
    """Fixture names by the file (relative to tests/) that defines them."""
    return {
        path.relative_to(TESTS).as_posix(): names
        for path in sorted(TESTS.rglob("*.py"))
        if (names := _fixtures(path.read_text()))
    }


def test_fixtures__live_in_conftest_files_only():
    outside = {
        path: names for path, names in _defined().items() if Path(path).name != "conftest.py"
    }
    assert outside == {}, "move these fixtures into a conftest.py"


def test_fixtures__each_name_is_defined_once():
    where: dict[str, list[str]] = defaultdict(list)
    for path, names in _defined().items():
        for name in names:
            where[name].append(path)
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def test_fixture_finder__sees_every_way_of_declaring_one():
    """The checks above are not vacuous."""
    source = (
        "import pytest\n"
        "from pytest import fixture\n"
        "@pytest.fixture\ndef a(): ...\n"
        "@pytest.fixture(autouse=True)\nasync def b(): ...\n"
        "@fixture(name='c')\ndef _c(): ...\n"
        "@pytest.mark.parametrize('x', [1])\ndef test_d(x): ...\n"
    )
    assert _fixtures(source) == ["a", "b", "c"]
