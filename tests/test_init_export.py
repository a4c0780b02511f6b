"""`init --from-export` on exports no preset fully knows: the written config validates and
audits without edits, and its stages come in the order worked out from the generator
(sample_data/init_samples.py), counted here with the csv module, not with funnelctl."""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "sample_data"))
import init_samples  # noqa: E402 - the seeded generator of the sample exports

SEED = 20261202


def rows_of(path: Path, sep: str = ",") -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=sep))


def init(run, export: Path, tmp_path: Path) -> tuple[dict, str]:
    out = tmp_path / "funnelctl.yaml"
    result = run("init", "--from-export", export, "--output", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def validates_cleanly(run, config: Path) -> None:
    result = run("validate", config)
    assert result.exit_code == 0, result.output
    assert "matching nothing" not in result.stdout and "problem:" not in result.stdout


def test_bitrix24_codes_two_categories_become_two_funnels_in_code_order(run, audit_json,
                                                                           tmp_path):
    export = init_samples.bitrix24_codes(tmp_path / "deals.csv", random.Random(SEED))
    rows = rows_of(export, ";")
    config, text = init(run, export, tmp_path)
    funnels = {f["name"]: f for f in config["funnels"]}
    assert set(funnels) == {"Общая", "Дилеры"}
    for category, codes in init_samples.BX_CATEGORIES.items():
        present = {r["Стадия сделки"] for r in rows if r["Направление"] == category}
        funnel = funnels[category]
        assert funnel["pipeline"] == category
        assert [s["name"] for s in funnel["stages"]] == [c for c in codes if c in present]
        won, lost = init_samples.BX_OUTCOMES[category]
        assert funnel["won"] == [won]
        assert sorted(funnel["lost"]) == sorted(v for v in lost if v in present)
        listed = {s["name"] for s in funnel["stages"]}
        assert not listed & {won, *lost}  # outcomes are never stages
    assert "Bitrix24 stage codes in the CRM's order" in text
    validates_cleanly(run, tmp_path / "funnelctl.yaml")
    report = audit_json(tmp_path / "funnelctl.yaml")
    for funnel in report["funnels"]:
        deals = {r["ID"] for r in rows if r["Направление"] == funnel["name"]}
        assert funnel["entities"] == len(deals)
    duplicates = len(rows) - len({r["ID"] for r in rows})  # one row per product
    assert report["data_quality"]["sources"][0]["reasons"] == {"duplicate deal id": duplicates}


def test_unknown_russian_export_is_mapped_by_headers_and_values(run, audit_json, tmp_path):
    export = init_samples.unknown_ru(tmp_path / "заявки.csv", random.Random(SEED))
    rows = rows_of(export)
    config, text = init(run, export, tmp_path)
    columns = config["sources"]["deals"]["columns"]
    assert columns == {"deal_id": "Номер заявки", "stage": "Этап", "created_at": "Создана",
                       "amount": "Сумма, руб.", "manager": "Менеджер"}
    stages = Counter(r["Этап"] for r in rows)
    assert f'stage: "Этап"  # header, {len(stages)} distinct values' in text
    assert 'deal_id: "Номер заявки"  # values: unique per row' in text
    assert "#   Клиент: text" in text  # listed as not mapped
    funnel = config["funnels"][0]
    assert [s["name"] for s in funnel["stages"]] == [
        s for s in init_samples.UNKNOWN_STAGES if s in stages]
    assert (funnel["won"], funnel["lost"]) == (["Успех"], ["Отказ"])
    assert "by how far the deals got" in text and "CHECK IT" in text
    validates_cleanly(run, tmp_path / "funnelctl.yaml")
    report = audit_json(tmp_path / "funnelctl.yaml")["funnels"][0]
    assert report["entities"] == len(rows)
    assert (report["won"], report["lost"]) == (stages["Успех"], stages["Отказ"])
    # A deal at stage k passed stages 1..k; won deals passed all of them.
    names = [s["name"] for s in funnel["stages"]]
    for k, stage in enumerate(report["stages"]):
        assert stage["entered"] == sum(stages[n] for n in names[k:]) + stages["Успех"]


def test_event_log_proposes_its_common_events_in_their_typical_order(run, audit_json,
                                                                     tmp_path):
    export = init_samples.event_log(tmp_path / "log.csv", random.Random(SEED))
    rows = rows_of(export)
    config, text = init(run, export, tmp_path)
    assert config["sources"]["events"]["columns"] == {
        "entity_id": "client_id", "event": "event_type", "ts": "event_time"}
    funnel = config["funnels"][0]
    assert [s["name"] for s in funnel["stages"]] == init_samples.EVENT_STEPS
    assert "help_open" not in text.split("stages:")[1].split("#   ")[0]  # rare: left out
    validates_cleanly(run, tmp_path / "funnelctl.yaml")
    report = audit_json(tmp_path / "funnelctl.yaml")["funnels"][0]
    window = dt.timedelta(days=int(funnel["window"].rstrip("d")))
    first_at: dict[str, dict[str, dt.datetime]] = {}
    for r in rows:
        at = dt.datetime.fromisoformat(r["event_time"])
        seen = first_at.setdefault(r["client_id"], {})
        seen[r["event_type"]] = min(seen.get(r["event_type"], at), at)
    # The generator logs each client's steps once, in order; a step counts within the window.
    for k, stage in enumerate(report["stages"]):
        steps = init_samples.EVENT_STEPS[:k + 1]
        assert stage["entered"] == sum(
            all(s in seen for s in steps) and seen[steps[-1]] - seen[steps[0]] <= window
            for seen in first_at.values())


def test_values_that_look_like_yaml_are_written_as_plain_text(run, audit_json, write,
                                                              tmp_path):
    stages = ["*ref", "a: b # c", "{{ x }}", "yes"]
    lines = ["ID,Stage,Created"] + [f'{i},"{s}",2026-03-0{1 + k}'
                                     for k, s in enumerate(stages) for i in
                                     range(k * 10, k * 10 + 4 - k)]
    export = write("odd.csv", "\n".join(lines) + "\n")
    config, _ = init(run, export, tmp_path)
    assert sorted(s["name"] for s in config["funnels"][0]["stages"]) == sorted(stages)
    report = audit_json(tmp_path / "funnelctl.yaml")["funnels"][0]
    assert report["entities"] == 4 + 3 + 2 + 1


def test_init_reads_parquet_exports_too(run, audit_json, tmp_path):
    import polars as pl

    export = init_samples.unknown_ru(tmp_path / "заявки.csv", random.Random(SEED))
    rows = rows_of(export)
    parquet = tmp_path / "заявки.parquet"
    pl.read_csv(export, infer_schema=False).write_parquet(parquet)
    config, _ = init(run, parquet, tmp_path)
    assert [s["name"] for s in config["funnels"][0]["stages"]] == [
        s for s in init_samples.UNKNOWN_STAGES if s in {r["Этап"] for r in rows}]
    validates_cleanly(run, tmp_path / "funnelctl.yaml")
    assert audit_json(tmp_path / "funnelctl.yaml")["funnels"][0]["entities"] == len(rows)


def test_stage_values_differing_in_case_or_spaces_are_one_stage(run, audit_json, tmp_path):
    # The audit matches stage values ignoring case and outer spaces: 'Переговоры' (3) and
    # 'переговоры ' (1) are one stage of 4 deals, written as most deals spell it.
    export = tmp_path / "deals.csv"
    rows = [("1", "Новая"), ("2", "Новая"), ("3", "Переговоры"), ("4", "Переговоры"),
            ("5", "Переговоры"), ("6", "переговоры "), ("7", "НОВАЯ"), ("8", "Успешно реализовано")]
    export.write_text("ID,Этап,Создана\n" + "".join(
        f"{i},{s},2026-11-0{i}\n" for i, s in rows), encoding="utf-8")
    config, text = init(run, export, tmp_path)
    funnel = config["funnels"][0]
    assert sorted(s["name"] for s in funnel["stages"]) == ["Новая", "Переговоры"]
    assert "# 4 deals now here" in text and "# 3 deals now here" in text
    validates_cleanly(run, tmp_path / "funnelctl.yaml")
    report = audit_json(tmp_path / "funnelctl.yaml")["funnels"][0]
    assert report["entities"] == 8


def test_a_planned_close_date_is_never_taken_for_closed_at(run, audit_json, tmp_path):
    # A Pipedrive export without its won / lost time columns, and an amoCRM one without
    # 'Дата закрытия': their planned close dates contain 'closedate' / 'датазакрытия', but
    # are forecasts. Read as closed_at, the three closed deals below would get a "sales
    # cycle" of 30 days (planned minus created); the file holds no close date at all.
    pipedrive = tmp_path / "pipedrive.csv"
    pipedrive.write_text(
        "Deal - ID,Deal - Owner,Deal - Value,Deal - Stage,Deal - Status,Deal - Deal created,"
        "Deal - Expected close date\n"
        "1,Priya Shah,100,Lead In,Open,2026-06-01 10:00:00,2026-07-01\n"
        "2,Priya Shah,200,Contact Made,Won,2026-06-02 10:00:00,2026-07-02\n"
        "3,Tom Baker,300,Contact Made,Lost,2026-06-03 10:00:00,2026-07-03\n"
        "4,Tom Baker,400,Lead In,Won,2026-06-04 10:00:00,2026-07-04\n", encoding="utf-8")
    amocrm = tmp_path / "amocrm.csv"
    amocrm.write_text(
        "ID,Бюджет,Ответственный,Дата создания сделки,Этап сделки,Планируемая дата закрытия\n"
        "11,100,Анна,01.06.2026 10:00:00,Первичный контакт,01.07.2026\n"
        "12,200,Анна,02.06.2026 10:00:00,Переговоры,02.07.2026\n"
        "13,300,Пётр,03.06.2026 10:00:00,Успешно реализовано,03.07.2026\n", encoding="utf-8")
    for export in (pipedrive, amocrm):
        where = tmp_path / export.stem
        where.mkdir()
        config, text = init(run, export, where)
        assert "closed_at" not in config["sources"]["deals"]["columns"], text
        report = audit_json(where / "funnelctl.yaml", "--as-of", "2026-12-01")
        assert report["funnels"][0]["cycle_days"] is None


def test_an_export_with_a_header_and_no_rows_says_so(run, tmp_path):
    # A HubSpot header (after a BOM), with and without its line end, and nothing else:
    # every header is known, so "cannot tell which column is deal_id" would mislead.
    for end in ("\r\n", ""):
        export = tmp_path / "deals.csv"
        export.write_bytes(f"\ufeffRecord ID,Deal Name,Deal Stage,Create Date{end}"
                           .encode())
        result = run("init", "--from-export", export, "--output", tmp_path / "c.yaml")
        assert result.exit_code == 2
        assert "has a header but no data rows" in result.output
        assert "Traceback" not in result.output and not (tmp_path / "c.yaml").exists()


def test_a_status_column_the_preset_reads_anyway_is_not_called_unmapped(run, audit_json,
                                                                       tmp_path):
    # 'Успешна' is no status word: init leaves 'Группа стадий' out of columns:, but the
    # bitrix24 preset maps it all the same, so the audit rejects that row (1 of 3). The
    # comment must say so, not that the column is unused.
    export = tmp_path / "deals.csv"
    export.write_text(
        '"ID";"Стадия сделки";"Группа стадий";"Сумма";"Валюта";"Дата создания";\n'
        '"1";"Новая";"В работе";"100";"RUB";"01.11.2026 10:00:00";\n'
        '"2";"Сделка успешна";"Успешна";"200";"RUB";"02.11.2026 10:00:00";\n'
        '"3";"Новая";"В работе";"300";"RUB";"03.11.2026 10:00:00";\n', encoding="utf-8")
    config, text = init(run, export, tmp_path)
    assert "status" not in config["sources"]["deals"]["columns"]
    assert ("Группа стадий: looks like a status but 'успешна' are not open / won / lost "
            "words; the bitrix24 preset reads it as the status all the same, and rejects "
            "their rows as 'unknown status value'") in text
    quality = audit_json(tmp_path / "funnelctl.yaml")["data_quality"]["sources"][0]
    assert quality["reasons"] == {"unknown status value": 1}


def test_an_event_log_with_unix_milliseconds_as_integers(run, audit_json, tmp_path):
    """A product log's `time` as Int64 milliseconds (Parquet), not a date type: the
    values (2026-11-02 00:00 UTC and later) say it is the timestamp."""
    import polars as pl

    base = 1_793_577_600_000  # 2026-11-02 00:00:00 UTC in ms
    hour = 3_600_000
    # user 1: signup, paid 2 h later; user 2: signup only; user 3: paid before signup
    rows = [(1, "signup", base), (1, "paid", base + 2 * hour), (2, "signup", base + hour),
            (3, "paid", base), (3, "signup", base + hour)]
    parquet = tmp_path / "events.parquet"
    pl.DataFrame(rows, schema={"user_id": pl.Int64, "event": pl.String, "time": pl.Int64},
                 orient="row").write_parquet(parquet)
    config, text = init(run, parquet, tmp_path)
    assert config["sources"]["events"]["columns"] == {
        "entity_id": "user_id", "event": "event", "ts": "time"}
    assert "Unix epoch (ms)" in text
    funnel = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")["funnels"][0]
    assert [(s["name"], s["entered"]) for s in funnel["stages"]] == [("signup", 3), ("paid", 1)]



def test_an_event_log_counts_an_entity_with_zero_width_ends_once(run, audit_json, tmp_path):
    """"u1" + U+200B is the user u1, as the audit reads it: 2 entities, not 3."""
    (tmp_path / "log.csv").write_text(
        "user_id,event,time\n"
        "u1,signup,2026-11-02T10:00:00Z\n"
        "u1\u200b,paid,2026-11-02T12:00:00Z\n"
        "u2,signup,2026-11-02T11:00:00Z\n", encoding="utf-8")
    _, text = init(run, tmp_path / "log.csv", tmp_path)
    assert "the 2 events done by most of the 2 entities" in text
    assert "{name: \"signup\"}  # 2 entities" in text and "{name: \"paid\"}  # 1 entities" in text
    funnel = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")["funnels"][0]
    assert [(s["name"], s["entered"]) for s in funnel["stages"]] == [("signup", 2), ("paid", 1)]

def test_an_integer_column_named_time_that_is_no_epoch_is_not_the_timestamp(run, tmp_path):
    # seconds of a call (0 .. 600) are no Unix time of 1990-2100
    (tmp_path / "log.csv").write_text("user_id,event,time\n1,signup,30\n2,paid,600\n",
                                      encoding="utf-8")
    result = run("init", "--from-export", tmp_path / "log.csv", "--output",
                 tmp_path / "out.yaml")
    assert result.exit_code == 2 and "ts" in result.output


@pytest.mark.parametrize(("header", "scale", "unit", "suffix"), [
    ("ts", 1000, "ms", "csv"), ("ts_ms", 1000, "ms", "csv"),
    ("event_time_ms", 1000, "ms", "csv"), ("timestamp_ms", 1000, "ms", "csv"),
    ("ts_ms", 1000, "ms", "parquet"),
    # the name says milliseconds, the 10-digit values are seconds: the values decide
    ("ts_ms", 1, "s", "csv"), ("ts_ms", 1, "s", "parquet"),
])
def test_an_event_log_with_its_epoch_unit_in_the_time_header(run, audit_json, tmp_path,
                                                             header, scale, unit, suffix):
    """`ts_ms` and the like, as 13-digit text in a CSV or integers in Parquet, are the
    timestamp; the comment names the unit the values have, whatever the name says."""
    import polars as pl

    base = 1_793_577_600  # 2026-11-02 00:00:00 UTC in seconds
    hour = 3600
    # the same journeys as above: signup 3 users, paid 1 of them after signup (2 h later)
    rows = [(1, "signup", base), (1, "paid", base + 2 * hour), (2, "signup", base + hour),
            (3, "paid", base), (3, "signup", base + hour)]
    frame = pl.DataFrame([(u, e, t * scale) for u, e, t in rows], orient="row",
                         schema={"user_id": pl.Int64, "event": pl.String, header: pl.Int64})
    export = tmp_path / f"events.{suffix}"
    frame.write_csv(export) if suffix == "csv" else frame.write_parquet(export)
    config, text = init(run, export, tmp_path)
    assert config["sources"]["events"]["columns"] == {
        "entity_id": "user_id", "event": "event", "ts": header}
    assert f"Unix epoch ({unit})" in text
    assert "window: 1d" in text  # paid 2 h after signup: within one day
    funnel = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")["funnels"][0]
    assert [(s["name"], s["entered"]) for s in funnel["stages"]] == [("signup", 3), ("paid", 1)]


def test_init_counts_managers_and_sources_as_the_audit_does(run, audit_json, tmp_path):
    """One manager written four ways (a leading space, lower case with a zero-width
    space, an e-mail after the name) is one manager in init's comment as in the audit's
    breakdown; a source with a space or a zero-width space around it is one source."""
    export = tmp_path / "deals.csv"
    export.write_text(
        "deal_id,stage,created_at,manager,source\n"
        "1,New,2026-11-01, Ivanov,Google\n"
        "2,New,2026-11-02,Ivanov, Google\n"
        "3,Talks,2026-11-03,ivanov\u200b,Google\u200b\n"
        "4,Talks,2026-11-04,Petrov,Yandex\n"
        "5,Talks,2026-11-05,Ivanov (ivanov@firm.ru),Yandex\n", encoding="utf-8")
    _, text = init(run, export, tmp_path)
    # as written once trimmed: Ivanov, ivanov, Petrov, Ivanov (ivanov@firm.ru); people: 2
    assert ('manager: "manager"  # header, 2 managers (4 spellings, matched as the audit '
            'does)') in text
    assert 'source: "source"  # header, 2 distinct values' in text  # Google, Yandex
    funnel = audit_json(tmp_path / "funnelctl.yaml", "--as-of", "2026-12-01")["funnels"][0]
    breakdowns = funnel["breakdowns"]
    assert sorted((b["value"], b["entities"]) for b in breakdowns["manager"]) == [
        ("Ivanov", 4), ("Petrov", 1)]
    assert sorted((b["value"], b["entities"]) for b in breakdowns["source"]) == [
        ("Google", 3), ("Yandex", 2)]
