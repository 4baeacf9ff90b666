"""No process the crawler starts outlives it: SIGKILL `crawler replay` and its entity
fork server, workers and resource tracker are all gone within seconds; kill the process
that started a test node and the node stops (issue 15)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.es.server import WATCHDOG, LocalNode
from tests.conftest import PROJECT, SEED, free_port, node_base

DEADLINE = 15.0  # seconds the children get to notice and exit
SEEDS = 60  # copies of the seed: enough work that the run is still going when killed

MARK = "CRAWLER_ORPHAN_TEST"  # in the environment of every process of one run

# A process as (pid, start time in clock ticks): a pid reused meanwhile is another process.
Proc = tuple[int, int]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name; None when gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def tagged(mark: str) -> dict[Proc, int]:
    """Live processes whose environment holds ``mark``, each with its ppid: the command's
    descendants, also those re-parented or forked after it died (the fork server and its
    workers inherit its environment, and each test run has its own mark)."""
    needle = f"\0{MARK}={mark}\0".encode()
    found: dict[Proc, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = b"\0" + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ and (fields := _stat(int(entry.name))):
            found[(int(entry.name), int(fields[19]))] = int(fields[1])
    return found


def _wait_for(what: str, ready: Callable[[], bool], run: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        if run.poll() is not None:
            output = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"replay ended (exit {run.returncode}) before {what}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within 120 s")
        time.sleep(0.02)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "moment",
    [
        "as the fork server starts",  # before it can ask for PR_SET_PDEATHSIG: pipes only
        "while the fork server loads",  # the models; the crawl is waiting to fork workers
        "while workers extract",
    ],
)
def test_killed_replay_leaves_no_process_behind(moment, tmp_path, cli_env) -> None:
    for n in range(SEEDS):
        shutil.copy(SEED, tmp_path / f"{n:03}.txt")
    mark = uuid.uuid4().hex
    # A file, not a pipe, for its output: a surviving child would hold a pipe open.
    log = tmp_path / "replay.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "crawler", "replay", str(tmp_path)],
            cwd=PROJECT, env={**cli_env, "NER_WORKERS": "2", MARK: mark},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def children() -> dict[Proc, int]:
        return {proc: ppid for proc, ppid in tagged(mark).items() if proc[0] != run.pid}

    def servers() -> list[int]:
        return [pid for pid, _ in children() if "multiprocessing.forkserver" in _cmdline(pid)]

    def workers() -> list[int]:
        found, forked_by = children(), set(servers())
        return [pid for (pid, _), ppid in found.items() if ppid in forked_by]

    try:
        if moment == "while workers extract":
            _wait_for("2 entity workers", lambda: len(workers()) >= 2, run, log)
            # Who runs, read at once: a worker may end before the kill (a CI run saw the
            # two gone one second later), which is no process left behind either.
            started = children()
            time.sleep(0.3)  # into the extraction of the first batches
        else:
            _wait_for("the fork server", lambda: bool(servers()), run, log)
            if moment == "while the fork server loads":
                time.sleep(0.5)
            started = children()
        names = [_cmdline(pid) for pid, _ in started]
        assert run.poll() is None, "replay finished before it could be killed"
    finally:
        run.kill()
        run.wait()

    assert run.returncode == -signal.SIGKILL
    # They were there, all descendants of the command: the test cannot pass vacuously.
    assert any("resource_tracker" in name for name in names), names
    assert any("multiprocessing.forkserver" in name for name in names), names
    if moment == "while workers extract":
        assert len(started) >= 4, names  # resource tracker, fork server, 2 workers
    pids = {pid for pid, _ in started}
    assert all(ppid in pids | {run.pid} for ppid in started.values()), started

    deadline = time.monotonic() + DEADLINE
    while (left := tagged(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [(pid, _cmdline(pid)) for pid, _ in left]
    for pid, _ in left:  # this test's own processes: not left to the next
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not survivors, survivors


# Starts a node that dies with its parent, says where its pid is, and waits to be killed.
NODE_OWNER = """
import sys, time
from pathlib import Path
from crawler.es.server import LocalNode
node = LocalNode(base=Path(sys.argv[1]), name=sys.argv[2], port=int(sys.argv[3]),
                 die_with_parent=True)
node.up()
print(node.pid_file, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.usefixtures("es_url")  # the server unpacked by then, not by two at once
def test_a_test_node_stops_when_the_process_that_started_it_is_killed() -> None:
    """As the session's node (tests/conftest.py) does when pytest is killed."""
    node = LocalNode(base=node_base(), name=f"orphan-{uuid.uuid4().hex[:8]}", port=free_port())
    owner = subprocess.Popen(
        [sys.executable, "-c", NODE_OWNER, str(node.base), node.name, str(node.port)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        line = owner.stdout.readline().strip()
        assert line == str(node.pid_file), f"the node did not come up (exit {owner.poll()})"
        pid = int(node.pid_file.read_text())
        assert "org.elasticsearch" in _cmdline(pid)
        owner.kill()
        owner.wait()
        deadline = time.monotonic() + 90  # a clean shutdown first, SIGKILL after 60 s
        while _stat(pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _stat(pid), f"Elasticsearch {pid} outlived the process that started it"
    finally:
        owner.kill()
        owner.wait()
        owner.stdout.close()
        node.down()  # a no-op when the watchdog did its job
        shutil.rmtree(node.home, ignore_errors=True)


def test_a_watchdog_whose_node_folder_is_gone_exits_at_once(tmp_path: Path) -> None:
    """A node removed before it wrote its pid (a test's folder deleted): nothing to stop,
    so its watchdog does not wait out the start-up timeout."""
    home = tmp_path / "node"
    home.mkdir()
    watchdog = subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(home / "es.pid"), "600"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    watchdog.stdin.close()  # as when its parent dies
    shutil.rmtree(home)
    try:
        assert watchdog.wait(timeout=DEADLINE) == 1
    finally:
        watchdog.kill()
        watchdog.wait()
    assert b"folder is gone" in watchdog.stderr.read()
    watchdog.stderr.close()
