"""Champion and challenger: which model answers each row of a request.

In `split` mode a unit (customer_id) goes to the challenger when its bucket, the first 8
bytes of sha256(`salt:customer_id`), falls in the challenger's share: the assignment of
`mlprod ab assign --variants champion challenger --weights <1-share> <share>`, so the
offline analysis of the log agrees with what was served. A row without a customer_id is
answered by the champion. In `shadow` mode the champion answers every row and the
challenger scores it too, for the log only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from {{ cookiecutter.module_name }} import model_io
from {{ cookiecutter.module_name }}.assignment import assign_weighted, boundaries
from {{ cookiecutter.module_name }}.config import ChallengerParams

CHAMPION, CHALLENGER = "champion", "challenger"
VARIANTS = (CHAMPION, CHALLENGER)


@dataclass(frozen=True)
class Scored:
    """The rows (positions in the request) one model scored."""

    variant: str
    artifact: model_io.ModelArtifact
    rows: list[int]
    columns: dict[str, list[Any]]
    labels: np.ndarray
    probability: np.ndarray
    served: bool


class Models:
    """The champion, and the challenger with its mode, share and salt when there is one."""

    def __init__(
        self,
        champion: model_io.ModelArtifact,
        challenger: model_io.ModelArtifact | None = None,
        params: ChallengerParams | None = None,
    ) -> None:
        self.champion = champion
        self.challenger = challenger if params is not None and params.mode != "none" else None
        self.mode = params.mode if self.challenger is not None and params else "none"
        self.salt = params.salt if params else ""
        share = params.share if params else 0.0
        self.bounds = boundaries([1 - share, share])

    @property
    def experiment(self) -> str | None:
        """What the log records of the rows split mode routes: the experiment's salt."""
        return self.salt if self.mode == "split" else None

    def variant(self, unit_id: str | None) -> str:
        """Who answers a unit: the champion unless split mode puts it with the challenger."""
        if self.mode != "split" or unit_id is None:
            return CHAMPION
        return assign_weighted(unit_id, VARIANTS, self.bounds, self.salt)

    def score(self, columns: dict[str, list[Any]], unit_ids: Sequence[str | None]) -> list[Scored]:
        """Score a request's rows; the groups with served=True together answer every row once."""
        everyone = list(range(len(unit_ids)))
        if self.challenger is None:
            return [self._score(CHAMPION, self.champion, columns, everyone, served=True)]
        if self.mode == "shadow":
            return [
                self._score(CHAMPION, self.champion, columns, everyone, served=True),
                self._score(CHALLENGER, self.challenger, columns, everyone, served=False),
            ]
        variants = [self.variant(unit) for unit in unit_ids]
        groups = []
        for name, artifact in ((CHAMPION, self.champion), (CHALLENGER, self.challenger)):
            rows = [row for row, variant in enumerate(variants) if variant == name]
            if rows:
                picked = {key: [values[row] for row in rows] for key, values in columns.items()}
                groups.append(self._score(name, artifact, picked, rows, served=True))
        return groups

    @staticmethod
    def _score(
        variant: str,
        artifact: model_io.ModelArtifact,
        columns: dict[str, list[Any]],
        rows: list[int],
        served: bool,
    ) -> Scored:
        labels, probability = artifact.score(columns)
        return Scored(variant, artifact, rows, columns, labels, probability, served)
