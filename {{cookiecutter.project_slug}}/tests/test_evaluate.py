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
    # The majority baseline predicts the training share of opens for every row.
    rate = train[schema.TARGET].mean()
    assert baselines["majority_class"] == pytest.approx(np.full(len(test), rate))
    # The one-feature model ranks rows by that feature alone: more past opens, more likely.
    logistic = baselines["logistic_past_opens_30d"]
    order = np.argsort(test["past_opens_30d"].to_numpy(), kind="stable")
    assert np.all(np.diff(logistic[order]) >= 0)
    assert logistic.min() < rate < logistic.max()


def test_gate_passes_a_model_that_beats_the_baselines_by_the_margin():
    gate = evaluate.check_gate(
        {"roc_auc": 0.75}, {"majority_class": {"roc_auc": 0.5}, "one": {"roc_auc": 0.7}}, 0.02
    )
    assert gate["passed"] and gate["best_baseline"] == "one"


def test_gate_passes_at_exactly_the_margin_and_reports_its_figures():
    # 0.75 - 0.5 is exactly 0.25 in binary floating point: the boundary itself.
    gate = evaluate.check_gate({"roc_auc": 0.75}, {"majority_class": {"roc_auc": 0.5}}, 0.25)
    assert gate == {
        "metric": "roc_auc",
        "model": 0.75,
        "best_baseline": "majority_class",
        "best_baseline_score": 0.5,
        "min_improvement": 0.25,
        "passed": True,
    }
    with pytest.raises(GateError, match=r"roc_auc 0\.7500 does not beat baseline"):
        evaluate.check_gate({"roc_auc": 0.75}, {"majority_class": {"roc_auc": 0.5}}, 0.375)


def test_gate_counts_a_missing_auc_as_zero():
    gate = evaluate.check_gate({"roc_auc": 0.25}, {"single_class": {"roc_auc": None}}, 0.25)
    assert gate["best_baseline_score"] == 0.0 and gate["passed"] is True
    with pytest.raises(GateError, match=r"roc_auc 0\.0000 does not beat"):
        evaluate.check_gate({"roc_auc": None}, {"majority_class": {"roc_auc": 0.5}}, 0.0)


def test_gate_refuses_a_model_within_the_margin_and_says_what_to_do():
    with pytest.raises(GateError) as error:
        evaluate.check_gate(
            {"roc_auc": 0.71}, {"majority_class": {"roc_auc": 0.5}, "one": {"roc_auc": 0.7}}, 0.02
        )
    assert str(error.value) == (
        "model roc_auc 0.7100 does not beat baseline 'one' (0.7000) by "
        "evaluate.min_improvement=0.02; improve the model or its features, "
        "or lower the margin in params.yaml"
    )


def test_gate_measures_against_the_best_baseline_whatever_its_name():
    baselines = {"a_feature": {"roc_auc": 0.7}, "majority_class": {"roc_auc": 0.5}}
    gate = evaluate.check_gate({"roc_auc": 0.75}, baselines, 0.02)
    assert gate["best_baseline"] == "a_feature" and gate["best_baseline_score"] == 0.7
    with pytest.raises(GateError, match=r"baseline 'a_feature' \(0\.7000\)"):
        evaluate.check_gate({"roc_auc": 0.71}, baselines, 0.02)


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
    assert confusion[:3] == [
        {"actual": int(a), "predicted": int(p)} for a, p in zip(actual[:3], labels[:3], strict=True)
    ]
    assert len(confusion) == len(sample)
    calibration = evaluate.calibration_points(actual, probability)
    assert all(0 <= point["fraction_positive"] <= 1 for point in calibration)


def test_plot_data_on_a_small_known_case():
    actual = np.array([0, 0, 1, 1])
    probability = np.array([0.1, 0.4, 0.35, 0.8])
    assert evaluate.roc_points(actual, probability) == [
        {"fpr": 0.0, "tpr": 0.0},
        {"fpr": 0.0, "tpr": 0.5},
        {"fpr": 0.5, "tpr": 0.5},
        {"fpr": 0.5, "tpr": 1.0},
        {"fpr": 1.0, "tpr": 1.0},
    ]
    assert evaluate.confusion_records(actual, np.array([0, 1, 0, 1])) == [
        {"actual": 0, "predicted": 0},
        {"actual": 0, "predicted": 1},
        {"actual": 1, "predicted": 0},
        {"actual": 1, "predicted": 1},
    ]
    # Two bins of two rows each, one open in each.
    assert evaluate.calibration_points(actual, probability, bins=2) == [
        {"mean_predicted": pytest.approx(0.225), "fraction_positive": 0.5},
        {"mean_predicted": pytest.approx(0.6), "fraction_positive": 0.5},
    ]
