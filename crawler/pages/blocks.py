"""A page as a list of text blocks in reading order, the way a browser lays it out.

Layouts differ (paragraphs in <p>, in one <div> each, lines split by <br> inside a table
cell, text in <font> tags), but every one of them shows the reader lines of text one
under the other. The generic reader works on those lines and on the elements that hold
them, not on any CMS's class names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

Node = etree._Element

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "caption",
        "details",
        "summary",
    ]
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Never shown as text (or not text of the page).
SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "select",
        "option",
        "button",
        "textarea",
        "input",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "map",
        "head",
        "link",
        "meta",
        "title",
    ]
)
_HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:hidden|hide|d-none|sr-only|screen-reader-text|visually-hidden|invisible)(?:\s|$)"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)


def node_text(node: Node) -> str:
    """An element's text as ::text gives it, spaces collapsed."""
    return " ".join(" ".join(node.itertext()).split())


def is_hidden(node: Node) -> bool:
    """Hidden from readers: hidden schema spans, modals, screen-reader text."""
    attrib = node.attrib
    if "hidden" in attrib or attrib.get("aria-hidden") == "true" and node.tag != "figure":
        return True
    if _HIDDEN_STYLE.search(attrib.get("style", "")):
        return True
    return bool(_HIDDEN_CLASS.search(attrib.get("class", "")))


@dataclass
class Block:
    """One line of text as displayed, with what the reader needs to judge it."""

    text: str
    node: Node  # the block-level element the text belongs to
    position: int  # order in the page
    link_chars: int = 0
    bold_chars: int = 0
    italic_chars: int = 0
    after_image: bool = False  # an image came between the previous block and this one
    images: list[Node] = field(default_factory=list)  # images just before it

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)

    @property
    def bold(self) -> bool:
        """All of its letters are bold (a sub-heading or a lead set in bold)."""
        return self.bold_chars >= 0.9 * len(self.text.replace(" ", ""))

    @property
    def italic(self) -> bool:
        return self.italic_chars >= 0.9 * len(self.text.replace(" ", ""))

    @property
    def tag(self) -> str:
        return self.node.tag if isinstance(self.node.tag, str) else ""

    def centered(self) -> bool:
        """Centered by its element or a close ancestor (captions under photos are)."""
        for node in (self.node, *list(self.node.iterancestors())[:2]):
            if node.attrib.get("align", "").lower() == "center" or node.tag == "center":
                return True
            if _CENTERED.search(node.attrib.get("style", "")):
                return True
        return False


class _Walker:
    """Collects blocks: text accumulates until a block-level element or <br> ends it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.owners: list[Node] = []
        self.parts: list[str] = []
        self.link = self.bold = self.italic = 0
        self.pending_images: list[Node] = []

    def add(self, text: str | None, link: bool, bold: bool, italic: bool) -> None:
        if not text:
            return
        self.parts.append(text)
        size = len(text.replace(" ", "").strip())
        self.link += size if link else 0
        self.bold += size if bold else 0
        self.italic += size if italic else 0

    def flush(self) -> None:
        text = " ".join("".join(self.parts).split())
        if text and self.owners:
            counted = len(text.replace(" ", ""))
            self.blocks.append(
                Block(
                    text=text,
                    node=self.owners[-1],
                    position=len(self.blocks),
                    link_chars=min(self.link, counted),
                    bold_chars=min(self.bold, counted),
                    italic_chars=min(self.italic, counted),
                    after_image=bool(self.pending_images),
                    images=self.pending_images,
                )
            )
            self.pending_images = []
        self.parts = []
        self.link = self.bold = self.italic = 0

    def walk(self, node: Node, link: bool, bold: bool, italic: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if not tag or tag in SKIPPED_TAGS or is_hidden(node):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            self.pending_images.append(node)
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
            self.owners.append(node)
        link = link or tag == "a"
        bold = bold or tag in ("b", "strong") or tag in HEADINGS
        italic = italic or tag in ("i", "em")
        self.add(node.text, link, bold, italic)
        for child in node:
            self.walk(child, link, bold, italic)
            self.add(child.tail, link, bold, italic)
        if block:
            self.flush()
            self.owners.pop()


def page_blocks(root: Node) -> list[Block]:
    """The visible text of a document as blocks, in order."""
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root, False, False, False)
    walker.flush()
    return walker.blocks
