"""Exclusion steps (`exclude:`) and optional steps (`optional: true`) of event funnels:
hand-worked cases, seeded fuzz against the plain-Python reference of
tests/funnel_reference_steps.py, chdb where ClickHouse can say the answer, config errors,
and the report in every renderer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from funnelctl.config import Funnel, Source, Stage
from funnelctl.config.steps import Exclusion
from funnelctl.io.events import read_events
from funnelctl.io.readers import open_source
from funnelctl.metrics.events import funnel_entities, prepare
from tests.chdb_support import levels, write_parquet
from tests.conftest import assert_error
from tests.funnel_reference_steps import reference_steps

S = 1_000_000
T0 = 1_704_067_200
STEPS = ["a", "b", "c", "d"]


def spec(**options) -> dict:
    """Keyword options, for the tables of cases below."""
    return options


def funnel_of(steps, optional=None, exclude=(), window="10s", order="default", within=None):
    optional = optional or [False] * len(steps)
    within = within or [None] * len(steps)
    return Funnel(name="F", source="events", window=window, order=order, stages=[
        Stage(name=s, match=[s], optional=o, within=w) for s, o, w in zip(steps, optional, within)],
        exclude=[Exclusion(match=sorted(names), between=[steps[a - 1], steps[b - 1]])
                 for names, a, b in exclude])


def read(path: Path, names: list[str]):
    source = Source(path=path, kind="events")
    return read_events(open_source("events", source), source, "UTC", names, []).frame


def outcomes(frame, funnel) -> dict:
    """entity -> (depth, steps reached, excluded) as funnelctl counts them."""
    n = len(funnel.stages)
    out = {}
    for row in funnel_entities(frame, funnel).iter_rows(named=True):
        reached = {1} | {k for k in range(2, n + 1) if row[f"time_{k}"] is not None}
        out[str(row["entity_id"])] = (row["depth"], reached, bool(row.get("excluded", False)))
    return out


def expected_of(rows, funnel_steps, window, **options) -> dict:
    return {e: (o.depth, o.reached, o.excluded) for e, o in
            reference_steps(rows, [{s} for s in funnel_steps], window, **options).items()}


def parquet(tmp_path: Path, rows: list[tuple], unit: int = S) -> Path:
    """rows: (entity, event, t) with t in seconds (unit=S) or already µs (unit=1)."""
    return write_parquet(tmp_path / "events.parquet", [(e, s, t * unit, "") for e, s, t in rows])


def one(tmp_path, events: list[tuple[str, int]], **funnel) -> tuple:
    """One entity's (depth, reached, excluded) from (event, second) pairs."""
    rows = [(1, name, T0 + t) for name, t in events]
    got = outcomes(read(parquet(tmp_path, rows), [*STEPS, "x"]), funnel_of(**funnel))
    return got.get("1")


X_A_C = spec(steps=STEPS[:3], exclude=[({"x"}, 1, 3)])  # exclude x between a and c
HAND = [
    # (what, events, funnel, (depth, reached, excluded)): worked out from the definitions
    ("x between a and c", [("a", 0), ("x", 1), ("b", 2), ("c", 3)], X_A_C,
     (2, {1, 2}, True)),
    ("x after c", [("a", 0), ("b", 1), ("c", 2), ("x", 3)], X_A_C, (3, {1, 2, 3}, False)),
    ("x at the instant of a: not after it", [("x", 0), ("a", 0), ("b", 1), ("c", 2)], X_A_C,
     (3, {1, 2, 3}, False)),
    ("x at the instant of c: not before it", [("a", 0), ("b", 1), ("c", 2), ("x", 2)], X_A_C,
     (3, {1, 2, 3}, False)),
    ("no c, x within the window", [("a", 0), ("b", 1), ("x", 10)], X_A_C,
     (2, {1, 2}, True)),
    ("no c, x past the window", [("a", 0), ("b", 1), ("x", 11)], X_A_C,
     (2, {1, 2}, False)),
    ("a new attempt after x", [("a", 0), ("x", 1), ("a", 2), ("b", 3), ("c", 4)], X_A_C,
     (3, {1, 2, 3}, False)),
    ("the spoiled attempt stops; a clean one as deep", [("a", 0), ("x", 1), ("b", 2),
                                                        ("c", 3), ("a", 20), ("b", 21)],
     X_A_C, (2, {1, 2}, False)),
    ("x between a and b, after the first b: the clean reach goes on",
     [("a", 0), ("b", 1), ("x", 2), ("b", 3), ("c", 4)],
     spec(steps=STEPS[:3], exclude=[({"x"}, 1, 2)]), (3, {1, 2, 3}, False)),
    ("x between b and c only: x before b does not count",
     [("a", 0), ("x", 1), ("b", 2), ("c", 3)],
     spec(steps=STEPS[:3], exclude=[({"x"}, 2, 3)]), (3, {1, 2, 3}, False)),
    ("optional b skipped", [("a", 0), ("c", 1)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (3, {1, 3}, False)),
    ("optional b done", [("a", 0), ("b", 1), ("c", 2)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (3, {1, 2, 3}, False)),
    ("optional b after c: not in the attempt that counts", [("a", 0), ("c", 1), ("b", 2)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (3, {1, 3}, False)),
    ("optional b in a second, shallower attempt", [("a", 0), ("c", 1), ("a", 20), ("b", 21)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (3, {1, 3}, False)),
    ("optional b in the first attempt to reach c", [("a", 0), ("b", 1), ("c", 2), ("a", 3),
                                                    ("c", 4)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (3, {1, 2, 3}, False)),
    ("c past the window of a, b in it", [("a", 0), ("b", 5), ("c", 11)],
     spec(steps=STEPS[:3], optional=[False, True, False]), (2, {1, 2}, False)),
    ("within: c 2s after b, the latest reach before it",
     [("a", 0), ("b", 4), ("c", 5)],
     spec(steps=STEPS[:3], optional=[False, True, False], within=[None, None, "2s"]),
     (3, {1, 2, 3}, False)),
    ("within: c 5s after a, no b", [("a", 0), ("c", 5)],
     spec(steps=STEPS[:3], optional=[False, True, False], within=[None, None, "2s"]),
     (1, {1}, False)),
    ("strict_increase: c at b's instant does not follow it", [("a", 0), ("b", 1), ("c", 1)],
     spec(steps=STEPS[:3], optional=[False, True, False], order="strict_increase"),
     (2, {1, 2}, False)),
    ("optional c and an exclusion between a and d", [("a", 0), ("b", 1), ("x", 2), ("d", 3)],
     spec(steps=STEPS, optional=[False, False, True, False], exclude=[({"x"}, 1, 4)]),
     (2, {1, 2}, True)),
]


@pytest.mark.parametrize("what, events, funnel, expected", HAND, ids=[h[0] for h in HAND])
def test_hand_worked_cases(tmp_path, what, events, funnel, expected):
    assert one(tmp_path, events, **funnel) == expected
    # The reference gives the same answer from the definitions (its own check).
    f = funnel_of(**funnel)
    rows = [(1, name, t) for name, t in events]
    options = reference_options(f)
    assert expected_of(rows, funnel["steps"], 10, **options)["1"] == expected


def reference_options(funnel: Funnel, unit: int = 1) -> dict:
    names = [s.name for s in funnel.stages]
    within = [s.within_seconds() for s in funnel.stages]
    return spec(optional=[s.optional for s in funnel.stages],
                exclusions=[(set(x.match), names.index(x.between[0]) + 1,
                             names.index(x.between[1]) + 1) for x in funnel.exclude],
                strict_increase=funnel.order == "strict_increase",
                within=[None if w is None else w * unit for w in within])


def fuzz(seed: int, n_entities: int = 300, grid: int = 3600, jitter: int = 1,
         t0: int = T0, names=(*STEPS, "x", "y")) -> list[tuple]:
    """A grid with ±jitter: ties, repeats, out-of-order rows and window edges are common."""
    rng = random.Random(seed)
    rows = []
    for e in range(n_entities):
        for _ in range(rng.randint(1, 3)):
            t = t0 + rng.randrange(0, 30) * grid
            for name in names:
                if rng.random() < 0.3:
                    continue
                t += rng.choice([0, 0, 1, 1, 2, 3]) * grid + rng.choice([0, 0, 0, jitter, -jitter])
                rows.append((e, name, t))
                if rng.random() < 0.15:  # a repeat, now or a little later
                    rows.append((e, name, t + rng.choice([0, jitter, grid])))
        rows += [(e, rng.choice(names), t0 + rng.randrange(0, 40) * grid)
                 for _ in range(rng.randint(0, 2))]
    rng.shuffle(rows)
    return rows


FUZZ_FUNNELS = [
    spec(steps=STEPS, exclude=[({"x"}, 1, 3)]),
    spec(steps=STEPS, exclude=[({"x"}, 2, 4), ({"y"}, 1, 2)]),
    spec(steps=STEPS, optional=[False, True, False, False]),
    spec(steps=STEPS, optional=[False, True, True, False]),
    spec(steps=STEPS, optional=[False, True, False, False], exclude=[({"x", "y"}, 1, 3)]),
    spec(steps=STEPS, optional=[False, False, True, False], exclude=[({"x"}, 2, 4),
                                                                     ({"c"}, 1, 2)]),
    spec(steps=STEPS, optional=[False, True, False, False],
         within=[None, None, "2h", None], exclude=[({"x"}, 3, 4)]),
]


@pytest.mark.parametrize("order", ["default", "strict_increase"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fuzz_equals_the_reference(tmp_path, seed, order):
    rows = fuzz(seed)
    frame = read(parquet(tmp_path, rows), [*STEPS, "x", "y"])
    excluded = skipped = 0
    for spec in FUZZ_FUNNELS:
        funnel = funnel_of(**spec, window="4h", order=order)
        expected = expected_of(rows, STEPS, 4 * 3600, **reference_options(funnel))
        assert outcomes(frame, funnel) == expected, spec
        excluded += sum(v[2] for v in expected.values())
        skipped += sum(1 for depth, reached, _ in expected.values()
                       if any(k not in reached for k in range(1, depth)))
    assert excluded > 100 and skipped > 50  # the exclusions and the optional steps bite


@pytest.mark.parametrize("unit, grid, window", [("ms", 250_000, "1s"), ("us", 700, "1s")])
def test_sub_second_fuzz_equals_the_reference(tmp_path, unit, grid, window):
    """Millisecond (and microsecond) ticks: events 1 ms (1 µs) apart keep their order."""
    jitter = 1000 if unit == "ms" else 1
    rows = fuzz(7, grid=grid, jitter=jitter, t0=T0 * S)
    frame = read(parquet(tmp_path, rows, unit=1), [*STEPS, "x", "y"])
    for spec in FUZZ_FUNNELS[4:6]:
        for order in ("default", "strict_increase"):
            funnel = funnel_of(**spec, window=window, order=order)
            expected = expected_of(rows, STEPS, S, **reference_options(funnel, S))
            assert outcomes(frame, funnel) == expected
            assert sum(v[2] for v in expected.values()) > 20


def test_ranked_keys_equal_the_reference(tmp_path):
    """µs over 8 years for ids spread over 2**25: the ranked keys (real ticks compared)."""
    rng = random.Random(12)
    t0 = T0 * S
    rows = []
    for e in range(300):
        t = t0 + rng.randrange(0, 100) * 3600 * S
        for name in (*STEPS, "x"):
            t += rng.choice([0, 0, 1, 2]) * 1800 * S + rng.choice([0, 1, -1])
            rows += [(10 + 80_000 * e, name, t)] * rng.choice([1, 1, 2])
    rows.append((10, "a", t0 + 8 * 365 * 86400 * S))
    frame = read(parquet(tmp_path, rows, unit=1), [*STEPS, "x"])
    for spec in FUZZ_FUNNELS[4:]:
        funnel = funnel_of(**spec, window="3h")
        assert prepare(frame, funnel).ranked  # the case this test is for
        expected = expected_of(rows, STEPS, 3 * 3600 * S, **reference_options(funnel, S))
        assert outcomes(frame, funnel) == expected


def test_without_an_exclusion_event_the_depth_is_clickhouses(tmp_path):
    """An entity with no excluded event is never excluded and reaches what ClickHouse's
    windowFunnel says; an excluded entity has an excluded event."""
    rows = fuzz(21)
    path = parquet(tmp_path, rows)
    frame = read(path, [*STEPS, "x"])
    clickhouse = levels(path, [f"event = '{s}'" for s in STEPS], 4 * 3600 * S)
    with_x = {str(e) for e, name, _ in rows if name == "x"}
    got = outcomes(frame, funnel_of(STEPS, exclude=[({"x"}, 1, 3)], window="4h"))
    clean = {e: v[0] for e, v in got.items() if e not in with_x}
    assert clean == {e: d for e, d in clickhouse.items() if e not in with_x}
    assert {e for e, v in got.items() if v[2]} <= with_x
    assert sum(v[2] for v in got.values()) > 20


def test_optional_steps_leave_the_required_ones_as_clickhouse_has_them(tmp_path):
    """In the default order an optional step never changes how far an entity gets along
    the required steps: that is windowFunnel over the required steps alone."""
    rows = fuzz(22)
    path = parquet(tmp_path, rows)
    frame = read(path, STEPS)
    got = outcomes(frame, funnel_of(STEPS, optional=[False, True, False, False], window="4h"))
    clickhouse = levels(path, ["event = 'a'", "event = 'c'", "event = 'd'"], 4 * 3600 * S)
    required = {e: len([k for k in (1, 3, 4) if k in reached]) for e, (_, reached, _) in
                got.items()}
    assert required == clickhouse
    assert any(2 not in reached and 3 in reached for _, reached, _ in got.values())


CONFIG = """version: 1
sources: {{events: {{path: events.csv, kind: events}}}}
funnels:
  - name: Shop
    source: events
    window: 1h
{extra}    stages:
      - {{name: visit}}
      - {{name: "{second}", match: [coupon], optional: true}}
      - {{name: cart, match: [add_to_cart]}}
      - {{name: order, match: [purchase]}}
"""
EXCLUDE = """    exclude:
      - {match: [support_call], where: {topic: {"!=": billing}}, between: [visit, order]}
"""
EVENTS = [  # entity, event, minute, topic: worked by hand below
    ("u1", "visit", 0, ""), ("u1", "coupon", 1, ""), ("u1", "add_to_cart", 2, ""),
    ("u1", "purchase", 3, ""),                                     # all four
    ("u2", "visit", 0, ""), ("u2", "add_to_cart", 5, ""),           # no coupon, no order
    ("u3", "visit", 0, ""), ("u3", "support_call", 1, "refund"),    # excluded: call between
    ("u3", "add_to_cart", 2, ""), ("u3", "purchase", 3, ""),
    ("u4", "visit", 0, ""), ("u4", "support_call", 1, "billing"),   # billing: not excluded
    ("u4", "add_to_cart", 2, ""), ("u4", "purchase", 3, ""),
    ("u5", "visit", 0, ""), ("u5", "coupon", 2, ""),                 # coupon only
    ("u6", "visit", 0, ""),                                          # visit only
]


def write_events(tmp_path: Path) -> None:
    lines = ["entity_id,event,ts,topic"] + [
        f"{e},{name},2024-03-01T10:{m:02d}:00Z,{topic}" for e, name, m, topic in EVENTS]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n")


def audit_config(tmp_path: Path, second: str = "coupon", exclude: bool = True) -> Path:
    path = tmp_path / "audit.yaml"
    path.write_text(CONFIG.format(extra=EXCLUDE if exclude else "", second=second))
    return path


def test_the_report_counts_by_hand(cli, tmp_path):
    """u3 excluded (a non-billing call between visit and order); 5 counted: visit 5,
    coupon 2 (u1, u5), cart 3 (u1, u2, u4), order 2 (u1, u4). The cart converts from visit
    (3 / 5), not from the optional coupon step."""
    write_events(tmp_path)
    report = cli.json("audit", audit_config(tmp_path))
    funnel = report["funnels"][0]
    assert funnel["excluded"] == 1 and funnel["entities"] == 5
    stages = funnel["stages"]
    assert [s["entered"] for s in stages] == [5, 2, 3, 2]
    assert [s["optional"] for s in stages] == [False, True, False, False]
    assert stages[1]["conversion_from_previous"] == pytest.approx(2 / 5)
    assert stages[2]["conversion_from_previous"] == pytest.approx(3 / 5)
    assert stages[3]["conversion_from_previous"] == pytest.approx(2 / 3)
    without = cli.json("audit", audit_config(tmp_path, exclude=False))["funnels"][0]
    assert without["excluded"] is None and without["entities"] == 6
    typo = audit_config(tmp_path).read_text().replace("[support_call]", "[suport_call]")
    (tmp_path / "audit.yaml").write_text(typo)
    report = cli.json("audit", tmp_path / "audit.yaml")
    assert report["funnels"][0]["excluded"] == 0
    assert "Shop / exclude 1: no events named 'suport_call'" in \
        report["data_quality"]["sources"][0]["notes"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_renderer_says_it(cli, tmp_path, lang):
    write_events(tmp_path)
    config = audit_config(tmp_path, second="<script>alert(1)</script>[bold]x[/bold]")
    words = {"en": ("Excluded entities: 1,", "Optional steps: "),
             "ru": ("Исключено объектов: 1,", "Необязательные шаги: ")}[lang]
    table = cli("audit", config, "--lang", lang)
    markdown = cli("audit", config, "--lang", lang, "--format", "markdown")
    cli("audit", config, "--lang", lang, "--format", "html", "--output", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    for text in (table.stdout, markdown.stdout, html):
        assert words[0] in text and words[1] in text
    assert "[bold]x[/bold]" in table.stdout.replace("\n", "")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in markdown.stdout


def test_a_hostile_optional_name_stays_text(cli, tmp_path):
    write_events(tmp_path)
    config = audit_config(tmp_path, second="\\x1b[31mred =HYPERLINK(1)")
    table = cli("audit", config)
    assert "\x1b[31m" not in table.stdout
    markdown = cli("audit", config, "--format", "markdown").stdout
    assert "\x1b" not in markdown


BAD = [
    ("between: [visit, ordr]", "unknown step 'ordr'; did you mean 'order'?", 8),
    ("between: [order, visit]", "is out of order", 8),
    ("between: [visit, coupon]", "must be required ones", 8),
    ("between: [visit]", "at least 2 items", 8),
    ("between: [visit, order], matches: [x]", "unknown key 'matches'", 8),
]


def test_an_exclusion_that_is_a_steps_event(cli, tmp_path):
    write_events(tmp_path)
    clash = "    exclude:\n      - {match: [add_to_cart], between: [visit, order]}\n"
    (tmp_path / "audit.yaml").write_text(CONFIG.format(second="coupon", extra=clash))
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:8:",
                 "'add_to_cart' is also the event of step 'cart'")
    apart = clash.replace("between: [visit, order]", "where: {topic: x}, between: [visit, order]")
    (tmp_path / "audit.yaml").write_text(CONFIG.format(second="coupon", extra=apart))
    assert cli.json("audit", tmp_path / "audit.yaml")["funnels"][0]["excluded"] == 0


@pytest.mark.parametrize("between, message, line", BAD)
def test_exclusion_config_errors_name_the_line(cli, tmp_path, between, message, line):
    write_events(tmp_path)
    extra = f"    exclude:\n      - {{match: [x], {between}}}\n"
    text = CONFIG.format(second="coupon", extra=extra)
    (tmp_path / "audit.yaml").write_text(text)
    assert_error(cli("audit", tmp_path / "audit.yaml"), f"audit.yaml:{line}:", message)


def test_optional_and_mode_config_errors(cli, tmp_path):
    write_events(tmp_path)
    first = CONFIG.format(second="coupon", extra="").replace(
        "{name: visit}", "{name: visit, optional: true}")
    (tmp_path / "audit.yaml").write_text(first)
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:8:",
                 "the first step cannot be optional")
    last = CONFIG.format(second="coupon", extra="").replace(
        "match: [purchase]}", "match: [purchase], optional: true}")
    (tmp_path / "audit.yaml").write_text(last)
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:11:",
                 "the last step cannot be optional")
    unordered = CONFIG.format(second="coupon", extra="    order: unordered\n" + EXCLUDE)
    (tmp_path / "audit.yaml").write_text(unordered)
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:8:",
                 "exclude work with order: default or strict_increase, not with order: "
                 "unordered")
    combined = CONFIG.format(second="coupon", extra="    order: [strict_order, strict_increase]\n")
    (tmp_path / "audit.yaml").write_text(combined)
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:10:",
                 "optional steps work with order: default or strict_increase, not with "
                 "order: [strict_order, strict_increase]")


def test_exclude_and_optional_on_a_deal_funnel(cli, tmp_path):
    (tmp_path / "deals.csv").write_text("deal_id,stage,created_at\n1,new,2024-03-01\n")
    (tmp_path / "audit.yaml").write_text(
        "version: 1\nsources: {deals: {path: deals.csv, kind: deals}}\nfunnels:\n"
        "  - name: Sales\n    source: deals\n"
        "    exclude: [{match: [x], between: [new, won]}]\n"
        "    stages: [{name: new}, {name: mid, optional: true}, {name: won}]\n")
    assert_error(cli("audit", tmp_path / "audit.yaml"), "audit.yaml:6:",
                 "exclude applies to event funnels only", "optional applies to event funnels")


def test_trend_cohorts_and_period_changes_convert_from_the_required_step(cli, tmp_path):
    """One day, one cohort: its stages are the funnel's (5, 2, 3, 2), and the cart's
    conversion is 3 / 5, from visit, not 3 / 2 from the optional coupon step."""
    write_events(tmp_path)
    config = audit_config(tmp_path).read_text().replace("    window: 1h\n",
                                                        "    window: 1h\n    trend: day\n")
    (tmp_path / "audit.yaml").write_text(config)
    funnel = cli.json("audit", tmp_path / "audit.yaml")["funnels"][0]
    (cohort,) = funnel["trend"]["cohorts"]
    assert [s["entered"] for s in cohort["stages"]] == [5, 2, 3, 2]
    assert cohort["stages"][2]["conversion_from_previous"] == pytest.approx(3 / 5)


def test_period_comparison_converts_from_the_required_step():
    from funnelctl.metrics.compare import compare_entered
    from funnelctl.metrics.funnel import conversion_bases

    assert conversion_bases([False, True, True, False, False]) == [None, 0, 0, 0, 3]
    compared = compare_entered("F", ["visit", "coupon", "cart"], [10, 2, 6], 10,
                               [10, 1, 4], 10, 0.05, conversion_bases([False, True, False]))
    cart = compared.stages[1]
    assert (cart.previous, cart.current) == (pytest.approx(0.6), pytest.approx(0.4))
    assert (cart.previous_trials, cart.current_trials) == (10, 10)


# PostHog's own exclusion tests (test_funnel.py: test_advanced_funnel_exclusions_between_steps
# and test_funnel_exclusions_full_window), translated: hours after 2021-05-01 00:00, its
# 0-based funnel_from_step / funnel_to_step as 1-based `between:`, its expected persons.
POSTHOG_STEPS = ["user signed up", "$pageview", "insight viewed", "invite teammate",
                 "pageview2"]
POSTHOG_PEOPLE = {
    "person1": [(0, 1), ("x", 3), (1, 2), (2, 4), ("x", 4.5), (3, 5), ("x", 5.5), (4, 6)],
    "person2": [(0, 1), (1, 2), (2, 4), ("x", 4.5), (3, 5), ("x", 5.5), (4, 6)],
    "person3": [(0, 1), ("x", 1.5), (1, 2), (2, 4), (3, 5), ("x", 5.5), (4, 6)],
}


@pytest.mark.parametrize("from_step, to_step, counted", [
    (0, 1, {"person1", "person2"}), (1, 2, {"person2", "person3"}), (2, 3, {"person3"}),
    (3, 4, set()), (1, 3, {"person3"})])
def test_posthogs_exclusions_between_steps(tmp_path, from_step, to_step, counted):
    rows = [(person, POSTHOG_STEPS[what] if isinstance(what, int) else what,
             1_619_827_200 + int(hours * 3600)) for person, events in POSTHOG_PEOPLE.items()
            for what, hours in events]
    frame = read(parquet(tmp_path, rows), [*POSTHOG_STEPS, "x"])
    funnel = Funnel(name="F", source="events", window="14d",
                    stages=[Stage(name=s, match=[s]) for s in POSTHOG_STEPS],
                    exclude=[Exclusion(match=["x"], between=[POSTHOG_STEPS[from_step],
                                                             POSTHOG_STEPS[to_step]])])
    got = outcomes(frame, funnel)
    assert {p for p, (_, _, excluded) in got.items() if not excluded} == counted
    assert all(depth == 5 for p, (depth, _, _) in got.items() if p in counted)


def test_posthogs_exclusions_full_window(tmp_path):
    rows = [("person1", "user signed up", 1), ("person1", "paid", 2),
            ("person2", "user signed up", 3), ("person2", "x", 3.5), ("person2", "paid", 4),
            ("person3", "user signed up", 5), ("person3", "paid", 6)]
    rows = [(p, e, 1_619_827_200 + int(h * 3600)) for p, e, h in rows]
    funnel = Funnel(name="F", source="events", window="14d",
                    stages=[Stage(name="user signed up"), Stage(name="paid")],
                    exclude=[Exclusion(match=["x"], between=["user signed up", "paid"])])
    got = outcomes(read(parquet(tmp_path, rows), ["user signed up", "paid", "x"]), funnel)
    assert got == {"person1": (2, {1, 2}, False), "person2": (1, {1}, True),
                   "person3": (2, {1, 2}, False)}


def test_posthogs_funnel_with_optional_steps(tmp_path):
    """PostHog's test_funnel_with_optional_steps (steps two and four optional), translated:
    its counts per step are 8, 3, 7, 3, 4."""
    journeys = {"step1_only": "1", "step123": "123", "step13": "13", "step12345": "12345",
                "step1235": "1235", "step134": "134", "step1345": "1345", "step135": "135"}
    names = ["step one", "step two", "step three", "step four", "step five"]
    rows = [(person, names[int(k) - 1], 1_326_585_600 + 60 * (int(k) - 1))
            for person, steps in journeys.items() for k in steps]
    funnel = Funnel(name="F", source="events", window="14d", stages=[
        Stage(name=s, optional=k in (1, 3)) for k, s in enumerate(names)])
    got = outcomes(read(parquet(tmp_path, rows), names), funnel)
    assert [sum(k in reached for _, reached, _ in got.values()) for k in range(1, 6)] == \
        [8, 3, 7, 3, 4]
