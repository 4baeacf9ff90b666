"""Pages/s and articles/s of a crawl of generated fixture sites on loopback.

Usage (a local Elasticsearch must be up: `crawler es up`):
    .venv/bin/python benchmarks/crawl_fixture_sites.py [--articles 100] [--no-ner]

One site per CMS family, each with N generated seed-size articles (testkit/corpus.py)
on listing pages of 20, crawled with politeness off (the sites are on this machine)
through every pipeline into a throwaway index. Prints the crawl summary and the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from elasticsearch import Elasticsearch  # noqa: E402

from testkit.sites.generated import build, registry_yaml  # noqa: E402
from testkit.sites.server import stop  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100, help="articles per site")
    parser.add_argument("--no-ner", action="store_true", help="skip entity extraction")
    args = parser.parse_args()
    sites = [build("nukeviet", "127.0.0.2", args.articles),
             build("wordpress", "127.0.0.3", args.articles)]  # fmt: skip
    alias = f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write(registry_yaml(sites))
    env = {**os.environ, "CRAWLER_SITES": handle.name, "ES_INDEX": alias}
    settings = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
    if args.no_ner:
        settings.append("NER_ENABLED=0")
    command = [sys.executable, "-m", "crawler", "crawl"]
    for setting in settings:
        command += ["-s", setting]
    print("$", " ".join(command[1:]), f"(2 sites x {args.articles} articles)", flush=True)
    result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    print(result.stdout)
    for site in sites:
        stop(site)
    client = Elasticsearch(env.get("ES_URL", "http://127.0.0.1:9200"))
    if client.indices.exists_alias(name=alias):
        client.indices.delete(index=list(client.indices.get_alias(name=alias)))
    os.unlink(handle.name)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
