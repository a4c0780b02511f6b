"""XLSX through Polars' read_excel, and Bitrix24's ".xls" that is really an HTML table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from funnelctl.config import Source
from funnelctl.io.deals import read_deals
from funnelctl.io.readers import LINE, open_source


def read(path: Path, **source):
    src = Source(path=path, kind="deals", **source)
    raw = open_source("d", src)
    return raw, read_deals(raw, src, "UTC", [])


def test_xlsx_with_typed_dates_and_numbers(tmp_path) -> None:
    path = tmp_path / "deals.xlsx"
    pl.DataFrame({
        "Deal - ID": [5012, 5013, 5014],
        "Deal - Stage": ["Qualified", "Contact Made", "Qualified"],
        "Deal - Status": ["Open", "Won", "Lost"],
        "Deal - Deal created": [dt.datetime(2026, 1, 30, 15, 55, 37), None,
                                dt.datetime(2026, 2, 1, 9, 0)],
        "Deal - Value": [25000.5, 1250.0, 10.0],
    }).write_excel(path)
    raw, deals = read(path, preset="auto")
    assert raw.detected["format"] == "xlsx"
    assert raw.detected["preset"] == "pipedrive (auto)"
    frame = deals.frame.sort(LINE)
    assert frame["deal_id"].to_list() == ["5012", "5014"]
    assert frame["created_at"].to_list() == [dt.datetime(2026, 1, 30, 15, 55, 37),
                                             dt.datetime(2026, 2, 1, 9, 0)]
    assert frame["amount"].to_list() == [25000.5, 10.0]
    # The deal without a creation date is rejected on its spreadsheet row (header = row 1).
    assert deals.rejects.to_dicts() == [{"line": 3, "reason": "missing created_at",
                                         "value": None}]


def test_bitrix24_html_xls_is_read_as_a_table(tmp_path) -> None:
    page = ('<meta http-equiv="Content-type" content="text/html;charset=windows-1251" />\n'
            '<table border="1"><thead><tr><th>ID</th><th>Стадия сделки</th>'
            '<th>Дата создания</th><th>Компания</th></tr></thead><tbody>\n'
            '<tr><td>1021</td><td>Новая</td><td>03.04.2024 11:02:45</td>'
            '<td>ООО &quot;Вектор&quot;, Москва</td></tr>\n'
            '<tr><td>1022</td><td>Сделка успешна</td><td>04.04.2024 09:00:00</td>'
            '<td>АО Полюс<br>филиал</td></tr>\n</tbody></table>')
    path = tmp_path / "DEAL_20240405_abc.xls"
    path.write_bytes(page.encode("cp1251"))
    raw, deals = read(path, preset="bitrix24")
    assert raw.detected["format"] == "html-table"
    assert raw.detected["encoding"] == "cp1251"
    assert raw.frame.select("Компания").collect().to_series().to_list() == [
        'ООО "Вектор", Москва', "АО Полюс\nфилиал"]
    assert deals.frame.sort(LINE)["stage"].to_list() == ["Новая", "Сделка успешна"]


def formatted_report(path: Path, rows: list[list], titles: list[str], footer: list[str]):
    """A sheet as Salesforce's "Formatted Report" export lays it out: the report's name
    and filters in the first cells above the header, a blank row, the table, then a blank
    row and the footer lines."""
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    at = 0
    for text in [*titles, None, *rows, None, *footer]:
        if isinstance(text, list):
            sheet.write_row(at, 0, text)
        elif text is not None:
            sheet.write(at, 0, text)
        at += 1
    book.close()


def test_title_rows_above_the_header_and_the_footer_are_skipped(tmp_path) -> None:
    path = tmp_path / "report.xlsx"
    header = ["Opportunity ID", "Stage", "Created Date", "Amount"]
    formatted_report(path, [header, ["006A", "Prospecting", "2026-10-01", "100"],
                            ["006B", "Prospecting", None, "200"],  # no date: rejected
                            ["006C", "Qualification", "2026-10-03", "300"]],
                     ["Opportunities Report", "Filtered By: Close Date = FY2026"],
                     ["Grand Totals (3 records)",
                      "Confidential Information - Do Not Distribute"])
    raw, deals = read(path, columns={"deal_id": "Opportunity ID", "stage": "Stage",
                                     "created_at": "Created Date", "amount": "Amount"})
    assert raw.columns == header
    # the sheet's rows: 1-2 titles, 3 blank, 4 the header, 5-7 deals, 8 blank, 9-10 footer
    assert raw.detected["header_row"] == 4
    assert raw.detected["footer_lines_removed"] == 2
    assert deals.frame.sort(LINE)["deal_id"].to_list() == ["006A", "006C"]
    assert deals.frame.sort(LINE)[LINE].to_list() == [5, 7]
    assert deals.rejects.to_dicts() == [{"line": 6, "reason": "missing created_at",
                                         "value": None}]
    assert deals.frame["amount"].to_list() == [100.0, 300.0]
    assert raw.notes[0] == ("3 row(s) above the header skipped (a report's title): "
                            "'Opportunities Report'; 'Filtered By: Close Date = FY2026'")
    assert raw.notes[1].startswith("2 report footer line(s) removed (Salesforce): "
                                   "'Grand Totals (3 records)'")


def test_a_sheet_whose_first_row_names_its_columns_is_read_as_it_is(tmp_path) -> None:
    path = tmp_path / "plain.xlsx"
    # one named column and two empty header cells above a full row is a title; two named
    # columns are a header, however empty the rest of the first row
    formatted_report(path, [["id", "stage", "", ""], ["1", "A", "x", "y"]], [], [])
    raw = open_source("d", Source(path=path, kind="deals"))
    assert raw.columns[:2] == ["id", "stage"] and "header_row" not in raw.detected


def test_a_workbook_s_other_sheets_are_named_not_passed_over_in_silence(tmp_path, run):
    # A summary sheet first, the deals on the second: only the first is read, and the
    # notes (inspect, the audit's data quality, init's error) say which others there are.
    import xlsxwriter

    path = tmp_path / "report.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Summary").write_row(0, 0, ["Pipeline", "Deals", "Value"])
    book.get_worksheet_by_name("Summary").write_row(1, 0, ["Sales", 2, 300])
    deals = book.add_worksheet("Deals")
    deals.write_row(0, 0, ["deal_id", "stage", "created_at"])
    deals.write_row(1, 0, ["1", "Lead", "2026-06-01"])
    book.close()
    note = ("only the first sheet of the workbook is read, 'Summary'; not read: 'Deals' "
            "(to audit another, save it as CSV or move it first)")
    raw = open_source("d", Source(path=path, kind="deals"))
    assert note in raw.notes
    assert f"note: {note}" in run("inspect", path).stdout
    result = run("init", "--from-export", path, "--output", tmp_path / "c.yaml")
    assert result.exit_code == 2 and note in result.output
    single = tmp_path / "one.xlsx"
    pl.DataFrame({"deal_id": ["1"], "stage": ["Lead"], "created_at": ["2026-06-01"]}
                 ).write_excel(single)
    assert not any("sheet" in n for n in open_source("d", Source(path=single,
                                                                  kind="deals")).notes)
