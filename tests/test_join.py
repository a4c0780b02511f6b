"""`join:` on a source: a deals file plus a contacts file on a key, lazily; rows on either
side that do not match are counted in the source's notes, never dropped silently."""

from __future__ import annotations

import json

from tests.conftest import write_csv


def files(tmp_path) -> None:
    deals = [["1", "Intro", "c1", "2026-03-01"], ["2", "Demo", "c2", "2026-03-02"],
             ["3", "Intro", "c3", "2026-03-03"], ["4", "Demo", "c9", "2026-03-04"],
             ["5", "Intro", "", "2026-03-05"]]
    write_csv(tmp_path / "deals.csv", ["ID", "Stage", "Contact", "Created"], deals)
    contacts = [["c1", "Москва", "Anna"], ["c2", "Казань", "Boris"], ["c3", "Москва", "Anna"],
                ["c2", "Пермь", "Boris"], ["c7", "Омск", "Olga"]]
    write_csv(tmp_path / "contacts.csv", ["contact_id", "City", "Stage"], contacts)


CONFIG = """
    version: 1
    sources:
      deals:
        path: deals.csv
        kind: deals
        columns: {deal_id: ID, stage: Stage, created_at: Created, city: City}
        join: {path: contacts.csv, key: Contact, other_key: contact_id}
    funnels:
      - name: F
        source: deals
        stages: [{name: Intro}, {name: Demo}]
        breakdown: [city]
    """


def test_join_adds_the_other_files_columns_and_counts_what_did_not_match(run, write,
                                                                          tmp_path):
    files(tmp_path)
    result = run("audit", write("c.yaml", CONFIG), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    funnel = report["funnels"][0]
    assert funnel["entities"] == 5  # every deal kept, matched or not
    cities = {s["value"]: s["entities"] for s in funnel["breakdowns"]["city"]}
    # c1, c3 -> Москва; c2 -> Казань (its first row; the repeated c2 row is not used);
    # c9 (no contact) and the deal without a key -> empty.
    assert cities == {"Москва": 2, "Казань": 1, "(empty)": 2}
    notes = " ".join(report["data_quality"]["sources"][0]["notes"])
    assert ("joined contacts.csv by 'Contact': 3 of 5 rows matched; 2 without a match keep "
            "empty joined columns (of them 1 has no key)") in notes
    assert "1 key of contacts.csv matches no row (not used)" in notes  # c7
    assert "1 row of contacts.csv repeats an earlier key (the first is used)" in notes



def test_join_keys_with_zero_width_ends_match(run, write, tmp_path):
    # "c1" + U+200B finds "c1", U+FEFF + "c2" is found by "c2", a key of U+2060 alone is
    # no key (trimmed as every text value is: io/values.EDGES).
    write_csv(tmp_path / "deals.csv", ["ID", "Stage", "Contact", "Created"],
              [["1", "Intro", "c1\u200b", "2026-03-01"], ["2", "Demo", "c2", "2026-03-02"],
               ["3", "Intro", "\u2060", "2026-03-03"]])
    write_csv(tmp_path / "contacts.csv", ["contact_id", "City", "Stage"],
              [["c1", "Москва", "Anna"], ["\ufeffc2", "Казань", "Boris"]])
    result = run("audit", write("c.yaml", CONFIG), "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    cities = {s["value"]: s["entities"] for s in report["funnels"][0]["breakdowns"]["city"]}
    assert cities == {"Москва": 1, "Казань": 1, "(empty)": 1}
    notes = " ".join(report["data_quality"]["sources"][0]["notes"])
    assert ("joined contacts.csv by 'Contact': 2 of 3 rows matched; 1 without a match keeps "
            "empty joined columns (of them 1 has no key)") in notes

def test_a_joined_column_named_like_one_of_the_source_gets_a_suffix(run, write, tmp_path):
    files(tmp_path)
    result = run("validate", write("c.yaml", CONFIG))
    assert result.exit_code == 0, result.output
    result = run("inspect", tmp_path / "deals.csv")
    assert result.exit_code == 0
    from funnelctl.config import load_config
    from funnelctl.io.readers import open_source

    config = load_config(tmp_path / "c.yaml")
    raw = open_source("deals", config.sources["deals"])
    assert raw.columns == ["ID", "Stage", "Contact", "Created", "City", "Stage (joined)"]
    stages = raw.frame.collect()["Stage"].to_list()
    assert stages == ["Intro", "Demo", "Intro", "Demo", "Intro"]  # row order kept


def test_a_missing_join_key_is_a_clear_error(run, write, tmp_path):
    files(tmp_path)
    result = run("audit", write("c.yaml", CONFIG.replace("other_key: contact_id",
                                                         "other_key: contact")))
    assert result.exit_code == 2
    assert "no column 'contact' (join.other_key); did you mean 'contact_id'?" in result.stderr
    assert "Traceback" not in result.stderr
