import math

import numpy as np
import pytest

from mlprod.output import dumps, number, plain


def test_plain_turns_numpy_scalars_into_python_numbers():
    converted = plain({"a": np.float64(1.5), "b": np.int64(3), "c": np.bool_(True)})
    assert converted == {"a": 1.5, "b": 3, "c": True}
    assert [type(value) for value in converted.values()] == [float, int, bool]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_plain_turns_values_json_cannot_carry_into_null(value):
    assert plain(value) is None


def test_plain_writes_whole_floats_as_integers_while_they_are_exact():
    assert plain(2.0) == 2 and type(plain(2.0)) is int
    assert type(plain(-7.0)) is int
    assert type(plain(2.0**53 - 1)) is int
    # From 2**53 on, a float no longer names one integer: it stays a float.
    assert type(plain(2.0**53)) is float and type(plain(-(2.0**53))) is float
    assert plain(0.25) == 0.25


def test_plain_walks_nested_containers_and_names_keys_as_text():
    value = {1: (np.float64(2.0), [math.nan, "x"]), "k": {"n": None}}
    assert plain(value) == {"1": [2, [None, "x"]], "k": {"n": None}}
    assert plain("text") == "text" and plain(b"raw") == b"raw"


def test_dumps_is_indented_json_without_nan():
    assert dumps({"p": math.nan, "n": np.int64(4), "xs": (0.5,)}) == (
        '{\n  "p": null,\n  "n": 4,\n  "xs": [\n    0.5\n  ]\n}'
    )


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (None, 4, "n/a"),
        (math.nan, 4, "n/a"),
        (0.123456, 4, "0.1235"),
        (0.123456, 2, "0.12"),
        (12345.0, 4, "1.234e+04"),
        (math.inf, 4, "inf"),
        (7, 4, "7"),
    ],
)
def test_number_renders_compactly(value, digits, text):
    assert number(value, digits) == text


def test_number_defaults_to_four_significant_digits():
    assert number(2 / 3) == "0.6667"
