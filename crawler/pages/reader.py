"""The generic reader: the article of a page whose layout nobody described.

It reads the page as a human does. The headline is the heading that the page's own
metadata names; the story is the run of long, link-poor lines that follows it, held
by one element (or by sibling elements of one parent); the lead is the part the page
marks as its summary or sets in bold before the story; captions sit under images; the
credit is a short line of names at the top or the end. Menus, share bars, related
lists, comments and footers are recognised by what they are made of (links, short
lines, furniture class names) and left out. A page of many teaser links is a listing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from functools import cached_property

from crawler.dates import parse_datetime
from crawler.pages.blocks import Block, Node, node_text, page_blocks
from crawler.text import SOURCE_LINE, credit_names

# Class or id words of page furniture: whole words, or distinctive run-together ones.
_FURNITURE_WORD = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|menus|share|sharing|social|ads?|adv|banner|widget|"
    r"tags?|print|popup|modal|rating|vote|pager|paging|toolbar|header|footer|sidebar|"
    r"aside|comments?|related|breadcrumbs?|pagination|copyright|subscribe|newsletter|"
    r"login|search|topbar|sitemap|qc|box-qc|lienquan|tinkhac)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_PART = re.compile(
    r"lienquan|lien-quan|lien_quan|tinkhac|tin-khac|othernews|other-news|other_news|"
    r"samecate|same-cate|cungchuyenmuc|cung-chuyen-muc|binhluan|binh-luan|comment|"
    r"xemnhieu|xem-nhieu|docnhieu|doc-nhieu|mostview|most-view|most-read|mostread|"
    r"breadcrumb|sidebar|navbar|footer|social|advert|quangcao|quang-cao|newsletter|"
    r"related|readmore|read-more|download-app|app-download|tai-app|box-tag|tag-list|"
    r"taglist|list-tag|keyword|tukhoa|tu-khoa|share|pagination|topnews|hot-news|"
    r"tin-moi|tinmoi|tin-noi-bat|noibat|relate|morenews|more-news|more_news|tinlienquan",
    re.IGNORECASE,
)
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu"})

# Lines that are page furniture whatever element holds them.
CLUTTER = re.compile(
    r"^(?:A-\s*A\s*A\+|[Aa]\s*-?\s*[Aa]\s*\+?|Chia sẻ.{0,30}|Lưu|In bài.{0,10}|In trang|"
    r"Thăm dò ý kiến|Tổng số điểm của bài viết là.*|Lượt xem:?\s*[\d.,]+|"
    r"Đã xem:?\s*[\d.,]+|Số lượt xem:?.*|Lượt đọc:?.*|Bản in|Gửi (?:email|bài viết|cho bạn bè)|"
    r"Tải ứng dụng.*|Tải app.*|Theo dõi .{0,40}trên Google News.*|Bình luận(?: \(\d+\))?|"
    r"Gửi bình luận|Ý kiến bạn đọc|Xem thêm|Xem tiếp|Đọc tiếp.{0,3}|Quay lại|Về đầu trang|"
    r"Trở về|Copy link|Sao chép liên kết|Zalo|Facebook|Twitter|Email|Like|Thích|"
    r"Nghe bài viết|Nghe đọc bài|Đánh giá(?: bài viết)?:?|Phản hồi|Trả lời|Báo xấu|"
    r"Tags?:?.*|Từ khóa:?.*|Từ khoá:?.*|Chủ đề:.*|\d+\s*(?:bình luận|lượt xem)|"
    r"Video đang được quan tâm|Quảng cáo|Advertisement|[|•·\s]+)$",
    re.IGNORECASE,
)
# Headings that open the page's own lists after the story: nothing after them is story.
STOP = re.compile(
    r"^(?:Tin liên quan|Bài liên quan|Bài viết liên quan|Tin bài liên quan|Các tin khác|"
    r"Tin khác|Các bài (?:viết )?khác|Tin cùng chuyên mục|Cùng chuyên mục|Tin mới(?: nhất| hơn)?|"
    r"Những tin (?:cũ|mới) hơn|Tin đã đưa|Tin đọc nhiều|Đọc nhiều(?: nhất)?|Xem nhiều(?: nhất)?|"
    r"Bình luận|Ý kiến bạn đọc|Theo dòng sự kiện|Có thể bạn quan tâm|Bạn có thể quan tâm|"
    r"Tin nổi bật|Tin xem nhiều|Các tin đã đưa|Tin cùng loại|Đọc thêm|Xem thêm|Bài đọc thêm|"
    r"Tin tức (?:gần đây|mới|khác|liên quan|cùng chuyên mục)|Tin gần đây|"
    r"Tin mới cập nhật)\b.{0,40}$",
    re.IGNORECASE,
)
# The summary's markup, where the page marks it.
_LEAD_WORD = re.compile(
    r"(?:^|[\s_-])(?:sapo|summary|tomtat|tom-tat|lead|chapeau|mota|mo-ta|hometext|excerpt|"
    r"intro|abstract|desnews|des-detail|description|teaser|subtitle|sub-title|detail-sapo|"
    r"singular-sapo|article-sapo|news-sapo|short-content|shortcontent|summary-detail)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BYLINE_WORD = re.compile(
    r"author|byline|tacgia|tac-gia|tac_gia|writer|signature|butdanh|but-danh|nguoi-viet|"
    r"nguoiviet|post-by|posted-by|name-tg",
    re.IGNORECASE,
)
_CAPTION_WORD = re.compile(
    r"caption|chuthich|chu-thich|image-note|img-note|photo-note|desc-img|note-img|"
    r"imgcaption|PhotoCMS_Caption|expNoEdit|(?:^|[\s_-])note(?:$|[\s_-])",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(r"^\(?\s*(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Nguồn ảnh)\s*:", re.IGNORECASE)
_ENDS_WITH_PHOTO_CREDIT = re.compile(
    r"\(\s*Ảnh(?: minh (?:họa|hoạ))?\s*:[^)]*\)\s*\.?$|\(Ảnh minh (?:họa|hoạ)\)\.?$", re.IGNORECASE
)
_DATE_LINE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}(?![\d.,]))|\d{4}-\d{2}-\d{2}")
_WEEKDAY_END = re.compile(r"[\s,|-]*(?:Thứ\s+(?:\w+|\d)|Chủ nhật|CN)\s*,?\s*$", re.IGNORECASE)
_TITLE_CLASS = re.compile(r"title|tieude|tieu-de|tieu_de|headline|heading", re.IGNORECASE)
_AUTHOR_PAGE = re.compile(r"/(?:tac-gia|author|tacgia)/", re.IGNORECASE)
LISTING_MIN_TEASERS = 6
# Reader comments: their names and dates are the commenters', not the article's.
_COMMENT = re.compile(r"comment|cmt|binh-?luan|binh_luan|y-?kien|feedback|reply", re.IGNORECASE)
# Bars beside the headline (share, print, e-mail, font size): furniture that may hold the date.
_BAR_WORD = re.compile(
    r"share|sharing|social|print|email|e-mail|toolbar|tool|utility|rating|font|header|"
    r"tags?|date|time|info|meta",
    re.IGNORECASE,
)
# The paper's own dateline before a lead: "(Dân trí) -", "(NLĐO) -", "TPO -".
DATELINE = re.compile(r"^\s*\(\s*[\wĐđÀ-ỹ. ]{2,20}\)\s*[-–—]|^[A-ZĐ]{2,6}\s*[-–—]\s")
_RIGHT = re.compile(r"text-align\s*:\s*right", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
_SOURCE_CLASS = re.compile(r"source|nguon|xuatxu|xuat-xu", re.IGNORECASE)
_ARTICLE_ITEM = re.compile(r"schema\.org/(?:News)?Article|schema\.org/BlogPosting", re.IGNORECASE)


def _classes(node: Node) -> str:
    return f"{node.attrib.get('class', '')} {node.attrib.get('id', '')}"


def is_furniture(node: Node) -> bool:
    """Menus, share bars, related and most-read boxes, comments, footers."""
    if node.tag in FURNITURE_TAGS:
        return True
    names = _classes(node).strip()
    return bool(names) and bool(_FURNITURE_WORD.search(names) or _FURNITURE_PART.search(names))


def similar(a: str, b: str) -> float:
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class Region:
    """The story's place in the page: the element(s) holding it."""

    nodes: list[Node]

    def holds(self, block: Block) -> bool:
        return self.holds_node(block.node)

    def holds_node(self, element: Node) -> bool:
        return any(node is element or node in element.iterancestors() for node in self.nodes)


def _ancestors(node: Node) -> list[Node]:
    return list(node.iterancestors())


class Reader:
    """Reads the fields of one page; ``title_hints`` are the titles the metadata gives."""

    def __init__(
        self,
        root: Node,
        title_hints: list[str],
        descriptions: list[str] | None = None,
        website: bool = False,
    ) -> None:
        self.root = root
        self.title_hints = [h for h in title_hints if h]
        # The page's own summary (meta description, og:description): a lead it matches.
        self.descriptions = [d for d in descriptions or [] if d and len(d) >= 40]
        # og:type=website: the page calls itself a site page, not an article.
        self.website = website

    @cached_property
    def blocks(self) -> list[Block]:
        return page_blocks(self.root)

    @cached_property
    def furniture(self) -> set[Node]:
        """Furniture elements, except those that hold the headline."""
        found: set[Node] = set()
        title = self.hinted_title
        protected = {title, *_ancestors(title)} if title is not None else set()
        for node in self.root.iter():
            if not isinstance(node.tag, str) or node in protected:
                continue
            if node.tag in ("html", "body") or not is_furniture(node):
                continue
            found.add(node)
        return found

    def in_furniture(self, block: Block) -> bool:
        return self._furniture_of(block.node)

    def _furniture_of(self, node: Node) -> bool:
        key = node
        cache = self._furniture_cache
        if key in cache:
            return cache[key]
        parent = node.getparent()
        value = node in self.furniture or (parent is not None and self._furniture_of(parent))
        cache[key] = value
        return value

    @cached_property
    def _furniture_cache(self) -> dict[Node, bool]:
        return {}

    # -- headline ----------------------------------------------------------------------

    @cached_property
    def title_candidates(self) -> list[tuple[Node, str]]:
        """Headings and heading-like elements (title classes, itemprop=headline)."""
        candidates = []
        for node in self.root.iter():
            if not isinstance(node.tag, str):
                continue
            heading = node.tag in ("h1", "h2", "h3")
            named = _TITLE_CLASS.search(_classes(node)) or node.attrib.get("itemprop") == "headline"
            if not (heading or named):
                continue
            text = node_text(node)
            if 8 <= len(text) <= 400:
                candidates.append((node, text))
        return candidates

    @cached_property
    def hinted_title(self) -> Node | None:
        """The heading-like element whose text the metadata names as the headline."""
        best, best_score = None, 0.0
        for node, text in self.title_candidates:
            score = max((similar(text, hint) for hint in self.title_hints), default=0.0)
            if score > best_score + 1e-9:
                best, best_score = node, score
        return self._tightest(best, best_score) if best is not None and best_score >= 0.6 else None

    @cached_property
    def title_node(self) -> Node | None:
        """The element that shows the headline: the one the metadata names; else the
        heading nearest above the story; else the first h1."""
        if self.hinted_title is not None:
            return self.hinted_title
        candidates = self.title_candidates
        # No metadata names it (the <title> holds the portal's name): the heading nearest
        # above the story.
        story = self._region(0)
        first = next(
            (b.position for b in self.blocks if story and story.holds(b) and self._good(b)), None
        )
        if first is not None:
            positions = self._positions()
            above = [(positions[n], n) for n, _ in candidates if positions.get(n, first) < first]
            above = [(p, n) for p, n in above if first - p <= 12 and not self._furniture_of(n)]
            if above:
                return max(above, key=lambda pair: pair[0])[1]
        for node, text in candidates:
            outside = not any(a.tag in ("header", "nav") for a in _ancestors(node))
            if node.tag == "h1" and outside and (not node.xpath(".//img") or len(text) > 30):
                return node
        return None

    def _positions(self) -> dict[Node, int]:
        """The position of the first block inside each element."""
        found: dict[Node, int] = {}
        for block in self.blocks:
            for node in (block.node, *block.node.iterancestors()):
                if node in found:
                    break
                found[node] = block.position
        return found

    def _tightest(self, node: Node, score: float) -> Node:
        """The element inside the chosen one that holds the headline alone (a title span
        beside a date span in one title box)."""
        for inner in node.iterdescendants():
            if not isinstance(inner.tag, str):
                continue
            text = node_text(inner)
            inner_score = max((similar(text, hint) for hint in self.title_hints), default=0.0)
            if inner_score > score:
                return self._tightest(inner, inner_score)
        return node

    @cached_property
    def title(self) -> str:
        if self.title_node is not None:
            return node_text(self.title_node)
        return self.title_hints[0] if self.title_hints else ""

    @cached_property
    def title_position(self) -> int:
        """Index of the first block after the headline (0 when there is none)."""
        if self.title_node is None:
            return 0
        inside = {self.title_node, *self.title_node.iterdescendants()}
        last = -1
        for block in self.blocks:
            if block.node in inside:
                last = block.position
        return last + 1

    # -- the story ---------------------------------------------------------------------

    def _good(self, block: Block) -> bool:
        return (
            len(block.text) >= 25
            and block.link_density < 0.5
            and not self.in_furniture(block)
            and not CLUTTER.match(block.text)
        )

    @cached_property
    def region(self) -> Region | None:
        return self._region(self.title_position)

    def _region(self, start: int) -> Region | None:
        """The element holding the story (from block ``start``), with siblings that
        continue it (readability's scoring: a line adds to its element, its parent and,
        halved, its grandparent)."""
        scores: dict[Node, float] = {}
        text: dict[Node, int] = {}
        links: dict[Node, int] = {}
        for block in self.blocks:
            if self.in_furniture(block):
                continue
            chain = [block.node, *list(block.node.iterancestors())[:3]]
            for node in chain:
                text[node] = text.get(node, 0) + len(block.text)
                links[node] = links.get(node, 0) + block.link_chars
            if block.position < start - 1 or not self._good(block):
                continue
            points = 1 + min(len(block.text) / 100, 3)
            for weight, node in zip((1, 1, 0.5, 0.25), chain, strict=False):
                scores[node] = scores.get(node, 0) + points * weight
        if not scores:
            return None

        def value(node: Node) -> float:
            density = links.get(node, 0) / max(text.get(node, 1), 1)
            return scores[node] * (1 - density)

        top = max(scores, key=lambda n: (value(n), _depth(n)))
        # Deeper elements with nearly the same score are the tighter container.
        for node in sorted(scores, key=_depth, reverse=True):
            if value(node) >= 0.97 * value(top) and top in _ancestors(node):
                top = node
                break
        # A caption is never the story's element: a photo story's text is all in its
        # figures, each one apart; the element holding the figures holds the story.
        figure = next(
            (n for n in (top, *top.iterancestors()) if n.tag in ("figure", "figcaption")), None
        )
        if figure is not None:
            outer = [n for n in (figure, *figure.iterancestors()) if n.tag == "figure"]
            holder = (outer[-1] if outer else figure).getparent()
            if holder is not None:
                return Region([holder])
        parent = top.getparent()
        if parent is None or top.tag in ("body", "html"):
            return Region([top])
        siblings = [
            s for s in parent
            if s is not top and s in scores and value(s) >= max(3.0, 0.2 * value(top))
            and links.get(s, 0) / max(text.get(s, 1), 1) < 0.25 and s not in self.furniture
        ]  # fmt: skip
        return Region([parent] if siblings else [top])

    @cached_property
    def story(self) -> list[Block]:
        """The story's blocks in order, before lead, captions and credit are taken out."""
        if self.region is None:
            return []
        found: list[Block] = []
        inside = [
            b for b in self.blocks if self.region.holds(b) and b.position >= self.title_position
        ]
        for index, block in enumerate(inside):
            if self.in_furniture(block) and not self._caption_node(block):
                continue
            # A "Tin liên quan" box ends the story unless running text follows it (a box
            # set in the middle of the story).
            if STOP.match(block.text) and len(block.text) < 80:
                if not any(self._running(b) for b in inside[index + 1 :]):
                    break
                continue
            if CLUTTER.match(block.text) or block.link_density >= 0.6:
                continue
            found.append(block)
        return found

    def _running(self, block: Block) -> bool:
        """A line of running text: long, few links, not furniture."""
        return len(block.text) >= 150 and block.link_density < 0.2 and not self.in_furniture(block)

    def _caption_node(self, block: Block) -> bool:
        for node in (block.node, *block.node.iterancestors()):
            if node.tag == "figcaption" or _CAPTION_WORD.search(_classes(node)):
                return True
            if node.tag in ("article", "body") or (self.region and node in self.region.nodes):
                return False
        return False

    def is_caption(self, block: Block, previous: Block | None) -> bool:
        """Under an image: a figcaption, a caption row of an image table, a centered or
        italic line, or a line that credits the photo."""
        if self._caption_node(block):
            return True
        table = next((a for a in block.node.iterancestors() if a.tag == "table"), None)
        if table is not None and table.xpath(".//img") and len(block.text) <= 400:
            row = next(
                (a for a in [block.node, *block.node.iterancestors()] if a.tag == "tr"), None
            )
            if row is not None and not row.xpath(".//img") and len(table.xpath(".//tr")) <= 4:
                return True
        if len(block.text) > 400:
            return False
        if _PHOTO_CREDIT.match(block.text) and (
            block.after_image or previous is not None and previous.after_image
        ):
            return True
        return block.after_image and bool(
            block.italic or block.centered() or _ENDS_WITH_PHOTO_CREDIT.search(block.text)
        )

    @cached_property
    def sorted_story(self) -> tuple[list[Block], list[Block]]:
        """(story lines, caption lines); captions of a lead photo between the headline
        and the story count too."""
        lines, captions = [], []
        start = self.story[0].position if self.story else 0
        for block in self.blocks[self.title_position : start]:
            if self._caption_node(block) and not self.in_furniture(block):
                captions.append(block)
        previous = None
        for block in self.story:
            if self.is_caption(block, previous):
                # "Ảnh: X" under a caption credits the photo: neither caption nor story.
                credit_only = _PHOTO_CREDIT.match(block.text) and len(block.text) <= 60
                if not (credit_only and previous is not None and previous in captions):
                    captions.append(block)
            else:
                lines.append(block)
            previous = block
        return lines, captions

    @cached_property
    def captions(self) -> list[str]:
        if self.photo_story:
            return []
        texts = [b.text for b in self.sorted_story[1]]
        return list(dict.fromkeys(texts))

    @cached_property
    def photo_story(self) -> bool:
        """A photo story: a headline, a lead, several captioned photos and next to no
        running text; its captions are the story."""
        lines = [b for b in self.sorted_story[0] if not credit_names(b.text)]
        running = sum(len(b.text) for b in lines if not SOURCE_LINE.match(b.text))
        captions = {b.text for b in self.sorted_story[1] if not _PHOTO_CREDIT.match(b.text)}
        return (
            bool(self.title)
            and running < 300
            and len(captions) >= 3
            and (self.marked_lead or self.unmarked_lead[0]) is not None
        )

    @cached_property
    def caption_images(self) -> list[tuple[str | None, str]]:
        """(image src, caption) of each captioned image of the story."""
        pairs = []
        for block in self.sorted_story[1]:
            image = block.images[-1] if block.images else None
            if image is None:
                holder = next(
                    (a for a in block.node.iterancestors() if a.tag in ("figure", "table")), None
                )
                found = holder.xpath(".//img") if holder is not None else []
                image = found[0] if found else None
            src = None
            if image is not None:
                src = (
                    image.attrib.get("data-src")
                    or image.attrib.get("data-original")
                    or image.attrib.get("src")
                )
            pairs.append((src, block.text))
        return pairs

    # -- lead, credit, body ------------------------------------------------------------

    @cached_property
    def marked_lead(self) -> str | None:
        """The summary where the page marks it (sapo class names, itemprop=description):
        the innermost marked element's lines, without its photo and caption."""
        marked = [
            node for node in self.root.iter()
            if isinstance(node.tag, str) and node.tag not in ("meta", "html", "body")
            and (_LEAD_WORD.search(_classes(node)) or node.attrib.get("itemprop") == "description")
            and not self._furniture_of(node) and not self._before_title(node)
        ]  # fmt: skip
        for node in marked:
            if any(inner in marked for inner in node.iterdescendants()):
                continue
            if self.region and any(
                r is node or node in r.iterancestors() for r in self.region.nodes
            ):
                continue  # a wrapper of the whole story, not its summary
            lines = [
                b for b in self.blocks
                if (b.node is node or node in b.node.iterancestors())
                and not self.in_furniture(b) and not self.is_caption(b, None)
                and b.link_density < 0.5
            ]  # fmt: skip
            if lines:
                text = " ".join(b.text for b in lines)
                links = sum(b.link_chars for b in lines)
            else:  # an inline element (span.MoTa) inside a larger block
                text = node_text(node)
                links = sum(len(" ".join(a.itertext())) for a in node.iter("a"))
            if 30 <= len(text) <= 1500 and links <= 0.5 * len(text):
                return text
        return None

    def _before_title(self, node: Node) -> bool:
        if self.title_node is None:
            return False
        for block in self.blocks:
            if block.node is node or node in block.node.iterancestors():
                return block.position < self.title_position - 1
        return False

    @cached_property
    def unmarked_lead(self) -> tuple[str | None, Block | None]:
        """A summary the page does not mark: the first line of 60-600 characters right
        under the headline (past date and share lines) set as a heading or in bold,
        opening with the paper's dateline "(Dân trí) -", or equal to the meta description."""
        if self.title_node is None:
            return None, None
        for block in self.blocks[self.title_position : self.title_position + 6]:
            text = block.text
            if (
                len(text) < 60
                or CLUTTER.match(text)
                or block.link_density >= 0.5
                or self._caption_node(block)
            ):
                if self._running(block):
                    return None, None
                continue
            if len(text) > 600 or (self.in_furniture(block) and not DATELINE.match(text)):
                return None, None
            heading = block.tag in ("h2", "h3", "h4") or block.bold
            described = any(similar(text, d) >= 0.9 for d in self.descriptions)
            # A dateline alone marks a lead set apart from the story's element, not the
            # first paragraph of a story that opens with it.
            apart = self.region is None or not self.region.holds(block)
            if heading or described or (DATELINE.match(text) and apart):
                return text, block
            return None, None
        return None, None

    @cached_property
    def parts(self) -> tuple[str | None, list[str], list[str], str | None]:
        """(lead, body, authors, source): the story's lines sorted into their roles."""
        lines = [b for b in self.sorted_story[0]]
        lead = self.marked_lead
        lead_block = None
        if lead is None:
            lead, lead_block = self.unmarked_lead
        if lead is None and lines and lines[0].bold and len(lines[0].text) >= 60:
            lead, lead_block = lines[0].text, lines[0]
        if self.photo_story:
            # The captions are the story; credit lines stay with the lines.
            credits = [b for b in lines if credit_names(b.text) or SOURCE_LINE.match(b.text)]
            story = [b for b in self.sorted_story[1] if not _PHOTO_CREDIT.match(b.text)]
            lines = sorted(story + credits, key=lambda b: b.position)
        authors: list[str] = []
        source = None
        # Credit and source lines: the last few lines, then the first one or two.
        kept = []
        tail = [b for b in lines if b is not lead_block]
        while tail:
            text = tail[-1].text
            if (match := SOURCE_LINE.match(text)) and len(text) <= 90:
                source = source or match.group("source").strip()
                tail.pop()
                continue
            if not authors and (names := credit_names(text)):
                authors = names
                tail.pop()
                continue
            break
        head_index = 0
        for block in tail[:2]:
            if not authors and (names := credit_names(block.text)):
                authors = names
                head_index += 1
            elif _DATE_LINE.search(block.text) and len(block.text) <= 80:
                head_index += 1
            else:
                break
        kept = tail[head_index:]
        title = self.title
        body = []
        for block in kept:
            text = block.text
            if text == title or (lead and (text == lead or similar(text, lead) > 0.95)):
                continue
            if lead_block is not None and block is lead_block:
                continue
            if (
                _DATE_LINE.search(text)
                and len(text) <= 60
                and not re.search(r"\w{3,}\s\w{3,}\s\w{3,}", text)
            ):
                continue
            body.append(text)
        if not authors:
            authors = self.trailing_byline
        return lead, list(dict.fromkeys(body)), authors, source

    @cached_property
    def trailing_byline(self) -> list[str]:
        """The author line set right-aligned and bold just after the story's element."""
        if not self.story:
            return []
        last = self.story[-1].position
        for block in self.blocks[last + 1 : last + 4]:
            if self.in_furniture(block) or self.region is None or self.region.holds(block):
                continue
            if not (_aligned_right(block.node) and (block.bold or _styled_bold(block.node))):
                continue
            if names := credit_names(block.text):
                return names
        return []

    @cached_property
    def source(self) -> str | None:
        """The outlet the story is taken from: a "Theo X" / "Nguồn: X" line at the
        story's end, in a source element near it, or in the byline element."""
        if self.parts[3]:
            return self.parts[3]
        if self.story:
            end = self.story[-1].position
            for block in self.blocks[self.title_position : end + 12]:
                if block.position <= end and self.region and self.region.holds(block):
                    continue
                if self._comment(block.node) or len(block.text) > 90 or CLUTTER.match(block.text):
                    continue
                # "Theo dõi ... trên Google News", "Theo dòng sự kiện:" are no sources.
                if STOP.match(block.text) or re.match(r"Theo dõi\b|.*:$", block.text, re.I):
                    continue
                named = any(
                    _SOURCE_CLASS.search(_classes(n))
                    for n in (block.node, *list(block.node.iterancestors())[:2])
                )
                # Just after the story ("Nguồn tin: X" under the author line) or in
                # an element named for it further on.
                near = end < block.position <= end + 4 and not self.in_furniture(block)
                if (named or near) and (match := SOURCE_LINE.match(block.text)):
                    return match.group("source").strip()
        _ = self.byline  # reads byline_source too
        return self.byline_source

    def _comment(self, node: Node) -> bool:
        return any(
            _COMMENT.search(_classes(n)) for n in (node, *node.iterancestors()) if n.tag != "body"
        )

    byline_source: str | None = None

    @cached_property
    def byline(self) -> list[str]:
        """Authors named by byline elements (author classes, rel=author, links to author
        pages): the element naming the most people, the first of equals."""
        best: list[str] = []
        for node in self.root.iter():
            if not isinstance(node.tag, str) or node.tag in ("meta", "html", "body", "link"):
                continue
            marked = (
                _BYLINE_WORD.search(_classes(node))
                or node.attrib.get("rel") == "author"
                or node.attrib.get("itemprop") == "author"
                or (node.tag == "a" and _AUTHOR_PAGE.search(node.attrib.get("href", "")))
            )
            if not marked or (self._furniture_of(node) and not self._near_story(node)):
                continue
            if self._comment(node):
                continue
            names_node = node.xpath(".//*[@itemprop='name']")
            text = node_text(names_node[0] if names_node else node)
            if (match := SOURCE_LINE.match(_DATE_LINE.split(text)[0].strip(" |-–,"))) and (
                self.byline_source is None
            ):
                self.byline_source = match.group("source").strip(" |-–,")
            text = _DATE_LINE.split(text)[0].strip(" |-–,")
            text = re.sub(r"\d{1,2}:\d{2}.*$", "", text).strip(" |-–,")
            text = _WEEKDAY_END.sub("", text)
            names = credit_names(text) or []
            if len(names) > len(best):
                best = names
        return best

    def _near_story(self, node: Node) -> bool:
        if self.region is None:
            return False
        region = self.region.nodes[0]
        parent = region.getparent()
        return parent is not None and (node in parent.iterdescendants())

    # -- dates -------------------------------------------------------------------------

    def visible_date(self) -> tuple[datetime, str, int] | None:
        """The date line nearest the headline, its precision and how many lines away;
        never one in related lists, comments, sidebars or the footer."""
        anchor = self.title_position
        best = None
        for block in self.blocks:
            if len(block.text) > 160 or block.link_density > 0.5:
                continue
            if self.in_furniture(block) and not self._headline_bar(block, anchor):
                continue
            if not _DATE_LINE.search(block.text) and "tháng" not in block.text:
                continue
            # Its pieces apart: "14:35" and "1.248 lượt xem" in spans side by side.
            pieces = [" ".join(t.split()) for t in block.node.itertext()]
            joined = " | ".join(p for p in pieces if p)
            parsed = parse_datetime(joined if len(joined) <= 300 else block.text)
            if parsed is None:
                continue
            distance = block.position - anchor
            # After the headline first; a line just above it (a date over the title) next.
            rank = distance if distance >= 0 else 3 * -distance
            # A line with the time is the dateline; a bare day nearby may be story text.
            rank += 4 if parsed[1] == "day" else 0
            if best is None or rank < best[0]:
                best = (rank, parsed)
        if best is None or best[0] > 60:
            return None
        return (*best[1], best[0])

    def _headline_bar(self, block: Block, anchor: int) -> bool:
        """A share or print bar beside the headline (it may show the date), not a list."""
        if not -3 <= block.position - anchor <= 3:
            return False
        for node in (block.node, *block.node.iterancestors()):
            if node in self.furniture and (
                node.tag in FURNITURE_TAGS
                and node.tag != "header"
                or not _BAR_WORD.search(_classes(node))
                or self._comment(node)
            ):
                return False
        return True

    # -- listings ----------------------------------------------------------------------

    @cached_property
    def listing_reason(self) -> str | None:
        """Why the page is a list of articles and not one, or None: a group of repeated
        elements that each hold a headline link, in the story's place, with more text
        than the running text around them."""
        items = [
            n for n in self.root.iter()
            if isinstance(n.tag, str) and _ARTICLE_ITEM.search(n.attrib.get("itemtype", ""))
            and not any(_ARTICLE_ITEM.search(a.get("itemtype", "")) for a in n.iterancestors())
        ]  # fmt: skip
        if len(items) >= LISTING_MIN_TEASERS and all(_size(i) < 1500 for i in items):
            return f"a listing: {len(items)} schema.org Article items"
        for teasers in self._teasers():
            if len(teasers) >= LISTING_MIN_TEASERS and (reason := self._listing(teasers)):
                return reason
        return None

    def _listing(self, teasers: list[Node]) -> str | None:
        inside = [u for u in teasers if self.region and self.region.holds_node(u)]
        teaser_text = sum(_size(u) for u in teasers)
        in_teaser = {id(u) for u in teasers}
        running = sum(
            len(b.text) for b in self.sorted_story[0]
            if b.link_density < 0.3
            and not any(id(n) in in_teaser for n in (b.node, *b.node.iterancestors()))
        )  # fmt: skip
        if (
            (2 * len(inside) >= len(teasers) and running < teaser_text)
            or teaser_text > 2 * running
            or (self.website and teaser_text > running)
        ):
            return (f"a listing: {len(teasers)} article links with teasers, "
                    f"{running} characters of running text")  # fmt: skip
        return None

    def _teasers(self) -> list[list[Node]]:
        """Groups of sibling elements that each hold a headline link, the one with the
        most text first (a header ticker of bare titles may outnumber the teasers)."""
        groups: dict[tuple, list[Node]] = {}
        for node in self.root.iter("a"):
            text = node_text(node)
            if len(text) < 20 or self._furniture_of(node):
                continue
            # The teaser: the link's ancestor whose siblings repeat its tag and class.
            unit = node
            for ancestor in node.iterancestors():
                parent = ancestor.getparent()
                if parent is None or ancestor.tag in ("body", "html"):
                    break
                unit = ancestor
                like = [s for s in parent if s.tag == ancestor.tag
                        and s.attrib.get("class") == ancestor.attrib.get("class")]  # fmt: skip
                if len(like) >= 3:
                    break
            key = (id(unit.getparent()), unit.tag, unit.attrib.get("class"))
            members = groups.setdefault(key, [])
            if not any(m is unit for m in members):
                members.append(unit)
        return sorted(groups.values(), key=lambda g: -sum(_size(u) for u in g))


def _size(node: Node) -> int:
    return len(node_text(node))


def _depth(node: Node) -> int:
    return sum(1 for _ in node.iterancestors())


def _aligned_right(node: Node) -> bool:
    for element in (node, *list(node.iterancestors())[:2]):
        if element.attrib.get("align", "").lower() == "right":
            return True
        if _RIGHT.search(element.attrib.get("style", "")):
            return True
    return False


def _styled_bold(node: Node) -> bool:
    return bool(_BOLD_STYLE.search(node.attrib.get("style", "")))
