"""nnscratch._checks: every error names the argument, the expected and the actual value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnscratch import _checks
from nnscratch.layers import Module

# ---------------------------------------------------------------- real ranges


@pytest.mark.parametrize(
    ("value", "low", "high", "include_high"),
    [(0.0, 0.0, 1.0, False), (0.999, 0.0, 1.0, False), (1.0, 0.0, 1.0, True),
     (np.float32(0.5), 0.0, 1.0, False), (3, 0.0, math.inf, False), (np.int64(0), 0.0, 1.0, False)],
)
def test_check_range_accepts_and_returns_a_float(value, low, high, include_high):
    out = _checks.check_range(value, "x", low, high, include_high=include_high)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize(
    ("value", "include_high", "match"),
    [
        (1.0, False, r"momentum must be in \[0\.0, 1\.0\), got 1\.0"),
        (1.0 + 1e-13, True, r"momentum must be in \[0\.0, 1\.0\], got 1\.0000000000001"),
        (-0.1, True, r"momentum must be in \[0\.0, 1\.0\], got -0\.1"),
        (math.nan, False, r"momentum.*nan"),
    ],
)
def test_check_range_rejects_values_outside(value, include_high, match):
    with pytest.raises(ValueError, match=match):
        _checks.check_range(value, "momentum", 0.0, 1.0, include_high=include_high)


def test_check_range_without_upper_bound_says_at_least():
    with pytest.raises(ValueError, match=r"^lr must be >= 0\.0, got -0\.5$"):
        _checks.check_range(-0.5, "lr", 0.0, math.inf)


@pytest.mark.parametrize("value", ["0.1", None, True, np.zeros(2)])
def test_real_number_checks_reject_non_numbers_with_typeerror(value):
    for check in (lambda v: _checks.check_range(v, "alpha", 0.0, 1.0),
                  lambda v: _checks.check_probability(v, "alpha"),
                  lambda v: _checks.check_positive(v, "alpha")):
        with pytest.raises(TypeError, match=r"alpha must be a real number, got"):
            check(value)


# ---------------------------------------------------------------- integers


@pytest.mark.parametrize(("value", "minimum"), [(1, 1), (np.int64(7), 1), (0, 0), (5, 2)])
def test_check_int_accepts_and_returns_an_int(value, minimum):
    out = _checks.check_int(value, "n", minimum)
    assert type(out) is int and out == value


@pytest.mark.parametrize(
    ("value", "minimum", "match"),
    [
        (0, 1, r"^n must be a positive integer, got 0$"),
        (-1, 0, r"^n must be a non-negative integer, got -1$"),
        (1, 2, r"^n must be an integer >= 2, got 1$"),
        (2.0, 1, r"^n must be a positive integer, got 2\.0$"),
        (True, 1, r"^n must be a positive integer, got True$"),
        ("3", 1, r"^n must be a positive integer, got '3'$"),
    ],
)
def test_check_int_rejects_non_integers_and_small_values(value, minimum, match):
    with pytest.raises(ValueError, match=match):
        _checks.check_int(value, "n", minimum)


# ---------------------------------------------------------------- the backward contract


class WithFlag(Module):
    def backward(self, dout, *, input_grad=True):
        return dout


class WithPositionalFlag(Module):
    def backward(self, dout, input_grad=True):
        return dout


class WithKwargs(Module):
    def backward(self, dout, **kwargs):
        return dout


class PlainBackward(Module):
    def backward(self, dout):
        return dout


@pytest.mark.parametrize("cls", [Module, WithFlag, WithPositionalFlag, WithKwargs])
def test_check_input_grad_accepts_the_module_contract(cls):
    _checks.check_backward_takes_input_grad(cls())


def test_check_input_grad_names_the_class_and_both_signatures():
    with pytest.raises(TypeError) as info:
        _checks.check_backward_takes_input_grad(PlainBackward())
    message = str(info.value)
    assert "PlainBackward.backward(dout)" in message
    assert "backward(self, dout, *, input_grad=True)" in message
