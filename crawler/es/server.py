"""A local Elasticsearch for development and tests: one node, or a cluster of a few.

The server is the integration-test zip that Elastic publishes to Maven Central, run on
the machine's Java under a project-local folder, bound to 127.0.0.1. Elasticsearch
refuses to run as root, so as root the node runs as an unprivileged user created here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from crawler.cachedir import cache_dir
from crawler.es.probe import port_problem, probe

logger = logging.getLogger(__name__)

ES_VERSION = "8.19.21"
MIN_JAVA = 17
MAVEN_REPO = "https://repo1.maven.org/maven2"
ARTIFACT = "org/elasticsearch/distribution/integ-test-zip/elasticsearch/{v}/elasticsearch-{v}.zip"
ES_USER = "crawler-es"
START_TIMEOUT = 180.0


# The watchdog of a node that dies with its parent (LocalNode.die_with_parent), run as
# `python -c WATCHDOG PID_FILE START_TIMEOUT` with the standard library only, so that it
# runs from any folder. Its stdin is a pipe only the parent holds: the kernel closes it
# however the parent ends, even by SIGKILL, and the watchdog then stops the node.
WATCHDOG = """
import os, signal, sys, time
sys.stdin.buffer.read()
pid_file, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:  # the node may still be starting: wait for its pid
    try:
        with open(pid_file) as f:
            pid = int(f.read().strip())
        break
    except (OSError, ValueError):
        if time.monotonic() > deadline:
            sys.exit("no pid file: the node never started")
        if not os.path.isdir(os.path.dirname(pid_file)):
            sys.exit("the node's folder is gone: nothing to stop")
        time.sleep(1)
try:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        if b"org.elasticsearch" not in f.read():
            sys.exit(f"pid {pid} is no longer Elasticsearch")
except FileNotFoundError:
    pass
for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        break
    end = time.monotonic() + wait
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit()
        time.sleep(0.5)
"""


class ServerError(RuntimeError):
    """The local node cannot be provisioned, started or stopped; says why."""


def find_java_home(env: dict[str, str] | None = None) -> Path:
    """A JDK able to run Elasticsearch: ES_JAVA_HOME, else JAVA_HOME, else java on PATH."""
    env = dict(os.environ if env is None else env)
    if env.get("ES_JAVA_HOME"):
        home = Path(env["ES_JAVA_HOME"])
        if not (home / "bin" / "java").is_file():
            raise ServerError(f"ES_JAVA_HOME={home} has no bin/java")
        return _check_java(home)
    if env.get("JAVA_HOME") and (Path(env["JAVA_HOME"]) / "bin" / "java").is_file():
        return _check_java(Path(env["JAVA_HOME"]))
    java = shutil.which("java", path=env.get("PATH"))
    if java is None:
        raise ServerError(
            f"no Java found: Elasticsearch {ES_VERSION} needs Java {MIN_JAVA} or newer. "
            "Install one (Debian: apt-get install openjdk-17-jre-headless) or set ES_JAVA_HOME."
        )
    return _check_java(Path(os.path.realpath(java)).parent.parent)


def _check_java(home: Path) -> Path:
    result = subprocess.run(
        [str(home / "bin" / "java"), "-version"], capture_output=True, text=True, check=False
    )
    match = re.search(r'version "(\d+)', result.stderr + result.stdout)
    if not match or int(match.group(1)) < MIN_JAVA:
        found = match.group(1) if match else "unknown"
        raise ServerError(
            f"Java at {home} is version {found}; Elasticsearch {ES_VERSION} needs "
            f"{MIN_JAVA} or newer. Set ES_JAVA_HOME to a newer JDK."
        )
    return home


def _runs_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_es_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", ES_USER, "--", *command] if _runs_as_root() else command


def _ensure_es_user() -> None:
    try:
        subprocess.run(["id", "-u", ES_USER], capture_output=True, check=True)
    except subprocess.CalledProcessError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
            check=True,
        )


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


@dataclass
class LocalNode:
    """One node: ``base`` holds the unpacked server (dist/) and the node's own folder."""

    base: Path
    port: int = 9200
    name: str = "local"
    heap: str = "512m"
    version: str = ES_VERSION
    repo: str = MAVEN_REPO
    cache_dir: Path = field(default_factory=cache_dir)
    # None: Elasticsearch takes the first free port from 9300 (its default, 9300-9400).
    transport_port: int | None = None
    # Stop the node when the process that started it ends, even killed: a test session's
    # node. `crawler es up` leaves this off: its node outlives the command on purpose.
    die_with_parent: bool = False
    # A member of a cluster (LocalCluster): the transport addresses of every member and
    # the names of those that elect the first master. Empty: a single-node cluster.
    seed_hosts: tuple[str, ...] = ()
    masters: tuple[str, ...] = ()
    cluster_name: str = ""
    _watchdog: subprocess.Popen | None = field(default=None, init=False, repr=False)

    @property
    def home(self) -> Path:
        return self.base / self.name

    @property
    def dist(self) -> Path:
        return self.base / "dist" / f"elasticsearch-{self.version}"

    @property
    def pid_file(self) -> Path:
        return self.home / "es.pid"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cluster(self) -> str:
        """The cluster.name it joins: its own, alone, or its LocalCluster's."""
        return self.cluster_name or f"crawler-{self.name}"

    @property
    def log_file(self) -> Path:
        """The server's main log (Elasticsearch names it after the cluster)."""
        return self.home / "logs" / f"{self.cluster}.log"

    @property
    def watchdog_log(self) -> Path:
        """What the watchdog of a node that dies with its parent says (why it stopped it)."""
        return self.home / "logs" / "watchdog.log"

    def up(self, timeout: float = START_TIMEOUT) -> str:
        """Start the node and wait until it is healthy; a no-op if it already is."""
        if message := self.start():
            return message
        self.wait_healthy(timeout)
        return f"Elasticsearch {self.version} started at {self.url} (data in {self.home})"

    def start(self) -> str | None:
        """Start the node without waiting for it (a cluster's members start together: none
        is healthy before a majority of them runs); what runs already, or None."""
        found = probe(self.port)
        if found and found["elasticsearch"]:
            return f"Elasticsearch {found['version']} already running at {self.url}"
        if found and found["transport"]:
            raise ServerError(
                f"port {self.port} is the transport port of an Elasticsearch node, not its "
                "HTTP port; ES_URL names the HTTP port (9200 unless that node changed it)"
            )
        if found:
            raise ServerError(
                f"port {self.port} is in use by something that is not Elasticsearch: "
                f"{found['answer']}; stop it or choose another port with ES_URL"
            )
        other = self._configured_port()
        if self._running_pid() and other != self.port:
            raise ServerError(
                f"the node in {self.home} already runs on port {other}; "
                f"stop it first (ES_URL=http://127.0.0.1:{other} crawler es down)"
            )
        self._check_ports()
        java_home = find_java_home()
        self.install()
        self._configure()
        self._start(java_home)
        return None

    def _check_ports(self) -> None:
        """Fail before starting, naming the clash, when a port the node needs is taken."""
        if self.transport_port == self.port:
            raise ServerError(
                f"ES_TRANSPORT_PORT is {self.port}, the HTTP port of ES_URL too; choose another"
            )
        if problem := port_problem(self.port):
            raise ServerError(f"port {self.port} is {problem}; choose another port with ES_URL")
        if self.transport_port is not None and (problem := port_problem(self.transport_port)):
            choose = (
                "ES_TRANSPORT_PORT (a cluster's members take it and the next ports; unset: "
                "the HTTP port + 100)"
                if self.seed_hosts
                else "ES_TRANSPORT_PORT, or unset it to take the first free one from 9300"
            )
            raise ServerError(f"transport port {self.transport_port} is {problem}; choose "
                              f"another with {choose}")  # fmt: skip

    def install(self) -> Path:
        """Download (once, cached) and unpack the server; the unpacked folder."""
        if (self.dist / "bin" / "elasticsearch").is_file():
            return self.dist
        archive = self._download()
        staging = self.dist.with_name(self.dist.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(archive) as bundle:
            for info in bundle.infolist():
                target = bundle.extract(info, staging)
                mode = (info.external_attr >> 16) & 0o777
                if mode:
                    os.chmod(target, mode)
        (inner,) = staging.iterdir()
        inner.rename(self.dist)
        staging.rmdir()
        return self.dist

    def _download(self) -> Path:
        name = f"elasticsearch-{self.version}.zip"
        archive = self.cache_dir / name
        if archive.is_file():
            return archive
        url = f"{self.repo.rstrip('/')}/{ARTIFACT.format(v=self.version)}"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        partial = archive.with_suffix(".part")
        logger.info("Downloading %s", url)
        try:
            with urllib.request.urlopen(f"{url}.sha1", timeout=60) as resp:
                expected = resp.read().decode().split()[0]
            digest = hashlib.sha1()
            with urllib.request.urlopen(url, timeout=60) as resp, partial.open("wb") as out:
                while chunk := resp.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, ValueError, IndexError) as exc:
            partial.unlink(missing_ok=True)
            raise ServerError(f"download of {url} failed: {exc}") from exc
        if digest.hexdigest() != expected:
            partial.unlink(missing_ok=True)
            raise ServerError(f"download of {url} failed: SHA-1 does not match {expected}")
        partial.rename(archive)
        return archive

    def _configure(self) -> None:
        config = self.home / "config"
        if not config.is_dir():
            shutil.copytree(self.dist / "config", config)
        for sub in ("data", "logs"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        if self.seed_hosts:
            discovery = {
                "discovery.seed_hosts": list(self.seed_hosts),
                # Read only when the cluster first forms; ignored once it has.
                "cluster.initial_master_nodes": list(self.masters),
            }
        else:
            discovery = {"discovery.type": "single-node"}
        settings = {
            "cluster.name": self.cluster,
            "node.name": self.name,
            "path.data": str(self.home / "data"),
            "path.logs": str(self.home / "logs"),
            "network.host": "127.0.0.1",
            "http.port": self.port,
            **({} if self.transport_port is None else {"transport.port": self.transport_port}),
            **discovery,
            "xpack.security.enabled": False,
            # Throwaway local nodes often live on busy disks; never go read-only.
            "cluster.routing.allocation.disk.threshold_enabled": False,
        }
        (config / "elasticsearch.yml").write_text(
            "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items())
        )
        if _runs_as_root():
            _ensure_es_user()
            subprocess.run(["chown", "-R", ES_USER, str(self.home)], check=True)
            probe_access = _as_es_user(["test", "-x", str(self.dist / "bin" / "elasticsearch")])
            if subprocess.run(probe_access, check=False).returncode != 0:
                raise ServerError(
                    f"user {ES_USER} cannot reach {self.dist}: a parent folder is not "
                    "readable by other users; set ES_LOCAL_DIR to a folder it can reach"
                )

    def _start(self, java_home: Path) -> None:
        env = {
            **os.environ,
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(self.home / "config"),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
        }
        env.pop("JAVA_TOOL_OPTIONS", None)
        self.pid_file.unlink(missing_ok=True)
        if self.die_with_parent:
            self._watch()
        startup_log = self.home / "logs" / "startup.log"
        command = _as_es_user(
            [str(self.dist / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file)]
        )
        with startup_log.open("w") as log:
            result = subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            self._unwatch()
            raise ServerError(
                f"Elasticsearch did not start (exit code {result.returncode}); "
                f"last lines of {startup_log}:\n{_tail(startup_log)}"
            )

    def _watch(self) -> None:
        """Start the watchdog that stops the node once this process is gone.

        PR_SET_PDEATHSIG cannot do it: the server is a grandchild (the launcher forks it
        and, with -d, exits), and as root runuser changes user, which clears the setting.
        """
        self._unwatch()
        with self.watchdog_log.open("ab") as log:
            self._watchdog = subprocess.Popen(
                [sys.executable, "-c", WATCHDOG, str(self.pid_file), str(START_TIMEOUT)],
                stdin=subprocess.PIPE, stdout=log, stderr=log,
                start_new_session=True,  # a ^C to the session is for its parent, not for it
            )  # fmt: skip

    def _unwatch(self) -> None:
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog.stdin.close()
            self._watchdog = None

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe(self.port)
            if found and found["elasticsearch"] and found["health"] in ("green", "yellow"):
                return
            time.sleep(1)
        raise ServerError(
            f"Elasticsearch at {self.url} did not become healthy in {timeout:.0f} s; "
            f"last lines of {self.log_file}:\n{_tail(self.log_file)}"
        )

    @property
    def running(self) -> bool:
        """Whether the node this folder started is alive (the answer of its pid file)."""
        return self._running_pid() is not None

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would end it (for failover tests)."""
        if pid := self._running_pid():
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)

    def _running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _configured_port(self) -> int | None:
        found = self._configured("http.port")
        return int(found) if found and found.isdigit() else None

    def configured_cluster(self) -> str | None:
        """The cluster.name this folder's node was configured with."""
        return self._configured("cluster.name")

    def _configured(self, key: str) -> str | None:
        try:
            config = (self.home / "config" / "elasticsearch.yml").read_text()
        except OSError:
            return None
        match = re.search(rf"^{re.escape(key)}:\s*(.+)$", config, re.MULTILINE)
        return match.group(1).strip().strip('"') if match else None

    def down(self, timeout: float = 60.0) -> str:
        """Stop the node this folder started on this port; says so when there is none."""
        pid = self._running_pid()
        if pid is None or self._configured_port() != self.port:
            found = probe(self.port)
            if found and found["elasticsearch"]:
                raise ServerError(
                    f"Elasticsearch at {self.url} was not started from {self.home}; "
                    "stop it where it was started"
                )
            self._unwatch()
            return f"Elasticsearch is not running at {self.url}"
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.5)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self._unwatch()
        return f"Elasticsearch at {self.url} stopped"


@dataclass
class LocalCluster:
    """``size`` nodes on loopback that form one cluster: node-1 on HTTP ``port`` and
    transport ``transport_port``, node-2 on the next ports, and so on; each its own folder
    under ``base``, all from one unpacked server."""

    base: Path
    size: int = 3
    port: int = 9200
    transport_port: int = 9300
    heap: str = "512m"
    repo: str = MAVEN_REPO
    die_with_parent: bool = False
    name: str = "crawler-cluster"
    prefix: str = "node"  # members are node-1, node-2...: their folders under base

    @cached_property
    def nodes(self) -> list[LocalNode]:
        """The members, made once: a member that dies with its parent holds its watchdog,
        whose pipe closes (and stops the node) when the member is garbage-collected."""
        names = tuple(f"{self.prefix}-{i}" for i in range(1, self.size + 1))
        seeds = tuple(f"127.0.0.1:{self.transport_port + i}" for i in range(self.size))
        return [
            LocalNode(
                base=self.base,
                port=self.port + i,
                name=names[i],
                heap=self.heap,
                repo=self.repo,
                transport_port=self.transport_port + i,
                die_with_parent=self.die_with_parent,
                seed_hosts=seeds,
                masters=names,
                cluster_name=self.name,
            )  # fmt: skip
            for i in range(self.size)
        ]

    @property
    def url(self) -> str:
        """The ES_URL that lists every node: the client retries on the others."""
        return ",".join(node.url for node in self.nodes)

    def up(self, timeout: float = START_TIMEOUT) -> str:
        """Start the members that do not run, then wait until the cluster is healthy. When
        one cannot start or the cluster does not become healthy, the members started here
        are stopped again: a failed `es up` leaves nothing running that it started."""
        nodes = self.nodes
        http, transport = {n.port for n in nodes}, {n.transport_port for n in nodes}
        if http & transport:
            raise ServerError(
                f"the transport ports {min(transport)}-{max(transport)} (ES_TRANSPORT_PORT) "
                f"overlap the HTTP ports {min(http)}-{max(http)} of ES_URL; choose another"
            )
        started = []
        try:
            for node in nodes:
                if not node.running and node.start() is None:
                    started.append(node)
            for node in nodes:
                node.wait_healthy(timeout)
        except ServerError:
            for node in started:
                node.down()
            raise
        return (
            f"Elasticsearch {ES_VERSION}: {'a' if started else 'already running, a'} "
            f"cluster of {self.size} nodes on ports "
            f"{self.port}-{self.port + self.size - 1} (data in {self.base}); "
            f"ES_URL={self.url}"
        )

    def down(self) -> str:
        return "\n".join(node.down() for node in self.nodes)


def cluster_of(base: Path, port: int) -> list[LocalNode]:
    """The running nodes started from ``base`` that share a cluster with the one set up
    for ``port``: itself alone, or every member of its cluster, even when that one node
    has died (other nodes in the folder, such as a test session's, are left alone)."""
    nodes: list[LocalNode] = []
    if base.is_dir():
        for home in sorted(p for p in base.iterdir() if (p / "config").is_dir()):
            node = LocalNode(base=base, name=home.name)
            if configured := node._configured_port():
                nodes.append(replace(node, port=configured))
    # The node running on the port; else the one last set up for it.
    on_port = sorted(
        (n for n in nodes if n.port == port),
        key=lambda n: (not n.running, -(n.home / "config" / "elasticsearch.yml").stat().st_mtime),
    )
    if not on_port:
        return []
    cluster = on_port[0].configured_cluster()
    return [node for node in nodes if node.running and node.configured_cluster() == cluster]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: a killed process not yet reaped (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: what kill(0) said
    return stat.rpartition(")")[2].split()[0] != "Z"


def reachable_by_others(path: Path) -> bool:
    """True when every folder above ``path`` lets other users through (o+x); those not
    made yet will be, with the usual mode (a data folder on first use)."""
    return all(p.stat().st_mode & 0o001 for p in path.resolve().parents if p.exists())


def default_base(project_dir: Path, configured: str | None = None) -> Path:
    """Where the local node lives: ``configured`` (ES_LOCAL_DIR), else the project's .es
    folder.

    As root the node runs as another user, who must be able to reach that folder; when
    a parent folder is private (a clone under a mktemp -d, say) a folder in /var/tmp
    named after the project path is used instead.
    """
    if configured:
        return Path(configured)
    base = project_dir / ".es"
    if _runs_as_root() and not reachable_by_others(base):
        digest = hashlib.sha1(str(project_dir.resolve()).encode()).hexdigest()[:10]
        return Path("/var/tmp") / f"crawler-es-{digest}"
    return base
