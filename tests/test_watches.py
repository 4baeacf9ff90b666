"""Saved searches and alerts, end to end: nightly runs on the fixture sites, a webhook
receiver and a real SMTP server on loopback, the Atom feeds, and who may write."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import os
import threading
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
from aiosmtpd.controller import Controller
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from scrapy.settings import Settings

from crawler.commands.serve import write_warning
from crawler.es.index import ensure_index
from crawler.web.app import create_app
from crawler.web.watches import write_refusal
from testkit.sites.catalog import EXPECTED, registry_yaml, start_sites
from testkit.sites.server import stop
from tests.conftest import FAST_CRAWL, drop_alias, free_port, run_cli

FAST = [*FAST_CRAWL, "-s", "NER_ENABLED=0"]
SECRET = "hook-secret-" + uuid.uuid4().hex
PATH_TOKEN = "path-token-" + uuid.uuid4().hex  # a receiver's own token, in its URL
SMTP_PASSWORD = "smtp-pass-" + uuid.uuid4().hex
ATOM = "{http://www.w3.org/2005/Atom}"


def _titles(words: str) -> set[str]:
    """Titles of the fixture stories whose text holds these words."""
    found = set()
    for stories in EXPECTED.values():
        for story in stories:
            text = " ".join([story.title, story.lead or "", *story.paragraphs]).lower()
            if words in text:
                found.add(story.title)
    return found


class Receiver:
    """A webhook receiver on loopback: records each delivery, answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.deliveries: list[tuple[int, dict, bool]] = []  # answered, body, signature ok
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                signed = hmac.compare_digest(self.headers.get("X-Signature-256", ""), expected)
                receiver.deliveries.append((receiver.status, json.loads(body), signed))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook/{PATH_TOKEN}"

    def accepted(self) -> list[dict]:
        return [body for status, body, _ in self.deliveries if status == 200]


class Mailbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def _nightly(env: dict[str, str]) -> dict:
    result = run_cli("nightly", *FAST, env=env)
    # The runs folder also holds the run lock and the sites' state: the reports only.
    reports = sorted(Path(env["CRAWLER_RUNS_DIR"]).glob("run-*.json"))
    assert reports, result.stderr[-2000:]
    with open(reports[-1], encoding="utf-8") as file:
        return {**json.load(file), "_stdout": result.stdout}


def test_watches_send_new_articles_once_and_retry_failures(es_url, tmp_path) -> None:
    sites = start_sites()
    registry = tmp_path / "sites.yaml"
    registry.write_text(registry_yaml(sites, free_port()), encoding="utf-8")
    good, flaky = Receiver(), Receiver(status=500)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    alias, watches = f"watch-{uuid.uuid4().hex[:8]}", f"watches-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_INDEX": alias, "ES_WATCHES_INDEX": watches,
           "ES_RUNS_INDEX": f"runs-{uuid.uuid4().hex[:8]}", "CRAWLER_SITES": str(registry),
           "CRAWLER_RUNS_DIR": str(tmp_path / "runs"), "CRAWLER_SPOOL_DIR": str(tmp_path / "sp"),
           "WATCH_WEBHOOK_SECRET": SECRET, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
           "SMTP_STARTTLS": "false", "SMTP_FROM": "tin@example.vn",
           "SMTP_PASSWORD": SMTP_PASSWORD}  # fmt: skip
    try:
        for args in (
            ["matuy", "ma túy", "--webhook", good.url, "--email", "ban@example.vn"],
            ["luadao", "lừa đảo", "--webhook", flaky.url],
            ["laichau", "", "--site", "laichau", "--email", "lc@example.vn", "b@example.vn"],
        ):
            added = run_cli("watch", "add", *args, env=env)
            assert added.returncode == 0, added.stderr
            assert PATH_TOKEN not in added.stdout
        first = _nightly(env)
        after_first = (list(good.deliveries), list(flaky.deliveries), list(mailbox.messages))
        flaky.status = 200  # the receiver is back
        second = _nightly(env)
    finally:
        for site in sites.values():
            stop(site)
        smtp.stop()

    # The first night: each channel got exactly the new articles matching its search.
    drugs, fraud = _titles("ma túy"), _titles("lừa đảo")
    assert len(drugs) == 2
    assert len(fraud) == 2
    [(status, body, signed)] = after_first[0]
    assert status == 200
    assert signed
    assert body["watch"] == "matuy"
    assert body["query"] == {"q": "ma túy"}
    assert {a["title"] for a in body["articles"]} == drugs
    assert set(body["articles"][0]) == {"id", "url", "title", "published", "province", "site",
                                        "lead"}  # fmt: skip
    mails = {(tuple(to), m["Subject"]): m for to, m in after_first[2]}
    assert set(mails) == {
        (("ban@example.vn",), "[Tin công an] 2 bài mới: matuy"),
        (("lc@example.vn",), "[Tin công an] 4 bài mới: laichau"),
        (("b@example.vn",), "[Tin công an] 4 bài mới: laichau"),
    }
    digest = mails[(("ban@example.vn",), "[Tin công an] 2 bài mới: matuy")]
    assert digest.get_content_type() == "multipart/alternative"
    plain = digest.get_body(("plain",)).get_content()
    page = digest.get_body(("html",)).get_content()
    for title in drugs:
        assert title in plain
        assert title in page
    # The receiver that failed: its failure is in the first report, an alarm.
    [(status, body, signed)] = after_first[1]
    assert status == 500
    assert {a["title"] for a in body["articles"]} == fraud
    failed = [w for w in first["watches"] if w["error"]]
    assert failed == [{"watch": "luadao", "channel": "webhook", "sent": 0, "waiting": 2,
                       "error": failed[0]["error"]}]  # fmt: skip
    assert "HTTP 500" in failed[0]["error"]
    assert PATH_TOKEN not in failed[0]["error"]
    assert any(a.startswith("watch luadao → webhook") for a in first["alarms"])
    assert "luadao → webhook: FAILED" in first["_stdout"]

    # The second night: nothing new for anyone; the failed channel gets its articles.
    assert len(good.deliveries) == 1
    assert len(mailbox.messages) == 3
    assert [{a["title"] for a in body["articles"]} for body in flaky.accepted()] == [fraud]
    assert len(flaky.deliveries) == 2
    assert not [w for w in second["watches"] if w["error"]]
    assert not [a for a in second["alarms"] if a.startswith("watch")]
    sent = {(w["watch"], w["channel"]): w["sent"] for w in second["watches"]}
    assert sent[("luadao", "webhook")] == 2
    assert sum(sent.values()) == 2

    # `watch list --json` shows the watches, no secret.
    listed = run_cli("watch", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert {w["name"] for w in json.loads(listed.stdout)} == {"matuy", "luadao", "laichau"}
    for secret in (SECRET, PATH_TOKEN, SMTP_PASSWORD):
        assert secret not in listed.stdout

    _check_web(es_url, alias, watches, drugs, fraud)
    Elasticsearch(es_url).indices.delete(index=[watches, env["ES_RUNS_INDEX"]])
    drop_alias(es_url, alias)


def _check_web(es_url: str, alias: str, watches: str, drugs: set, fraud: set) -> None:
    app = create_app(Elasticsearch(es_url), alias)
    app.state.settings = Settings({"ES_WATCHES_INDEX": watches, "WEB_WRITE_TOKEN": None})
    local = TestClient(app, client=("127.0.0.1", 40000))

    feed = local.get("/feeds/matuy.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert parsed.bozo == 0
    assert parsed.version == "atom10"
    assert {e.title for e in parsed.entries} == drugs
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert links["alternate"].startswith("http://testserver/articles/")
        assert links["via"].startswith("http://127.0.0.")
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    article = local.get(links["alternate"].removeprefix("http://testserver"))
    assert article.status_code == 200

    adhoc = feedparser.parse(local.get("/feeds/search.atom", params={"q": "lừa đảo"}).content)
    assert adhoc.bozo == 0
    assert {e.title for e in adhoc.entries} == fraud
    narrowed = local.get("/feeds/search.atom", params={"q": "lừa đảo", "site": "cand"})
    assert len(feedparser.parse(narrowed.content).entries) == 1
    assert local.get("/feeds/nowhere.atom").status_code == 404

    # Reading is open and shows no secret.
    for path in ("/api/watches", "/watches", "/watches/new?q=ma+t%C3%BAy&province=S%C6%A1n+La"):
        answer = local.get(path)
        assert answer.status_code == 200, path
        for secret in (SECRET, PATH_TOKEN, SMTP_PASSWORD):
            assert secret not in answer.text
    page = local.get("/watches").text
    assert 'href="/feeds/matuy.atom"' in page
    assert "ban@example.vn" in page
    form = local.get("/watches/new", params={"q": "ma túy", "province": "Sơn La"}).text
    assert 'action="/watches?q=ma+t%C3%BAy&amp;province=S%C6%A1n+La"' in form

    # No token set: loopback writes, anyone else is refused.
    remote = TestClient(app, client=("203.0.113.9", 40000))
    new = {"name": "hue", "search": {"q": "cháy", "province": ["Huế"]}}
    refused = remote.post("/api/watches", json=new)
    assert refused.status_code == 403
    assert "WEB_WRITE_TOKEN" in refused.json()["error"]
    assert remote.post("/watches?q=x", data={"name": "x"}).status_code == 403
    assert remote.delete("/api/watches/matuy").status_code == 403
    made = local.post("/api/watches", json=new)
    assert made.status_code == 201, made.text
    assert made.json()["search"] == {"q": "cháy", "province": ["Huế"]}
    assert local.post("/api/watches", json=new).status_code == 409
    bad = local.post("/api/watches", json={"name": "a b"})
    assert bad.status_code == 422
    assert "watch name" in bad.json()["error"]
    saved = local.post("/watches?q=ma+t%C3%BAy", data={"name": "tu-trang", "emails": "x@ex.vn"},
                       follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    assert "tu-trang" in local.get("/watches").text
    cross = local.post("/watches/tu-trang/delete", headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert local.post("/watches/tu-trang/delete", follow_redirects=False).status_code == 303

    # A token set: every write carries it, from anywhere.
    app.state.settings = Settings({"ES_WATCHES_INDEX": watches, "WEB_WRITE_TOKEN": "t0k3n"})
    assert local.delete("/api/watches/hue").status_code == 403
    wrong = {"Authorization": "Bearer nope"}
    assert remote.delete("/api/watches/hue", headers=wrong).status_code == 403
    right = {"Authorization": "Bearer t0k3n"}
    assert remote.delete("/api/watches/hue", headers=right).status_code == 204
    assert remote.delete("/api/watches/hue", headers=right).status_code == 404
    assert "Mã ghi" in local.get("/watches").text
    names = {w["name"] for w in local.get("/api/watches").json()["watches"]}
    assert names == {"matuy", "luadao", "laichau"}


def test_write_rule() -> None:
    assert "WEB_WRITE_TOKEN" in write_warning("0.0.0.0", None)
    assert write_warning("0.0.0.0", "t") is None
    assert write_warning("127.0.0.1", None) is None
    assert write_refusal("127.0.0.1", None, "h:1", None, None) is None
    assert write_refusal("::1", None, "h:1", None, None) is None
    assert write_refusal("10.0.0.5", None, "h:1", None, None) == "remote"
    assert write_refusal("10.0.0.5", None, "h:1", "s", "s") is None
    assert write_refusal("127.0.0.1", None, "h:1", None, "s") == "token"
    assert write_refusal("127.0.0.1", None, "h:1", "x", "s") == "token"
    assert write_refusal("127.0.0.1", "http://evil", "h:1", None, None) == "cross-site"
    assert write_refusal("127.0.0.1", "http://h:1", "h:1", None, None) is None


def test_watch_command_errors(es_url, tmp_path) -> None:
    env = {**os.environ, "ES_URL": es_url, "ES_WATCHES_INDEX": f"w-{uuid.uuid4().hex[:8]}",
           "ES_INDEX": f"none-{uuid.uuid4().hex[:8]}", "WATCH_WEBHOOK_SECRET": SECRET}  # fmt: skip
    dead = f"http://127.0.0.1:{free_port()}/hook"
    cases = [
        (["add", "bad name!", "x"], "watch name 'bad name!'"),
        (["add", "ok", "x", "--webhook", "ftp://example.vn/x"], "not an http(s):// address"),
        (["add", "ok", "x", "--email", "nobody"], "e-mail 'nobody'"),
        (["remove", "ghost"], "no watch named 'ghost'"),
        (["run", "ghost"], "no watch named 'ghost'"),
    ]
    for args, message in cases:
        result = run_cli("watch", *args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert message in line
    assert run_cli("watch", "add", "deadhook", "--webhook", dead, env=env).returncode == 0
    listed = run_cli("watch", "list", env=env).stdout
    assert "deadhook: (mọi bài)" in listed
    assert f"{dead.removesuffix('/hook')}/…: 0 sent" in listed
    assert "/hook" not in listed
    twice = run_cli("watch", "add", "deadhook", "", env=env)
    assert twice.returncode == 2
    assert "exists already" in twice.stderr
    # Nothing indexed yet: nothing to send, nothing failed.
    assert run_cli("watch", "run", "--json", env=env).returncode == 0
    # An article arrives; the webhook is down: the run says so and exits 1.
    client = Elasticsearch(es_url)
    ensure_index(client, env["ES_INDEX"])
    client.index(index=env["ES_INDEX"], id="a1", refresh=True,
                 document={"id": "a1", "url": "http://example.vn/a1", "title": "Bài mới",
                           "fetched_at": datetime.now(UTC).isoformat()})  # fmt: skip
    failed = run_cli("watch", "run", "--json", env=env)
    assert failed.returncode == 1, failed.stderr
    [result] = json.loads(failed.stdout)
    assert result["channel"] == "webhook"
    assert "ConnectError" in result["error"]
    assert result["waiting"] == 1
    assert "/hook" not in result["error"]
    down = run_cli("watch", "run", env={**env, "ES_URL": f"http://127.0.0.1:{free_port()}"})
    assert down.returncode == 2
    assert "is not usable" in down.stderr
    assert run_cli("watch", "remove", "deadhook", env=env).returncode == 0
    assert json.loads(run_cli("watch", "list", "--json", env=env).stdout) == []
    client.indices.delete(index=env["ES_WATCHES_INDEX"])
    drop_alias(es_url, env["ES_INDEX"])


def test_a_browser_write_from_elsewhere_is_refused() -> None:
    same = "http://h:1"
    assert write_refusal("127.0.0.1", "null", "h:1", None, None) == "cross-site"
    assert write_refusal("127.0.0.1", "null", "h:1", "s", "s") == "cross-site"
    assert write_refusal("127.0.0.1", "http://h:2", "h:1", None, None) == "cross-site"
    assert write_refusal("127.0.0.1", "http://H:1", "h:1", None, None) is None
    for site in ("cross-site", "same-site", "unknown"):
        assert write_refusal("127.0.0.1", None, "h:1", None, None, site) == "cross-site"
        assert write_refusal("127.0.0.1", same, "h:1", "s", "s", site) == "cross-site"
    for site in ("same-origin", "none"):
        assert write_refusal("127.0.0.1", None, "h:1", None, None, site) is None
        assert write_refusal("127.0.0.1", same, "h:1", None, None, site) is None
    # Neither header (curl, a script): the token or loopback decides, as before.
    assert write_refusal("127.0.0.1", None, "h:1", None, None, None) is None
    assert write_refusal("10.0.0.5", None, "h:1", None, None, None) == "remote"


def _watches_app(es_url: str, watches: str, token: str | None = None):
    app = create_app(Elasticsearch(es_url), f"none-{uuid.uuid4().hex[:8]}")
    app.state.settings = Settings({"ES_WATCHES_INDEX": watches, "WEB_WRITE_TOKEN": token})
    return app


def test_forged_forms_neither_save_nor_delete_a_watch(es_url) -> None:
    watches = f"w-{uuid.uuid4().hex[:8]}"
    local = TestClient(_watches_app(es_url, watches), client=("127.0.0.1", 40000))
    form = {"name": "evil", "webhook": "http://evil.example/hook", "emails": ""}
    forged = [{"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
              {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
              {"Origin": "http://evil.example"}]  # fmt: skip
    for headers in forged:
        answer = local.post("/watches?q=x", data=form, headers=headers, follow_redirects=False)
        assert answer.status_code == 403, headers
        assert "trang khác" in answer.text
        assert local.post("/api/watches", json={"name": "evil"}, headers=headers).status_code == 403
    assert local.get("/api/watches").json()["watches"] == []
    # The page's own form (same origin) and a script (no header) still write.
    own = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    saved = local.post("/watches?q=x", data={**form, "name": "mine"}, headers=own,
                       follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    assert local.post("/api/watches", json={"name": "script"}).status_code == 201
    for headers in forged:
        assert local.post("/watches/mine/delete", headers=headers).status_code == 403
        assert local.delete("/api/watches/mine", headers=headers).status_code == 403
    names = {w["name"] for w in local.get("/api/watches").json()["watches"]}
    assert names == {"mine", "script"}
    deleted = local.post("/watches/mine/delete", headers=own, follow_redirects=False)
    assert deleted.status_code == 303
    Elasticsearch(es_url).indices.delete(index=watches)


def test_the_digest_links_each_article_newest_first_and_hides_addresses(es_url) -> None:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    watches, articles = f"w-{uuid.uuid4().hex[:8]}", f"a-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ES_URL": es_url, "ES_WATCHES_INDEX": watches, "ES_INDEX": articles,
           "WATCH_WEBHOOK_SECRET": SECRET, "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(smtp.port), "SMTP_STARTTLS": "false"}  # fmt: skip
    dead = f"http://127.0.0.1:{free_port()}/hook"
    try:
        added = run_cli("watch", "add", "tin", "", "--webhook", dead, "--email",
                        "ban.thoisu@example.vn", env=env)  # fmt: skip
        assert added.returncode == 0, added.stderr
        client = Elasticsearch(es_url)
        ensure_index(client, articles)
        # Fetched in this order; published in another; a seed file has no address to open.
        given = [
            ("cu", "2012-12-25T08:00:00+07:00", "https://congan.sonla.gov.vn/tin/cu.html"),
            ("moi", "2024-10-02T09:00:00+07:00", "https://congan.hue.gov.vn/tin/moi.html"),
            ("giua", "2022-11-08T07:30:00+07:00", "seed:giua.txt"),
            ("vua", "2024-09-03T10:00:00+07:00", "https://cand.com.vn/tin/vua.html"),
        ]
        for slug, published, url in given:
            client.index(
                index=articles,
                id=slug,
                refresh=True,
                document={
                    "id": slug,
                    "url": url,
                    "title": f"Bài {slug}",
                    "published": published,
                    "fetched_at": datetime.now(UTC).isoformat(),
                    "lead": f"Tóm tắt {slug}.",
                },
            )
        ran = run_cli("watch", "run", "--json", env=env)
        assert ran.returncode == 1, ran.stderr  # the dead webhook
    finally:
        smtp.stop()
    [(to, message)] = mailbox.messages
    assert to == ["ban.thoisu@example.vn"]
    plain = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    newest = ["Bài moi", "Bài vua", "Bài giua", "Bài cu"]
    for text in (plain, page):
        positions = [text.index(title) for title in newest]
        assert positions == sorted(positions), text
        assert "seed:" not in text
    for _, _, url in given:
        if url.startswith("https://"):
            assert url in plain
            assert f'href="{url}"' in page
    assert plain.count("https://") == 3

    # Who may not write sees the addresses masked and no error text, only the state.
    app = _watches_app(es_url, watches)
    remote = TestClient(app, client=("203.0.113.9", 40000))
    local = TestClient(app, client=("127.0.0.1", 40000))
    for answer in (remote.get("/api/watches").text, remote.get("/watches").text):
        assert "ban.thoisu" not in answer
        assert "b***@example.vn" in answer
        assert "ConnectError" not in answer
    [shown] = remote.get("/api/watches").json()["watches"]
    assert shown["emails"] == ["b***@example.vn"]
    states = {c["channel"]: (c["state"], c["last_error"]) for c in shown["channels"]}
    assert states == {"webhook": ("failed", None), "email:b***@example.vn": ("ok", None)}
    assert "lần gửi trước lỗi" in remote.get("/watches").text
    [full] = local.get("/api/watches").json()["watches"]
    assert full["emails"] == ["ban.thoisu@example.vn"]
    assert "ConnectError" in local.get("/watches").text
    # With a token set, the token shows them; loopback without it does not.
    app.state.settings = Settings({"ES_WATCHES_INDEX": watches, "WEB_WRITE_TOKEN": "t0k3n"})
    assert "ban.thoisu" not in local.get("/api/watches").text
    bearer = {"Authorization": "Bearer t0k3n"}
    assert "ban.thoisu@example.vn" in remote.get("/api/watches", headers=bearer).text
    client.indices.delete(index=watches)
    drop_alias(es_url, articles)
