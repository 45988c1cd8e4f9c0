from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.module_name }} import evaluate, schema
from {{ cookiecutter.module_name }}.errors import GateError
from {{ cookiecutter.module_name }}.sample import CHANNELS, WEEKDAYS


def test_metrics_of_a_perfect_and_of_a_useless_model():
    actual = np.array([0, 0, 1, 1])
    perfect = evaluate.classification_metrics(actual, np.array([0.1, 0.2, 0.8, 0.9]), 0.5)
    assert perfect["roc_auc"] == 1.0 and perfect["accuracy"] == 1.0 and perfect["f1"] == 1.0
    useless = evaluate.classification_metrics(actual, np.full(4, 0.5), 0.5)
    assert useless["roc_auc"] == 0.5


def test_auc_is_none_for_a_single_class_slice():
    metrics = evaluate.classification_metrics(np.array([1, 1]), np.array([0.3, 0.8]), 0.5)
    assert metrics["roc_auc"] is None
    assert metrics["accuracy"] == 0.5


def test_baselines_are_majority_and_one_feature(sample):
    train, test = sample.iloc[:1500], sample.iloc[1500:]
    baselines = evaluate.baseline_probabilities(train, test, "past_opens_30d")
    assert set(baselines) == {"majority_class", "logistic_past_opens_30d"}
    assert np.unique(baselines["majority_class"]).size == 1
    assert baselines["logistic_past_opens_30d"].shape == (len(test),)


def test_gate_passes_a_model_that_beats_the_baselines_by_the_margin():
    gate = evaluate.check_gate(
        {"roc_auc": 0.75}, {"majority_class": {"roc_auc": 0.5}, "one": {"roc_auc": 0.7}}, 0.02
    )
    assert gate["passed"] and gate["best_baseline"] == "one"


def test_gate_refuses_a_model_within_the_margin_and_says_what_to_do():
    with pytest.raises(
        GateError,
        match=r"roc_auc 0\.7100 does not beat baseline 'one' \(0\.7000\).*min_improvement=0\.02",
    ):
        evaluate.check_gate(
            {"roc_auc": 0.71}, {"majority_class": {"roc_auc": 0.5}, "one": {"roc_auc": 0.7}}, 0.02
        )


def test_slices_cover_every_value_of_every_slice_column(artifact, sample):
    _, probability = artifact.score(sample)
    slices = evaluate.slice_metrics(sample, probability, ["channel", "weekday"], 0.5)
    assert set(slices["channel"]) == set(CHANNELS)
    assert set(slices["weekday"]) == set(WEEKDAYS)
    assert sum(value["rows"] for value in slices["channel"].values()) == len(sample)


def test_plot_data_has_the_fields_dvc_plots_reads(artifact, sample):
    labels, probability = artifact.score(sample)
    actual = sample[schema.TARGET].to_numpy()
    roc = evaluate.roc_points(actual, probability)
    assert roc[0] == {"fpr": 0.0, "tpr": 0.0} and roc[-1] == {"fpr": 1.0, "tpr": 1.0}
    confusion = evaluate.confusion_records(actual, labels)
    assert len(confusion) == len(sample) and set(confusion[0]) == {"actual", "predicted"}
    calibration = evaluate.calibration_points(actual, probability)
    assert all(0 <= point["fraction_positive"] <= 1 for point in calibration)
