"""Running on a host: one nightly run at a time however started, the crontab line on a
fresh host, the systemd units as systemd reads them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid

import pytest

from crawler.runlock import EXIT_BUSY, RunLocked, exclusive
from crawler.schedule import CurrentRun, run_once
from testkit.sites.catalog import registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port, run_cli

DEPLOY = PROJECT / "deploy"
INSTALLED = "/opt/vn-police-crawler"


@pytest.fixture
def fixture_env(es_url, tmp_path):
    """Settings of a nightly run over one fixture site, as an environment."""
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    alias = f"deploy-{uuid.uuid4().hex[:8]}"
    yield {"ES_URL": es_url, "ES_INDEX": alias, "ES_RUNS_INDEX": f"{alias}-runs",
           "CRAWLER_SITES": str(registry),
           "CRAWLER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    for site in sites.values():
        stop(site)
    drop_alias(es_url, alias)


def test_the_lock_names_its_holder_and_is_released(tmp_path) -> None:
    lock = tmp_path / "runs" / "nightly.lock"  # its folder does not exist yet
    holder = f"holds {lock} \\(pid {os.getpid()}, since 20"
    with exclusive(lock), pytest.raises(RunLocked, match=holder), exclusive(lock):
        pass
    with exclusive(lock):  # released at the end of the block
        pass


def test_a_manual_nightly_run_cannot_overlap_a_scheduled_one(fixture_env, tmp_path) -> None:
    runs = tmp_path / "runs"
    env = {**os.environ, **fixture_env, "CRAWLER_RUNS_DIR": str(runs)}
    command = ("nightly", *FAST_CRAWL, "-s", "NER_ENABLED=0", "--site", "laichau")
    with exclusive(runs / "nightly.lock"):  # a scheduled run is going
        busy = run_cli(*command, env=env)
    assert busy.returncode == EXIT_BUSY
    assert f"another run holds {runs / 'nightly.lock'} (pid {os.getpid()}" in busy.stderr
    assert not list(runs.glob("run-*.json"))  # nothing done
    done = run_cli(*command, env=env)
    assert done.returncode == 0, done.stderr
    assert len(list(runs.glob("run-*.json"))) == 1


def test_a_run_lock_that_cannot_be_made_is_one_line(es_url, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {**os.environ, "ES_URL": es_url, "CRAWLER_RUNS_DIR": str(blocker / "runs")}
    result = run_cli("nightly", env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert f"cannot take the run lock {blocker / 'runs' / 'nightly.lock'}" in line


def test_the_scheduler_counts_a_locked_run_as_skipped() -> None:
    exits = [sys.executable, "-c", "import sys; sys.exit(int(sys.argv[1]))"]
    assert run_once([*exits, str(EXIT_BUSY)], CurrentRun()) == "skipped: another run holds the lock"
    assert run_once([*exits, "1"], CurrentRun()) == "exit code 1"
    stopping = CurrentRun()
    stopping.stop(15)
    assert run_once([*exits, "0"], stopping) == "skipped: the service is stopping"


def test_the_crontab_line_works_on_a_fresh_host(fixture_env, tmp_path) -> None:
    """No runs/ folder yet (flock used to exit 66 there), the settings in the env file."""
    home = tmp_path / "opt"
    home.mkdir()
    (home / ".venv").symlink_to(PROJECT / ".venv")
    data = tmp_path / "data"  # as /var/lib/vn-police-crawler: not there yet
    settings = {**fixture_env, "CRAWLER_DATA_DIR": str(data)}
    env_file = tmp_path / "crawler.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
    (line,) = [row for row in (DEPLOY / "crontab").read_text().splitlines()
               if row and not row.startswith("#")]  # fmt: skip
    command = line.split(None, 5)[5].replace(INSTALLED, str(home))
    command = command.replace("/etc/vn-police-crawler.env", str(env_file))
    # The extra settings a test needs go on the command, as a user would add them.
    fast = " ".join([*FAST_CRAWL, "-s", "NER_ENABLED=0", "--site", "laichau"])
    command = command.replace("crawler nightly", f"crawler nightly {fast}")
    # cron's environment: almost nothing.
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}
    result = subprocess.run(["/bin/sh", "-c", command], env=cron_env, capture_output=True,
                            text=True, timeout=600, check=False)  # fmt: skip
    log = (data / "runs" / "nightly.log").read_text()
    assert result.returncode == 0, log + result.stderr
    assert "indexed" in log
    assert len(list((data / "runs").glob("run-*.json"))) == 1  # the report beside the lock
    assert (data / "runs" / "nightly.lock").exists()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_the_systemd_units_are_valid(tmp_path) -> None:
    """As systemd reads them, with the program in place (verify checks ExecStart)."""
    text = (DEPLOY / "vn-police-crawler.service").read_text()
    assert "Wants=network-online.target" in text
    assert "User=" in text
    assert "User=root" not in text
    home = tmp_path / "opt"
    (home / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(PROJECT / ".venv" / "bin" / "crawler", home / ".venv" / "bin" / "crawler")
    for name in ("vn-police-crawler.service", "vn-police-crawler.timer"):
        unit = (DEPLOY / name).read_text().replace(INSTALLED, str(home))
        (tmp_path / name).write_text(unit)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / "vn-police-crawler.service"),
         str(tmp_path / "vn-police-crawler.timer")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    problems = [row for row in result.stderr.splitlines() if "vn-police-crawler" in row]
    assert not problems, result.stderr
    assert result.returncode == 0, result.stderr
