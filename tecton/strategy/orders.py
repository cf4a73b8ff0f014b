"""Orders and holdings on disk, under the data home, for the daily production run.

    $TECTON_HOME/holdings/<strategy>.csv          market_id,contracts   (what the account holds)
    $TECTON_HOME/orders/<strategy>/<date>.csv     one row per market that trades
    $TECTON_HOME/orders/<strategy>/<date>.md      a short report of the rebalance

No broker: the orders are for a person or an execution system to act on; after the fills, the
holdings file is theirs to update (``tecton rebalance ... --holdings`` reads the same format).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tecton import config
from tecton.strategy.decision import Decision
from tecton.strategy.holdings import read_holdings


def holdings_file(strategy: str) -> Path:
    """Where the daily run reads ``strategy``'s current holdings."""
    return config.home() / "holdings" / f"{strategy}.csv"


def current_holdings(strategy: str) -> pd.Series:
    """The holdings file's contracts per market; none when there is no file yet (a new account)."""
    path = holdings_file(strategy)
    return read_holdings(path) if path.exists() else pd.Series(dtype=float, name="contracts")


def orders_file(decision: Decision) -> Path:
    """Where a decision's orders go by default."""
    return config.home() / "orders" / decision.strategy / f"{decision.as_of.date()}.csv"


def write_orders(decision: Decision, path: Path | None = None) -> Path:
    """Write the orders CSV (and the report beside it); an existing file is replaced whole."""
    path = Path(path) if path is not None else orders_file(decision)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    decision.orders().to_csv(partial, index=False)
    partial.replace(path)  # a reader never sees half a file
    path.with_suffix(".md").write_text(report(decision), encoding="utf-8")
    return path


def report(decision: Decision) -> str:
    """A short Markdown report: what trades, what it costs, and what was held back."""
    explained = decision.explain()
    moving = explained[explained["trade"] != 0]
    lines = [
        f"# {decision.strategy}: orders for the session after {decision.as_of.date()}",
        "",
        f"{len(moving)} of {len(explained)} markets trade; expected cost "
        f"{decision.costs.sum():,.2f} {decision.base_currency}.",
        "",
        "| market | contract | held | target | trade | cost | why |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for market, r in moving.iterrows():
        lines.append(
            f"| {market} | {r.contract_id} | {r.current:+d} | {r.target:+d} | {r.trade:+d} | "
            f"{r.cost:,.2f} | {r.reason} |"
        )
    if decision.fallback:
        lines += ["", f"Optimiser not used, holdings kept: {decision.fallback}"]
    lines += [f"\nWarning: {w}" for w in decision.warnings]
    return "\n".join(lines) + "\n"
