"""The lake: Delta tables, the raw-file archive, the ingest log, and the ingest steps."""

from tecton.lake.ingest import IngestReport, Outcome, Plan, commit, plan, stage
from tecton.lake.tables import Lake

__all__ = ["IngestReport", "Lake", "Outcome", "Plan", "commit", "plan", "stage"]
