from __future__ import annotations

from mlprod.ab.analyze import analyze_file

from {{ cookiecutter.module_name }}.experiment import VARIANTS, simulate_ab_test


def test_assignment_is_stable_and_close_to_even():
    first = simulate_ab_test(4000, 0.2, 0.1, "promo", seed=1)
    again = simulate_ab_test(4000, 0.2, 0.1, "promo", seed=2)
    assert (first["variant"] == again["variant"]).all()
    assert set(first["variant"]) == set(VARIANTS)
    assert abs((first["variant"] == "model").mean() - 0.5) < 0.03


def test_mlprod_ab_analyze_finds_the_true_lift(tmp_path, params):
    settings = params.experiment
    results = simulate_ab_test(
        settings.units, settings.baseline_rate, settings.relative_lift, settings.salt, settings.seed
    )
    path = tmp_path / "results.csv"
    results.to_csv(path, index=False)
    analysis = analyze_file(path, variant_col="variant", control="control", metric_col="opened")
    (model,) = analysis.to_dict()["variants"]
    true_lift = settings.baseline_rate * settings.relative_lift
    assert model["ci_low"] <= true_lift <= model["ci_high"]
    assert model["p_value"] < 0.05
    assert analysis.to_dict()["srm"]["srm"] is False
