"""One price source per market: who feeds a market, refusing a second feeder, switching on request.

A market's bars come from exactly one source at a time: two feeders (say synthetic vendor files
and a peer's multiple prices) would interleave their observations and contracts in one series.
The source of a row is the format prefix of its ``source_file`` (``vendor-csv/GOLD_202012.csv``
is fed by ``vendor-csv``); the feeders of a market are read from the current ``bars``.

Besides ``bars``, the tables that describe a source's own contracts (the vendor's ``contracts``,
the peer's ``roll_calendars``) follow the same owner: rows of another source's market are not
landed, so a vendor ``contracts.csv`` revised later cannot bring back a switched market's
contracts. Reference tables (``instruments``, ``roll_configs``, ``fx_prices``, ``fundamentals``)
describe a market or a currency whatever feeds its prices, and are left alone.

Landing a market another source feeds is refused (the files are set aside, offered again next
time); ``replace=True`` (``tecton ingest --replace-source``) switches the market instead: the old
source's rows leave the current version in the same commit the new rows arrive in, and stay
readable by time travel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.schema import RawFileError
from tecton.lake.tables import Lake, sql_list

PRICES = "bars"
# tables whose rows belong to the source feeding the market's prices
OWNED = (PRICES, "contracts", "roll_calendars")
RULE = "one_source"
QUARANTINE = "bars_quarantine"


def source_of(source_file: str) -> str:
    """The source (format) a row came from: ``vendor-csv/GOLD_202012.csv`` -> ``vendor-csv``."""
    return source_file.split("/", 1)[0]


class SourceRefused(RawFileError):
    """A file set aside because its markets are fed by another source."""

    def __init__(self, file: str, source: str, markets: dict[str, tuple[str, ...]]):
        self.source, self.markets = source, dict(markets)
        names = ", ".join(sorted(markets))
        fed_by = ", ".join(sorted({s for feeders in markets.values() for s in feeders}))
        super().__init__(
            file,
            RULE,
            f"market(s) {names} fed by {fed_by}; pass --replace-source to switch them to {source}",
        )

    def __reduce__(self):  # keep the extra fields when a task result is pickled
        return (SourceRefused, (self.file, self.source, self.markets))


def refusal_lines(rejected: list) -> list[str]:
    """One line per feeding source for the files refused in a run (their markets and the way out).

    ``rejected``: the run's rejected outcomes; those set aside for another reason are skipped.
    """
    by_feeder: dict[tuple[str, str], set[str]] = defaultdict(set)
    for outcome in rejected:
        if isinstance(outcome.error, SourceRefused):
            for market, feeders in outcome.error.markets.items():
                by_feeder[(", ".join(feeders), outcome.error.source)].add(market)
    return [
        f"refused: markets {', '.join(sorted(markets))} are fed by {fed_by}; pass --replace-source "
        f"to switch them to {source} (or use a separate lake: TECTON_LAKE)"
        for (fed_by, source), markets in sorted(by_feeder.items())
    ]


def feeders(lake: Lake, name: str = PRICES) -> dict[str, set[str]]:
    """The sources feeding each market in the current version of table ``name``.

    Read from the Delta log's per-file statistics (milliseconds, whatever the table's size): a
    data file whose smallest and largest ``source_file`` share a source holds only that source.
    Only a file without statistics, or mixing sources, costs a scan of its market's rows.
    """
    if not lake.exists(name):
        return {}
    table = lake.table(name)
    files = pa.table(table.get_add_actions(flatten=True))
    if files.num_rows == 0:
        return {}
    out: dict[str, set[str]] = defaultdict(set)
    unsure = set()
    for market, low, high in zip(
        files["partition.market_id"].to_pylist(),
        _column(files, "min.source_file"),
        _column(files, "max.source_file"),
        strict=True,
    ):
        if low is not None and high is not None and source_of(low) == source_of(high):
            out[market].add(source_of(low))
        else:
            unsure.add(market)
    if unsure:
        rows = table.to_pyarrow_dataset().to_table(
            columns=["market_id", "source_file"], filter=pc.field("market_id").isin(sorted(unsure))
        )
        for market, source_file in _distinct(rows):
            out[market].add(source_of(source_file))
    return dict(out)


def _column(files: pa.Table, name: str) -> list:
    return files[name].to_pylist() if name in files.column_names else [None] * files.num_rows


def _distinct(rows: pa.Table) -> list[tuple[str, str]]:
    pairs = rows.group_by(["market_id", "source_file"]).aggregate([])
    return list(zip(pairs["market_id"].to_pylist(), pairs["source_file"].to_pylist(), strict=True))


@dataclass(frozen=True)
class Switch:
    """Markets moving to ``source``, each with the sources that fed it until now."""

    source: str
    markets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.markets)

    def leaving(self) -> str:
        """A Delta predicate for the rows that leave: the switched markets' rows of other sources."""
        return (
            f"market_id IN ({sql_list(self.markets)}) "
            f"AND NOT starts_with(source_file, '{self.source.replace(chr(39), '')}/')"
        )


def rule(fmt: str, staged: list, lake: Lake, replace_source: bool = False) -> tuple[list, Switch]:
    """Apply the one-source rule to a run's staged files, before anything is written.

    Returns the staged batches with the rows of markets another source feeds taken out (a file
    left with none is refused: a rejected outcome naming the markets and their feeder), and the
    switch to make in the commit: with ``replace_source`` the markets whose prices arrive move
    to ``fmt`` instead of being refused.

    One run lands one format, so two sources cannot arrive for a market in the same batch: the
    rule only has to hold a run against the lake's current feeders.
    """
    owners = feeders(lake)
    taken = {}
    for market in _markets(staged, OWNED):
        if others := tuple(sorted(owners.get(market, set()) - {fmt})):
            taken[market] = others
    # a switch is decided by the prices that arrive; a contracts file alone switches nothing
    prices = _markets(staged, (PRICES,)) if replace_source else set()
    switch = Switch(fmt, {m: o for m, o in taken.items() if m in prices})
    rest = {m: o for m, o in taken.items() if m not in switch.markets}
    if rest:
        staged = [_without(s, rest, fmt) for s in staged]
    return staged, switch


def _markets(staged: list, names: tuple[str, ...]) -> set[str]:
    """Markets of the rows staged for tables ``names``."""
    out = set()
    for s in staged:
        for name in names:
            for table in s.tables.get(name, []):
                out |= set(pc.unique(table["market_id"]).to_pylist())
    return out


def _without(staged, taken: dict[str, tuple[str, ...]], fmt: str):
    """``staged`` without the rows of ``taken`` markets; files left without rows are refused."""
    from tecton.lake.ingest import Staged

    out, dropped = Staged(), defaultdict(int)
    for name, tables in staged.tables.items():
        for table in tables:
            if name in OWNED:
                mask = pc.is_in(table["market_id"], pa.array(sorted(taken)))
                for source_file, n in _counts(table.filter(mask)):
                    dropped[source_file] += n
                table = table.filter(pc.invert(mask))
            out.tables[name].append(table)
    for candidate, outcome in staged.outcomes:
        if outcome.error is None and outcome.table_name in OWNED:
            outcome = _ruled(candidate, outcome, taken, fmt, dropped[outcome.source_file])
        out.outcomes.append((candidate, outcome))
    return out


def _counts(rows: pa.Table) -> list[tuple[str, int]]:
    counted = rows.group_by("source_file").aggregate([("source_file", "count")])
    return list(
        zip(
            counted["source_file"].to_pylist(),
            counted["source_file_count"].to_pylist(),
            strict=True,
        )
    )


def _ruled(candidate, outcome, taken: dict[str, tuple[str, ...]], fmt: str, dropped: int):
    """The file's outcome once the rows of ``taken`` markets are out."""
    kept = tuple(p for p in outcome.partitions if p.split("/", 1)[0] not in taken)
    if kept == outcome.partitions:
        return outcome
    if not kept:
        markets = {p.split("/", 1)[0] for p in outcome.partitions}
        error = SourceRefused(candidate.raw.name, fmt, {m: taken[m] for m in markets})
        return replace(outcome, rows=0, partitions=(), error=error)
    # a multi-market file (the vendor's contracts.csv): its other markets' rows land
    return replace(outcome, rows=outcome.rows - dropped, partitions=kept)


def withdraw(lake: Lake, switch: Switch, written: set[str]) -> dict[str, int]:
    """Take the switched markets' old rows out of the owned tables no new rows were written to.

    The tables written in the run already dropped them in their own commit (``Lake.write`` with
    ``leaving``). Rows quarantined from the old source go too, so a later release cannot bring
    them back. Returns the new version of each table changed.
    """
    versions = {}
    if not switch:
        return versions
    for name in [*(n for n in OWNED if n not in written), QUARANTINE]:
        if not lake.exists(name) or not _any(lake, name, switch):
            continue
        lake.table(name).delete(switch.leaving())
        versions[name] = lake.table(name).version()
    return versions


def _any(lake: Lake, name: str, switch: Switch) -> bool:
    markets = pc.field("market_id").isin(sorted(switch.markets))
    rows = lake.table(name).to_pyarrow_dataset().to_table(columns=["source_file"], filter=markets)
    prefix = f"{switch.source}/"
    return (
        not pc.all(pc.starts_with(rows["source_file"], prefix)).as_py() if rows.num_rows else False
    )


def reoffered(log: pa.Table | None, fmt: str, lake: Lake) -> set[str]:
    """Files of ``fmt`` landed before to offer again when switching markets to ``fmt``.

    A switch back to a source must re-land its files of the markets it lost, though the ingest
    log has them as landed: those files (by the markets the log recorded for them), and the
    files of its contract tables (rows of other sources' markets were left out when they landed).
    """
    if log is None or log.num_rows == 0:
        return set()
    elsewhere = {m for m, sources in feeders(lake).items() if sources - {fmt}}
    landed = log.filter(pc.equal(log["status"], "ingested"))
    out = set()
    for row in landed.select(["source_file", "table_name", "partitions"]).to_pylist():
        if not row["source_file"].startswith(f"{fmt}/") or row["table_name"] not in OWNED:
            continue
        markets = {p.split("/", 1)[0] for p in row["partitions"] or ()}
        if row["table_name"] != PRICES or markets & elsewhere:
            out.add(row["source_file"])
    return out
