"""Fit the model, and measure it by cross-validation on the training rows alone.

Both run on one OpenMP thread: on training sets this small, starting and synchronising
threads costs more than it saves (up to ten times the single-thread time on two cores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_validate
from threadpoolctl import threadpool_limits

from {{ cookiecutter.module_name }}.config import ModelParams
from {{ cookiecutter.module_name }}.features import to_matrix
from {{ cookiecutter.module_name }}.schema import TARGET


def build_model(params: ModelParams) -> HistGradientBoostingClassifier:
    """Return an unfitted classifier configured from params.yaml's `model` section."""
    return HistGradientBoostingClassifier(
        max_iter=params.max_iter,
        learning_rate=params.learning_rate,
        max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=params.min_samples_leaf,
        l2_regularization=params.l2_regularization,
        # A fixed number of rounds: early stopping would make the model depend on a
        # random validation split that params.yaml does not show.
        early_stopping=False,
        random_state=params.seed,
    )


def fit(train: pd.DataFrame, params: ModelParams) -> HistGradientBoostingClassifier:
    """Fit the classifier on validated, labelled training rows.

    Args:
        train: rows with every feature and the target.
        params: hyperparameters.

    Returns:
        The fitted classifier; it takes to_matrix() output.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        return build_model(params).fit(to_matrix(train), train[TARGET].to_numpy())


def cross_validated_metrics(
    train: pd.DataFrame, params: ModelParams, folds: int
) -> dict[str, float]:
    """Estimate the model's quality without touching the test set.

    Args:
        train: rows with every feature and the target.
        params: hyperparameters.
        folds: number of stratified folds.

    Returns:
        Mean and standard deviation of ROC AUC and accuracy over the folds.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        scores = cross_validate(
            build_model(params),
            to_matrix(train),
            train[TARGET].to_numpy(),
            cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed),
            scoring=("roc_auc", "accuracy"),
        )
    return {
        "cv_roc_auc": float(np.mean(scores["test_roc_auc"])),
        "cv_roc_auc_std": float(np.std(scores["test_roc_auc"])),
        "cv_accuracy": float(np.mean(scores["test_accuracy"])),
    }
