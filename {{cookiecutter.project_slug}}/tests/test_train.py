from __future__ import annotations

import numpy as np

from {{ cookiecutter.module_name }} import schema, train
from {{ cookiecutter.module_name }}.features import to_matrix


def test_model_is_configured_from_params(params):
    model = train.build_model(params.model)
    assert model.max_iter == params.model.max_iter
    assert model.learning_rate == params.model.learning_rate
    assert model.random_state == params.model.seed


def test_fit_is_reproducible(params, sample):
    first = train.fit(sample, params.model).predict_proba(to_matrix(sample))
    second = train.fit(sample, params.model).predict_proba(to_matrix(sample))
    np.testing.assert_array_equal(first, second)


def test_model_learns_more_than_the_base_rate(artifact, sample):
    _, probability = artifact.score(sample)
    actual = sample[schema.TARGET].to_numpy()
    assert probability[actual == 1].mean() > probability[actual == 0].mean() + 0.05


def test_cross_validation_reports_a_useful_auc(params, sample):
    metrics = train.cross_validated_metrics(sample, params.model, folds=3)
    assert set(metrics) == {"cv_roc_auc", "cv_roc_auc_std", "cv_accuracy"}
    assert 0.6 < metrics["cv_roc_auc"] <= 1.0
