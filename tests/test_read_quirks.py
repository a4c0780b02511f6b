"""One test per quirk of real exports, each on a small file written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from funnelctl.config import CsvOptions, Source
from funnelctl.io.deals import read_deals
from funnelctl.io.readers import LINE, open_source

HEADER = "deal_id,stage,created_at\n"


def read(tmp_path: Path, content: bytes, name: str = "d.csv", **source):
    path = tmp_path / name
    path.write_bytes(content)
    src = Source(path=path, kind="deals", **source)
    raw = open_source("d", src)
    return raw, read_deals(raw, src, "UTC", [])


def column(deals, name: str) -> list:
    return deals.frame.sort(LINE)[name].to_list()


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path) -> None:
    raw, deals = read(tmp_path, b"\xef\xbb\xbf" + (HEADER + "1,Lead,2024-01-02\n").encode())
    assert raw.columns[0] == "deal_id"
    assert raw.detected["encoding"] == "utf-8-sig"
    assert column(deals, "deal_id") == ["1"]


def test_cp1251_is_detected_and_decoded(tmp_path) -> None:
    text = "ID;Этап сделки;Дата создания сделки\r\n7;Переговоры;14.03.2024 10:21:05\r\n"
    raw, deals = read(tmp_path, text.encode("cp1251"), preset="amocrm")
    assert (raw.detected["encoding"], raw.detected["separator"]) == ("cp1251", ";")
    assert column(deals, "stage") == ["Переговоры"]
    assert column(deals, "created_at") == [dt.datetime(2024, 3, 14, 10, 21, 5)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path, encoding: str) -> None:
    text = "deal_id\tstage\tcreated_at\n1\tЛид\t2024-01-02\n"
    raw, deals = read(tmp_path, text.encode(encoding))
    assert raw.detected["encoding"].startswith("utf-16")
    assert raw.detected["separator"] == "\t"
    assert column(deals, "stage") == ["Лид"]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separator_is_detected(tmp_path, sep: str) -> None:
    text = sep.join(["deal_id", "stage", "created_at"]) + "\n" + sep.join(
        ["1", '"Lead, hot"', "2024-01-02"]) + "\n"
    raw, deals = read(tmp_path, text.encode())
    assert raw.detected["separator"] == sep
    assert column(deals, "stage") == ["Lead, hot"]


def test_trailing_separator_column_is_dropped_and_noted(tmp_path) -> None:
    text = '"deal_id";"stage";"created_at";\n"1";"Lead";"2024-01-02";\n'
    raw, deals = read(tmp_path, text.encode())
    assert raw.columns == ["deal_id", "stage", "created_at"]
    assert any("ends with a separator" in n for n in raw.notes)
    assert deals.frame.height == 1


def test_duplicate_headers_are_kept_made_unique_and_reported(tmp_path) -> None:
    text = "deal_id,stage,created_at,source,source,source\n1,Lead,2024-01-02,a,b,c\n"
    raw, _ = read(tmp_path, text.encode())
    assert raw.columns[3:] == ["source", "source (2)", "source (3)"]
    assert raw.frame.select("source (3)").collect().item() == "c"
    assert len([n for n in raw.notes if "duplicate header 'source'" in n]) == 2


def test_quoted_field_with_newlines_keeps_value_and_true_line_numbers(tmp_path) -> None:
    text = HEADER + '1,"Lead\nwith\nbreaks",2024-01-02\n2,Lead,not a date\n'
    _, deals = read(tmp_path, text.encode())
    assert column(deals, "stage") == ["Lead\nwith\nbreaks"]
    # The second record starts on line 5 of the file (header, then three lines for row 1).
    assert deals.rejects.to_dicts() == [
        {"line": 5, "reason": "unparseable created_at", "value": "not a date"}]


def test_salesforce_footer_lines_are_removed_and_reported(tmp_path) -> None:
    text = ("Opportunity ID,Stage,Created Date\n006A,Prospecting,3/13/2024\n\n"
            '"Grand Totals (1 records)"\n"Confidential Information - Do Not Distribute"\n'
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')
    raw, deals = read(tmp_path, text.encode(), preset="salesforce")
    assert raw.detected["footer_lines_removed"] == 3
    assert any("Grand Totals (1 records)" in n for n in raw.notes)
    assert column(deals, "deal_id") == ["006A"]
    assert deals.rejects["reason"].to_list() == ["blank line"]


@pytest.mark.parametrize("sep", [",", ";"])
def test_data_rows_that_read_like_a_footer_are_kept(tmp_path, sep) -> None:
    # Line 2: a deal named like the copyright line; line 3: a footer text alone in a row
    # with data after it (not the end of the file); line 4, the last deal before the
    # footer: named like the totals line. Only lines 6-8 (after the blank line 5) are the
    # footer; line 3 (no id, stage or date) is rejected as a blank line, not removed unsaid.
    lines = [["Opportunity Name", "Opportunity ID", "Stage", "Created Date"],
             ["Copyright (c) 2026 salesforce.com renewal", "006A", "Prospecting", "3/13/2024"],
             ["Confidential Information - Do Not Distribute", "", "", ""],
             ["Grand Totals (3 records)", "006B", "Prospecting", "3/14/2024"],
             [], ['"Grand Totals (3 records)"'],
             ['"Confidential Information - Do Not Distribute"'],
             ['"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."']]
    text = "".join(sep.join(line) + "\n" for line in lines)
    raw, deals = read(tmp_path, text.encode(), preset="salesforce")
    assert raw.detected["footer_lines_removed"] == 3
    assert column(deals, "deal_id") == ["006A", "006B"]
    assert deals.rejects.rows() == [(3, "blank line", None), (5, "blank line", None)]


def test_amounts_written_as_text(tmp_path) -> None:
    values = ["USD 485,000.00", "1 250,50", "£1,250.50", "-", "1.250,50", "€1,250", "90%"]
    body = "".join(f'{i},Lead,2024-01-02,"{v}"\n' for i, v in enumerate(values))
    _, deals = read(tmp_path, ("deal_id,stage,created_at,amount\n" + body).encode())
    # "90%" is a share, not money: no amount (the reader names it as unparseable)
    assert column(deals, "amount") == [485000.0, 1250.5, 1250.5, None, 1250.5, 1250.0, None]
    assert deals.problems["value"].to_list() == ["90%"]


def test_date_formats(tmp_path) -> None:
    values = ["14.03.2024 10:21:05", "14.03.2024 10:21", "14.03.2024", "2024-03-14",
              "2024-03-14 10:21", "2024-03-14T10:21:05", "1710411665"]
    body = "".join(f"{i},Lead,{v}\n" for i, v in enumerate(values))
    _, deals = read(tmp_path, (HEADER + body).encode())
    d = dt.datetime
    assert column(deals, "created_at") == [
        d(2024, 3, 14, 10, 21, 5), d(2024, 3, 14, 10, 21), d(2024, 3, 14), d(2024, 3, 14),
        d(2024, 3, 14, 10, 21), d(2024, 3, 14, 10, 21, 5), d(2024, 3, 14, 10, 21, 5)]


def test_slashed_dates_day_first_when_a_first_part_exceeds_12(tmp_path) -> None:
    body = "1,Lead,01/02/2024\n2,Lead,16/10/2025\n"
    raw, deals = read(tmp_path, (HEADER + body).encode())
    assert raw.detected["date_order"] == {"created_at": "day-first"}
    assert column(deals, "created_at") == [dt.datetime(2024, 2, 1), dt.datetime(2025, 10, 16)]


def test_slashed_dates_month_first_when_a_second_part_exceeds_12(tmp_path) -> None:
    body = "1,Lead,01/02/2024\n2,Lead,3/13/2012\n"
    raw, deals = read(tmp_path, (HEADER + body).encode())
    assert raw.detected["date_order"] == {"created_at": "month-first"}
    assert column(deals, "created_at") == [dt.datetime(2024, 1, 2), dt.datetime(2012, 3, 13)]


def test_an_undecided_date_column_follows_the_decided_one(tmp_path) -> None:
    text = "deal_id,stage,created_at,closed_at\n1,Lead,01/02/2024,25/02/2024\n"
    raw, deals = read(tmp_path, text.encode())
    assert raw.detected["date_order"] == {"created_at": "day-first", "closed_at": "day-first"}
    assert column(deals, "created_at") == [dt.datetime(2024, 2, 1)]


def test_null_marker_in_close_date_is_empty_not_rejected(tmp_path) -> None:
    text = "deal_id,stage,created_at,closed_at\n1,Lead,14.03.2024,не закрыта\n"
    _, deals = read(tmp_path, text.encode())
    assert column(deals, "closed_at") == [None]
    assert deals.rejects.height == 0


def test_explicit_encoding_separator_and_date_format_win(tmp_path) -> None:
    # Detection would say cp1251, ';' and month-first dates; the config says otherwise.
    text = "deal_id|stage|created_at|a;b;c;d;e\n1|Лид|01/02/2024|x\n"
    raw, deals = read(tmp_path, text.encode("koi8-r"), date_format="%d/%m/%Y",
                      csv=CsvOptions(encoding="koi8-r", separator="|"))
    assert (raw.detected["encoding"], raw.detected["separator"]) == ("koi8-r", "|")
    assert column(deals, "stage") == ["Лид"]
    assert column(deals, "created_at") == [dt.datetime(2024, 2, 1)]


@pytest.mark.parametrize("total", ["Итого", "ВСЕГО:", "Total: 2 deals", "Grand Total"])
def test_a_totals_line_ends_a_deals_export_as_a_footer(tmp_path, total) -> None:
    text = f"{HEADER}1,Lead,2024-01-02\n2,Won,2024-01-03\n{total},,\n"
    raw, deals = read(tmp_path, text.encode())
    assert raw.detected["footer_lines_removed"] == 1
    assert raw.notes == [f"1 report footer line(s) removed (totals): '{total}'"]
    assert column(deals, "deal_id") == ["1", "2"]
    assert deals.rejects.height == 0
