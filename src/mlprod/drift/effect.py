"""Effect sizes of a change between two samples that, unlike PSI or a p-value, do not shrink
or grow with the number of rows: they estimate a property of the two distributions.

- Numeric: the Wasserstein (earth mover's) distance divided by the reference's standard
  deviation: how far, in reference standard deviations, the values moved on average. A mean
  shift of k standard deviations gives k; a change of scale by a factor s gives about
  (s - 1) times the mean absolute deviation over the standard deviation.
- Categorical: the Jensen-Shannon distance between the category shares (natural log, so
  from 0 to sqrt(ln 2) = 0.83): symmetric, and finite when a category is new.

These are the measures and scales of evidently's `wasserstein` and `jensenshannon` drift
methods.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def wasserstein_normed(reference: np.ndarray, current: np.ndarray) -> float:
    """W1(reference, current) / std(reference) for two sorted samples without missing values;
    infinite when the reference is constant and the current data is not."""
    import numpy as np

    # A stable merge of the two sorted runs (timsort finds them) tells, at each value, which
    # sample it came from; the running sum of +1/n and -1/m over it is the gap between the two
    # ECDFs, whose integral over the values is W1. No binary searches, and few temporaries:
    # it runs on a million rows per column.
    values = np.concatenate([reference, current])
    order = np.argsort(values, kind="stable")
    steps = np.diff(values[order])
    del values
    gap = np.where(order < len(reference), 1 / len(reference), -1 / len(current))
    del order
    np.cumsum(gap, out=gap)
    distance = float(np.dot(np.abs(gap[:-1]), steps))
    std = float(np.std(reference))
    if std == 0:
        return 0.0 if distance == 0 else math.inf
    return distance / std


def jensen_shannon(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """Jensen-Shannon distance between two vectors of category counts (natural log)."""
    from scipy.spatial.distance import jensenshannon

    return float(jensenshannon(reference_counts, current_counts))
