"""app/ holds what the API and the workers share; tasks/ holds what only workers run.
So app/ never imports tasks/, except in the composition root (the CLI's commands),
which wires the real job kinds and the worker into the ``courier`` command."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = "app/commands.py"


def _imported_modules(source: str, filename: str = "<source>") -> set[str]:
    """Every module a source file imports: import statements anywhere (also inside
    functions) and ``importlib.import_module``/``__import__`` calls with a literal name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _tasks_imports(source: str, filename: str = "<source>") -> list[str]:
    return sorted(
        name
        for name in _imported_modules(source, filename)
        if name == "tasks" or name.startswith("tasks.")
    )


def test_app__never_imports_tasks_outside_the_composition_root():
    offenders = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative != COMPOSITION_ROOT and (found := _tasks_imports(path.read_text(), relative)):
            offenders[relative] = found
    assert offenders == {}


def test_composition_root__is_where_the_real_kinds_and_the_worker_are_wired():
    assert {"tasks.kinds", "tasks.worker"} <= set(
        _tasks_imports((ROOT / COMPOSITION_ROOT).read_text())
    )


def test_import_walk__finds_every_way_of_importing_tasks():
    """The check above is not vacuous: each form of import is caught."""
    source = (
        "import tasks\n"
        "from tasks.kinds import KINDS\n"
        "def f():\n"
        "    import tasks.worker as w\n"
        "    importlib.import_module('tasks.relay')\n"
        "    __import__('tasks.execution')\n"
        "from taskslike import x\n"
    )
    assert _tasks_imports(source) == [
        "tasks",
        "tasks.execution",
        "tasks.kinds",
        "tasks.relay",
        "tasks.worker",
    ]
