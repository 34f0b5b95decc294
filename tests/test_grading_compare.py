"""Comparing a check's output with the reference output, number by number."""

from __future__ import annotations

import pytest

from nnscratch.grading.selfcheck import compare_outputs, tokens

SAME = [
    ("loss 2.302585", "loss 2.3025850001"),
    ("[ 0.5  -1.   0.  ]", "[0.5 -1. 0.]"),
    ("relu  on [-2.  0.]", "relu on [-2. 0.]"),
    ("shape (2, 3) float64", "shape (2, 3) float64"),
    ("[1.0e+00 1.0e-17]", "[1.0e+00 -3.0e-17]"),
    ("x: 2", "x: 2.0"),
    ("[nan inf -inf]", "[nan inf -inf]"),
    ("-0.0", "0.0"),
    ("[[1.  2.]\n [3.  4.]]", "[[1. 2.] [3. 4.]]"),
    ("", ""),
    ("done\n", "done"),
]

DIFFERENT = [
    ("loss 2.302585", "loss 2.302600", "line 1: expected 2.302585, got 2.302600"),
    ("relu' [0. 0. 1.]", "relu' [0. 1. 1.]", "line 1: expected 0., got 1."),
    ("True", "False", "line 1: expected 'True', got 'False'"),
    ("a 1\nb 2", "a 1", "line 2: expected 'b', got the end of the output"),
    ("a 1", "a 1\nb 2", "line 2: unexpected output 'b'"),
    ("[nan 1.]", "[0. 1.]", "line 1: expected nan, got 0."),
    ("[1. inf]", "[1. 1e308]", "line 1: expected inf, got 1e308"),
    ("x 1e-17", "x 3e-17", "line 1: expected 1e-17, got 3e-17"),
    ("shape (2, 3)", "shape (3, 2)", "line 1: expected 2, got 3"),
    ("float64", "float32", "line 1: expected 'float64', got 'float32'"),
]


@pytest.mark.parametrize("expected, actual", SAME)
def test_equal_up_to_tolerance_and_spacing(expected, actual):
    assert compare_outputs(expected, actual) is None


@pytest.mark.parametrize("expected, actual, message", DIFFERENT)
def test_differences_name_the_first_one(expected, actual, message):
    assert compare_outputs(expected, actual) == message


def test_tolerance_is_relative_to_the_array_scale():
    # 1e-9 is noise next to 1000 in the same array, but not on its own
    assert compare_outputs("[1000.  0.]", "[1000.  1e-9]") is None
    assert compare_outputs("1000. 0.", "1000. 1e-9") is not None
    assert compare_outputs("[[1000.] [0.]]", "[[1000.] [1e-9]]") is None


def test_rtol_is_a_parameter():
    assert compare_outputs("1.0", "1.001") is not None
    assert compare_outputs("1.0", "1.001", rtol=1e-2) is None


def test_numbers_inside_names_are_text():
    assert [kind for kind, *_ in tokens("W1 float64 2e3 x_2")] == ["text", "text", "number",
                                                                  "text"]


def test_a_forged_nan_matches_nothing_else():
    assert compare_outputs("0.5", "nan") == "line 1: expected 0.5, got nan"
