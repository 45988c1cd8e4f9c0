"""Column-by-column comparison of a current data set with a reference.

A column drifts when its change is both statistically significant and large enough to
matter:

- significant: a two-sample test, since the reference is a sample too (Kolmogorov-Smirnov
  for numbers, chi-square on the two rows of category counts for categories), with p below
  `alpha` divided by the number of columns compared (Bonferroni, so that testing twenty
  columns does not make a false alarm likely);
- material: an effect size that estimates the size of the change rather than the evidence
  for it (`mlprod.drift.effect`), at or above its threshold: the Wasserstein distance in
  reference standard deviations for numbers, the Jensen-Shannon distance for categories.

Significance alone flags trivial shifts in large batches. PSI is not corrected for sample
noise (about 0.04 between two samples of 500 rows from one distribution), so a PSI
threshold flags the same shift less often as batches grow; it is still reported, and can
be required as well with `psi_threshold`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from mlprod.drift.effect import jensen_shannon, wasserstein_normed
from mlprod.drift.ks import ks_sorted
from mlprod.drift.psi import numeric_psi, psi
from mlprod.errors import InvalidData, InvalidParameter, require_finite

if TYPE_CHECKING:
    import pandas as pd

DEFAULTS = {
    "alpha": 0.05,
    "wasserstein_threshold": 0.1,
    "jensen_shannon_threshold": 0.1,
    "psi_threshold": None,
    "share_threshold": 0.5,
    "bins": 10,
}
EFFECT_MEASURES = {"numeric": "wasserstein_norm", "categorical": "jensen_shannon"}
# A text column whose every value is distinct (customer ids, e-mail addresses) has no
# distribution to compare; past this many rows such a column is reported and skipped.
IDENTIFIER_MIN_ROWS = 50
NEW_CATEGORIES_SHOWN = 5


@dataclass
class ColumnDrift:
    column: str
    test: str
    statistic: float | None
    p_value: float | None
    psi: float | None
    drift: bool
    kind: str
    summary: str
    findings: list[str] = field(default_factory=list)
    n_reference: int = 0
    n_current: int = 0
    missing_reference: float = 0.0
    missing_current: float = 0.0
    effect: float | None = None
    effect_measure: str | None = None


@dataclass
class DriftResult:
    columns: list[ColumnDrift]
    share_drifted: float
    dataset_drift: bool
    thresholds: dict[str, float]
    findings: list[str]
    summary: str

    @property
    def drifted(self) -> list[ColumnDrift]:
        return [column for column in self.columns if column.drift]

    def to_dict(self) -> dict[str, object]:
        return {
            "columns": [asdict(column) for column in self.columns],
            "share_drifted": self.share_drifted,
            "dataset_drift": self.dataset_drift,
            "thresholds": self.thresholds,
            "findings": self.findings,
            "summary": self.summary,
        }


def column_kind(series: pd.Series) -> str:
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    if is_bool_dtype(series.dtype):
        return "categorical"
    if is_numeric_dtype(series.dtype) or is_datetime64_any_dtype(series.dtype):
        return "numeric"
    return "categorical"


def _sorted_numbers(series: pd.Series):
    import numpy as np
    import pandas as pd
    from pandas.api.types import is_datetime64_any_dtype

    values = series.dropna()
    if is_datetime64_any_dtype(values.dtype):
        # Seconds since 1970, whatever the unit the column is stored in (s, ms, us or ns).
        seconds = (values - pd.Timestamp(0, tz=values.dt.tz)) / pd.Timedelta(seconds=1)
        return np.sort(seconds.to_numpy(dtype=float))
    return np.sort(values.to_numpy(dtype=float))


def _compare_numeric(ref: pd.Series, cur: pd.Series, bins: int) -> dict[str, object]:
    x, y = _sorted_numbers(ref), _sorted_numbers(cur)
    statistic, p_value = ks_sorted(x, y)
    findings = []
    if x[0] == x[-1]:
        findings.append(f"constant in the reference (always {x[0]:g})")
    med_x, med_y = _median_sorted(x), _median_sorted(y)
    return {
        "test": "ks",
        "statistic": statistic,
        "p_value": p_value,
        "psi": numeric_psi(x, y, bins, len(ref) - len(x), len(cur) - len(y)),
        "effect": wasserstein_normed(x, y),
        "effect_measure": EFFECT_MEASURES["numeric"],
        "summary": f"median {med_x:.4g} in the reference, {med_y:.4g} now",
        "findings": findings,
    }


def _median_sorted(values) -> float:
    middle = len(values) // 2
    return float(values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2)


def _category_counts(series: pd.Series) -> pd.Series:
    import pandas as pd

    counts = series.value_counts(dropna=False)
    counts.index = ["(missing)" if pd.isna(label) else str(label) for label in counts.index]
    return counts.groupby(level=0).sum()


def _compare_categorical(ref: pd.Series, cur: pd.Series) -> dict[str, object]:
    return compare_category_counts(_category_counts(ref), _category_counts(cur))


def compare_category_counts(ref_counts: pd.Series, cur_counts: pd.Series) -> dict[str, object]:
    """The categorical comparison from the count of rows per category on each side."""
    import numpy as np
    import pandas as pd
    from scipy.stats import chi2_contingency

    table = pd.concat([ref_counts, cur_counts], axis=1, keys=["ref", "cur"]).fillna(0)
    findings = []
    unseen = [str(name) for name in table.index[table["ref"] == 0]]
    if unseen:
        shown = ", ".join(unseen[:NEW_CATEGORIES_SHOWN])
        more = f" and {len(unseen) - NEW_CATEGORIES_SHOWN} more" if len(unseen) > 5 else ""
        findings.append(f"categories not in the reference: {shown}{more}")
    if len(table) == 1:
        findings.append(f"constant in both (always '{table.index[0]}')")
        statistic, p_value = 0.0, 1.0
    else:
        result = chi2_contingency(table.to_numpy().T, correction=False)
        statistic, p_value = float(result.statistic), float(result.pvalue)
    shares = table / table.sum()
    change = (shares["cur"] - shares["ref"]).abs()
    top = change.idxmax()
    summary = (
        f"largest change: '{top}' from {shares.at[top, 'ref']:.1%} of rows "
        f"to {shares.at[top, 'cur']:.1%}"
    )
    return {
        "test": "chi-square",
        "statistic": statistic,
        "p_value": p_value,
        "psi": psi(np.asarray(table["ref"]), np.asarray(table["cur"])),
        "effect": jensen_shannon(np.asarray(table["ref"]), np.asarray(table["cur"])),
        "effect_measure": EFFECT_MEASURES["categorical"],
        "summary": summary,
        "findings": findings,
    }


def _check_thresholds(thresholds: dict[str, float | None]) -> None:
    for name, value in thresholds.items():
        require_finite(name, value)
    if not 0 < thresholds["alpha"] < 1:
        raise InvalidParameter("alpha", f"must be between 0 and 1, got {thresholds['alpha']}")
    for name in ("wasserstein_threshold", "jensen_shannon_threshold", "psi_threshold"):
        if thresholds[name] is not None and thresholds[name] < 0:
            raise InvalidParameter(name, f"must be non-negative, got {thresholds[name]}")
    if not 0 < thresholds["share_threshold"] <= 1:
        raise InvalidParameter(
            "share_threshold", f"must be in (0, 1], got {thresholds['share_threshold']}"
        )
    if thresholds["bins"] < 2 or thresholds["bins"] % 1:
        raise InvalidParameter(
            "bins", f"must be a whole number of at least 2, got {thresholds['bins']}"
        )


def _skipped(name: str, kind: str, summary: str, drift: bool, test: str) -> ColumnDrift:
    return ColumnDrift(name, test, None, None, None, drift, kind, summary, [summary])


def compare(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: list[str] | None = None,
    *,
    alpha: float = DEFAULTS["alpha"],
    wasserstein_threshold: float = DEFAULTS["wasserstein_threshold"],
    jensen_shannon_threshold: float = DEFAULTS["jensen_shannon_threshold"],
    psi_threshold: float | None = DEFAULTS["psi_threshold"],
    share_threshold: float = DEFAULTS["share_threshold"],
    bins: int = DEFAULTS["bins"],
    exclude: list[str] | None = None,
) -> DriftResult:
    """Compare `current` with `reference`, column by column.

    Args:
        columns: columns to compare; by default every column of either frame.
        alpha: family-wise significance level, split over the columns compared.
        wasserstein_threshold: smallest Wasserstein distance, in reference standard
            deviations, that makes a numeric change material.
        jensen_shannon_threshold: smallest Jensen-Shannon distance that makes a change of
            category shares material.
        psi_threshold: if given, a column must also reach this PSI to drift.
        share_threshold: the data set drifts when this share of columns drifts.
        bins: number of reference-quantile bins for the PSI of numeric columns.
        exclude: columns to leave out (identifiers, timestamps of the batch).
    """
    thresholds = {
        "alpha": alpha,
        "wasserstein_threshold": wasserstein_threshold,
        "jensen_shannon_threshold": jensen_shannon_threshold,
        "psi_threshold": psi_threshold,
        "share_threshold": share_threshold,
        "bins": bins,
    }
    _check_thresholds(thresholds)
    # A whole float (4.0) is accepted as a number of bins; numpy wants an int.
    bins = thresholds["bins"] = int(bins)
    for label, frame in (("reference", reference), ("current", current)):
        if len(frame) == 0:
            raise InvalidData(f"the {label} data has no rows; give a non-empty data set")
    ref_names, cur_names = list(reference.columns), list(current.columns)
    findings: list[str] = []
    if columns:
        unknown = [name for name in columns if name not in ref_names and name not in cur_names]
        if unknown:
            raise InvalidParameter(
                "columns",
                f"names {', '.join(unknown)}, which neither data set has; "
                f"columns are: {', '.join(ref_names)}",
            )
        names = list(dict.fromkeys(columns))
    else:
        names = ref_names + [name for name in cur_names if name not in ref_names]
    names = [name for name in names if name not in set(exclude or [])]
    if not names:
        raise InvalidParameter("exclude", "leaves no columns to compare; check it and columns")

    results: list[ColumnDrift] = []
    tested = []
    for name in names:
        if name not in cur_names:
            results.append(_skipped(name, "?", "missing from the current data", True, "schema"))
            continue
        if name not in ref_names:
            findings.append(f"column '{name}' is new in the current data; not compared")
            continue
        ref, cur = reference[name], current[name]
        kind = column_kind(ref)
        if kind != column_kind(cur) and cur.notna().any():
            summary = f"type changed: {kind} in the reference, {column_kind(cur)} now"
            results.append(_skipped(name, kind, summary, True, "schema"))
            continue
        n_ref, n_cur = int(ref.notna().sum()), int(cur.notna().sum())
        if n_ref == 0:
            summary = "no values in the reference; nothing to compare against"
            results.append(_skipped(name, kind, summary, False, "none"))
            continue
        if n_cur == 0:
            results.append(_skipped(name, kind, "no values in the current data", True, "none"))
            continue
        if kind == "categorical" and n_ref >= IDENTIFIER_MIN_ROWS and ref.nunique() == n_ref:
            summary = "every value is distinct, so it looks like an identifier; not compared"
            results.append(_skipped(name, kind, summary, False, "skipped"))
            continue
        if kind == "numeric":
            outcome = _compare_numeric(ref, cur, bins)
        else:
            outcome = _compare_categorical(ref, cur)
        miss_ref, miss_cur = 1 - n_ref / len(ref), 1 - n_cur / len(cur)
        if abs(miss_cur - miss_ref) >= 0.05:
            outcome["findings"].append(
                f"missing values: {miss_ref:.1%} in the reference, {miss_cur:.1%} now"
            )
        column = ColumnDrift(
            column=name,
            kind=kind,
            drift=False,
            n_reference=n_ref,
            n_current=n_cur,
            missing_reference=miss_ref,
            missing_current=miss_cur,
            **outcome,
        )
        results.append(column)
        tested.append(column)

    return decide(results, tested, findings, thresholds)


def decide(
    results: list[ColumnDrift],
    tested: list[ColumnDrift],
    findings: list[str],
    thresholds: dict[str, float | None],
) -> DriftResult:
    """Flag the tested columns that changed significantly and materially, and summarise.

    Args:
        results: every column's outcome, tested or skipped, in report order.
        tested: the columns with a test and an effect size (also in `results`).
        findings: data-set level findings.
        thresholds: as checked by compare().
    """
    alpha, psi_threshold = thresholds["alpha"], thresholds["psi_threshold"]
    share_threshold = thresholds["share_threshold"]
    per_column_alpha = alpha / max(len(tested), 1)
    effect_thresholds = {
        "numeric": thresholds["wasserstein_threshold"],
        "categorical": thresholds["jensen_shannon_threshold"],
    }
    for column in tested:
        significant = column.p_value is not None and column.p_value < per_column_alpha
        material = column.effect >= effect_thresholds[column.kind]
        if psi_threshold is not None:
            material = material and column.psi >= psi_threshold
        column.drift = bool(significant and material)
    # Columns skipped for want of a comparison (identifiers, empty in the reference) do not
    # dilute the share; columns that vanished or became empty count as drifted.
    assessed = [c for c in results if c.test != "skipped" and (c.test != "none" or c.drift)]
    if not assessed:
        raise InvalidData("no column could be compared; check that the data sets match")
    drifted = [column.column for column in assessed if column.drift]
    share = len(drifted) / len(assessed)
    dataset_drift = share >= share_threshold
    if drifted:
        summary = (
            f"{len(drifted)} of {len(assessed)} columns changed ({share:.0%}): "
            f"{', '.join(drifted)}. "
            + ("The data set as a whole has drifted." if dataset_drift else "")
        ).strip()
    else:
        summary = f"No column changed materially ({len(assessed)} compared)."
    return DriftResult(
        columns=results,
        share_drifted=share,
        dataset_drift=dataset_drift,
        thresholds={**thresholds, "alpha_per_column": per_column_alpha},
        findings=findings,
        summary=summary,
    )
