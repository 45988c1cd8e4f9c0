"""How often `mlprod drift` flags a batch, by batch size and kind of change: the calibration
behind its thresholds. Run: python benchmarks/drift_calibration.py [SEEDS].

The data imitate a generated project's features: send_hour (integer, a morning and an
evening peak), weekday (7 categories), tenure_months (integer, skewed), past_opens_30d
(integer counts) and channel (3 categories). Reference and current batch have the same
number of rows and independent seeds. A change moves every numeric column of the current
batch: a mean shift of k reference standard deviations, or a scale change by a factor
around the reference mean; the columns stay integers. Each cell counts, out of SEEDS, the
batches where any column drifted (what `make monitor` and `--fail-on column` act on) and,
after the slash, where the data set drifted (the default `--fail-on dataset`: half the
columns).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from mlprod.drift import compare

SIZES = (500, 5_000, 50_000)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
CHANNELS = ["newsletter", "promotion", "transactional"]
HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 8, 6, 6, 6, 6, 6, 6, 7, 8, 9, 8, 5, 3, 2])
NUMERIC = ["send_hour", "tenure_months", "past_opens_30d"]
# name -> (kind, size); "same" changes nothing.
SCENARIOS = {
    "same distribution": ("same", 0.0),
    "mean +0.05 sd": ("shift", 0.05),
    "mean +0.25 sd": ("shift", 0.25),
    "scale x1.2": ("scale", 1.2),
}
# The targets: (scenario, size) -> (at most, at least) flags out of 20 seeds.
TARGETS = {
    **{("same distribution", size): (1, 0) for size in SIZES},
    ("mean +0.05 sd", 50_000): (1, 0),
    ("mean +0.25 sd", 5_000): (20, 19),
    ("mean +0.25 sd", 50_000): (20, 19),
    ("scale x1.2", 5_000): (20, 19),
}


def features(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    engagement = rng.normal(0.0, 1.0, rows)
    tenure = np.minimum(rng.gamma(2.0, 14.0, rows).round(), 600)
    return pd.DataFrame(
        {
            "send_hour": rng.choice(24, rows, p=HOURS / HOURS.sum()),
            "weekday": rng.choice(WEEKDAYS, rows),
            "tenure_months": tenure.astype("int64"),
            "past_opens_30d": rng.poisson(np.exp(0.6 + 0.7 * engagement + 0.004 * tenure)),
            "channel": rng.choice(CHANNELS, rows, p=[0.5, 0.35, 0.15]),
        }
    )


def changed(
    reference: pd.DataFrame, current: pd.DataFrame, scenario: str, seed: int
) -> pd.DataFrame:
    """`current` with the scenario's change applied to each numeric column. The columns stay
    integers, rounded up or down at random in proportion (so the mean moves by exactly the
    change): a shift of 0.3 hours on whole hours would otherwise be a new kind of value,
    which a test of distributions rightly flags whatever the size of the shift."""
    kind, size = SCENARIOS[scenario]
    if kind == "same":
        return current
    rng = np.random.default_rng(seed)
    current = current.copy()
    for name in NUMERIC:
        values = current[name].to_numpy(dtype=float)
        if kind == "shift":
            values = values + size * reference[name].std()
        else:
            mean = reference[name].mean()
            values = mean + size * (values - mean)
        whole = np.floor(values)
        current[name] = (whole + (rng.random(len(values)) < values - whole)).astype("int64")
    return current


# The rule before the effect sizes: significant and PSI >= 0.1.
PSI_RULE = {"wasserstein_threshold": 0, "jensen_shannon_threshold": 0, "psi_threshold": 0.1}


def flags(scenario: str, rows: int, seeds: range, **rule: float) -> tuple[int, int]:
    """(batches with a drifted column, batches where the data set drifted)."""
    column = dataset = 0
    for seed in seeds:
        reference = features(rows, seed)
        current = changed(reference, features(rows, 10_000 + seed), scenario, seed)
        result = compare(reference, current, **rule)
        column += bool(result.drifted)
        dataset += result.dataset_drift
    return column, dataset


def table(title: str, seeds: int, **rule: float) -> None:
    print(f"{title}: flags out of {seeds} seeds, any column / data set")
    print(f"{'scenario':20}" + "".join(f"{size:>14,}" for size in SIZES))
    for scenario in SCENARIOS:
        cells = []
        for size in SIZES:
            column, dataset = flags(scenario, size, range(seeds), **rule)
            cells.append(f"{column:>2} / {dataset:>2}")
        print(f"{scenario:20}" + "".join(f"{cell:>14}" for cell in cells))


def main(seeds: int = 20) -> None:
    table("effect sizes (the decision)", seeds)
    print()
    table("PSI >= 0.1 instead (the rule before)", seeds, **PSI_RULE)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
