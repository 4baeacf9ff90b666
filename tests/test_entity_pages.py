"""Pages of one person and one unit, their API and `crawler person`, on a real
Elasticsearch with articles whose entities are known."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from crawler.es import entity_profile
from crawler.es.bulk import bulk_index
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.items import Article
from crawler.web.app import create_app
from tests.conftest import drop_alias, run_cli

HUNG = "Nguyễn Văn Hùng"
UNIT = "Công an tỉnh Sơn La"
TEAM = "Đội 1/PC04"  # a slash inside a name


def person(name: str, rank: str | None = None, title: str | None = None) -> dict[str, Any]:
    mention = {"text": name, "type": "PER", "field": "body", "paragraph": 0, "start": 0,
               "end": len(name), "normalized": name, "rank": rank, "title": title}  # fmt: skip
    return {k: v for k, v in mention.items() if v is not None}


def org(name: str) -> dict[str, Any]:
    return {"text": name, "type": "ORG", "field": "body", "paragraph": 0, "start": 0,
            "end": len(name), "normalized": name}  # fmt: skip


def article(doc_id: str, published: str, entities: list[dict], province: str = "Sơn La",
            current: str = "Sơn La") -> dict[str, Any]:  # fmt: skip
    item = Article(id=doc_id, url=f"https://congan.sonla.gov.vn/{doc_id}.html", source="site",
                   title=f"Tin {doc_id}", body=["Nội dung."], province=province,
                   province_current=current, published=published, entities=entities)  # fmt: skip
    return article_document(item)


DEPUTY, HEAD = "Phó Trưởng phòng Cảnh sát hình sự", "Trưởng phòng Cảnh sát hình sự"
DOCS = [
    # "Công an tỉnh" of a Sơn La article is filed as Công an tỉnh Sơn La.
    article("a1", "2024-01-10T08:00:00+07:00",
            [person(HUNG, "Thượng tá", DEPUTY), person("Lò Văn Minh"), org("Công an tỉnh")]),
    article("a2", "2024-01-25T09:00:00+07:00", [person(HUNG, "Thượng tá", DEPUTY)]),
    # February: no article.
    article("a3", "2024-03-05T10:00:00+07:00",
            [person(HUNG, "Đại tá", HEAD), person("Lò Văn Minh"), org(UNIT), org(TEAM)]),
    # 31 March in UTC, 1 April in Vietnam: counted in April.
    article("a4", "2024-04-01T00:30:00+07:00", [person(HUNG, "Đại tá", HEAD)]),
    # A namesake in Thái Bình, merged into Hưng Yên in 2025.
    article("b1", "2023-06-01T08:00:00+07:00", [person(HUNG, "Trung tá")],
            province="Thái Bình", current="Hưng Yên"),
]  # fmt: skip


@pytest.fixture(scope="module")
def index(es_url: str) -> Iterator[str]:
    alias = f"test-entities-{uuid.uuid4().hex[:8]}"
    with Elasticsearch(es_url) as client:
        ensure_index(client, alias)
        assert [reason for _, reason in bulk_index(client, alias, DOCS)] == [None] * len(DOCS)
        client.indices.refresh(index=alias)
    yield alias
    drop_alias(es_url, alias)


@pytest.fixture(scope="module")
def web(es_url: str, index: str) -> Iterator[TestClient]:
    client = Elasticsearch(es_url)
    with TestClient(create_app(client, index)) as app:
        yield app
    client.close()


def test_a_person_over_time_in_one_province(web: TestClient) -> None:
    found = web.get(f"/api/people/{quote(HUNG)}", params={"province": "Sơn La"}).json()
    assert found["total"] == 4
    assert (found["first"], found["last"]) == ("2024-01-10", "2024-04-01")
    assert found["months"] == [
        {"month": "2024-01", "count": 2},
        {"month": "2024-02", "count": 0},
        {"month": "2024-03", "count": 1},
        {"month": "2024-04", "count": 1},
    ]
    entries = [(e["kind"], e["value"], e["first"], e["last"], e["count"])
               for e in found["ranks_and_titles"]["entries"]]  # fmt: skip
    assert entries == [
        ("rank", "Thượng tá", "2024-01-10", "2024-01-25", 2),
        ("title", DEPUTY, "2024-01-10", "2024-01-25", 2),
        ("rank", "Đại tá", "2024-03-05", "2024-04-01", 2),
        ("title", HEAD, "2024-03-05", "2024-04-01", 2),
    ]
    assert not found["ranks_and_titles"]["cut"]
    assert [p["value"] for p in found["provinces"]] == ["Sơn La"]
    assert {"value": "Lò Văn Minh", "count": 2} in found["persons"]
    assert HUNG not in [p["value"] for p in found["persons"]]
    assert {"value": UNIT, "count": 2} in found["organizations"]
    assert [a["id"] for a in found["latest"]] == ["a4", "a3", "a2", "a1"]


def test_namesakes_in_several_provinces(web: TestClient) -> None:
    everywhere = web.get(f"/api/people/{quote(HUNG)}").json()
    assert everywhere["total"] == 5
    assert sorted((n["province"], n["count"]) for n in everywhere["namesakes"]) == [
        ("Hưng Yên", 1), ("Sơn La", 4)
    ]  # fmt: skip
    assert everywhere["months"][0] == {"month": "2023-06", "count": 1}
    assert len(everywhere["months"]) == 11  # June 2023 to April 2024, empty months at zero
    # The province as published before the merger finds the same person.
    thai_binh = web.get(f"/api/people/{quote(HUNG)}", params={"province": "Thái Bình"}).json()
    assert thai_binh["total"] == 1
    assert [e["value"] for e in thai_binh["ranks_and_titles"]["entries"]] == ["Trung tá"]
    assert thai_binh["provinces"] == [
        {"value": "Hưng Yên", "count": 1, "merged": [{"value": "Thái Bình", "count": 1}]}
    ]
    page = web.get(f"/people/{quote(HUNG)}")
    assert "Cùng tên ở 2 tỉnh" in page.text
    assert f'href="/people/{quote(HUNG)}?province={quote("Sơn La")}"' in page.text


def test_an_organisation_and_a_name_with_a_slash(web: TestClient) -> None:
    unit = web.get(f"/api/organizations/{quote(UNIT)}").json()
    assert unit["total"] == 2
    assert unit["months"] == [{"month": "2024-01", "count": 1}, {"month": "2024-02", "count": 0},
                              {"month": "2024-03", "count": 1}]  # fmt: skip
    assert UNIT not in [o["value"] for o in unit["organizations"]]
    assert {"value": TEAM, "count": 1} in unit["organizations"]
    assert {"value": HUNG, "count": 2} in unit["persons"]
    assert "ranks_and_titles" not in unit
    for path in (f"/api/organizations/{quote(TEAM)}", f"/api/organizations/{quote(TEAM, safe='')}"):
        assert web.get(path).json()["total"] == 1, path


def test_the_person_page(web: TestClient) -> None:
    page = web.get(f"/people/{quote(HUNG)}", params={"province": "Sơn La"})
    assert page.status_code == 200
    text = page.text
    assert "<script" not in text
    assert "style=" not in text
    chart = re.search(r'<figure class="chart">\s*<svg.*?</svg>', text, re.DOTALL).group()
    bars = re.findall(r'<rect [^>]*data-month="([\d-]+)" data-count="(\d+)"', chart)
    assert bars == [("2024-01", "2"), ("2024-02", "0"), ("2024-03", "1"), ("2024-04", "1")]
    assert ">2024</text>" in chart
    assert ">1</text>" in chart
    ranks = re.search(r'<table class="data" id="ranks">.*?</table>', text, re.DOTALL).group()
    assert re.search(r"<td>Thượng tá</td>.*?<td>2024-01-10</td><td>2024-01-25</td>", ranks)
    assert re.search(r"<td>Đại tá</td>.*?<td>2024-03-05</td><td>2024-04-01</td>", ranks)
    assert f'href="/people/{quote("Lò Văn Minh")}"' in text
    assert f'href="/organizations/{quote(UNIT)}"' in text
    assert f'href="/organizations/{quote(TEAM)}"' in text
    search = re.search(r'id="search-link" href="([^"]+)"', text).group(1)
    assert search.replace("&amp;", "&") == f"/?person={quote(HUNG)}&province={quote('Sơn La')}"
    assert 'href="/articles/a4"' in text
    # The filtered search it links to finds the same articles.
    assert web.get("/api/search", params={"person": HUNG, "province": "Sơn La"}).json()[
        "total"] == 4  # fmt: skip


def test_the_organisation_page_and_the_article_chips(web: TestClient) -> None:
    page = web.get(f"/organizations/{quote(UNIT)}")
    assert page.status_code == 200
    assert f'href="/?organization={quote(UNIT)}"' in page.text
    assert f'href="/people/{quote(HUNG)}"' in page.text
    article = web.get("/articles/a3").text
    assert f'href="/people/{quote(HUNG)}?province={quote("Sơn La")}"' in article
    assert f'href="/organizations/{quote(UNIT)}"' in article
    assert f'href="/organizations/{quote(TEAM)}"' in article


@pytest.mark.parametrize(
    "path",
    [f"/people/{quote('Không Ai Cả')}", f"/people/{quote(HUNG)}?province=Hà%20Nội",
     f"/organizations/{quote('Công an tỉnh Không Có')}"],
)  # fmt: skip
def test_an_unknown_name_is_not_found(web: TestClient, path: str) -> None:
    page = web.get(path)
    assert page.status_code == 404
    assert "Không có bài nào nêu tên" in page.text
    api = web.get("/api" + path)
    assert api.status_code == 404
    assert "Không có bài nào nêu tên" in api.json()["error"]


def test_a_name_too_long_is_refused(web: TestClient) -> None:
    api = web.get("/api/people/" + "a" * 300)
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["path", "name"]


@pytest.fixture(scope="module")
def env(es_url: str, index: str) -> dict[str, str]:
    return {**os.environ, "ES_URL": es_url, "ES_INDEX": index}


def test_cli_person_text(env: dict[str, str]) -> None:
    result = run_cli("person", HUNG, "--province", "Sơn La", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"{HUNG} (Sơn La): 4 article(s), 2024-01-10 … 2024-04-01" in out
    assert "2024-01-10 … 2024-01-25  rank   Thượng tá (2)" in out
    assert "2024-03-05 … 2024-04-01  rank   Đại tá (2)" in out
    bars = re.findall(r"^  (\d{4}-\d\d)  (\d+)(?:  (█+))?$", out, re.MULTILINE)
    assert bars == [("2024-01", "2", "█" * 40), ("2024-02", "0", ""),
                    ("2024-03", "1", "█" * 20), ("2024-04", "1", "█" * 20)]  # fmt: skip
    assert "same name in 2 provinces: Sơn La 4, Hưng Yên 1 (showing Sơn La)" in out
    assert "provinces: Sơn La 4" in out
    assert "people named with: Lò Văn Minh 2" in out
    assert f"{UNIT} 2" in out
    everywhere = run_cli("person", HUNG, env=env).stdout
    assert "same name in 2 provinces: Sơn La 4, Hưng Yên 1 (pick one with --province)" in everywhere


def test_cli_person_json_and_organization(env: dict[str, str]) -> None:
    result = run_cli("person", HUNG, "--province", "Sơn La", "--json", env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["total"] == 4
    assert found["months"][1] == {"month": "2024-02", "count": 0}
    unit = json.loads(run_cli("person", UNIT, "--organization", "--json", env=env).stdout)
    assert unit["total"] == 2


def test_cli_person_not_found_and_elasticsearch_down(env: dict[str, str]) -> None:
    missing = run_cli("person", "Không Ai Cả", env=env)
    assert missing.returncode == 1
    assert 'no article names "Không Ai Cả"' in missing.stderr
    assert missing.stdout == ""
    down = run_cli("person", HUNG, env={**env, "ES_URL": "http://127.0.0.1:9"})
    assert down.returncode == 2
    assert "is not usable" in down.stderr
    assert "crawler es up" in down.stderr


def test_ranks_are_read_in_pages_and_a_cut_is_said(
    es_url: str, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity_profile, "RANK_PAGE", 2)
    with Elasticsearch(es_url) as client:
        whole = entity_profile.person_profile(client, index, HUNG, "Sơn La")["ranks_and_titles"]
        assert (whole["read"], whole["cut"]) == (4, False)
        monkeypatch.setattr(entity_profile, "RANK_ARTICLES", 3)
        cut = entity_profile.person_profile(client, index, HUNG, "Sơn La")["ranks_and_titles"]
    assert (cut["read"], cut["cut"]) == (3, True)
    # The newest three: a4, a3, a2; a1 of 10 January is left unread.
    thuong_ta = next(e for e in cut["entries"] if e["value"] == "Thượng tá")
    assert (thuong_ta["first"], thuong_ta["last"], thuong_ta["count"]) == (
        "2024-01-25", "2024-01-25", 1
    )  # fmt: skip
