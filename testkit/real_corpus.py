"""The shared real police excerpts as a search corpus: 60 real stories for judged queries.

The texts are third-party news kept outside the repository (police_dev.jsonl, found the
way the entity sets are: $VN_NEWS_DATA, else ../shared/research/data); only their ids are
judged in tests/data/relevance/real_queries.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.items import Article
from crawler.text import split_paragraphs

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

NAME = "police_dev.jsonl"
PREFIX = "real-"  # the ids judged: "real-d14" for the excerpt "d14"


def real_corpus_path() -> Path | None:
    """Where the excerpts are kept on this machine, or None."""
    from crawler.nlp.evaluation import find_set

    return find_set(NAME)


def real_articles(path: Path) -> list[Article]:
    """Each excerpt as an article without a title (excerpts have none): the first paragraph
    is the lead, the others the body; no entities (ranking reads only the text)."""
    articles = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            paragraphs = split_paragraphs(record["text"])
            record_id, url = record["id"], record["url"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not an excerpt record ({exc})") from exc
        articles.append(Article(
            id=PREFIX + record_id, url=url or f"https://example.invalid/{record_id}",
            source="site", site="real", province="Toàn quốc", province_current="Toàn quốc",
            title="", lead=paragraphs[0], body=paragraphs[1:],
        ))  # fmt: skip
    return articles


def index_real_corpus(client: Elasticsearch, alias: str, path: Path) -> list[str]:
    """Put the excerpts through normalization into the alias; the failures, if any."""
    from testkit.relevance_corpus import index_articles

    return index_articles(client, alias, real_articles(path), with_entities=False)
