"""A kind's prompt templates, versioned by file name, rendered into chat messages.

Each kind keeps its prompts beside its code: ``tasks/kinds/<kind>/prompts/<name>.v<N>.j2``
(``reply.v2.j2``). A kind's prompt versions are the numbers N found there; a version
is written ``<kind>/v<N>`` (``email_reply/v2``) on each job and each model call, and
the highest is the kind's current one. Every template of a kind exists at each of
its versions (checked when the kind is loaded, like the templates' syntax).

A template has two blocks, ``system`` and ``user``. The system block is Courier's
alone: it is rendered with no caller input at all (only ``boundary`` and
``data_rules``), so nothing a caller sends can edit it; the output schema is sent
beside the messages, from the kind's output model (app/llm/structured.py). The user
block gets the kind's variables, and prints untrusted text only through the
``data`` filter (app/prompts/data.py).

One Jinja environment per kind's directory, with ``StrictUndefined`` (a missing
variable fails the render instead of printing nothing) and no autoescaping (these
are prompts, not HTML; the HTML pages have their own environment).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from app.errors import CourierError
from app.prompts.data import PromptText, data, data_rules, new_boundary, new_canary, printable

BLOCKS = ("system", "user")
_FILE = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\.v(?P<number>[1-9][0-9]*)\.j2$")
_VERSION = re.compile(r"^(?:(?P<kind>[a-z][a-z0-9_]*)/)?v?(?P<number>[1-9][0-9]*)$")


class PromptTemplateError(CourierError):
    """A kind's prompt templates are missing, misnamed or malformed."""


class UnknownPromptVersion(CourierError):
    """The kind has no prompt of this version."""


@dataclass(frozen=True)
class RenderedPrompt:
    """One render: the messages' text, the version it came from, its boundary and the
    canary its system prompt carries (both secret: an answer must never contain them)."""

    version: str
    system: str
    user: str
    boundary: str
    canary: str = ""


class KindPrompts:
    """The prompt templates of one kind, loaded and checked at start-up."""

    def __init__(self, kind: str, directory: Path) -> None:
        self.kind = kind
        self.directory = directory
        self._environment = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,
            autoescape=False,
            finalize=printable,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._environment.filters["data"] = data
        self._templates: dict[tuple[str, int], Template] = {}
        for path in sorted(directory.glob("*")):
            match = _FILE.match(path.name)
            if match is None:
                raise PromptTemplateError(
                    f"{path}: a prompt file is named <name>.v<N>.j2 (e.g. reply.v2.j2)"
                )
            template = self._environment.get_template(path.name)
            missing = [block for block in BLOCKS if block not in template.blocks]
            if missing:
                raise PromptTemplateError(f"{path}: no {' or '.join(missing)} block")
            self._templates[(match["name"], int(match["number"]))] = template
        if not self._templates:
            raise PromptTemplateError(f"{directory}: no prompt templates")
        self.names = sorted({name for name, _ in self._templates})
        self.numbers = sorted({number for _, number in self._templates})
        for name in self.names:
            for number in self.numbers:
                if (name, number) not in self._templates:
                    raise PromptTemplateError(
                        f"{directory}: {name}.v{number}.j2 is missing (every template of a "
                        f"kind exists at each of its versions)"
                    )

    @classmethod
    def beside(cls, module_file: str, kind: str) -> KindPrompts:
        """The prompts in the ``prompts/`` directory beside a kind's module."""
        return cls(kind, Path(module_file).parent / "prompts")

    @property
    def versions(self) -> list[str]:
        """Every version, oldest first."""
        return [self._label(number) for number in self.numbers]

    @property
    def current(self) -> str:
        """The newest version: what a job runs unless its tenant pinned or split the kind."""
        return self._label(self.numbers[-1])

    def version(self, text: str) -> str:
        """``text`` (``2``, ``v2`` or ``email_reply/v2``) as one of this kind's versions."""
        match = _VERSION.match(text.strip())
        if (
            match is None
            or match["kind"] not in (None, self.kind)
            or int(match["number"]) not in self.numbers
        ):
            raise UnknownPromptVersion(
                f"kind {self.kind!r} has no prompt version {text!r}; "
                f"it has {', '.join(self.versions)}"
            )
        return self._label(int(match["number"]))

    def call(self, name: str, **variables: Any) -> PromptCall:
        """The prompt ``name`` with the job's variables, rendered later at the version the
        job was given (app/llm/steps.py)."""
        if name not in self.names:
            raise PromptTemplateError(f"kind {self.kind!r} has no prompt {name!r}")
        return PromptCall(self, name, variables)

    def render(self, name: str, version: str, variables: Mapping[str, Any]) -> RenderedPrompt:
        label = self.version(version)
        template = self._templates[(name, int(label.rsplit("/v", 1)[1]))]
        boundary, canary = new_boundary(), new_canary()
        trusted = {"boundary": boundary, "data_rules": data_rules(boundary, canary)}
        # The system block sees nothing of the caller's: it cannot be edited by one.
        system = _block(template, "system", trusted)
        user = _block(template, "user", {**variables, **trusted})
        return RenderedPrompt(label, system, user, boundary, canary)

    def _label(self, number: int) -> str:
        return f"{self.kind}/v{number}"


@dataclass(frozen=True)
class PromptCall:
    """A prompt of a kind with one job's variables, not yet rendered."""

    prompts: KindPrompts
    name: str
    variables: Mapping[str, Any] = field(default_factory=dict)

    def render(self, version: str | None) -> RenderedPrompt:
        """At ``version`` if the kind has it, else at its current version (a pin may
        name a version a newer deploy no longer ships)."""
        chosen = version if version in self.prompts.versions else self.prompts.current
        return self.prompts.render(self.name, chosen, self.variables)


def _block(template: Template, block: str, variables: Mapping[str, Any]) -> str:
    context = template.new_context(dict(variables))
    return PromptText("".join(template.blocks[block](context)).strip())
