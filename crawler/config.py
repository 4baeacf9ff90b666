"""The settings a deployment changes, read from the environment here and nowhere else.

Each variable is named as the setting it sets (ES_URL sets ES_URL) and is checked when
the settings load, so a bad value is one line naming the variable and why, never a
traceback in the middle of a run. `-s NAME=VALUE` on the command line wins over both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(ValueError):
    """An environment variable with a value the program cannot use."""


def _positive_number(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be more than 0")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _seconds_or_zero(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must be 0 (no limit) or a number of seconds")
    return value


def _segments(text: str) -> int:
    value = int(text)
    if value < -1:
        raise ValueError("must be -1 (never) or a number of segments, 0 or more")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise ValueError("must be a port number, 1 to 65535")
    return value


def _es_url(text: str) -> str:
    for part in (p.strip() for p in text.split(",")):
        url = urlsplit(part)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"{part!r} is not an http(s)://host:port address")
        url.port  # noqa: B018 (raises ValueError on a bad port)
    return text


def _log_level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return text.upper()


def _text(text: str) -> str:
    return text


def _folder(text: str) -> str:
    return str(Path(text).expanduser().absolute())


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


@dataclass(frozen=True)
class Variable:
    name: str
    parse: Callable[[str], Any]
    help: str


VARIABLES = (
    Variable("ES_URL", _es_url, "Elasticsearch node(s), comma-separated"),
    Variable("ES_INDEX", _text, "the articles alias"),
    Variable("ES_USERNAME", _text, "basic auth user"),
    Variable("ES_PASSWORD", _text, "basic auth password"),
    Variable("ES_API_KEY", _text, "API key (base64 id:key)"),
    Variable("ES_API_KEY_FILE", _text, "a file holding the API key"),
    Variable("ES_CA_CERTS", _text, "CA bundle for TLS"),
    Variable("ES_TIMEOUT", _positive_number, "seconds to wait for one request"),
    Variable("ES_RUNS_INDEX", _text, "the index of nightly run reports"),
    Variable("ES_HEAP", _text, "heap of the local node, e.g. 512m"),
    Variable("ES_MAVEN_REPO", _text, "where `crawler es up` downloads Elasticsearch"),
    Variable("ES_LOCAL_DIR", _text, "folder of the local node"),
    Variable("ES_TRANSPORT_PORT", _port, "transport port of the local node"),
    Variable("ES_WATCHES_INDEX", _text, "the index of saved searches (watches)"),
    Variable("WATCH_WEBHOOK_SECRET", _text, "secret signing webhook deliveries (HMAC-SHA256)"),
    Variable("SMTP_HOST", _text, "mail server of watch e-mails"),
    Variable("SMTP_PORT", _port, "port of the mail server"),
    Variable("SMTP_USER", _text, "mail server login"),
    Variable("SMTP_PASSWORD", _text, "mail server password"),
    Variable("SMTP_FROM", _text, "sender address of watch e-mails"),
    Variable("SMTP_STARTTLS", _flag, "upgrade the mail connection with STARTTLS: true or false"),
    Variable("WEB_WRITE_TOKEN", _text, "token the web page and API need to change watches"),
    Variable("REDIS_URL", _text, "a Redis shared by crawler processes (scale-out)"),
    Variable("REDIS_OUTAGE_LIMIT", _seconds_or_zero, "seconds a crawl waits for a lost Redis"),
    Variable("REDIS_HOLD_MAX", _count, "links a crawl holds while Redis is out of reach"),
    Variable("REDIS_SEEN_TTL", _positive_number, "seconds a shared crawl's page counts as seen"),
    Variable("CRAWLER_SITES", _text, "the site registry (YAML)"),
    Variable("CRAWLER_USER_SITES", _text, "your own site entries (`crawler sites add`)"),
    Variable("CRAWLER_DATA_DIR", _folder, "folder of the spool, run reports and HTTP cache"),
    Variable("CRAWLER_SPOOL_DIR", _text, "folder of articles waiting for Elasticsearch"),
    Variable("CRAWLER_RUNS_DIR", _text, "folder of nightly run reports"),
    Variable("CRAWLER_NIGHTLY_CRON", _text, "when `crawler schedule` runs the nightly crawl"),
    Variable("NIGHTLY_MERGE_ABOVE", _segments, "segments above which a night merges the index"),
    Variable("NER_WORKERS", _count, "entity extraction processes"),
    Variable("LOG_LEVEL", _log_level, "Scrapy's log level"),
)
# Names read before they matched the settings: say what to set instead.
RENAMED = {"CRAWLER_LOG_LEVEL": "LOG_LEVEL"}


def checked(name: str, text: str) -> Any:
    """A `-s NAME=VALUE` value: checked and parsed as its variable would be, when NAME is
    one; ConfigError names it and why. Other Scrapy settings pass as they are."""
    variable = next((v for v in VARIABLES if v.name == name), None)
    return text if variable is None else _parsed(variable, text.strip())


def _parsed(variable: Variable, text: str) -> Any:
    """The variable's value from ``text``; ConfigError, one line naming it, when bad."""
    try:
        return variable.parse(text)
    except ValueError as exc:
        why = str(exc)
        if why.startswith(("invalid literal", "could not convert")):
            why = "not a number"
        raise ConfigError(f"{variable.name}={text!r}: {why} ({variable.help})") from exc


def environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment sets, checked; ConfigError names every bad one."""
    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    problems = [f"{old} is now called {new}" for old, new in RENAMED.items() if old in environ]
    for variable in VARIABLES:
        text = environ.get(variable.name, "").strip()
        if not text:
            continue
        try:
            found[variable.name] = _parsed(variable, text)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("; ".join(problems))
    return found


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """XDG_CACHE_HOME, else ~/.cache: where compiled models are kept between runs."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def data_dir(checkout: Path, environ: Mapping[str, str] | None = None) -> Path:
    """CRAWLER_DATA_DIR; else the checkout the code runs from (it has scrapy.cfg), as ever;
    else XDG_DATA_HOME (~/.local/share)/vn-police-news-crawler: never site-packages."""
    environ = os.environ if environ is None else environ
    if configured := environ.get("CRAWLER_DATA_DIR", "").strip():
        return Path(_folder(configured))
    if (checkout / "scrapy.cfg").is_file():
        return checkout
    home = environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(home) / "vn-police-news-crawler"


def research_data(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Where real text kept outside the repository is (VN_NEWS_DATA, VLSP2016_TEST)."""
    environ = os.environ if environ is None else environ
    return environ.get(name)
