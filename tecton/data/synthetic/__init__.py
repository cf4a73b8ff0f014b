"""Synthetic futures universe: realistic per-contract bars written as vendor CSVs.

``generate(out, markets, start, end, seed, defects)`` writes ``<MARKET>_<YYYYMM>.csv`` per
contract, ``contracts.csv``, weekly fundamentals in ``fundamentals/<MARKET>.csv`` and, with
``defects > 0``, the ground truth ``_defects.csv``.
"""

from tecton.data.synthetic.defects import KINDS
from tecton.data.synthetic.writer import DEFECTS_FILE, GenerateSummary, generate

__all__ = ["DEFECTS_FILE", "KINDS", "GenerateSummary", "generate"]
