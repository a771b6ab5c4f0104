"""convproof.eval: exact values, compared with values computed by hand."""
from fractions import Fraction

import numpy as np
import pytest

import convproof


def test_scalar_is_a_fraction():
    value = convproof.eval("sum(X) / 3", X=np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert isinstance(value, Fraction)
    assert value == Fraction(10, 3)


def test_thirds_stay_exact():
    value = convproof.eval("X / 3", X=np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert value.dtype == object
    assert value.shape == (2, 2)
    assert value.tolist() == [[Fraction(1, 3), Fraction(2, 3)],
                              [Fraction(1), Fraction(4, 3)]]


def test_float64_when_every_entry_is_a_double():
    value = convproof.eval("X / 2 - Y", X=[[1, 2], [3, 4]], Y=[[0, 0], [0, 1]])
    assert value.dtype == np.float64
    assert value.tolist() == [[0.5, 1.0], [1.5, 1.0]]


def test_floats_are_taken_at_their_exact_value():
    # the double nearest 0.1 is 3602879701896397 / 2^55; ten of it is not 1
    value = convproof.eval("X * 10", X=np.array([0.1]))
    assert value.dtype == object
    assert value[0] == Fraction(0.1) * 10 == Fraction(18014398509481985, 2 ** 54)
    assert value[0] != 1


def test_beyond_the_doubles_stays_exact():
    # 2^1200 is above the largest double (just under 2^1024)
    value = convproof.eval("X * X", X=[2 ** 600, 3])
    assert value.dtype == object
    assert value.tolist() == [2 ** 1200, 9]


def test_conv2d_by_hand():
    # a 3x3 image 1..9, a 2x2 kernel [[1, 0], [0, -1]]: each output is the
    # window's top-left minus its bottom-right, x[i][j] - x[i+1][j+1] = -4
    x = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    assert convproof.eval("conv2d(X, W)", X=x, W=w).tolist() == [[[[-4.0, -4.0], [-4.0, -4.0]]]]
    # with padding 1 the corners see one entry each: out[0][0] = -x[0][0]
    padded = convproof.eval_fractions("conv2d(X, W, padding=1)", X=x, W=w)
    assert padded[0][0][0] == [-1, -2, -3, 0]
    assert padded[0][0][3] == [0, 7, 8, 9]


def test_matmul_of_fractions():
    a = [[Fraction(1, 2), 1], [0, Fraction(-1, 3)]]
    b = [[2, 0], [3, 6]]
    # by hand: [[1/2*2 + 1*3, 1*6], [-1/3*3, -1/3*6]] = [[4, 6], [-1, -2]]
    assert convproof.eval_fractions("A @ B", A=a, B=b) == [[4, 6], [-1, -2]]


def test_errors():
    with pytest.raises(convproof.ConvproofError, match=r"^<expr>:1:"):
        convproof.eval("X +", X=[1])
    with pytest.raises(convproof.ConvproofError, match="unknown name"):
        convproof.eval("Y + 1", X=[1])
    with pytest.raises(ValueError):
        convproof.eval("X", X=[float("nan")])
