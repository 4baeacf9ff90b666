"""One Unicode form and one tone-mark convention for every text field."""

from __future__ import annotations

from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from crawler.text import fold, normalize_text, split_lead_in, strip_controls

TEXT_FIELDS = ("title", "lead")
LIST_FIELDS = ("body", "captions", "authors")
# As the site wrote them (filters match them exactly), control characters aside.
KEYWORD_FIELDS = ("category", "tags")


def normalize_article(item: object) -> object:
    """Normalize the text fields in place; empty paragraphs disappear."""
    adapter = ItemAdapter(item)
    for name in TEXT_FIELDS:
        if adapter.get(name) is not None:
            adapter[name] = normalize_text(adapter[name])
    for name in LIST_FIELDS:
        values = (normalize_text(v) for v in adapter.get(name) or [])
        adapter[name] = [v for v in values if v]
    for name in KEYWORD_FIELDS:
        values = (strip_controls(v).strip() for v in adapter.get(name) or [])
        adapter[name] = [v for v in values if v]
    for image in adapter.get("images") or []:
        if isinstance(image.get("caption"), str):
            image["caption"] = strip_controls(image["caption"]).strip()
    # The lead-in tag ("(CAO)", "ANTĐ -") names the source; it is not article text. A
    # source the page states ("Theo X") wins, and a paper's own tag ("(NLĐO) -" on
    # nld.com.vn) names no other source.
    opening = "lead" if adapter.get("lead") else "body"
    first = adapter[opening] if opening == "lead" else (adapter.get("body") or [None])[0]
    if first:
        tag, rest = split_lead_in(first)
        if tag:
            if not adapter.get("source_tag") and not _own_tag(tag, adapter.get("url") or ""):
                adapter["source_tag"] = tag
            if opening == "lead":
                adapter["lead"] = rest
            else:
                adapter["body"] = [rest, *adapter["body"][1:]]
    return item


def _own_tag(tag: str, url: str) -> bool:
    """Whether a lead-in tag is the publishing site's own name: "NLĐO" (NLĐ Online) on
    nld.com.vn, "CAND" on cand.com.vn."""
    name = fold(tag).lower().replace(" ", "")
    labels = (urlsplit(url).hostname or "").removeprefix("www.").split(".")
    return bool(labels[0]) and labels[0] in (name, name.removesuffix("o"))


class NormalizePipeline:
    def process_item(self, item: object) -> object:
        return normalize_article(item)
