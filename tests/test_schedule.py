"""`crawler schedule`: cron, one run at a time, catch-up after downtime, clean SIGTERM."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest

from crawler.schedule import VIETNAM, ScheduleError, missed, run_locked, trigger
from tests.conftest import PROJECT


def test_missed_run_is_caught_up_once() -> None:
    cron = trigger("0 2 * * *")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=VIETNAM)
    assert missed(cron, datetime(2026, 11, 23, 2, 0, 5, tzinfo=VIETNAM), now)  # 24th 02:00 missed
    assert not missed(cron, datetime(2026, 11, 24, 2, 0, 5, tzinfo=VIETNAM), now)
    assert not missed(cron, None, now)  # first start: nothing to catch up


def test_bad_cron_is_a_clear_error() -> None:
    with pytest.raises(ScheduleError, match="NIGHTLY_CRON '61 2 \\* \\* \\*' is not a cron"):
        trigger("61 2 * * *")


def test_a_second_run_waits_for_none(tmp_path) -> None:
    lock = tmp_path / "nightly.lock"
    marker = tmp_path / "ran"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w').write('x')"]
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert run_locked(lock, command) is None  # another run holds the lock
    assert not marker.exists()
    assert run_locked(lock, command) == 0  # released (as when its holder dies)
    assert marker.exists()


def test_schedule_stops_cleanly_on_sigterm(es_url, tmp_path) -> None:
    env = {**os.environ, "ES_URL": es_url, "CRAWLER_RUNS_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "schedule", "--cron", "0 2 * * *"],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first = process.stdout.readline()
    assert "scheduled `" in first
    assert "next run" in first
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert "stopping on SIGTERM" in process.stdout.read()
