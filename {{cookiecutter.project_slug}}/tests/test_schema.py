from __future__ import annotations

import pytest

from {{ cookiecutter.module_name }}.schema import (
    DERIVED,
    FEATURE_NAMES,
    FEATURES,
    WEEKDAY,
    Feature,
    Flag,
    Kind,
    input_schema,
)


def test_every_feature_has_a_kind_and_categories_only_when_it_is_a_category():
    assert all(isinstance(feature.kind, Kind) for feature in FEATURES)
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    with pytest.raises(ValueError, match="categories go with Kind.CATEGORY only"):
        Feature("plan", Kind.INTEGER, "plan", categories=("free",))
    with pytest.raises(ValueError, match="categories go with Kind.CATEGORY only"):
        Feature("plan", Kind.CATEGORY, "plan")


def test_a_flag_names_values_of_its_source():
    assert Flag("is_monday", WEEKDAY, ("Mon",)).values == ("Mon",)
    with pytest.raises(ValueError, match=r"flag is_funday: \['Funday'\] are not weekday values"):
        Flag("is_funday", WEEKDAY, ("Funday",))


def test_the_input_schema_lists_features_in_order_with_kinds_and_categories():
    described = input_schema()
    assert [column["name"] for column in described["features"]] == list(FEATURE_NAMES)
    weekday = described["features"][FEATURE_NAMES.index("weekday")]
    assert weekday["kind"] == "category"
    assert weekday["categories"] == list(WEEKDAY.categories)
    assert described["derived"] == [
        {"name": flag.name, "source": flag.source.name, "values": list(flag.values)}
        for flag in DERIVED
    ]
