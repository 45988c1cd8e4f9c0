import math

import pytest

from mlprod.errors import InvalidData, InvalidParameter, UsageError, require_finite


def test_invalid_parameter_speaks_of_the_parameter_in_words():
    error = InvalidParameter("psi_threshold", "must be non-negative, got -1")
    assert str(error) == "psi threshold must be non-negative, got -1"
    assert (error.name, error.problem) == ("psi_threshold", "must be non-negative, got -1")
    assert isinstance(error, UsageError) and issubclass(InvalidData, UsageError)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_require_finite_refuses_nan_and_infinities(value):
    with pytest.raises(InvalidParameter) as error:
        require_finite("share_threshold", value)
    assert str(error.value) == f"share threshold must be a finite number, got {value}"
    assert error.value.name == "share_threshold"


@pytest.mark.parametrize("value", [None, 0.0, -3.5, 1e308])
def test_require_finite_lets_finite_values_and_none_through(value):
    assert require_finite("alpha", value) is None
