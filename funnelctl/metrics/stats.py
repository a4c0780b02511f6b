"""Small-sample statistics for proportions: Wilson intervals and two-proportion tests."""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for successes/trials; None when there are no trials.

    Chosen over the normal approximation because funnel stages are often small and
    close to 0 or 1, where the normal interval leaves [0, 1] or collapses to a point.
    """
    if trials <= 0:
        return None
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test; None if it cannot be run."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return 2 * (1 - NormalDist().cdf(abs(z)))


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# Any expected cell of the 2x2 table below this, and the normal approximation of the
# two-proportion test is no longer trusted: Fisher's exact test is used instead.
MIN_EXPECTED = 5
# scipy's tolerance for "as extreme as the observed table" (ties in float pmf values).
_RELATIVE_TIE = 1 + 1e-7


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on [[a, b], [c, d]].

    The sum of the hypergeometric probabilities of every table with the same margins that
    is no more likely than the observed one (scipy.stats.fisher_exact's definition).
    """
    row1, col1, total = a + b, a + c, a + b + c + d
    if total == 0 or row1 in (0, total) or col1 in (0, total):
        return 1.0
    low, high = max(0, col1 - (total - row1)), min(row1, col1)
    denominator = _log_choose(total, col1)

    def log_pmf(k: int) -> float:
        return _log_choose(row1, k) + _log_choose(total - row1, col1 - k) - denominator

    observed = log_pmf(a)
    limit = observed + math.log(_RELATIVE_TIE)
    p = sum(math.exp(lp) for lp in map(log_pmf, range(low, high + 1)) if lp <= limit)
    return min(1.0, p)


def needs_exact(x1: int, n1: int, x2: int, n2: int) -> bool:
    """True when an expected cell of the table of successes and failures is below 5."""
    total = n1 + n2
    if total == 0:
        return False
    successes = x1 + x2
    failures = total - successes
    return any(n * s / total < MIN_EXPECTED for n in (n1, n2) for s in (successes, failures))


def proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, str | None]:
    """(two-sided p, the test used: "fisher" or "z") for x1/n1 against x2/n2.

    (None, None) when a group is empty; a table with no success or no failure at all has
    nothing to test and gives p = 1 by Fisher.
    """
    if n1 <= 0 or n2 <= 0:
        return None, None
    if needs_exact(x1, n1, x2, n2):
        return fisher_exact_p(x1, n1 - x1, x2, n2 - x2), "fisher"
    return two_proportion_p_value(x1, n1, x2, n2), "z"


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: the k-th smallest p times (m - k + 1), kept monotone."""
    m = len(p_values)
    order = sorted(range(m), key=p_values.__getitem__)
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg: the k-th smallest p times m / k, monotone from the largest down."""
    m = len(p_values)
    order = sorted(range(m), key=p_values.__getitem__, reverse=True)
    adjusted = [0.0] * m
    running = 1.0
    for position, i in enumerate(order):
        rank = m - position
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


CORRECTIONS = {"holm": holm, "bh": benjamini_hochberg, "none": list}


def adjust(p_values: list[float | None], correction: str) -> list[float | None]:
    """Adjusted p-values for one family of tests; None (no test) stays None and is not
    counted in the family."""
    ran = [i for i, p in enumerate(p_values) if p is not None]
    adjusted = CORRECTIONS[correction]([p_values[i] for i in ran])
    out: list[float | None] = [None] * len(p_values)
    for i, p in zip(ran, adjusted):
        out[i] = p
    return out
