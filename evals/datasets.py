"""Eval cases: one JSON object per line of ``evals/datasets/*.jsonl`` (evals/README.md).

A case names its kind (``kind``; default: the file's name, for the per-kind files),
its ``input`` (a job input of the kind) and what a correct run shows, each optional:
``expect_outcome``, ``expect_review``, ``must_cite``, ``must_contain``,
``must_not_contain``, ``must_tag``, ``must_not_tag``; adversarial cases add ``attack``
(the kind of injection), ``where`` (thread or document) and ``markers`` (text whose
presence in a delivered output means the attack worked); PII cases add ``pii`` (values
planted in the input that must never be stored outside the job's input and result).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import CourierError

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"


class DatasetError(CourierError):
    """An eval dataset could not be read."""


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    input: dict[str, Any]
    dataset: str
    expect_outcome: str | None = None
    expect_review: bool | None = None
    must_cite: tuple[str, ...] = ()
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    must_tag: tuple[str, ...] = ()
    must_not_tag: tuple[str, ...] = ()
    attack: str | None = None
    where: str | None = None
    markers: tuple[str, ...] = ()
    pii: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


_LISTS = (
    "must_cite",
    "must_contain",
    "must_not_contain",
    "must_tag",
    "must_not_tag",
    "markers",
    "pii",
)
_SCALARS = ("expect_outcome", "expect_review", "attack", "where")


def dataset_paths(names: Iterable[str] | None = None) -> list[Path]:
    """The dataset files to run: every ``*.jsonl`` in evals/datasets, or those named
    (a name, ``name.jsonl`` or a path)."""
    if not names:
        return sorted(DATASETS_DIR.glob("*.jsonl"))
    paths = []
    for name in names:
        path = Path(name)
        if not path.suffix:
            path = DATASETS_DIR / f"{name}.jsonl"
        elif not path.exists() and (DATASETS_DIR / path.name).exists():
            path = DATASETS_DIR / path.name
        if not path.is_file():
            known = ", ".join(p.stem for p in sorted(DATASETS_DIR.glob("*.jsonl")))
            raise DatasetError(f"no dataset {name!r} (known: {known})")
        paths.append(path)
    return paths


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Every case of the files, checked: a malformed line is reported as file:line."""
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                raise DatasetError(f"{where}: a case is an object with a string 'id'")
            if not isinstance(raw.get("input"), dict):
                raise DatasetError(f"{where}: case {raw['id']!r} has no 'input' object")
            kind = raw.get("kind", path.stem)
            if (path.stem, raw["id"]) in seen:
                raise DatasetError(f"{where}: case id {raw['id']!r} repeats")
            seen.add((path.stem, raw["id"]))
            known = {"id", "kind", "input", *_LISTS, *_SCALARS}
            fields: dict[str, Any] = {name: _listed(raw.get(name)) for name in _LISTS}
            fields |= {name: raw.get(name) for name in _SCALARS}
            cases.append(
                Case(
                    id=raw["id"],
                    kind=kind,
                    input=raw["input"],
                    dataset=path.stem,
                    extra={k: v for k, v in raw.items() if k not in known},
                    **fields,
                )
            )
    return cases


def _listed(value: Any) -> tuple[str, ...]:
    """A list field's items; a mapping's values (``must_cite`` per field: field -> id)."""
    if isinstance(value, dict):
        return tuple(value.values())
    return tuple(value or ())
