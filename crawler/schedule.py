"""`crawler schedule`: start `crawler nightly` on a cron expression, one run at a time,
catching up once after downtime, stopping cleanly on SIGTERM."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from crawler.processes import end_with_parent
from crawler.runlock import EXIT_BUSY

if TYPE_CHECKING:
    from collections.abc import Sequence

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Seconds a run in progress gets to stop after the service is told to stop; then, or at a
# second signal, it is killed (a run killed mid-way is simply run again).
STOP_TIMEOUT = 60.0


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


class CurrentRun:
    """The run in progress, if any, so that stopping the service stops the run too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._stopping = False

    def start(self, command: Sequence[str]) -> subprocess.Popen | None:
        """Start a run in its own session (a Ctrl-C reaches it only through the service);
        None once the service is stopping."""
        with self._lock:
            if self._stopping:
                return None
            # Its own session, and SIGTERM from the kernel if the service is SIGKILLed.
            self._process = subprocess.Popen(
                list(command), start_new_session=True, preexec_fn=end_with_parent
            )
            return self._process

    def stop(self, signum: int) -> subprocess.Popen | None:
        """Start no more runs and pass the signal on to the one in progress, returned."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is None or process.poll() is not None:
            return None
        process.send_signal(signum)
        return process


def run_once(command: Sequence[str], current: CurrentRun) -> str:
    """Run the command (`crawler nightly` takes the run lock itself); what became of it,
    as the service's log says it."""
    process = current.start(command)
    if process is None:
        return "skipped: the service is stopping"
    code = process.wait()
    return "skipped: another run holds the lock" if code == EXIT_BUSY else f"exit code {code}"


def wait_or_kill(
    process: subprocess.Popen, signals: queue.SimpleQueue[int], timeout: float
) -> None:
    """Wait for a stopping run to end; kill it after timeout or at the next signal."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() > deadline:
            why = f"did not stop in {timeout:.0f} s"
        else:
            try:
                why = f"{signal.Signals(signals.get(timeout=0.2)).name} again"
            except queue.Empty:
                continue
        print(f"the run (pid {process.pid}) {why}: killing it", flush=True)
        process.kill()
        return


def run_service(expression: str, runs_dir: Path, command: Sequence[str]) -> None:
    """Block, running the command on schedule, until SIGTERM or SIGINT.

    The signal handlers only queue the signal, so one may come at any moment (before
    the scheduler runs, during a run, twice); this thread then stops everything.
    """
    cron = trigger(expression)
    scheduler = BackgroundScheduler(timezone=VIETNAM)
    current = CurrentRun()

    def job() -> None:
        outcome = run_once(command, current)
        print(f"{datetime.now(VIETNAM).isoformat(timespec='seconds')} nightly run {outcome}",
              flush=True)  # fmt: skip

    scheduler.add_job(job, cron, id="nightly", max_instances=1, coalesce=True,
                      misfire_grace_time=3600)  # fmt: skip
    now = datetime.now(VIETNAM)
    if missed(cron, last_run(runs_dir), now):
        print("a scheduled run was missed while the scheduler was down: running it now", flush=True)
        scheduler.add_job(job, id="catch-up", max_instances=1)

    # SimpleQueue.put is safe in a signal handler (it never waits on a lock the
    # interrupted thread may hold); printing or scheduler.shutdown there is not.
    signals: queue.SimpleQueue[int] = queue.SimpleQueue()

    def on_signal(signum: int, _frame: Any) -> None:
        signals.put(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if signals.empty():
        scheduler.start()
        print(f"scheduled `{' '.join(command)}` at {expression!r} (Asia/Ho_Chi_Minh); next run "
              f"{cron.get_next_fire_time(None, now)}", flush=True)  # fmt: skip
    signum = signals.get()
    print(f"stopping on {signal.Signals(signum).name}", flush=True)
    if scheduler.running:
        scheduler.shutdown(wait=False)
    running = current.stop(signum)
    if running is not None:
        wait_or_kill(running, signals, STOP_TIMEOUT)
    # Stopped. Python resets its handlers to the default while it exits; a late signal
    # must not end the process then (no run can start any more, so none inherits this).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def nightly_command() -> list[str]:
    return [sys.executable, "-m", "crawler", "nightly"]
