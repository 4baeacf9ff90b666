"""The web application over HTTP on loopback, against a real Elasticsearch."""

from __future__ import annotations

import html

import httpx
import pytest

from crawler.es.search import MAX_QUERY_LENGTH, parameters


def get(web: str, path: str, **params) -> httpx.Response:
    return httpx.get(web + path, params=params, timeout=30)


def test_api_search_with_filters_grouping_and_paging(web) -> None:
    found = get(web, "/api/search", q="ma túy Mộc Châu").json()
    assert found["total"] == 4  # three local articles and a republication by cand.com.vn
    assert found["stories"] == 3
    assert len(found["hits"]) == 3
    assert get(web, "/api/search", q="ma túy", province="Sơn La").json()["total"] == 3
    first = found["hits"][0]
    assert "<em>" in first["highlight"]["title"][0]
    republished = [h for h in found["hits"] if h["also_published"]]
    assert republished[0]["also_published"][0]["site"] in {"cand", "sonla"}
    page2 = get(web, "/api/search", q="ma túy", size=5, page=2).json()
    page1 = get(web, "/api/search", q="ma túy", size=5, page=1).json()
    assert {h["id"] for h in page1["hits"]}.isdisjoint({h["id"] for h in page2["hits"]})
    by_date = get(web, "/api/search", q="ma túy", sort="date", size=10).json()["hits"]
    dates = [h["published"] for h in by_date]
    assert dates == sorted(dates, reverse=True)


def test_api_facets_group_merged_provinces(web) -> None:
    facets = get(web, "/api/facets", q="").json()["facets"]
    hung_yen = next(b for b in facets["provinces"] if b["value"] == "Hưng Yên")
    assert hung_yen["merged"] == [{"value": "Thái Bình", "count": hung_yen["count"]}]
    assert {b["value"] for b in facets["categories"]} >= {"drugs", "fire", "fraud"}
    assert sum(b["count"] for b in facets["dates"]) == get(web, "/api/search").json()["total"]
    assert facets["persons"]


def test_api_article_and_more_like_this(web) -> None:
    found = get(web, "/api/articles/rel-fire-quangninh-0").json()
    assert found["article"]["title"] == "Diễn tập phòng cháy chữa cháy tại chợ Hạ Long"
    assert "title_folded" not in found["article"]
    similar = [h["id"] for h in found["more_like_this"]]
    assert similar
    assert "rel-fire-quangninh-0" not in similar
    assert get(web, "/api/articles/no-such-id").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "<script>alert(1)</script>",
        "title:(ma AND túy",
        "ma túy OR cháy -Sơn",
        '\\ / + - = && || > < ! ( ) { } [ ] ^ " ~ * ? :',
        "",
    ],
)
def test_hostile_queries_never_give_500(web, query: str) -> None:
    api = get(web, "/api/search", q=query)
    assert api.status_code == 200, api.text
    page = get(web, "/", q=query)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text


def test_query_language(web) -> None:
    both = get(web, "/api/search", q="heroin OR xâm nhập", size=100).json()["total"]
    heroin = get(web, "/api/search", q="heroin", size=100).json()["total"]
    assert both > heroin > 0
    without = get(web, "/api/search", q="heroin -Sơn", size=100).json()
    assert without["total"] < heroin
    assert all("Sơn La" not in (h["province"] or "") for h in without["hits"])


def test_openapi_describes_the_api(web) -> None:
    spec = get(web, "/openapi.json").json()
    assert {"/api/search", "/api/facets", "/api/articles/{article_id}"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "province", "since", "until", "entity", "sort", "page"} <= names


def test_search_page_and_article_page(web) -> None:
    page = get(web, "/", q="cháy", province="Quảng Ninh")
    assert page.status_code == 200
    assert 'href="/articles/rel-fire-quangninh-0"' in page.text
    assert 'data-facet="provinces"' in page.text
    article = get(web, "/articles/rel-fire-quangninh-0")
    assert "Bài tương tự" in article.text
    assert 'href="https://congan.quangninh.gov.vn/' in article.text


def test_a_query_too_long_is_refused_naming_q_and_a_long_one_is_searched(web) -> None:
    # The real 5000 characters: refused, with the parameter and the limit, never a 500.
    api = get(web, "/api/search", q="a" * 5000)
    assert api.status_code == 422, api.text
    [error] = api.json()["detail"]
    assert error["loc"] == ["query", "q"]
    assert error["msg"] == f"must be at most {MAX_QUERY_LENGTH} characters, got 5000"
    page = get(web, "/", q="a" * 5000)
    assert page.status_code == 422
    assert f"q: must be at most {MAX_QUERY_LENGTH} characters" in page.text
    # At the limit, many words: accepted, and searched (its first MAX_QUERY_CHARS).
    words = ("ma túy Sơn La " * MAX_QUERY_LENGTH)[:MAX_QUERY_LENGTH]
    assert get(web, "/api/search", q=words).status_code == 200
    assert get(web, "/", q=words).status_code == 200


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"page": 0}, "page", "must be between 1 and 1000, got 0"),
        ({"size": 0}, "size", "must be between 1 and 100, got 0"),
        ({"size": -1}, "size", "must be between 1 and 100, got -1"),
        ({"size": 101}, "size", "must be between 1 and 100, got 101"),
        ({"sort": "newest"}, "sort", "must be one of relevance, date, got 'newest'"),
        ({"page": 101, "size": 100}, "page", "must be at most 100 with size 100"),
    ],
)
def test_api_and_page_refuse_what_the_command_line_refuses(web, params, name, message) -> None:
    for path in ("/api/search", "/api/facets"):
        answer = get(web, path, **params)
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["detail"]
        assert error["loc"] == ["query", name]
        assert error["msg"].startswith(message)
    page = get(web, "/", **params)
    assert page.status_code == 422
    assert f"{name}: {html.escape(message)}" in page.text


def test_openapi_lists_every_search_parameter_with_its_description_and_bounds(web) -> None:
    spec = get(web, "/openapi.json").json()
    listed = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert set(listed) == {param.name for param in parameters()}
    for param in parameters():
        assert listed[param.name]["description"] == param.help
    assert (listed["page"]["schema"]["minimum"], listed["page"]["schema"]["maximum"]) == (1, 1000)
    assert listed["size"]["schema"]["maximum"] == 100
    assert listed["sort"]["schema"]["enum"] == ["relevance", "date"]
    assert listed["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH
