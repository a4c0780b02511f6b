"""The Russian plan_behind finding names the pipeline coverage only when it is known."""

from funnelctl.render.fmt import Fmt
from funnelctl.render.labels import finding_message
from funnelctl.report import Finding


def _behind(coverage):
    return Finding(severity="warn", code="plan_behind", subject="Воронка / Анна", message="",
                   params={"funnel": "Воронка", "manager": "Анна", "start": "2026-12-01",
                           "end": "2026-12-31", "won": "0", "plan": "1,000",
                           "attainment": 0.0, "expected": "217", "pace": "43",
                           "days_left": 18, "coverage": coverage, "as_of": "2026-12-07"})


def test_coverage_said_when_known():
    text = finding_message(_behind(0.41), "ru", Fmt("ru"))
    assert "покрывает 41% остатка" in text
    assert "20%" in text


def test_coverage_left_out_when_unknown():
    text = finding_message(_behind(None), "ru", Fmt("ru"))
    assert "покрывает" not in text and "None" not in text and "–" not in text
