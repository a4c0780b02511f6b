"""The demo's scorecard outcome per manager against DuckDB SQL over the bundled amoCRM
export: deals created in the graded dates, won, lost, won revenue."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from funnelctl import audit
from tests.conftest import ROOT

SQL = """
select "Ответственный" as m, count(*) as deals,
  count(*) filter (where "Этап сделки" = 'Успешно реализовано') as won,
  count(*) filter (where "Этап сделки" = 'Закрыто и не реализовано') as lost,
  coalesce(sum(cast("Бюджет" as double))
           filter (where "Этап сделки" = 'Успешно реализовано'), 0) as revenue
from read_csv(?, all_varchar = true)
where try_strptime("Дата создания сделки", '%d.%m.%Y %H:%M:%S')::date between ? and ?
  and "Воронка" = 'Основная воронка'
  and "Этап сделки" in ('Первичный контакт', 'КП отправлено', 'Переговоры',
                        'Принимают решение', 'Успешно реализовано', 'Закрыто и не реализовано')
group by 1 order by 1
"""


@pytest.fixture(scope="module")
def report():
    return audit(ROOT / "configs" / "demo.yaml", as_of=dt.date(2026, 11, 30), record=False)


def test_demo_outcomes_match_duckdb(report):
    start, end = report.norms.start, report.norms.end
    rows = duckdb.execute(SQL, [str(ROOT / "sample_data" / "amocrm_deals.csv"),
                                start, end]).fetchall()
    expected = {m: (d, w, lo, rev) for m, d, w, lo, rev in rows}
    got = {c.manager: (c.outcomes[0].deals, c.outcomes[0].won, c.outcomes[0].lost,
                       c.outcomes[0].won_revenue) for c in report.managers
           if c.outcomes[0].deals}
    assert got == expected
    assert report.scorecard.unmatched == {}


def test_demo_stuck_and_overdue_per_manager_add_up(report):
    # every demo deal has a graded manager: the per-manager counts add up to the funnel's
    # (66 stuck at Переговоры, 229 overdue), not to the 50 deals each list keeps
    funnel = report.funnels[0]
    stuck = sum(s.stuck for s in funnel.stages if s.stuck is not None)
    assert sum(c.outcomes[0].stuck for c in report.managers) == stuck > 50
    assert (sum(c.outcomes[0].overdue for c in report.managers)
            == funnel.forecast.overdue.deals > 50)


WEEKS_SQL = """
with deals as (
  select "Ответственный" as m, "Этап сделки" as stage,
    try_strptime("Дата редактирования", '%d.%m.%Y %H:%M:%S')::date as changed,
    try_strptime("Дата закрытия", '%d.%m.%Y %H:%M:%S')::date as closed
  from read_csv(?, all_varchar = true)
  where "Воронка" = 'Основная воронка'
    and try_strptime("Дата создания сделки", '%d.%m.%Y %H:%M:%S') is not null)
select m, (date_trunc('week', d) - interval 7 day)::date as w,
  count(*) filter (where kind = 'advance') as advances,
  count(*) filter (where kind = 'win') as wins
from (select m, changed as d, 'advance' as kind from deals
      where stage in ('КП отправлено', 'Переговоры', 'Принимают решение')
      union all
      select m, closed, 'win' from deals where stage = 'Успешно реализовано')
group by 1, 2
"""


def test_demo_manager_weeks_match_duckdb(report):
    # the demo's advances come from stage_changed_at (Дата редактирования): an open deal
    # past the first stage counts once, in the week it entered its stage; wins by close
    # date; each manager-week gets the next week's
    assert report.scorecard.advances_from == {"Основная воронка": "stage_changed_at"}
    rows = duckdb.execute(WEEKS_SQL, [str(ROOT / "sample_data" / "amocrm_deals.csv")]).fetchall()
    expected = {(m, w): (a, n) for m, w, a, n in rows}
    weeks = report.scorecard.weeks
    assert len(weeks) == 48 and sum(w.advances_next_week for w in weeks) > 0
    for w in weeks:
        assert (w.advances_next_week, w.wins_next_week) == expected.get(
            (w.manager, w.week_start), (0, 0)), (w.manager, w.week)
