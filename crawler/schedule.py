"""`crawler schedule`: start `crawler nightly` on a cron expression, one run at a time,
catching up once after downtime, stopping cleanly on SIGTERM."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class ScheduleError(ValueError):
    """A schedule that cannot run; the message says which setting and why."""


def trigger(expression: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=VIETNAM)
    except ValueError as exc:
        raise ScheduleError(f"NIGHTLY_CRON {expression!r} is not a cron expression: {exc}") from exc


def last_run(runs_dir: Path) -> datetime | None:
    """When the newest report in the runs folder started, if any."""
    reports = sorted(runs_dir.glob("run-*.json")) if runs_dir.is_dir() else []
    if not reports:
        return None
    stamp = reports[-1].stem.removeprefix("run-")
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=VIETNAM)


def missed(cron: CronTrigger, previous: datetime | None, now: datetime) -> bool:
    """True when a scheduled time passed after the last run: catch up once, now."""
    if previous is None:
        return False
    due = cron.get_next_fire_time(None, previous)
    return due is not None and due <= now


def run_locked(lock_path: Path, command: Sequence[str]) -> int | None:
    """Run the command unless another run holds the lock; None when skipped.

    flock is released by the kernel when its holder dies, so a crashed run never
    blocks the next night.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("A run is already going (lock %s held): skipped", lock_path)
            return None
        lock.write(str(os.getpid()))
        lock.flush()
        return subprocess.run(list(command), check=False).returncode


def serve(expression: str, runs_dir: Path, command: Sequence[str]) -> None:
    """Block, running the command on schedule, until SIGTERM or SIGINT."""
    cron = trigger(expression)
    lock = runs_dir / "nightly.lock"
    scheduler = BlockingScheduler(timezone=VIETNAM)

    def job() -> None:
        code = run_locked(lock, command)
        print(f"{datetime.now(VIETNAM).isoformat(timespec='seconds')} nightly run "
              f"{'skipped: another is running' if code is None else f'exit code {code}'}",
              flush=True)  # fmt: skip

    scheduler.add_job(job, cron, id="nightly", max_instances=1, coalesce=True,
                      misfire_grace_time=3600)  # fmt: skip
    now = datetime.now(VIETNAM)
    if missed(cron, last_run(runs_dir), now):
        print("a scheduled run was missed while the scheduler was down: running it now", flush=True)
        scheduler.add_job(job, id="catch-up", max_instances=1)

    def stop(signum: int, _frame: Any) -> None:
        print(f"stopping on {signal.Signals(signum).name}", flush=True)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"scheduled `{' '.join(command)}` at {expression!r} (Asia/Ho_Chi_Minh); next run "
          f"{cron.get_next_fire_time(None, now)}", flush=True)  # fmt: skip
    scheduler.start()


def nightly_command() -> list[str]:
    return [sys.executable, "-m", "crawler", "nightly"]
