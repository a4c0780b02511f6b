"""`funnelctl validate`, second part: the audit's own readers run on the first rows of each
file, so dates and amounts that would be rejected show up before a nightly run.

What the sample would reject is reported (count, reason, first line and value), and
fails nothing, since an export with a few bad rows still audits. What would stop the
audit (a header without data rows, no usable row) is an error when the sample is the
whole file: `validate` exits 2 on it as `audit` would, rather than calling the config
valid. In a longer file the rows after the sample may still be usable: reported only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import polars as pl

from funnelctl.config import Config, Source
from funnelctl.errors import DataError, excerpt
from funnelctl.io.activities import read_activities
from funnelctl.io.deals import read_deals
from funnelctl.io.events import read_events
from funnelctl.io.history import read_history
from funnelctl.io.readers import RawSource, open_source
from funnelctl.io.rejects import REJECTS_SCHEMA
from funnelctl.metrics.events import event_names, property_columns

SAMPLE_ROWS = 10_000
# (rows read, rejected rows, rows kept with a value left out), each ledger: line, reason, value
Reading = tuple[int, pl.DataFrame, pl.DataFrame]


def sample_lines(config: Config) -> tuple[list[str], int]:
    """What the audit would reject in the first SAMPLE_ROWS rows of every source it reads,
    and how many sources it could not read at all."""
    lines, errors = [], 0
    for name, source in config.sources.items():
        read = _reader(config, name, source) if source.table is None else None
        if read is None:
            continue
        raw = open_source(name, source)
        sample = dataclasses.replace(raw, frame=raw.frame.head(SAMPLE_ROWS))
        try:
            rows, rejected, kept = read(sample)
        except DataError as exc:
            whole = sample.frame.select(pl.len()).collect().item() < SAMPLE_ROWS
            lines.append(f"  {'error: ' if whole else ''}source '{name}': "
                         f"{str(exc).splitlines()[0]}")
            errors += whole
            continue
        lines.append(f"  source '{name}': {rows:,} rows read, "
                     f"{rejected['line'].n_unique():,} would be rejected")
        lines += _reasons(rejected, "")
        lines += _reasons(kept, " (row kept, value left out)")
    if not lines:
        return [], 0
    return [f"test read of the first {SAMPLE_ROWS:,} rows of each file (dates, amounts, ids):",
            *lines], errors


def _reasons(ledger: pl.DataFrame, suffix: str) -> list[str]:
    """One line per reason, most frequent first, with its first line and value."""
    if ledger.height == 0:
        return []
    table = (ledger.sort("line").group_by("reason", maintain_order=True)
             .agg(n=pl.len(), line=pl.col("line").first(), value=pl.col("value").first())
             .sort(["n", "reason"], descending=[True, False]))
    return [f"    {reason}: {n:,}{suffix}; first at line {line}"
            + (f": {excerpt(value)!r}" if value is not None else "")
            for reason, n, line, value in table.iter_rows()]


def _reader(config: Config, name: str, source: Source) -> Callable[[RawSource], Reading] | None:
    """The audit's reader of this source, with what the funnels over it need; None when
    the audit does not read it."""
    users = [f for f in config.funnels if f.source == name]
    breakdown = sorted({c for f in users for c in f.breakdown})
    empty = pl.DataFrame(schema=REJECTS_SCHEMA)
    tz = config.timezone
    if source.kind == "deals" and users:
        def deals(raw: RawSource) -> Reading:
            read = read_deals(raw, source, tz, breakdown)
            return read.rows_read, read.rejects, read.problems
        return deals
    if source.kind == "stage_history" and users:
        def history(raw: RawSource) -> Reading:
            read = read_history(raw, source, tz, breakdown)
            return read.rows_read, read.rejects, empty
        return history
    if source.kind == "events" and users:
        names = sorted({n for f in users for n in event_names(f)})
        extra = sorted({c for f in users for c in (*f.breakdown, *property_columns(f))})

        def events(raw: RawSource) -> Reading:
            read = read_events(raw, source, tz, names, extra)
            return read.rows_read, read.rejects, empty
        return events
    if source.kind == "activities" and config.norms and name in config.norms.sources():
        def activities(raw: RawSource) -> Reading:
            read = read_activities(raw, source, tz)
            return read.rows_read, read.rejects, empty
        return activities
    return None
