"""The whole pipeline on the default universe: ingest + dbt build, then a one-day increment.

The increment is real: the generator is deterministic on a fixed grid, so the universe generated
through day D differs from the one through D-1 by exactly day D. Both runs go through the Prefect
flows in-process, as `tecton demo` does. Run: ``uv run python -m benchmarks.pipeline``.
Targets (issue 3): full pipeline < 60 s, one-day increment < 10 s, on 2 cores.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from benchmarks._common import print_table, timer, universe_parser


def main() -> None:
    parser = universe_parser(__doc__)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tecton-bench-pipeline-"))
    os.environ["TECTON_HOME"] = str(work / "home")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    from flows import in_process
    from flows.build import build
    from flows.ingest import ingest
    from tecton.data.synthetic import generate

    before = generate(work / "day-1", args.markets, args.start, args.end - dt.timedelta(days=1))
    after = generate(work / "day-0", args.markets, args.start, args.end)

    with in_process():
        (work / "empty").mkdir()
        ingest(str(work / "empty"), lake=str(work / "warmup"))  # Prefect's temporary server, once
        with timer() as t_ingest:
            ingest(str(work / "day-1"))
        with timer() as t_build:
            build(full_refresh=True)
        with timer() as t_day_ingest:
            report = ingest(str(work / "day-0"))
        with timer() as t_day_build:
            build()

    rows = [
        {
            "step": "full: ingest",
            "seconds": t_ingest(),
            "detail": f"{before.files:,} files, {before.rows:,} bars",
        },
        {
            "step": "full: dbt build",
            "seconds": t_build(),
            "detail": "every model and test, --full-refresh",
        },
        {"step": "full pipeline", "seconds": t_ingest() + t_build(), "detail": "target < 60 s"},
        {
            "step": "one day: ingest",
            "seconds": t_day_ingest(),
            "detail": f"{len(report.landed):,} files changed, {after.rows - before.rows:,} new bars",
        },
        {"step": "one day: dbt build", "seconds": t_day_build(), "detail": "incremental"},
        {
            "step": "one-day increment",
            "seconds": t_day_ingest() + t_day_build(),
            "detail": "target < 10 s",
        },
    ]
    print_table(
        f"pipeline: {len(after.markets)} markets, {args.start} .. {args.end}",
        rows,
        ["step", "seconds", "detail"],
    )


if __name__ == "__main__":
    main()
