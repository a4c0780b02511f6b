"""Statistics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from funnelctl.metrics.stats import two_proportion_p_value, wilson_interval


def test_wilson_known_values():
    # 0/10 -> upper bound z^2 / (n + z^2) = 3.8415 / 13.8415 = 0.2775.
    low, high = wilson_interval(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    assert wilson_interval(5, 0) is None


def test_two_proportion_test_by_hand():
    # 45/100 vs 30/100: pooled 0.375, se = sqrt(0.375 * 0.625 * 0.02) = 0.068465,
    # z = 0.15 / 0.068465 = 2.1909, two-sided p = 2 * (1 - Phi(2.1909)) = 0.02846.
    p = two_proportion_p_value(45, 100, 30, 100)
    assert p == pytest.approx(0.02846, abs=1e-4)
    z = 2.1909
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), abs=1e-4)
    assert two_proportion_p_value(0, 0, 1, 2) is None
