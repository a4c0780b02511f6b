"""Segment and period tests: Fisher for small counts, Holm / BH across a family, and
segments too small to test. Expected values by hand and from scipy.stats."""

from __future__ import annotations

import json

import pytest
from scipy.stats import chi2_contingency, false_discovery_control, fisher_exact

from funnelctl.metrics.compare import compare_funnel
from funnelctl.metrics.stats import (
    adjust,
    benjamini_hochberg,
    fisher_exact_p,
    holm,
    needs_exact,
    proportion_test,
)
from funnelctl.report import FunnelResult, StageResult
from tests.conftest import write_csv

P = [0.01, 0.04, 0.03, 0.005]


def test_holm_by_hand():
    # Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04, kept
    # monotone: max(0.06, 0.04) = 0.06.
    assert holm(P) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1


def test_benjamini_hochberg_by_hand_and_against_scipy():
    # Ranks 1..4: 0.005 x 4/1 = 0.02; 0.01 x 4/2 = 0.02; 0.03 x 4/3 = 0.04; 0.04 x 4/4 = 0.04.
    assert benjamini_hochberg(P) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    assert benjamini_hochberg(ps) == pytest.approx(list(false_discovery_control(ps)))


def test_adjust_skips_untested_and_none_leaves_p_alone():
    assert adjust([0.01, None, 0.04], "holm") == pytest.approx([0.02, None, 0.04])
    assert adjust([0.01, None, 0.04], "none") == [0.01, None, 0.04]
    assert adjust([], "bh") == []


def test_fisher_by_hand():
    # [[3, 0], [0, 3]]: of the C(6, 3) = 20 tables with these margins, 3|0 and 0|3 have
    # probability 1/20 each, the two others 9/20: two-sided p = 2/20.
    assert fisher_exact_p(3, 0, 0, 3) == pytest.approx(0.1)
    assert fisher_exact_p(0, 0, 0, 0) == 1.0
    assert fisher_exact_p(5, 0, 5, 0) == 1.0  # nothing failed: nothing to test


@pytest.mark.parametrize("table", [
    (1, 9, 11, 3), (3, 1, 1, 3), (0, 10, 5, 5), (2, 7, 8, 2), (7, 2, 2, 7),
    (10, 0, 0, 10), (4, 96, 15, 85), (1, 199, 9, 191), (12, 5, 3, 20), (0, 50, 1, 49),
    (25, 1975, 40, 1960),
])
def test_fisher_matches_scipy(table):
    a, b, c, d = table
    expected = fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue
    assert fisher_exact_p(a, b, c, d) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_small_expected_cells_use_fisher():
    # 2/10 vs 8/10: expected successes 5 and 5, failures 5 and 5: none below 5 -> z-test.
    assert not needs_exact(2, 10, 8, 10)
    assert proportion_test(2, 10, 8, 10)[1] == "z"
    # 1/10 vs 4/10: expected successes 2.5: Fisher.
    p, test = proportion_test(1, 10, 4, 10)
    assert test == "fisher"
    assert p == pytest.approx(fisher_exact([[1, 9], [4, 6]]).pvalue)
    assert proportion_test(0, 0, 1, 2) == (None, None)


def stages(entered):
    return [StageResult(f"S{i}", n, None, None, None, None) for i, n in enumerate(entered)]


def test_period_comparison_adjusts_a_funnel_as_one_family():
    now = FunnelResult("F", "deals", "deals", 1000, stages([1000, 600, 270]))
    before = FunnelResult("F", "deals", "deals", 1000, stages([1000, 650, 300]))
    comp = compare_funnel(now, before, 0.05)
    changes = [*comp.stages, comp.overall]
    raw = [chi2_contingency([[c.current_successes, c.current_trials - c.current_successes],
                             [c.previous_successes,
                              c.previous_trials - c.previous_successes]],
                            correction=False).pvalue for c in changes]
    assert [c.p_value for c in changes] == pytest.approx(raw)
    # Holm by hand over the three tests.
    order = sorted(range(3), key=raw.__getitem__)
    expected, running = [0.0] * 3, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (3 - rank) * raw[i]))
        expected[i] = running
    assert [c.p_adjusted for c in changes] == pytest.approx(expected)
    assert [c.significant for c in changes] == [p < 0.05 for p in expected]
    # 600/1000 vs 650/1000 alone is p = 0.0214 < 0.05; adjusted it is not real.
    assert raw[0] < 0.05 and not changes[0].significant and not changes[0].worse


HEADER = ["Id", "Stage", "Created", "Manager"]


def segment_config(tmp_path, rows, significance=""):
    write_csv(tmp_path / "deals.csv", HEADER, rows)
    path = tmp_path / "audit.yaml"
    path.write_text(f"""
version: 1
{significance}
sources:
  deals: {{path: deals.csv, kind: deals,
          columns: {{deal_id: Id, stage: Stage, created_at: Created, manager: Manager}}}}
funnels:
  - name: F
    source: deals
    stages: [{{name: A}}, {{name: B}}]
    breakdown: [manager]
""", encoding="utf-8")
    return path


def deals(counts: dict[str, tuple[int, int]]) -> list[list[str]]:
    """counts: manager -> (deals, of which reached B)."""
    rows, n = [], 0
    for manager, (total, reached) in counts.items():
        for i in range(total):
            n += 1
            rows.append([str(n), "B" if i < reached else "A", "2024-01-10", manager])
    return rows


# M1 reaches B 32 times in 100 against 135 in the 300 others: z-test p = 0.0224 alone,
# but one of three segment tests: Holm 3 x 0.0224 = 0.067 (and BH the same), not real.
BORDERLINE = {"M1": (100, 32), "M2": (100, 45), "M3": (100, 45), "M4": (100, 45)}


def rest_p(counts, name):
    n, x = counts[name]
    rn = sum(v[0] for v in counts.values()) - n
    rx = sum(v[1] for v in counts.values()) - x
    return chi2_contingency([[x, n - x], [rx, rn - rx]], correction=False).pvalue


def test_holm_keeps_a_borderline_segment_from_being_called_real(tmp_path, cli):
    report = cli.json("audit", segment_config(tmp_path, deals(BORDERLINE)))
    segs = {s["value"]: s for s in report["funnels"][0]["breakdowns"]["manager"]}
    raw = {name: rest_p(BORDERLINE, name) for name in BORDERLINE}
    assert raw["M1"] == pytest.approx(0.02243, abs=1e-5)
    for name, seg in segs.items():
        assert seg["p_value"] == pytest.approx(raw[name]) and seg["test"] == "z"
    assert segs["M1"]["p_adjusted"] == pytest.approx(min(1.0, 4 * raw["M1"]))
    assert not any(s["differs"] for s in segs.values())
    assert not [f for f in report["findings"] if f["code"] == "segment_below"]


def test_correction_none_calls_it_real(tmp_path, cli):
    config = segment_config(tmp_path, deals(BORDERLINE),
                            "significance: {level: 0.05, correction: none}")
    report = cli.json("audit", config)
    (finding,) = [f for f in report["findings"] if f["code"] == "segment_below"]
    assert finding["subject"] == "F / manager = M1"
    assert finding["params"]["p"] == pytest.approx(rest_p(BORDERLINE, "M1"))


def test_bh_from_the_config(tmp_path, cli):
    config = segment_config(tmp_path, deals(BORDERLINE), "significance: {correction: bh}")
    segs = cli.json("audit", config)["funnels"][0]["breakdowns"]["manager"]
    raw = [s["p_value"] for s in segs]
    assert [s["p_adjusted"] for s in segs] == pytest.approx(list(false_discovery_control(raw)))


SMALL = {"M1": (120, 40), "M2": (120, 30), "M3": (10, 9)}


def test_a_small_segment_is_listed_but_not_tested(tmp_path, cli):
    # M3 has 10 deals: below min_segment (30 by default), listed with its numbers.
    config = segment_config(tmp_path, deals(SMALL))
    report = cli.json("audit", config)
    segs = {s["value"]: s for s in report["funnels"][0]["breakdowns"]["manager"]}
    assert segs["M3"]["entities"] == 10 and segs["M3"]["stages"][1]["entered"] == 9
    assert segs["M3"]["tested"] is False and segs["M3"]["p_value"] is None
    assert segs["M3"]["p_adjusted"] is None and not segs["M3"]["differs"]
    assert segs["M1"]["tested"] and segs["M1"]["p_value"] is not None
    # Two tests in the family, not three.
    raw = [rest_p(SMALL, "M1"), rest_p(SMALL, "M2")]
    assert [segs["M1"]["p_adjusted"], segs["M2"]["p_adjusted"]] == pytest.approx(holm(raw))
    for fmt, word in (("table", "too small to test"), ("markdown", "too small to test"),
                      ("html", "too small to test")):
        out = cli("audit", config, "--format", fmt, "--fail-on", "never").stdout
        assert word in out, fmt
    ru = cli("audit", config, "--format", "markdown", "--lang", "ru", "--fail-on", "never")
    assert "мало для теста" in ru.stdout


def test_small_counts_are_tested_by_fisher(tmp_path, cli):
    # With min_segment 5, M3 (9 of 10 reach B) is tested: expected B for it is
    # 10 x 79 / 250 = 3.16 < 5, so Fisher against the rest (70 of 240).
    config = segment_config(tmp_path, deals(SMALL), "significance: {min_segment: 5}")
    report = cli.json("audit", config)
    segs = {s["value"]: s for s in report["funnels"][0]["breakdowns"]["manager"]}
    assert segs["M3"]["test"] == "fisher"
    assert segs["M3"]["p_value"] == pytest.approx(fisher_exact([[9, 1], [70, 170]]).pvalue)
    assert segs["M1"]["test"] == "z"
    raw = [segs[m]["p_value"] for m in ("M1", "M2", "M3")]
    assert [segs[m]["p_adjusted"] for m in ("M1", "M2", "M3")] == pytest.approx(holm(raw))


def test_significance_config_errors(tmp_path, cli):
    config = segment_config(tmp_path, deals(SMALL), "significance: {correction: bonferroni}")
    result = cli("audit", config)
    assert result.exit_code == 2 and "significance.correction" in result.stderr
    assert "Traceback" not in result.stderr
    config = segment_config(tmp_path, deals(SMALL), "significance: {level: 5}")
    result = cli("audit", config)
    assert result.exit_code == 2 and "significance.level" in result.stderr


def test_schema_has_the_statistics_settings(cli):
    schema = json.loads(cli("schema").stdout)
    text = json.dumps(schema)
    for key in ("significance", "min_segment", "correction", "data_quality", "min_sample"):
        assert key in text
