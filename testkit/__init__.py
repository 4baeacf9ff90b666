"""What the tests and the benchmarks share: fixture sites built like the real portals
(testkit/sites/) and the judged relevance corpus. Never imported by the product."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seeds" / "000_fc3363d4b09c08b0.txt"
