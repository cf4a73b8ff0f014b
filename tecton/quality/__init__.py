"""Data quality: every new partition of ``bars`` is checked before anything downstream reads it.

``gate.check`` is the hook ``tecton.lake.commit(..., gate=check)`` calls; ``manifest`` holds the
``quality_log`` and ``bars_quarantine`` tables and ``accept``; ``report`` renders the summary.
Thresholds live in ``thresholds``; the suite in ``suites`` (stored JSON in ``expectations/``).
"""

from tecton.quality.gate import PartitionResult, Verdict, check
from tecton.quality.manifest import BARS_QUARANTINE, QUALITY_LOG, accept

__all__ = ["BARS_QUARANTINE", "QUALITY_LOG", "PartitionResult", "Verdict", "accept", "check"]
