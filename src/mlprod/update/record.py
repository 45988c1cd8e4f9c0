"""The record of what a project was made from: `.cruft.json`, in cruft's format.

cruft is the update tool cookiecutter users already know; following its file means a
project made here is recognised by cruft too (`cruft diff` works against a clone of the
template), and needs no second file. The template renders the record itself, so plain
`cookiecutter` writes it as `mlprod new` does. `commit` is the release tag `v<version>`
when rendered from a release, or the exact commit when `mlprod update --template` rendered
it from a git repository. Only the public answers and `_mlprod_version` are kept: the other
private keys are tool pins that belong to the template version, not to the project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RECORD = ".cruft.json"
VERSION_KEY = "_mlprod_version"


@dataclass(frozen=True)
class Record:
    template: str
    commit: str
    answers: dict[str, str]
    version: str
    checkout: str | None = None
    # Paths an update leaves as the project has them; `.git` is there for cruft's renders.
    skip: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Record:
        data = json.loads(text)
        context = dict(data["context"]["cookiecutter"])
        version = str(context.pop(VERSION_KEY))
        answers = {key: value for key, value in context.items() if not key.startswith("_")}
        skip = tuple(path for path in data.get("skip", []) if path != ".git")
        return cls(data["template"], data["commit"], answers, version, data.get("checkout"), skip)

    @property
    def is_release(self) -> bool:
        """Rendered from a release: any copy of that release's template renders it again."""
        return self.commit == f"v{self.version}"

    def same_render(self, other: Record) -> bool:
        return (self.commit, self.answers, self.version) == (
            other.commit,
            other.answers,
            other.version,
        )


def pin_source(render: Path, template: str, commit: str, checkout: str | None) -> None:
    """Record the exact template commit in a render made from a git repository."""
    path = render / RECORD
    if not path.is_file():  # a version from before the record existed
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(template=template, commit=commit, checkout=checkout)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
