"""`crawler schedule`: cron, one run at a time, catch-up after downtime, clean SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from crawler.schedule import VIETNAM, ScheduleError, missed, trigger
from tests.conftest import PROJECT

# run_service() in a fresh interpreter, without the CLI's Elasticsearch check: CRON RUNS_DIR CMD...
SERVE = (
    "import sys; from pathlib import Path; from crawler.schedule import run_service; "
    "run_service(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])"
)
# The same, with a SIGTERM that lands after the handlers are installed and before the
# scheduler runs: the window where the handler used to raise SchedulerNotRunningError.
SERVE_EARLY_SIGTERM = (
    "import os, signal; from apscheduler.schedulers.base import BaseScheduler; "
    "start = BaseScheduler.start\n"
    "def early(self, *args, **kwargs):\n"
    "    os.kill(os.getpid(), signal.SIGTERM)\n"
    "    start(self, *args, **kwargs)\n"
    "BaseScheduler.start = early\n" + SERVE
)
# A stand-in for `crawler nightly` that runs until stopped, leaving its pid in a file.
LONG_RUN = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(120)"
STUBBORN_RUN = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + LONG_RUN


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Starts argv from the project folder, stdout and stderr going to files in tmp_path;
    whatever still runs at the end of the test is killed."""
    started: list[subprocess.Popen] = []

    def start(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        with (tmp_path / "stdout").open("w") as out, (tmp_path / "stderr").open("w") as err:
            started.append(subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=out, stderr=err))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def output(tmp_path: Path, stream: str = "stdout") -> str:
    return (tmp_path / stream).read_text()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(0.05)


def assert_stopped_cleanly(process: subprocess.Popen, tmp_path: Path) -> None:
    assert process.wait(timeout=30) == 0, output(tmp_path, "stderr")
    assert "stopping on SIGTERM" in output(tmp_path)
    assert "Traceback" not in output(tmp_path, "stderr")


def test_missed_run_is_caught_up_once() -> None:
    cron = trigger("0 2 * * *")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=VIETNAM)
    assert missed(cron, datetime(2026, 11, 23, 2, 0, 5, tzinfo=VIETNAM), now)  # 24th 02:00 missed
    assert not missed(cron, datetime(2026, 11, 24, 2, 0, 5, tzinfo=VIETNAM), now)
    assert not missed(cron, None, now)  # first start: nothing to catch up


def test_bad_cron_is_a_clear_error() -> None:
    with pytest.raises(ScheduleError, match="NIGHTLY_CRON '61 2 \\* \\* \\*' is not a cron"):
        trigger("61 2 * * *")


def test_schedule_stops_cleanly_on_sigterm(es_url, tmp_path, launch) -> None:
    env = {**os.environ, "ES_URL": es_url, "CRAWLER_RUNS_DIR": str(tmp_path / "runs")}
    process = launch(sys.executable, "-m", "crawler", "schedule", "--cron", "0 2 * * *",
                     env=env)  # fmt: skip
    wait_until(lambda: "next run" in output(tmp_path), "the `scheduled ... next run` line")
    assert output(tmp_path).startswith("scheduled `")
    process.send_signal(signal.SIGTERM)  # at once: the scheduler may still be starting
    assert_stopped_cleanly(process, tmp_path)


def test_sigterm_before_the_scheduler_runs(tmp_path, launch) -> None:
    process = launch(sys.executable, "-c", SERVE_EARLY_SIGTERM, "0 2 * * *",
                     str(tmp_path / "runs"), "true")  # fmt: skip
    assert_stopped_cleanly(process, tmp_path)


def test_sigterm_while_the_interpreter_starts(tmp_path, launch) -> None:
    """Before run_service() installs its handler SIGTERM has its default action: gone, quietly."""
    process = launch(sys.executable, "-c", SERVE, "0 2 * * *", str(tmp_path / "runs"),
                     "true")  # fmt: skip
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert output(tmp_path, "stderr") == ""


def catch_up_run(
    tmp_path: Path, launch: Callable[..., subprocess.Popen], run: str
) -> tuple[subprocess.Popen, int]:
    """The service, started after a missed night, and the pid of the run it started for it."""
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "run-20000101T000000.json").write_text("{}")  # every night since was missed
    child_pid = tmp_path / "child.pid"
    process = launch(sys.executable, "-c", SERVE, "0 2 * * *", str(runs),
                     sys.executable, "-c", run, str(child_pid))  # fmt: skip
    wait_until(lambda: child_pid.exists() and child_pid.read_text(), "the catch-up run to start")
    assert "a scheduled run was missed" in output(tmp_path)
    return process, int(child_pid.read_text())


@contextlib.contextmanager
def killed_at_the_end(pid: int) -> Iterator[None]:
    """The run has its own session: end it even when the test fails."""
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_catch_up_run_starts_and_sigterm_stops_it(tmp_path, launch) -> None:
    process, run_pid = catch_up_run(tmp_path, launch, LONG_RUN)
    with killed_at_the_end(run_pid):
        process.send_signal(signal.SIGTERM)
        assert_stopped_cleanly(process, tmp_path)
        assert "nightly run exit code -15" in output(tmp_path)  # the run got the SIGTERM too
        with pytest.raises(ProcessLookupError):
            os.kill(run_pid, 0)


def test_second_sigterm_kills_a_run_that_does_not_stop(tmp_path, launch) -> None:
    process, run_pid = catch_up_run(tmp_path, launch, STUBBORN_RUN)
    with killed_at_the_end(run_pid):
        process.send_signal(signal.SIGTERM)
        wait_until(lambda: "stopping on SIGTERM" in output(tmp_path), "the first SIGTERM")
        process.send_signal(signal.SIGTERM)
        assert_stopped_cleanly(process, tmp_path)
        assert f"the run (pid {run_pid}) SIGTERM again: killing it" in output(tmp_path)
        assert "nightly run exit code -9" in output(tmp_path)


def test_a_sigkilled_service_leaves_no_run_behind(tmp_path, launch) -> None:
    process, run_pid = catch_up_run(tmp_path, launch, LONG_RUN)
    with killed_at_the_end(run_pid):
        os.kill(run_pid, 0)  # the run is there
        process.kill()
        process.wait(timeout=30)

        def gone() -> bool:
            try:
                os.kill(run_pid, 0)
            except ProcessLookupError:
                return True
            # A zombie is gone too: it waits only for its (new) parent to reap it.
            return Path(f"/proc/{run_pid}/stat").read_text().split(") ")[1].startswith("Z")

        wait_until(gone, "the run to end with the service")
