"""The channels of a watch: a signed webhook and an e-mail digest in Vietnamese.

A delivery either reaches its channel or raises DeliveryError with a reason that holds
no secret (the webhook's path and query, the mail password, the signing secret)."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

import httpx

from crawler.dates import VIETNAM_TZ
from crawler.watches import describe, redacted_url

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.watches import Watch

logger = logging.getLogger(__name__)
# httpx logs every request's full address at INFO: a webhook's path often holds the
# receiver's own token, and this project never logs it.
logging.getLogger("httpx").setLevel(logging.WARNING)

SIGNATURE_HEADER = "X-Signature-256"
PAYLOAD_FIELDS = ("id", "url", "title", "published", "province", "site", "lead")


class DeliveryError(RuntimeError):
    """A channel did not take the articles: they are sent again on the next run."""


def deliver(channel: str, watch: Watch, articles: list[dict[str, Any]], settings: Settings) -> None:
    """Send the articles to one channel ("webhook" or "email:ADDRESS")."""
    if channel == "webhook":
        if not watch.webhook:
            raise DeliveryError("the watch has no webhook")
        send_webhook(watch.webhook, payload(watch, articles), settings)
    elif channel.startswith("email:"):
        send_email(channel.removeprefix("email:"), digest(watch, articles, settings), settings)
    else:
        raise DeliveryError(f"unknown channel {channel!r}")


def _article(article: dict[str, Any]) -> dict[str, Any]:
    found = {name: article.get(name) for name in PAYLOAD_FIELDS}
    if not str(found["url"] or "").lower().startswith(("http://", "https://")):
        found["url"] = None  # a replayed file or seed: a path on this machine, nothing to open
    return found


def newest_first(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The digest's order: by publication, newest first; undated articles last."""
    dated = sorted((a for a in articles if a.get("published")),
                   key=lambda a: _instant(a["published"]), reverse=True)  # fmt: skip
    return dated + [a for a in articles if not a.get("published")]


def _instant(published: str) -> datetime:
    """A published value as a moment; one without an offset is taken as Vietnam's time."""
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return datetime.min.replace(tzinfo=VIETNAM_TZ)
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)


def payload(watch: Watch, articles: list[dict[str, Any]]) -> bytes:
    body = {"watch": watch.name, "query": watch.search,
            "articles": [_article(a) for a in articles]}  # fmt: skip
    return json.dumps(body, ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """The X-Signature-256 value: "sha256=" and the hex HMAC-SHA256 of the body (as
    GitHub signs its webhooks, so receivers' existing checks work)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(url: str, body: bytes, settings: Settings) -> None:
    secret = settings.get("WATCH_WEBHOOK_SECRET")
    where = redacted_url(url)
    if not secret:
        raise DeliveryError(f"webhook {where}: WATCH_WEBHOOK_SECRET is not set (deliveries "
                            "are signed)")  # fmt: skip
    headers = {"Content-Type": "application/json; charset=utf-8",
               SIGNATURE_HEADER: signature(secret, body),
               "User-Agent": settings.get("USER_AGENT") or "vn-police-news"}  # fmt: skip
    try:
        response = httpx.post(url, content=body, headers=headers, follow_redirects=False,
                              timeout=settings.getfloat("WATCH_TIMEOUT"))  # fmt: skip
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {where}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"webhook {where}: answered HTTP {response.status_code}")


# --- E-mail ----------------------------------------------------------------------------


def subject(watch: Watch, count: int) -> str:
    return f"[Tin công an] {count} bài mới: {watch.name}"


def digest(watch: Watch, articles: list[dict[str, Any]], settings: Settings) -> EmailMessage:
    """The digest as multipart/alternative: plain text, then the same in HTML."""
    message = EmailMessage()
    message["Subject"] = subject(watch, len(articles))
    message["From"] = settings.get("SMTP_FROM") or "tin-cong-an@localhost"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="tin-cong-an")
    search = describe(watch.search)
    lines = [f"Tìm kiếm đã lưu “{watch.name}”: {search}",
             f"{len(articles)} bài mới:", ""]  # fmt: skip
    items = []
    for article in map(_article, newest_first(articles)):
        title = article["title"] or "(không có tiêu đề)"
        meta = " · ".join(str(v) for v in (_day(article["published"]), article["province"],
                                            article["site"]) if v)  # fmt: skip
        lines += [f"- {title}", f"  {meta}"]
        if article["lead"]:
            lines.append(f"  {article['lead']}")
        if article["url"]:
            lines.append(f"  Bài gốc: {article['url']}")
        lines.append("")
        link = html.escape(article["url"] or "", quote=True)
        heading = f'<a href="{link}">{html.escape(title)}</a>' if link else html.escape(title)
        lead = f"<br>{html.escape(article['lead'])}" if article["lead"] else ""
        original = (f'<br><a href="{link}">Bài gốc: {html.escape(article["url"])}</a>'
                    if link else "")  # fmt: skip
        items.append(f"<li><strong>{heading}</strong><br><small>{html.escape(meta)}</small>"
                     f"{lead}{original}</li>")  # fmt: skip
    lines.append("Thư này được gửi tự động vì có người lưu tìm kiếm trên.")
    message.set_content("\n".join(lines))
    message.add_alternative(
        '<!doctype html><html lang="vi"><meta charset="utf-8"><body>'
        f"<p>Tìm kiếm đã lưu “{html.escape(watch.name)}”: {html.escape(search)}</p>"
        f"<p>{len(articles)} bài mới:</p><ul>{''.join(items)}</ul>"
        "<p><small>Thư này được gửi tự động vì có người lưu tìm kiếm trên.</small></p>"
        "</body></html>",
        subtype="html",
    )
    return message


def _day(published: str | None) -> str | None:
    return published[:10] if published else None


def send_email(address: str, message: EmailMessage, settings: Settings) -> None:
    host = settings.get("SMTP_HOST")
    if not host:
        raise DeliveryError(f"e-mail to {address}: no mail server (set SMTP_HOST)")
    port = settings.getint("SMTP_PORT")
    timeout = settings.getfloat("WATCH_TIMEOUT")
    message["To"] = address
    try:
        if port == 465:
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if port != 465 and settings.getbool("SMTP_STARTTLS"):
                server.starttls(context=ssl.create_default_context())
            if settings.get("SMTP_USER"):
                server.login(settings.get("SMTP_USER"), settings.get("SMTP_PASSWORD") or "")
            server.send_message(message, to_addrs=[address])
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"e-mail to {address}: {host} refused the login ({exc.smtp_code})"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"e-mail to {address} through {host}:{port}: "
                            f"{type(exc).__name__}: {exc}") from None  # fmt: skip
