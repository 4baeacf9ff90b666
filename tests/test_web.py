"""The web application over HTTP on loopback, against a real Elasticsearch."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import socket
import time

import httpx
import pytest
from elasticsearch import Elasticsearch

from crawler.es import search as search_module
from crawler.es.search import MAX_FILTER_LENGTH, MAX_ID_BYTES, MAX_QUERY_LENGTH, parameters
from tests.conftest import free_port, served


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
    # The article link carries the search: the article page can lead back to it.
    assert 'href="/articles/rel-fire-quangninh-0?q=ch%C3%A1y&amp;province=Qu' in page.text
    assert 'data-facet="provinces"' in page.text
    article = get(web, "/articles/rel-fire-quangninh-0")
    assert "Bài tương tự" in article.text
    assert 'href="https://congan.quangninh.gov.vn/' in article.text


def test_the_page_shows_the_hits_when_elasticsearch_fails_the_counts(web, few_buckets) -> None:
    page = get(web, "/", q="ma túy")
    assert page.status_code == 200
    assert page.text.count('<div class="hit">') == 10
    assert "Tạm thời không đếm được số bài theo bộ lọc" in page.text
    facets = get(web, "/api/facets", q="ma túy").json()
    assert "too_many_buckets" in facets["unavailable"]["facets"]


def test_counts_of_a_sample_are_marked_as_estimates(web, monkeypatch) -> None:
    counted = get(web, "/", q="an ninh")
    assert "ước tính" not in counted.text
    # Above twice FACET_SAMPLE matches, facets are counted on a sample.
    monkeypatch.setattr(search_module, "FACET_SAMPLE", 10)
    assert get(web, "/api/facets", q="an ninh").json()["estimated"]
    assert not get(web, "/api/search", q="an ninh").json()["estimated"]  # no facets asked
    page = get(web, "/", q="an ninh")
    assert "số đếm ước tính" in page.text
    assert re.search(r"<span>~\d+</span>", page.text), "facet counts marked as about"


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
        ({"size": 100000}, "size", "must be between 1 and 100, got 100000"),
        ({"size": -5}, "size", "must be between 1 and 100, got -5"),
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


FILTERS = ("province", "entity", "person", "organization", "place", "site", "category")


@pytest.mark.parametrize("name", FILTERS)
def test_a_filter_value_too_long_is_refused_naming_it_not_an_outage(web, name: str) -> None:
    # 40,000 characters: Elasticsearch would refuse the term (400), once shown as a 503.
    message = f"must be at most {MAX_FILTER_LENGTH} characters, got 40000"
    for path in ("/api/search", "/api/facets"):
        answer = get(web, path, **{name: "a" * 40_000})
        assert answer.status_code == 422, answer.text[:300]
        [error] = answer.json()["detail"]
        assert (error["loc"], error["msg"]) == (["query", name], message)
    page = get(web, "/", **{name: "a" * 40_000})
    assert page.status_code == 422
    assert f"{name}: {message}" in page.text
    assert get(web, "/api/search", **{name: "a" * MAX_FILTER_LENGTH}).status_code == 200


def test_a_long_request_line_arriving_in_pieces_is_read_whole(web) -> None:
    # A network delivers 40,000 characters in pieces; each piece waits for the next.
    host, port = web.removeprefix("http://").split(":")
    request = f"GET /api/search?category={'a' * 40_000} HTTP/1.1\r\nHost: {host}\r\n"
    request += "Connection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        data = request.encode()
        for start in range(0, len(data), 8000):
            connection.sendall(data[start : start + 8000])
            time.sleep(0.05)
        answer = connection.makefile("rb").readline()
    assert answer.startswith(b"HTTP/1.1 422"), answer


def test_an_id_no_article_can_have_is_refused_not_an_outage(web) -> None:
    answer = get(web, "/api/articles/" + "a" * 8000)
    assert answer.status_code == 422, answer.text[:300]
    [error] = answer.json()["detail"]
    assert error["loc"] == ["path", "article_id"]
    assert error["msg"] == f"must be at most {MAX_ID_BYTES} bytes, got 8000"
    assert get(web, "/articles/" + "a" * 8000).status_code == 422
    assert get(web, "/api/articles/" + "a" * MAX_ID_BYTES).status_code == 404


def test_the_size_reported_is_the_size_used(web) -> None:
    found = get(web, "/api/search", q="ma túy", size=3, page=2).json()
    assert (found["size"], found["page"], len(found["hits"])) == (3, 2, 3)
    first = get(web, "/api/search", q="ma túy", size=6).json()["hits"]
    assert [h["id"] for h in found["hits"]] == [h["id"] for h in first[3:]]


def csp(answer: httpx.Response) -> dict[str, str]:
    policy = answer.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=cháy", "/articles/rel-fire-quangninh-0", "/api/search?q=cháy", "/openapi.json",
     "/api/articles/no-such-id", "/?page=0"],
)  # fmt: skip
def test_every_answer_tells_the_browser_what_it_may_do(web, path: str) -> None:
    answer = httpx.get(web + path, timeout=30)
    policy = csp(answer)
    assert policy["default-src"] == "'none'"  # no script from anywhere, inline or not
    assert "script-src" not in policy
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_pages_need_nothing_the_policy_refuses(web) -> None:
    for path in ("/?q=cháy", "/articles/rel-fire-quangninh-0"):
        answer = httpx.get(web + path, timeout=30)
        assert "<script" not in answer.text
        assert not re.search(r"\sstyle=", answer.text)  # inline style attributes
        [css] = re.findall(r"<style>(.*?)</style>", answer.text, flags=re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert csp(answer)["style-src"] == f"'sha256-{digest}'"


def test_no_docs_page_loads_a_script_from_a_cdn(web) -> None:
    assert get(web, "/docs").status_code == 404
    assert get(web, "/redoc").status_code == 404
    assert get(web, "/openapi.json").status_code == 200


def test_crawler_serve_sends_no_server_banner(es_url, corpus_index) -> None:
    from crawler.web.app import create_app

    with served(create_app(Elasticsearch(es_url), corpus_index)) as base:
        answer = httpx.get(base + "/api/search", params={"q": "cháy"}, timeout=30)
    assert answer.status_code == 200
    assert "server" not in answer.headers


def test_no_local_path_of_a_replayed_file_in_answers_or_pages(es, es_index) -> None:
    from elasticsearch.helpers import bulk

    from crawler.es.document import article_document
    from crawler.es.index import ensure_index
    from crawler.items import Article
    from crawler.web.app import create_app

    saved = "file:///home/user/trang-luu/bai-bao.html"
    docs = [
        article_document(Article(
            id=f"saved-{n}", url=saved, canonical_url=saved, source="saved",
            title="Cảnh báo lừa đảo qua mạng", body=["Công an tỉnh cảnh báo lừa đảo."],
            images=[{"url": "file:///uploads/anh-1.jpg", "caption": "Ảnh"}],
            seed_path="bai-bao.html", site="laichau" if n else None,
        ))
        for n in range(2)
    ]  # fmt: skip
    ensure_index(es, es_index)
    bulk(es, [{"_index": es_index, "_id": d["id"], "_source": d} for d in docs], refresh=True)
    with served(create_app(es, es_index)) as base:
        answers = [
            httpx.get(base + path, params={"q": "lừa đảo"}, timeout=30)
            for path in ("/api/search", "/", "/api/articles/saved-0", "/articles/saved-0",
                         "/api/articles/saved-1", "/articles/saved-1")
        ]  # fmt: skip
    found = answers[0].json()["hits"]
    assert {hit["url"] for hit in found} == {None}
    assert found[0]["also_published"]  # the other copy: its address dropped too
    article = answers[2].json()["article"]
    assert (article["url"], article["canonical_url"], article["images"][0]["url"]) == (
        None, None, None)  # fmt: skip
    for answer in answers:
        assert answer.status_code == 200, answer.text[:300]
        assert "file:" not in answer.text
        assert "bai-bao.html" not in answer.text
        assert "seed_path" not in answer.text
        assert ">None<" not in answer.text


def total(web: str, **params) -> int:
    answer = get(web, "/api/search", **params)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["total"]


def test_values_of_one_filter_combine_with_or_and_a_value_can_be_excluded(web) -> None:
    quang_ninh = total(web, q="cháy", province="Quảng Ninh")
    lang_son = total(web, q="cháy", province="Lạng Sơn")
    assert quang_ninh == lang_son == 3
    both = get(web, "/api/search", q="cháy", province=["Quảng Ninh", "Lạng Sơn"], size=20).json()
    assert both["total"] == 6
    assert {h["province"] for h in both["hits"]} == {"Quảng Ninh", "Lạng Sơn"}
    everything = total(web, q="cháy")
    without = get(web, "/api/search", q="cháy", not_province="Quảng Ninh", size=50).json()
    assert without["total"] == everything - 3
    assert "Quảng Ninh" not in {h["province"] for h in without["hits"]}
    # Filters of different kinds still all apply; an empty value filters nothing.
    assert total(web, q="cháy", province=["Quảng Ninh", "Lạng Sơn"], not_site="quangninh") == 3
    assert total(web, q="cháy", province="") == everything


def test_a_facet_still_offers_the_other_values_of_its_own_filter(web) -> None:
    facets = get(web, "/api/facets", q="cháy", province="Quảng Ninh").json()
    assert facets["total"] == 3
    provinces = {b["value"]: b["count"] for b in facets["facets"]["provinces"]}
    assert provinces["Quảng Ninh"] == 3
    assert provinces["Lạng Sơn"] == 3  # to add with OR
    assert {b["value"] for b in facets["facets"]["sites"]} == {"quangninh"}


def test_openapi_describes_a_filter_as_repeated_values(web) -> None:
    spec = get(web, "/openapi.json").json()
    listed = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    for name in ("province", "not_province", "person", "not_site"):
        schema = listed[name]["schema"]
        assert schema["type"] == "array"
        assert schema["items"]["maxLength"] == MAX_FILTER_LENGTH


def forms(page: str) -> dict[str, list[tuple[str, str]]]:
    """Each form of the page by class: its inputs' (name, value), hidden or not."""
    found = {}
    for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", page, flags=re.DOTALL):
        kind = re.search(r'class="([^"]*)"', attrs).group(1)
        found[kind] = [
            (html.unescape(name), html.unescape(value))
            for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body)
        ]
    return found


def hrefs(page: str, pattern: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'href="({pattern}[^"]*)"', page)]


def query_of(href: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(href).query)


def test_the_date_form_keeps_every_other_filter_and_the_sort(web) -> None:
    page = get(web, "/", q="cháy", province=["Quảng Ninh", "Lạng Sơn"], person="Nguyễn Văn A",
               not_site="cand", sort="date", since="2024-01-01", page=2).text  # fmt: skip
    [dates] = [inputs for kind, inputs in forms(page).items() if "dates" in kind]
    assert sorted(dates) == sorted([
        ("q", "cháy"), ("province", "Quảng Ninh"), ("province", "Lạng Sơn"),
        ("person", "Nguyễn Văn A"), ("not_site", "cand"), ("sort", "date"),
        ("since", "2024-01-01"), ("until", ""),
    ])  # fmt: skip
    # The quick ranges keep them too, and set only the start.
    [seven] = re.findall(r'<a class="chip" href="([^"]*)">7 ngày</a>', page)
    kept = query_of(html.unescape(seven))
    assert kept["province"] == ["Quảng Ninh", "Lạng Sơn"]
    assert (kept["sort"], kept["not_site"]) == (["date"], ["cand"])
    assert "until" not in kept
    assert "page" not in kept


def month_links(page: str) -> dict[str, dict[str, list[str]]]:
    return {
        month: query_of(html.unescape(href))
        for href, month in re.findall(r'<a href="([^"]*)" data-month="([^"]+)"', page)
    }


def test_a_month_click_chooses_the_month_and_a_second_one_the_range(web) -> None:
    months = month_links(get(web, "/", q="cháy", not_site="cand").text)
    assert list(months) == [f"2024-{m:02d}" for m in range(1, 13)]
    february = months["2024-02"]
    assert (february["since"], february["until"]) == (["2024-02-01"], ["2024-02-29"])
    assert february["not_site"] == ["cand"]
    # February chosen: another month's link takes the range to it, February's own clears.
    page = get(web, "/", q="cháy", not_site="cand", since="2024-02-01", until="2024-02-29").text
    assert "Đã chọn tháng 2024-02" in page
    months = month_links(page)
    assert list(months) == [f"2024-{m:02d}" for m in range(1, 13)]  # the whole chart stays
    may, january = months["2024-05"], months["2024-01"]
    assert (may["since"], may["until"]) == (["2024-02-01"], ["2024-05-31"])
    assert (january["since"], january["until"]) == (["2024-01-01"], ["2024-02-29"])
    assert "since" not in months["2024-02"]
    assert "until" not in months["2024-02"]
    # The chart spans the months of the articles found: Quảng Ninh has March to May.
    facets = get(web, "/api/facets", q="cháy", province="Quảng Ninh").json()["facets"]
    assert [d["month"] for d in facets["dates"]] == ["2024-03", "2024-04", "2024-05"]


def test_no_results_says_so_and_offers_a_way_out(web) -> None:
    page = get(web, "/", q="cháy rừng ngập mặn", province="Quảng Ninh", not_site="cand").text
    assert 'id="no-results"' in page
    assert "Không tìm thấy bài nào" in page
    assert "cháy rừng ngập mặn" in page
    drops = re.findall(r'<a class="drop" href="([^"]*)">', page)
    assert len(drops) == 2  # one link a filter, each removing it and keeping the other
    assert [query_of(html.unescape(d)).get("province") for d in drops] == [None, ["Quảng Ninh"]]
    assert [query_of(html.unescape(d)).get("not_site") for d in drops] == [["cand"], None]
    [folded] = re.findall(r'<a id="folded" href="([^"]*)"', page)
    assert query_of(html.unescape(folded))["q"] == ["chay rung ngap man"]
    # A filter that leaves nothing: its facet still offers the values that would find some.
    page = get(web, "/", q="cháy", province="Quảng Ninh", person="Không Có Ai").text
    assert 'id="no-results"' in page
    assert 'id="folded"' in page
    assert 'data-facet="persons"' in page
    others = [query_of(h).get("person", []) for h in hrefs(page, "/\\?")]
    assert any(len(people) == 2 and people[0] == "Không Có Ai" for people in others)


def test_chosen_filters_are_chips_that_remove_them_and_clear_all_keeps_the_query(web) -> None:
    page = get(web, "/", q="cháy", province=["Quảng Ninh", "Lạng Sơn"], not_site="cand",
               sort="date").text  # fmt: skip
    chips = re.findall(r'<a class="chip on[^"]*" href="([^"]*)"[^>]*>([^<]*)', page)
    labels = [label.strip() for _, label in chips]
    assert labels == ["Tỉnh: Quảng Ninh", "Tỉnh: Lạng Sơn", "Trừ trang: cand"]
    first = query_of(html.unescape(chips[0][0]))
    assert (first["province"], first["not_site"]) == (["Lạng Sơn"], ["cand"])
    [clear] = re.findall(r'<a class="clear" id="clear" href="([^"]*)"', page)
    assert query_of(html.unescape(clear)) == {"q": ["cháy"], "sort": ["date"]}
    # A facet value is a toggle adding to the chosen ones, and can be excluded.
    adds = hrefs(page, "/\\?")
    assert any(query_of(h).get("not_province") == ["Sơn La"] for h in adds)
    assert any(query_of(h).get("province") == ["Quảng Ninh", "Lạng Sơn", "Sơn La"] for h in adds)


def test_the_page_links_to_save_export_and_the_people_named(web) -> None:
    page = get(web, "/", q="ma túy", province="Sơn La").text
    [save] = hrefs(page, "/watches/new\\?")
    assert query_of(save) == {"q": ["ma túy"], "province": ["Sơn La"]}
    exports = hrefs(page, "/api/export\\?")
    assert [query_of(e)["format"] for e in exports] == [["csv"], ["xlsx"]]
    assert all(query_of(e)["province"] == ["Sơn La"] for e in exports)
    people = hrefs(page, "/people/")
    assert people
    assert all("/" not in p[len("/people/") :] for p in people)


def test_the_search_page_with_elasticsearch_down_is_a_503_page_in_vietnamese(es_url) -> None:
    from crawler.web.app import create_app

    down = Elasticsearch(f"http://127.0.0.1:{free_port()}", request_timeout=5)
    with served(create_app(down, "articles")) as base:
        answer = httpx.get(base + "/", params={"q": "ma túy", "province": "Sơn La"}, timeout=60)
    with served(create_app(Elasticsearch(es_url), "no-such-index")) as base:
        missing = httpx.get(base + "/", params={"q": "ma túy"}, timeout=60)
    assert answer.status_code == 503
    assert missing.status_code == 404
    for page in (answer.text, missing.text):
        assert 'id="q"' in page  # the search box is still there, with the query in it
        assert 'value="ma túy"' in page
        assert 'class="error"' in page
        assert "0 bài" not in page  # not "nothing found": nothing could be searched
        assert 'id="export-csv"' not in page
        assert "Error" not in page
    assert "Elasticsearch) không trả lời" in answer.text
    assert "Chưa có chỉ mục" in missing.text
