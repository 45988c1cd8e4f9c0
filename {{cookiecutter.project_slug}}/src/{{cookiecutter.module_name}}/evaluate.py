"""Measure the model on held-out rows: against baselines, per slice, and as plot data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from {{ cookiecutter.module_name }}.errors import GateError
from {{ cookiecutter.module_name }}.schema import TARGET

GATE_METRIC = "roc_auc"


def classification_metrics(
    actual: np.ndarray, probability: np.ndarray, threshold: float
) -> dict[str, float | None]:
    """Metrics of predicted probabilities against 0/1 outcomes.

    Args:
        actual: observed outcomes (0/1).
        probability: predicted probability of 1.
        threshold: probability at or above which the label is 1.

    Returns:
        roc_auc (None when only one class is present), accuracy, precision, recall, f1,
        log_loss and brier.
    """
    predicted = (probability >= threshold).astype(int)
    both_classes = len(np.unique(actual)) == 2
    return {
        "roc_auc": float(roc_auc_score(actual, probability)) if both_classes else None,
        "accuracy": float(accuracy_score(actual, predicted)),
        "precision": float(precision_score(actual, predicted, zero_division=0)),
        "recall": float(recall_score(actual, predicted, zero_division=0)),
        "f1": float(f1_score(actual, predicted, zero_division=0)),
        "log_loss": float(log_loss(actual, probability, labels=[0, 1])),
        "brier": float(brier_score_loss(actual, probability)),
    }


def baseline_probabilities(
    train: pd.DataFrame, test: pd.DataFrame, feature: str
) -> dict[str, np.ndarray]:
    """Predictions of the simple models the real one has to beat.

    Args:
        train: labelled rows to fit the baselines on.
        test: rows to predict.
        feature: the numeric feature of the one-feature logistic regression.

    Returns:
        Baseline name -> predicted probability of 1 for each test row.
    """
    majority = DummyClassifier(strategy="prior").fit(train[[feature]], train[TARGET])
    one_feature = LogisticRegression().fit(train[[feature]], train[TARGET])
    return {
        "majority_class": majority.predict_proba(test[[feature]])[:, 1],
        f"logistic_{feature}": one_feature.predict_proba(test[[feature]])[:, 1],
    }


def check_gate(
    model: dict[str, Any], baselines: dict[str, dict[str, Any]], margin: float
) -> dict[str, Any]:
    """Require the model to beat every baseline's ROC AUC by `margin`.

    Args:
        model: the model's metrics.
        baselines: each baseline's metrics.
        margin: the improvement required (evaluate.min_improvement in params.yaml).

    Returns:
        The gate's figures, for the metrics file.

    Raises:
        GateError: when the model does not beat the best baseline by the margin.
    """
    name, best = max(
        ((name, metrics[GATE_METRIC] or 0.0) for name, metrics in baselines.items()),
        key=lambda item: item[1],
    )
    score = model[GATE_METRIC] or 0.0
    gate = {
        "metric": GATE_METRIC,
        "model": score,
        "best_baseline": name,
        "best_baseline_score": best,
        "min_improvement": margin,
        "passed": score - best >= margin,
    }
    if not gate["passed"]:
        raise GateError(
            f"model {GATE_METRIC} {score:.4f} does not beat baseline '{name}' ({best:.4f}) by "
            f"evaluate.min_improvement={margin}; improve the model or its features, "
            "or lower the margin in params.yaml"
        )
    return gate


def slice_metrics(
    test: pd.DataFrame, probability: np.ndarray, columns: list[str], threshold: float
) -> dict[str, dict[str, dict[str, Any]]]:
    """Metrics for each value of each slice column, to find groups the model serves badly.

    Returns:
        column -> value -> {"rows": n, **classification_metrics}.
    """
    result: dict[str, dict[str, dict[str, Any]]] = {}
    actual = test[TARGET].to_numpy()
    for column in columns:
        values = test[column].to_numpy()
        result[column] = {}
        for value in sorted(pd.unique(values)):
            mask = values == value
            metrics = classification_metrics(actual[mask], probability[mask], threshold)
            result[column][str(value)] = {"rows": int(mask.sum()), **metrics}
    return result


def roc_points(actual: np.ndarray, probability: np.ndarray) -> list[dict[str, float]]:
    """ROC curve as records for `dvc plots` (x: fpr, y: tpr)."""
    fpr, tpr, _ = roc_curve(actual, probability)
    return [{"fpr": float(x), "tpr": float(y)} for x, y in zip(fpr, tpr, strict=True)]


def confusion_records(actual: np.ndarray, predicted: np.ndarray) -> list[dict[str, int]]:
    """One record per row for DVC's confusion template (x: actual, y: predicted)."""
    return [{"actual": int(a), "predicted": int(p)} for a, p in zip(actual, predicted, strict=True)]


def calibration_points(
    actual: np.ndarray, probability: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    """Calibration curve as records (x: mean_predicted, y: fraction_positive)."""
    fraction, mean = calibration_curve(actual, probability, n_bins=bins, strategy="quantile")
    return [
        {"mean_predicted": float(m), "fraction_positive": float(f)}
        for m, f in zip(mean, fraction, strict=True)
    ]
