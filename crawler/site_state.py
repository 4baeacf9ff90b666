"""Whether each site worked when last seen (by `crawler sites check` or a nightly run):
one JSON file beside the run reports, so `crawler sites` and the nightly summary can say
"failing since 2026-11-20: listing moved, 0 links" without running anything."""

from __future__ import annotations

import contextlib
import fcntl
import json
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from datetime import datetime

    from scrapy.settings import BaseSettings

FILE = "sites-state.json"  # in the runs folder (CRAWLER_RUNS_DIR)
OK, DEGRADED, FAILING = "ok", "degraded", "failing"


@dataclass(frozen=True)
class Outcome:
    """What one check or run saw of a site: its status and, unless ok, why."""

    status: str
    reason: str = ""


@dataclass
class SiteState:
    """A site's health as last seen. ``since``: when its current status began;
    ``last_success``: when it last gave articles (ok or degraded)."""

    status: str
    since: str
    checked: str
    by: str  # "check" or "nightly"
    reason: str = ""
    last_success: str | None = None
    last_failure: str | None = None

    def describe(self) -> str:
        """One cell: "ok 2026-11-30", "failing since 2026-11-20: <why>"."""
        if self.status == OK:
            return f"ok {self.checked[:10]}"
        return f"{self.status} since {self.since[:10]}: {self.reason}"


def state_path(settings: BaseSettings) -> Path:
    return Path(settings["CRAWLER_RUNS_DIR"]) / FILE


def load_state(path: Path) -> dict[str, SiteState]:
    """Every site's state; none for a missing file. A damaged file is said once on
    stderr and read as empty: the next check or run writes it anew."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = {f.name for f in fields(SiteState)}
        return {
            site: SiteState(**{k: v for k, v in entry.items() if k in names})
            for site, entry in data["sites"].items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"warning: {path}: not a readable site state ({exc}); ignored", file=sys.stderr)
        return {}


def record(
    path: Path, outcomes: Mapping[str, Outcome], when: datetime, by: str
) -> dict[str, SiteState]:
    """Fold what was seen into the state file (other sites keep theirs) and return the
    new state. A check and a nightly run may finish together: the read-modify-write is
    under a lock, and the file is replaced whole, never left half written."""
    stamp = when.isoformat(timespec="seconds")
    with _locked(path):
        state = load_state(path)
        for site, outcome in outcomes.items():
            state[site] = _next(state.get(site), outcome, stamp, by)
        _write(path, state)
    return state


def _next(before: SiteState | None, outcome: Outcome, stamp: str, by: str) -> SiteState:
    same = before is not None and before.status == outcome.status
    return SiteState(
        status=outcome.status,
        since=before.since if same and before else stamp,
        checked=stamp,
        by=by,
        reason=outcome.reason,
        last_success=stamp if outcome.status != FAILING else before and before.last_success,
        last_failure=stamp if outcome.status == FAILING else before and before.last_failure,
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held for milliseconds: waiting is fine
        yield


def _write(path: Path, state: dict[str, SiteState]) -> None:
    data = {"sites": {site: asdict(entry) for site, entry in sorted(state.items())}}
    partial = path.with_name(path.name + ".partial")  # a reader never sees half a file
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(path)
