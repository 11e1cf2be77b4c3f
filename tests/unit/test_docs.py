"""The README stays true: every setting is documented, every named path exists."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from app import settings as settings_module

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _env_names() -> set[str]:
    names = set()
    for cls in vars(settings_module).values():
        if isinstance(cls, type) and issubclass(cls, BaseSettings) and cls is not BaseSettings:
            prefix = cls.model_config.get("env_prefix", "")
            for name, field in cls.model_fields.items():
                if isinstance(field.default_factory, type) and issubclass(
                    field.default_factory, BaseSettings
                ):
                    continue
                alias = field.validation_alias
                if isinstance(alias, AliasChoices):
                    alias = alias.choices[0]
                names.add(alias if isinstance(alias, str) else (prefix + name).upper())
    return names


def test_readme__documents_every_environment_variable():
    missing = sorted(name for name in _env_names() if f"`{name}`" not in README)
    assert missing == []


def test_readme__opens_with_the_start_and_test_commands():
    first_block = README.split("```")[1]
    assert "scripts/up" in first_block and "scripts/test" in first_block
    assert (ROOT / "scripts" / "up").exists() and (ROOT / "scripts" / "test").exists()
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_readme__names_only_paths_that_exist():
    named = set(re.findall(r"\]\(([\w./-]+)(?:#[\w-]+)?\)", README))  # markdown links
    layout = README.split("## Layout", 1)[1].split("```")[1]
    named |= {
        line.split()[0].rstrip("/")
        for line in layout.splitlines()
        if line.strip() and not line.startswith(" ")
    }
    named |= {
        f"app/{line.split()[0].rstrip('/')}"
        for line in layout.splitlines()
        if line.startswith("  ")
    }
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []
