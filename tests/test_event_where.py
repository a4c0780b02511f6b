"""`where:` filters of event-funnel steps: each operator on rows worked out by hand, AND
within a step, OR over a list of alternatives, and the config errors."""

from __future__ import annotations

import json

import polars as pl
import pytest

from funnelctl.config import Stage
from funnelctl.metrics.events import step_condition
from tests.conftest import assert_error, write_csv

EVENTS = pl.DataFrame({
    "event": ["view"] * 6 + ["buy"],
    "page": ["/Cart", "/cart/step-2", "/home", None, "", "/cart", "/cart"],
    "amount": ["120", "99.5", "abc", None, "100", "7", "500"],  # text, as from a CSV
    "seats": [1, 5, 10, None, 3, 5, 5],
})


def matching(where) -> list[int]:
    """Row numbers (0-6) of EVENTS that pass the stage 'view' with this where."""
    stage = Stage.model_validate({"name": "s", "match": ["view"], "where": where})
    return EVENTS.with_row_index().filter(step_condition(stage, EVENTS.schema))["index"] \
        .to_list()


@pytest.mark.parametrize(("where", "rows"), [
    ({"page": "/cart"}, [5]),                                  # equals, case-sensitive
    ({"page": ["/cart", "/home"]}, [2, 5]),                    # a list: any of them
    ({"page": {"=": "/home"}}, [2]),
    ({"page": {"!=": "/cart"}}, [0, 1, 2, 3, 4]),              # a missing value differs
    ({"page": {"not": "/cart"}}, [0, 1, 2, 3, 4]),
    ({"page": {"in": ["/home", "/Cart"]}}, [0, 2]),
    ({"page": {"not in": ["/home", "/Cart"]}}, [1, 3, 4, 5]),
    ({"page": {"present": True}}, [0, 1, 2, 5]),               # empty text is absent
    ({"page": {"absent": True}}, [3, 4]),
    ({"page": {"present": False}}, [3, 4]),
    ({"page": {"contains": "CART"}}, [0, 1, 5]),               # case-insensitive
    ({"page": {"contains": ".*"}}, []),                        # taken literally
    ({"page": {"regex": "^/cart/step-[0-9]$"}}, [1]),
    ({"amount": {">": 99.5}}, [0, 4]),                         # 'abc' and null fail
    ({"amount": {">=": 99.5}}, [0, 1, 4]),
    ({"amount": {"<": 100}}, [1, 5]),
    ({"amount": {"<=": 100}}, [1, 4, 5]),
    ({"seats": {">=": 5, "<": 10}}, [1, 5]),                   # operators: AND
    ({"seats": 5}, [1, 5]),
    ({"page": {"contains": "cart"}, "seats": {">": 1}}, [1, 5]),           # properties: AND
    ([{"page": "/home"}, {"amount": {">": 100}, "seats": 1}], [0, 2]),  # a list: OR
])
def test_where_operators(where, rows):
    assert matching(where) == rows


CONFIG = """\
version: 1
sources:
  log: {path: events.csv, kind: events, columns: {entity_id: user, event: action, ts: time}}
funnels:
  - name: Shop
    source: log
    window: 1d
    stages:
      - {name: Visit, match: [visit]}
      - name: Big order
        match: [purchase]
        where:
          - {amount: {">=": 100}}
          - {coupon: {present: true}, country: {not in: [RU, BY]}}
"""


def test_where_alternatives_through_the_audit(cli, tmp_path):
    """u1 spends 150, u2 40 with a coupon from DE, u3 40 with a coupon from RU, u4 40
    without a coupon: a big order for u1 and u2 only."""
    rows = [["u1", "visit", "2024-03-01T10:00:00Z", "", "", ""],
            ["u1", "purchase", "2024-03-01T11:00:00Z", "150", "", "RU"],
            ["u2", "visit", "2024-03-01T10:00:00Z", "", "", ""],
            ["u2", "purchase", "2024-03-01T11:00:00Z", "40", "SPRING", "DE"],
            ["u3", "visit", "2024-03-01T10:00:00Z", "", "", ""],
            ["u3", "purchase", "2024-03-01T11:00:00Z", "40", "SPRING", "RU"],
            ["u4", "visit", "2024-03-01T10:00:00Z", "", "", ""],
            ["u4", "purchase", "2024-03-01T11:00:00Z", "40", "", "DE"]]
    write_csv(tmp_path / "events.csv", ["user", "action", "time", "amount", "coupon",
                                        "country"], rows)
    (tmp_path / "audit.yaml").write_text(CONFIG)
    report = cli.json("audit", tmp_path / "audit.yaml")
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [4, 2]



@pytest.mark.parametrize("engine", [{}, {"engine": "clickhouse", "url": "chdb:"}],
                         ids=["polars", "clickhouse"])
def test_a_value_of_zero_width_characters_only_is_absent(cli, tmp_path, engine):
    """u1 buys with a coupon, u2 with a coupon cell of U+200B alone (a blank cell pasted
    from a web page): only u1 passes `present: true`."""
    if engine:
        pytest.importorskip("chdb")
    write_csv(tmp_path / "events.csv", ["user", "action", "time", "coupon"], [
        ["u1", "visit", "2024-03-01T10:00:00Z", ""],
        ["u1", "purchase", "2024-03-01T11:00:00Z", "SPRING"],
        ["u2", "visit", "2024-03-01T10:00:00Z", ""],
        ["u2", "purchase", "2024-03-01T11:00:00Z", "\u200b"]])
    columns = {"entity_id": "user", "event": "action", "ts": "time"}
    config = {"version": 1,
              "sources": {"log": {"path": "events.csv", "kind": "events", "columns": columns,
                                  **engine}},
              "funnels": [{"name": "Shop", "source": "log", "window": "1d", "stages": [
                  {"name": "Visit", "match": ["visit"]},
                  {"name": "Coupon order", "match": ["purchase"],
                   "where": {"coupon": {"present": True}}}]}]}
    (tmp_path / "audit.yaml").write_text(json.dumps(config), encoding="utf-8")
    report = cli.json("audit", tmp_path / "audit.yaml")
    assert [s["entered"] for s in report["funnels"][0]["stages"]] == [2, 1]

@pytest.mark.parametrize(("bad", "fragments"), [
    ('{amount: {like: "1%"}}', ["audit.yaml:12:", "where.amount: unknown operator 'like'",
                                "not in"]),
    ('{coupon: {regex: "(unclosed"}}', ["audit.yaml:12:", "regex '(unclosed' does not compile"]),
    ("{coupon: {}}", ["audit.yaml:12:", "where.coupon: an empty test"]),
    ('{amount: {">": many}}', ["audit.yaml:12:", "where.amount.>: Input should be a valid number"]),
])
def test_bad_where_is_a_config_error_with_its_line(cli, tmp_path, bad, fragments):
    write_csv(tmp_path / "events.csv", ["user", "action", "time"],
              [["u1", "visit", "2024-03-01T10:00:00Z"]])
    text = CONFIG.replace('          - {amount: {">=": 100}}', f"          - {bad}")
    (tmp_path / "audit.yaml").write_text(text)
    assert_error(cli("audit", tmp_path / "audit.yaml"), *fragments)


@pytest.mark.parametrize(("line", "fragments"), [
    ("    window: 40000000000000w", ["audit.yaml:7:", "longer than ClickHouse's windowFunnel"]),
    ("    window: 1d\n    order: sideways", ["audit.yaml:8:", "order", "strict_increase"]),
    ("    window: 1d\n    order: strict_increase\n    kind: deals",
     ["audit.yaml:9:", "unknown key 'kind'"]),
])
def test_bad_window_or_order_is_a_config_error(cli, tmp_path, line, fragments):
    write_csv(tmp_path / "events.csv", ["user", "action", "time"],
              [["u1", "visit", "2024-03-01T10:00:00Z"]])
    (tmp_path / "audit.yaml").write_text(CONFIG.replace("    window: 1d", line))
    assert_error(cli("audit", tmp_path / "audit.yaml"), *fragments)


def test_deal_funnels_reject_event_only_keys(cli, write):
    write("deals.csv", "id,stage,created\n1,New,2024-01-01\n")
    config = write("audit.yaml", """
        version: 1
        sources:
          deals: {path: deals.csv, kind: deals, columns: {deal_id: id, created_at: created}}
        funnels:
          - name: Deals
            source: deals
            order: strict_increase
            stages:
              - {name: New}
              - {name: Won, within: 1d, first_time: true}
        """)
    assert_error(cli("audit", config), "audit.yaml:7:", "order applies to event funnels only",
                 "within applies to event funnels only", "first_time applies to event funnels")


def test_schema_describes_where_operators(cli):
    import json

    schema = json.loads(cli("schema").stdout)
    operators = schema["$defs"]["Operators"]
    assert set(operators["properties"]) == {"=", "!=", "not", "in", "not in", "present",
                                            "absent", "contains", "regex", ">", ">=", "<", "<="}
    assert operators["additionalProperties"] is False
    where = json.dumps(schema["$defs"]["Stage"]["properties"]["where"])
    assert where.count("#/$defs/Operators") == 2  # a mapping, or a list of mappings
    funnel = schema["$defs"]["Funnel"]["properties"]
    one, combined = funnel["order"]["anyOf"]  # a mode, or ClickHouse's modes combined
    assert one["enum"] == ["default", "strict_order", "strict_deduplication", "strict_increase",
                           "allow_reentry", "distinct_events", "unordered"]
    assert combined["items"]["enum"] == ["strict_increase", "strict_order",
                                         "strict_deduplication", "allow_reentry"]
    assert {"within", "first_time"} <= set(schema["$defs"]["Stage"]["properties"])
