"""The JSON renderer on a small report whose text is written out by hand below."""

from __future__ import annotations

import datetime as dt
import json
import math

from funnelctl.render import RenderOptions, renderer
from funnelctl.report import DataQuality, Finding, Period, Report, SourceQuality

# Values a spreadsheet, a template engine, a shell or a browser would act on: the report
# carries them as plain text.
HOSTILE = ['=HYPERLINK("x")', "{{ 7*7 }}", "<b>&amp;</b>", "$(rm -rf ~)", "a\\nb",
           'q"uote', "tab\there", "Смирнова Анна", "\u2028"]


def report(value: float, rejected_share: float) -> Report:
    quality = SourceQuality(name="calls", path="act.csv", rows_read=3, rows_rejected=1,
                            reasons={"unparseable ts": 1}, notes=HOSTILE,
                            rejected_share=rejected_share)
    finding = Finding("warn", "norms_below_share", HOSTILE[0], "m", value=value,
                      params={"day": dt.date(2024, 2, 5), "n": 2, "names": ("A", "B")})
    return Report(tool_version="0", generated_at=dt.datetime(2024, 2, 6, 7, 8, 9,
                                                             tzinfo=dt.timezone.utc),
                  title="T", period=Period(dt.date(2024, 2, 5), None), verdict="warn",
                  findings=[finding], funnels=[], norms=None,
                  data_quality=DataQuality([quality]))


def render(report: Report, color: bool = False) -> str:
    return renderer("json")(report, RenderOptions(color=color))


# The report of report(0.25, 0.5), field by field in the dataclasses' order.
EXPECTED = {
    "tool_version": "0", "generated_at": "2024-02-06T07:08:09+00:00", "title": "T",
    "period": {"start": "2024-02-05", "end": None, "as_of": None}, "verdict": "warn",
    "findings": [{"severity": "warn", "code": "norms_below_share", "subject": HOSTILE[0],
                  "message": "m", "value": 0.25, "threshold": None,
                  "params": {"day": "2024-02-05", "n": 2, "names": ["A", "B"]},
                  "source": None, "low_confidence": False}],
    "funnels": [], "norms": None,
    "data_quality": {"sources": [{
        "name": "calls", "path": "act.csv", "rows_read": 3, "rows_rejected": 1,
        "reasons": {"unparseable ts": 1}, "detected": {}, "unmatched_stages": {},
        "other_types": {}, "notes": HOSTILE, "value_problems": {}, "rejected_share": 0.5}]},
    "schema_version": 1, "language": "en", "comparison": None, "last_run_verdict": None,
    "managers": [], "scorecard": None,
}


def test_compact_text_is_the_report_in_field_order():
    text = render(report(0.25, 0.5))
    assert text.endswith("}\n") and "\n" not in text[:-1]
    parsed = json.loads(text)
    assert parsed == EXPECTED
    assert list(parsed) == list(EXPECTED)  # key order too
    assert list(parsed["findings"][0]) == list(EXPECTED["findings"][0])
    assert list(parsed["data_quality"]["sources"][0]) == list(
        EXPECTED["data_quality"]["sources"][0])


def test_indented_at_a_terminal():
    text = render(report(0.25, 0.5), color=True)
    assert json.loads(text) == EXPECTED
    assert text.startswith('{\n  "tool_version": "0",\n  "generated_at": ')
    assert '\n  "period": {\n    "start": "2024-02-05",\n    "end": null,' in text
    assert '\n  "funnels": [],\n  "norms": null,\n' in text


def test_non_finite_numbers_become_null():
    for value in (math.nan, math.inf, -math.inf):
        for color in (False, True):
            parsed = json.loads(render(report(value, value), color))
            assert parsed["findings"][0]["value"] is None
            assert parsed["data_quality"]["sources"][0]["rejected_share"] is None


def test_text_values_are_written_as_text_not_interpreted():
    text = render(report(0.25, 0.5))
    parsed = json.loads(text)
    assert parsed["data_quality"]["sources"][0]["notes"] == HOSTILE
    assert parsed["findings"][0]["subject"] == '=HYPERLINK("x")'
    # Non-ASCII text as itself (UTF-8), quotes and control characters escaped.
    assert "Смирнова Анна" in text and '"q\\"uote"' in text and '"tab\\there"' in text
    assert '"a\\\\nb"' in text  # a backslash and an n in the data, not a newline


def test_subclasses_of_numbers_and_tuples_are_their_plain_values():
    class Share(float):
        pass

    class Pair(tuple):
        pass

    finding = report(0.25, 0.5)
    finding.findings[0].params = {"share": Share(0.5), "none": Share(math.nan),
                                  "pair": Pair((1, 2)), 3: "three"}
    parsed = json.loads(render(finding))
    assert parsed["findings"][0]["params"] == {"share": 0.5, "none": None, "pair": [1, 2],
                                               "3": "three"}
