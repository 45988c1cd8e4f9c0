"""Analysis of an experiment: every treatment against control, with the SRM check, Holm
adjustment when there are several treatments, and one sentence stating the decision.

Python API:
    result = analyze_file("results.parquet", variant_col="variant", control="control")
    result.to_dict()["variants"][0]["p_value"], result.decision

`analyze_arms` does the same from statistics already in hand (`ArmStats` per variant).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from mlprod.ab.adjust import adjust
from mlprod.ab.srm import DEFAULT_THRESHOLD, srm_check
from mlprod.ab.stats import METHODS, compare_means, compare_proportions
from mlprod.ab.sufficient import ArmStats, accumulate_units, read_aggregated
from mlprod.errors import InvalidData, InvalidParameter, require_finite
from mlprod.tables import column_names

BINOMIAL_COLUMNS = ["n", "conversions"]
CONTINUOUS_COLUMNS = ["n", "sum", "sum_squares"]


@dataclass
class Analysis:
    metric_type: str
    alpha: float
    control: dict[str, object]
    variants: list[dict[str, object]]
    srm: dict[str, object]
    decision: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "metric_type": self.metric_type,
            "alpha": self.alpha,
            "control": self.control,
            "variants": self.variants,
            "srm": self.srm,
            "decision": self.decision,
            "notes": self.notes,
        }


def _percent(value: float) -> str:
    return f"{value * 100:+.1f}%"


def _decide(control: str, variants: list[dict[str, object]], srm: dict[str, object]) -> str:
    if srm["srm"]:
        return (
            f"Do not act on this result: the split of units between variants is not the "
            f"designed one (sample ratio mismatch, p = {srm['p_value']:.2g}); find the cause "
            "in assignment or logging first."
        )
    winners = [v for v in variants if v["significant"] and v["lift_abs"] > 0]
    losers = [v for v in variants if v["significant"] and v["lift_abs"] < 0]
    if winners:
        best = max(winners, key=lambda v: v["lift_abs"])
        relative = (
            f"{_percent(best['lift_rel'])} relative, " if math.isfinite(best["lift_rel"]) else ""
        )
        return (
            f"Ship '{best['name']}': it moves the metric from {best['control_mean']:.4g} to "
            f"{best['mean']:.4g} ({relative}p = {best['p_value_adjusted']:.2g}), "
            f"a significant improvement over '{control}'."
        )
    if losers:
        names = ", ".join(f"'{v['name']}'" for v in losers)
        return (
            f"Keep '{control}': {names} significantly lowered the metric, "
            "and no treatment improved it."
        )
    return (
        f"Keep '{control}' for now: no treatment differs significantly from it; the effect "
        "may be smaller than this sample can detect, so run longer if a smaller effect matters."
    )


def analyze_arms(
    arms: dict[str, ArmStats],
    control: str,
    *,
    metric_type: str | None = None,
    alpha: float = 0.05,
    weights: dict[str, float] | None = None,
    srm_threshold: float = DEFAULT_THRESHOLD,
) -> Analysis:
    """Compare each treatment arm with `control`.

    Args:
        arms: statistics per variant name.
        metric_type: "binomial" or "continuous"; detected from the arms when None.
        weights: designed share per variant for the SRM check; equal when None.
    """
    require_finite("alpha", alpha)
    if not 0 < alpha < 1:
        raise InvalidParameter("alpha", f"must be between 0 and 1, got {alpha}")
    require_finite("srm_threshold", srm_threshold)
    if not 0 < srm_threshold < 1:
        raise InvalidParameter("srm_threshold", f"must be between 0 and 1, got {srm_threshold}")
    if control not in arms:
        found = ", ".join(sorted(arms)) or "none"
        raise InvalidParameter("control", f"'{control}' is not a variant of the data: {found}")
    treatments = sorted(name for name in arms if name != control)
    if not treatments:
        raise InvalidData(f"only the control '{control}' is in the data; nothing to compare")
    for name, arm in arms.items():
        if arm.n < 2:
            raise InvalidData(f"variant '{name}' has {arm.n:g} units; each needs at least 2")
    if metric_type is None:
        metric_type = "binomial" if all(arm.binary for arm in arms.values()) else "continuous"

    names = [control, *treatments]
    if weights is not None:
        unknown = sorted(set(weights) - set(names))
        missing = sorted(set(names) - set(weights))
        if unknown or missing:
            raise InvalidParameter(
                "weights",
                f"must name every variant once ({', '.join(names)}); "
                f"unknown: {unknown or 'none'}, missing: {missing or 'none'}",
            )
    srm = srm_check(
        [arms[name].n for name in names],
        None if weights is None else [weights[name] for name in names],
        srm_threshold,
    )
    srm["variants"] = names

    base = arms[control]
    rows: list[dict[str, object]] = []
    for name in treatments:
        arm = arms[name]
        if metric_type == "binomial":
            # Counts held as means times n come back with rounding errors; the score
            # intervals need the whole numbers.
            result = compare_proportions(
                round(base.mean * base.n), base.n, round(arm.mean * arm.n), arm.n, alpha
            )
        else:
            result = compare_means(
                base.n, base.mean, base.variance, arm.n, arm.mean, arm.variance, alpha
            )
        rows.append(
            {
                "name": name,
                "n": arm.n,
                "mean": arm.mean,
                "std": math.sqrt(arm.variance),
                "control_mean": base.mean,
                "lift_abs": result.lift_abs,
                "lift_rel": result.lift_rel,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
                "ci_rel_low": result.ci_rel_low,
                "ci_rel_high": result.ci_rel_high,
                "statistic": result.statistic,
                "p_value": result.p_value,
                **METHODS[metric_type],
            }
        )
    # A comparison without a p-value (e.g. no conversion in either arm) is never significant;
    # the others are still a family of tests, and Holm corrects for every one of them.
    tested = [i for i, row in enumerate(rows) if not math.isnan(row["p_value"])]
    adjusted = [math.nan] * len(rows)
    for i, p_adj in zip(tested, adjust([rows[i]["p_value"] for i in tested], "holm"), strict=True):
        adjusted[i] = p_adj
    for row, p_adj in zip(rows, adjusted, strict=True):
        row["p_value_adjusted"] = p_adj
        row["significant"] = bool(p_adj < alpha)

    notes = [
        f"{METHODS[metric_type]['test']}; intervals: {METHODS[metric_type]['interval']}, "
        "so each interval excludes 0 exactly when p < alpha."
    ]
    if any(not math.isfinite(row["ci_rel_low"]) for row in rows):
        notes.append(
            f"no interval for the relative lift where the control mean ({base.mean:.4g}) "
            "cannot be told from 0: the ratio to it is unbounded."
        )
    if len(rows) > 1:
        notes.append(
            f"{len(rows)} treatments: p-values are Holm-adjusted in p_value_adjusted; "
            "intervals are per comparison."
        )
    control_row = {
        "name": control,
        "n": base.n,
        "mean": base.mean,
        "std": math.sqrt(base.variance),
    }
    return Analysis(
        metric_type=metric_type,
        alpha=alpha,
        control=control_row,
        variants=rows,
        srm=srm,
        decision=_decide(control, rows, srm),
        notes=notes,
    )


def analyze_file(
    path: str | Path,
    variant_col: str,
    control: str,
    *,
    metric_col: str | None = None,
    alpha: float = 0.05,
    weights: dict[str, float] | None = None,
    srm_threshold: float = DEFAULT_THRESHOLD,
) -> Analysis:
    """Analyse a CSV or Parquet file of unit-level rows or of per-variant sufficient statistics.

    The layout is detected: columns `n,conversions` (binomial) or `n,sum,sum_squares`
    (continuous) mean aggregated statistics; otherwise each row is a unit and `metric_col`
    (or the only column besides `variant_col`) holds its metric, 0/1 or continuous.
    """
    path = Path(path)
    columns = column_names(path)
    if variant_col not in columns:
        raise InvalidParameter(
            "variant_col", f"'{variant_col}' is not a column of {path}: {', '.join(columns)}"
        )
    notes: list[str] = []
    metric_type = None
    if metric_col is None and set(BINOMIAL_COLUMNS) <= set(columns):
        arms = read_aggregated(path, variant_col, BINOMIAL_COLUMNS)
        metric_type = "binomial"
    elif metric_col is None and set(CONTINUOUS_COLUMNS) <= set(columns):
        arms = read_aggregated(path, variant_col, CONTINUOUS_COLUMNS)
        metric_type = "continuous"
    else:
        if metric_col is None:
            others = [name for name in columns if name != variant_col]
            if len(others) != 1:
                raise InvalidParameter(
                    "metric_col",
                    f"is needed to tell the metric among: {', '.join(others) or 'none'}",
                )
            metric_col = others[0]
        elif metric_col not in columns:
            raise InvalidParameter(
                "metric_col", f"'{metric_col}' is not a column of {path}: {', '.join(columns)}"
            )
        units = accumulate_units(path, variant_col, metric_col)
        if units.rows == 0:
            raise InvalidData(f"{path} has no rows; give a file with one row per unit")
        arms = units.arms
        if units.dropped:
            notes.append(
                f"{units.dropped} of {units.rows} rows had no variant or no metric value and "
                "were left out."
            )
    analysis = analyze_arms(
        arms,
        str(control),
        metric_type=metric_type,
        alpha=alpha,
        weights=weights,
        srm_threshold=srm_threshold,
    )
    analysis.notes = notes + analysis.notes
    return analysis
