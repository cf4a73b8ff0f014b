"""Data quality: every new partition of ``bars`` is checked before anything downstream reads it.

``QUALITY_GATE`` is the gate ``tecton.lake.commit(..., gate=QUALITY_GATE)`` is handed (its
``check`` is ``gate.check``); ``manifest`` holds the
``quality_log`` and ``bars_quarantine`` tables and ``accept``; ``report`` renders the summary.
Thresholds live in ``thresholds``; the suite in ``suites`` (stored JSON in ``expectations/``).
"""

from tecton.quality.gate import QUALITY_GATE, PartitionResult, QualityGate, Verdict, check
from tecton.quality.manifest import BARS_QUARANTINE, QUALITY_LOG, accept

__all__ = [
    "BARS_QUARANTINE",
    "QUALITY_GATE",
    "QUALITY_LOG",
    "PartitionResult",
    "QualityGate",
    "Verdict",
    "accept",
    "check",
]
