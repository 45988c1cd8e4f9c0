"""An example A/B test result, so that the analysis can be tried before a real test runs.

The story: the new model chooses which customers get the weekly promotion; the control arm
keeps the current rule. Customers are assigned by hashing their id with the experiment's
name (assignment.py, as `mlprod ab assign` does), and opens are drawn with a true relative
lift set in params.yaml. `mlprod ab analyze` should find that lift (docs/phases/06-evaluation.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.assignment import assign

VARIANTS = ("control", "model")


def simulate_ab_test(
    units: int, baseline_rate: float, relative_lift: float, salt: str, seed: int
) -> pd.DataFrame:
    """Simulate one row per customer of a finished A/B test.

    Args:
        units: customers in the test.
        baseline_rate: open rate of the control arm.
        relative_lift: true relative lift of the model arm (0.1 means +10%).
        salt: the experiment's name, which seeds the assignment.
        seed: random seed of the outcomes.

    Returns:
        Columns customer_id, variant (control or model) and opened (0 or 1).
    """
    customers = [f"C{index:07d}" for index in range(1, units + 1)]
    variant = np.array([assign(customer, salt, VARIANTS) for customer in customers])
    rate = np.where(variant == "model", baseline_rate * (1 + relative_lift), baseline_rate)
    opened = np.random.default_rng(seed).random(units) < rate
    return pd.DataFrame(
        {"customer_id": customers, "variant": variant, "opened": opened.astype("int64")}
    )
