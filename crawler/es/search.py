"""Search the articles index: Vietnamese typed with or without diacritics, the query
language users expect, filters, facets, republished stories grouped, more like this."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

from elasticsearch import ApiError
from elasticsearch.exceptions import HTTP_EXCEPTIONS

from crawler.es.document import entity_key
from crawler.text import ABBREVIATIONS, fold, normalize_text

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Matching: every word somewhere in the article (all_text holds every field's words;
# all_folded when typed without diacritics), scored by words. One field: matching on the
# title and lead too took twice as long among a million articles (README).
MATCH_FIELDS = ["all_text"]
# A word of the query in the title or lead ranks the article higher (ranking_rescore).
HEADLINE_FIELDS = ["title^4", "lead^2"]
# Syllables written together rank first: the whole query as a phrase, then each two
# adjacent syllables (written_together), typed and folded, on all_text/all_folded, whose
# index_phrases keeps each two adjacent syllables as one term: a lookup, not a walk
# through positions. The whole phrase, folded, may also have one syllable between
# ("Công an huyện" finds "Công an các huyện"): read from positions, the costliest clause,
# so on one field. Weights measured with benchmarks/search_relevance.py (README).
PHRASE_BOOST = 4.0
PAIR_BOOST = 6.0
PHRASE_SLOP = 1
NEAR_BOOST = 8.0
# The near clause is for a term whose syllables a word may split ("Công an các huyện"); a
# longer query is several words, whose adjacency the pairs rank. Reading the positions of
# every syllable of a long query in each rescored article set the p95 (README).
NEAR_MAX_SYLLABLES = 4
FOLDED_PAIR_SHARE = 0.8  # a phrase typed with diacritics found only folded counts less
MAX_PAIRS = 32  # of a long query, the first this many syllable pairs rank
RESCORE_WINDOW = 1000  # per shard: the best this many by words get the whole ranking
HIGHLIGHT_FIELDS = ("title", "lead", "body", "captions")
SOURCE_FIELDS = [
    "id", "url", "title", "published", "province", "province_current", "site", "category",
    "persons", "organizations", "locations", "story_key",
]  # fmt: skip
MAX_QUERY_LENGTH = 2000  # a longer query is refused
MAX_QUERY_CHARS = 500  # of a long query, the first this many characters are searched
# A longer filter value names nothing indexed; at 32 KB Elasticsearch refuses the term.
MAX_FILTER_LENGTH = 200
MAX_FILTER_VALUES = 20  # values of one filter (or of its exclusion) in one search
EXCLUDE = "not_"  # not_province=C: the exclusion of the filter province
MAX_ID_BYTES = 512  # Elasticsearch's own limit on a document _id
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window: from + size
MAX_PAGE = 1000
MAX_SIZE = 100
SORTS = ("relevance", "date")
FACET_SIZE = 20
# Above twice this many matches, facets are counted on a random sample of about this
# many (less than half the time at a million articles: search_latency --steps).
FACET_SAMPLE = 10_000
SAMPLE = "sample"  # the random_sampler aggregation's name
HITS = "hits"  # the count's aggregation of the matches the faceted filters let through
STORIES = "stories"  # the count's aggregation of the stories among the hits
# Ranked per story shown: a story's copies rank together, so this many hits per story on
# the pages so far find one per story without collapse (which at a million articles costs
# more than the rest of the ranking: search_latency --steps); more are ranked when short.
FETCH_PER_STORY = 3
SAMPLE_SEED = 20260  # the same sample for the same search: counts do not change per page
ALSO_PUBLISHED = 5  # copies of a story shown with it
NEWEST = {"published": {"order": "desc", "missing": "_last"}}


class InvalidSearch(ValueError):
    """A search parameter out of bounds: which one and why; the CLI and the API word it
    their own way (``--size`` or ``size``)."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field} {why}")
        self.field = field
        self.why = why


def _public(default: Any, help_text: str, **bounds: Any) -> Any:
    """A parameter users give: its help text and bounds (minimum, maximum, max_length,
    choices) are what the CLI options and the API's query parameters are made of."""
    return field(default=default, metadata={"help": help_text, **bounds})


def _filter(help_text: str) -> Any:
    """A filter: any of several values (OR), none by default; a single value is taken as
    one, each at most MAX_FILTER_LENGTH characters."""
    return _public((), help_text + "; repeat for any of several", max_length=MAX_FILTER_LENGTH)


def _exclusion(what: str) -> Any:
    """The values of a filter an article must not have: ``not_province`` for ``province``."""
    return _public((), f"leave out articles with this {what}; repeat for several",
                   max_length=MAX_FILTER_LENGTH)  # fmt: skip


def _internal(help_text: str, **kwargs: Any) -> Any:
    """A parameter set by the code calling search, never by a user."""
    return field(**kwargs, metadata={"help": help_text, "internal": True})


@dataclass(frozen=True)
class SearchRequest:
    """What a user asks: the one definition of the parameters of the command line, the API
    and the page. Checked when made: a value out of bounds raises InvalidSearch."""

    q: str = _public(
        "",
        'words, "exact phrases", -exclusion, a OR b; with or without diacritics',
        max_length=MAX_QUERY_LENGTH,
    )
    province: tuple[str, ...] = _filter("province, as published or as merged in 2025")
    site: tuple[str, ...] = _filter("a site id of the registry")
    since: date | None = _public(None, "published on or after this day")
    until: date | None = _public(None, "published on or before this day")
    entity: tuple[str, ...] = _filter("a person, organisation or place named in the article")
    person: tuple[str, ...] = _filter("a person, exactly as in the facets")
    organization: tuple[str, ...] = _filter("an organisation, exactly as in the facets")
    place: tuple[str, ...] = _filter("a place, exactly as in the facets")
    category: tuple[str, ...] = _filter("a category as the site names it")
    not_province: tuple[str, ...] = _exclusion("province (as published or merged)")
    not_site: tuple[str, ...] = _exclusion("site id")
    not_entity: tuple[str, ...] = _exclusion("person, organisation or place named")
    not_person: tuple[str, ...] = _exclusion("person")
    not_organization: tuple[str, ...] = _exclusion("organisation")
    not_place: tuple[str, ...] = _exclusion("place")
    not_category: tuple[str, ...] = _exclusion("category")
    sort: str = _public(
        "relevance", "order: relevance, or date with the newest first", choices=SORTS
    )
    page: int = _public(1, "page of results", minimum=1, maximum=MAX_PAGE)
    size: int = _public(10, "results per page", minimum=1, maximum=MAX_SIZE)
    facets: bool = _public(False, "also count results per filter value")
    group: bool = _internal("one result per story, its republications inside", default=True)
    extra_filters: list[dict[str, Any]] = _internal(
        "Elasticsearch filters added by the caller", default_factory=list
    )

    def __post_init__(self) -> None:
        for param in parameters():
            value = getattr(self, param.name)
            if param.multiple:
                # One value, a list or nothing: always a tuple of the values given.
                value = _values(value)
                object.__setattr__(self, param.name, value)
            param.check(value)
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise InvalidSearch(
                "page",
                f"must be at most {MAX_RESULT_WINDOW // self.size} with size {self.size} "
                f"(only the first {MAX_RESULT_WINDOW} results can be reached), got {self.page}",
            )


def _values(value: Any) -> Any:
    """A filter's values as a tuple, empty ones dropped (``?province=`` filters nothing)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(v for v in value if v != "")
    return value  # refused by Parameter.check, naming the parameter


_KINDS = {str: "text", int: "a whole number", bool: "true or false", date: "a date"}


@dataclass(frozen=True)
class Parameter:
    """One public parameter of SearchRequest, as the CLI and the API present and check it."""

    name: str
    type: type  # str, int, bool or date
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False  # takes several values: repeated options, repeated query parameters

    def range(self) -> str:
        """The bounds in words: "between 1 and 100", "at least 1"."""
        if self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        return f"at least {self.minimum}" if self.maximum is None else f"at most {self.maximum}"

    def check(self, value: Any) -> None:
        """Raise InvalidSearch naming this parameter when the value is not one it takes."""
        if value is None and self.default is None:
            return
        if self.multiple:
            if not isinstance(value, tuple):
                raise InvalidSearch(self.name, f"must be {_KINDS[self.type]}, got {value!r}")
            if len(value) > MAX_FILTER_VALUES:
                raise InvalidSearch(
                    self.name, f"takes at most {MAX_FILTER_VALUES} values, got {len(value)}"
                )
            for one in value:
                self.check_one(one)
            return
        self.check_one(value)

    def check_one(self, value: Any) -> None:
        """Check one value: of a single-valued parameter, or each of a filter's."""
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise InvalidSearch(self.name, f"must be {_KINDS[self.type]}, got {value!r}")
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidSearch(self.name, f"must be {self.range()}, got {value}")
        if self.max_length is not None and len(value) > self.max_length:
            raise InvalidSearch(
                self.name, f"must be at most {self.max_length} characters, got {len(value)}"
            )
        if self.choices and value not in self.choices:
            raise InvalidSearch(
                self.name, f"must be one of {', '.join(self.choices)}, got {value!r}"
            )


@cache
def parameters() -> tuple[Parameter, ...]:
    """The public parameters of SearchRequest, in order, with their help and bounds."""
    hints = get_type_hints(SearchRequest)
    found = []
    for spec in fields(SearchRequest):
        if spec.metadata.get("internal"):
            continue
        hint = hints[spec.name]
        kind = next((t for t in get_args(hint) if t is not type(None)), hint)
        multiple = get_origin(hint) is tuple
        default = None if spec.default is MISSING else spec.default
        found.append(Parameter(spec.name, kind, default, **spec.metadata, multiple=multiple))
    return tuple(found)


_EXCLUDED = re.compile(r"(?:^|(?<=[\s(]))-\S+")  # -word: an excluded word of the query


def typed_with_diacritics(text: str) -> bool:
    """Whether the words to be found were typed with diacritics (then they match as typed,
    else folded): an excluded word does not decide, so "cong an -Hà" finds Công an."""
    words = _EXCLUDED.sub(" ", text)
    return fold(words) != words


def to_query_string(text: str) -> str:
    """The user's query in simple_query_string syntax.

    Words, "exact phrases", -exclusion and OR (or |) pass through; an unbalanced quote is
    dropped; other operator characters are escaped so they are plain text, never syntax.
    """
    text = normalize_text(text)[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    text = re.sub(r"([+*~()|\\])", r"\\\1", text)
    # "a b OR c d" means (a b) or (c d): each side of OR is a group of its own.
    groups = [g for g in re.split(r"\s+(?:OR|\\\|)\s+", text) if g.strip()]
    return " | ".join(f"({g})" for g in groups) if len(groups) > 1 else text


# Each filter: the indexed field it matches, and whether its values are compared as keys
# (folded, case-insensitive: "ninh binh" finds Ninh Bình) or exactly as in the facets.
FILTER_FIELDS = {
    "province": ("province_keys", True),
    "site": ("site", False),
    "entity": ("entity_keys", True),
    "person": ("persons", False),
    "organization": ("organizations", False),
    "place": ("locations", False),
    "category": ("category", False),
}
DATES = "dates"  # since and until, as one filter


def _terms(name: str, values: tuple[str, ...]) -> dict[str, Any]:
    field, keyed = FILTER_FIELDS[name]
    return {"terms": {field: sorted({entity_key(v) if keyed else v for v in values})}}


def filter_clauses(request: SearchRequest) -> dict[str, dict[str, Any]]:
    """Each filter given as one clause, by name (``dates`` for since and until): the
    values of one filter match any of them (OR); different filters all apply (AND)."""
    clauses = {name: _terms(name, getattr(request, name))
               for name in FILTER_FIELDS if getattr(request, name)}  # fmt: skip
    if request.since or request.until:
        # Whole days in Vietnam time: until 2022-01-04 includes that evening.
        bounds = {"gte": request.since, "lte": request.until}
        days = {k: f"{v.isoformat()}||/d" for k, v in bounds.items() if v}
        clauses[DATES] = {"range": {"published": {**days, "time_zone": "+07:00"}}}
    return clauses


def exclusion_clauses(request: SearchRequest) -> list[dict[str, Any]]:
    """What an article must not have: the values of the ``not_`` parameters."""
    return [_terms(name, getattr(request, EXCLUDE + name))
            for name in FILTER_FIELDS if getattr(request, EXCLUDE + name)]  # fmt: skip


def build_query(request: SearchRequest) -> dict[str, Any]:
    """The bool query: words and phrases on exact and folded fields, then the filters."""
    return _query(request, list(filter_clauses(request).values()))


def all_filters(request: SearchRequest, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The caller's filters, ``filters``, and the exclusions."""
    excluded = exclusion_clauses(request)
    return [*request.extra_filters, *filters, *([{"bool": {"must_not": excluded}}] if excluded
                                               else [])]  # fmt: skip


def _query(request: SearchRequest, filters: list[dict[str, Any]]) -> dict[str, Any]:
    """The words, the caller's filters and the exclusions, then ``filters``."""
    filters = all_filters(request, filters)
    text = to_query_string(request.q)
    if not text.strip():
        return {"bool": {"must": [{"match_all": {}}], "filter": filters}}
    return {"bool": {"must": [matching(text, MATCH_FIELDS)], "filter": filters}}


_SYNTAX = {"lenient": True, "flags": "PHRASE|PRECEDENCE|AND|OR|NOT|WHITESPACE|ESCAPE"}


def matching(
    text: str, fields: list[str], operator: str = "and", expand: bool = False
) -> dict[str, Any]:
    """Every word (``operator`` and; or: any) in the fields (all_text gathers title, lead,
    body, captions, the province and each abbreviation both ways: "PCCC" is found where
    "phòng cháy chữa cháy" is written, and the other way). ``expand``: for other fields,
    each abbreviation of the query also matches its spelled-out form, a phrase. Typed
    with diacritics, words match as typed ("cháy" is not "chạy"); typed without, they
    match the folded copies (each field named ``x`` is then ``x_folded``, all_text
    all_folded)."""
    query = with_expansions(text) if expand else text
    if not typed_with_diacritics(text):
        fields = [_folded(name) for name in fields]
        query = fold(query)
    return {"simple_query_string": {"query": query, "fields": fields,
                                    "default_operator": operator, **_SYNTAX}}  # fmt: skip


def _folded(name: str) -> str:
    """The folded copy of a field, its boost kept: title^4 -> title_folded^4."""
    field, _, boost = name.partition("^")
    field = "all_folded" if field == "all_text" else f"{field}_folded"
    return f"{field}^{boost}" if boost else field


def ranking_rescore(request: SearchRequest, reach: int) -> dict[str, Any] | None:
    """The ranking: to the score by words (the matching clause's) add the words found in
    the title and lead (HEADLINE_FIELDS), then syllables written together: the whole
    query as a phrase (each side of OR, excluded words left out: `query_phrases`; also
    with a syllable between, up to NEAR_MAX_SYLLABLES), then each pair of adjacent
    syllables (`written_together`), typed and folded. Scoring every match this way costs
    several times the matching itself (half the articles match a common query), so it
    scores only the best RESCORE_WINDOW per shard by words (search_latency --steps; the
    README says how much of the top ten a wider window changes). Ordered by date,
    nothing to rescore."""
    text = to_query_string(request.q)
    if request.sort == "date" or not text.strip():
        return None
    phrases = query_phrases(request.q)
    clauses = [
        matching(text, HEADLINE_FIELDS, "or", expand=True),
        *(clause for phrase in phrases for clause in written_together(phrase, PHRASE_BOOST)),
        *({"match_phrase": {"all_folded": {"query": fold(phrase), "slop": PHRASE_SLOP,
                                           "boost": NEAR_BOOST}}}
          for phrase in phrases if len(syllables(phrase)) <= NEAR_MAX_SYLLABLES),
        *(clause for pair in syllable_pairs(request.q)
          for clause in written_together(pair, PAIR_BOOST)),
    ]  # fmt: skip
    return {
        "window_size": max(RESCORE_WINDOW, reach),
        "query": {"rescore_query": {"bool": {"should": clauses}}},
    }


def query_phrases(query: str) -> list[str]:
    """What the user typed to be found, one phrase for each side of OR, excluded words
    left out: "Công an xã OR biên phòng -Hà" gives "Công an xã" and "biên phòng"."""
    text = _EXCLUDED.sub(" ", normalize_text(query)[:MAX_QUERY_CHARS])
    sides = (" ".join(side.split()) for side in re.split(r"\s+(?:OR|\|)\s+", text))
    return [side for side in sides if re.search(r"\w", side)]


def syllables(phrase: str) -> list[str]:
    """The syllables of a phrase, punctuation left out."""
    return re.findall(r"\w+", phrase)


def syllable_pairs(query: str) -> list[str]:
    """Each two syllables the user typed next to each other, in order, within each side
    of OR, excluded words left out: "Công an xã" gives "Công an" and "an xã"."""
    pairs = []
    for phrase in query_phrases(query):
        words = syllables(phrase)
        pairs += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return list(dict.fromkeys(pairs))[:MAX_PAIRS]


def written_together(words: str, boost: float) -> list[dict[str, Any]]:
    """Ranking clauses that make syllables written together count: a Vietnamese word is
    two or more syllables written apart, and the index holds syllables, so "Công an xã"
    would rank "Công an tỉnh ... xã hội" as high as "Công an xã Tuyên Phú". These words
    found in this order, adjacent, add to the score: as typed on all_text, folded on
    all_folded (typed with diacritics, found only folded, they count a little less)."""
    clauses: list[dict[str, Any]] = []
    accented = fold(words) != words
    if accented:
        clauses.append({"match_phrase": {"all_text": {"query": words, "boost": boost}}})
    share = FOLDED_PAIR_SHARE if accented else 1
    clauses.append({"match_phrase": {"all_folded": {"query": fold(words), "boost": boost * share}}})
    return clauses


_ABBREVIATION_WORD = re.compile(r"(?<![\w\"])(" + "|".join(ABBREVIATIONS) + r")(?![\w\"])")


def with_expansions(query: str) -> str:
    """Each known abbreviation also matches its spelled-out form: CSGT -> (CSGT | "Cảnh sát
    giao thông"), so "CSGT" finds an article that writes the words out."""
    return _ABBREVIATION_WORD.sub(
        lambda m: f'({m.group(1)} | "{ABBREVIATIONS[m.group(1)]}")', query
    )


FACETS = {
    "provinces": {
        "terms": {"field": "province_current", "size": 40},
        "aggs": {"published_as": {"terms": {"field": "province", "size": 10}}},
    },
    "sites": {"terms": {"field": "site", "size": FACET_SIZE}},
    "persons": {"terms": {"field": "persons", "size": FACET_SIZE}},
    "organizations": {"terms": {"field": "organizations", "size": FACET_SIZE}},
    "locations": {"terms": {"field": "locations", "size": FACET_SIZE}},
    "categories": {"terms": {"field": "category", "size": FACET_SIZE}},
    "dates": {
        "date_histogram": {
            "field": "published",
            "calendar_interval": "month",
            "time_zone": "+07:00",
            "min_doc_count": 0,  # a month without articles between two with is a zero
        }
    },  # fmt: skip
}
# The filter each facet chooses values of. A facet counts as if its own filter were not
# given (the others apply): the other provinces stay there to add with OR.
FACET_FILTERS = {
    "provinces": "province", "sites": "site", "persons": "person",
    "organizations": "organization", "locations": "place", "categories": "category",
    "dates": DATES,
}  # fmt: skip


def ranked_body(request: SearchRequest, start: int, count: int) -> dict[str, Any]:
    """The order of the hits, ``count`` of them from ``start``: ids, scores and story keys
    only (the page's text and highlights come after, page_body). No total: counted apart
    (count_body), the ranking may skip the matches that cannot reach the top (Lucene's
    block-max WAND), half the time at a million articles (search_latency --steps)."""
    body: dict[str, Any] = {
        "query": build_query(request),
        "from": start,
        "size": count,
        "_source": False,
        "sort": [NEWEST, "_score"] if request.sort == "date" else ["_score", NEWEST],
        "track_scores": request.sort == "date",
        "track_total_hits": False,
    }
    if request.group:
        body["docvalue_fields"] = ["story_key"]
    rescore = ranking_rescore(request, start + count)
    if rescore:
        body["rescore"] = rescore
        body["sort"] = ["_score"]  # Elasticsearch rescores only hits ordered by score
    return body


def count_body(request: SearchRequest, stories_by: str = "story_hash") -> dict[str, Any]:
    """The number of hits (exact), of their stories (Elasticsearch's cardinality of
    ``stories_by``: exact up to 3,000, then within about a percent) and of the matches
    before the faceted filters (what the facets count), counted without scoring."""
    faceted = faceted_clauses(request)
    query = _query(request, unfaceted_clauses(request))
    body: dict[str, Any] = {"query": {"bool": {"filter": [query]}}, "size": 0,
                            "track_total_hits": True, "aggs": {}}  # fmt: skip
    if request.group:
        body["aggs"][STORIES] = {"cardinality": {"field": stories_by}}
    if faceted:
        # The hits are the matches the faceted filters let through.
        hits = {"bool": {"filter": list(faceted.values())}}
        body["aggs"] = {HITS: {"filter": hits, "aggs": body["aggs"]}}
    return body


def highlight(request: SearchRequest) -> dict[str, Any]:
    """Where the words matched: typed with diacritics, in the text as written; typed
    without, in the folded copy, shown on the text as written (matched_fields). One of the
    two, not both: highlighting costs a third of a search (search_latency --steps). The
    words only: highlighting the phrase clauses too costs more than the search (it reads
    each phrase's positions in every hit's body) and marks the same words. Each field
    gets a query on itself alone: one query on all four made each field and hit rewrite
    all of it, which cost twice the highlighting (the same highlights)."""
    text = to_query_string(request.q)
    accented = typed_with_diacritics(text)
    words = text if accented else fold(text)
    fields: dict[str, dict[str, Any]] = {}
    for name in HIGHLIGHT_FIELDS:
        searched = name if accented else f"{name}_folded"
        query = {"simple_query_string": {"query": words, "fields": [searched], **_SYNTAX}}
        fields[name] = {"type": "unified", "highlight_query": query}
        if not accented:
            fields[name]["matched_fields"] = [name, searched]
    fields["title"]["number_of_fragments"] = 0
    return {"fields": fields, "encoder": "html", "fragment_size": 160, "number_of_fragments": 3}


def page_body(request: SearchRequest, ids: list[str]) -> dict[str, Any]:
    """The text of the page's hits, chosen by ranked_body, with their highlights."""
    body: dict[str, Any] = {"query": {"ids": {"values": ids}}, "size": len(ids),
                            "_source": SOURCE_FIELDS}  # fmt: skip
    if to_query_string(request.q).strip():
        body["highlight"] = highlight(request)
    return body


def faceted_clauses(request: SearchRequest) -> dict[str, dict[str, Any]]:
    """The filters given that have a facet, by name; none unless facets are asked."""
    if not request.facets:
        return {}
    return {n: c for n, c in filter_clauses(request).items() if n in FACET_FILTERS.values()}


def unfaceted_clauses(request: SearchRequest) -> list[dict[str, Any]]:
    faceted = faceted_clauses(request)
    return [c for n, c in filter_clauses(request).items() if n not in faceted]


def sample_probability(matches: int) -> float:
    """Of this many matches, the share the facets count: all of them up to twice
    FACET_SAMPLE, else about FACET_SAMPLE at random (Elasticsearch's random_sampler takes
    a probability up to 0.5, or 1)."""
    return 1.0 if matches <= 2 * FACET_SAMPLE else FACET_SAMPLE / matches


def counts_body(request: SearchRequest, matches: int) -> dict[str, Any] | None:
    """The facets of a search whose query (the faceted filters left to each facet) has
    this many matches, counted without scoring. Above twice FACET_SAMPLE matches, on a
    random sample, scaled (Elasticsearch's random_sampler, the same sample for the same
    search): the sample leads, so only its documents are read. None without facets."""
    if not request.facets:
        return None
    faceted = faceted_clauses(request)
    aggs = {}
    for name, agg in FACETS.items():
        others = [c for n, c in faceted.items() if n != FACET_FILTERS[name]]
        # Wrapped only when other faceted filters apply: an empty filter cost a tenth of
        # the facets (README).
        aggs[name] = (
            {"filter": {"bool": {"filter": others}}, "aggs": {"values": agg}} if others else agg
        )
    probability = sample_probability(matches)
    if probability < 1:
        sampler = {"probability": probability, "seed": SAMPLE_SEED}
        aggs = {SAMPLE: {"random_sampler": sampler, "aggs": aggs}}
    query = _query(request, unfaceted_clauses(request))
    return {"query": {"bool": {"filter": [query]}}, "size": 0, "track_total_hits": False,
            "aggs": aggs}  # fmt: skip


def also_published_body(request: SearchRequest, story_keys: list[str]) -> dict[str, Any]:
    """The copies of these stories the filters let through, newest first, ALSO_PUBLISHED
    of each (one more: the hit itself is among them), whatever the words: each is the
    same story."""
    filters = all_filters(request, list(filter_clauses(request).values()))
    return {
        "query": {"bool": {"filter": [{"terms": {"story_key": story_keys}}, *filters]}},
        "size": 0,
        "aggs": {"stories": {
            # A few stories among as many keys as articles: by the values found ("map"),
            # not by global ordinals, whose buckets are built over every key of the
            # index (15.5 against 5.8 ms p50 among 1,100,000 articles: README).
            "terms": {"field": "story_key", "size": len(story_keys), "execution_hint": "map"},
            # From doc values: reading whole sources (bodies and their folded copies) of
            # up to sixty articles costs more than the rest of this search.
            "aggs": {"copies": {"top_hits": {"size": ALSO_PUBLISHED + 1, "sort": [NEWEST],
                                             "_source": False,
                                             "docvalue_fields": ["url", "site"]}}},
        }},
    }  # fmt: skip


def _first(hit: dict[str, Any], name: str) -> Any:
    """A field's value read from doc values (None when the article has none)."""
    return (hit.get("fields", {}).get(name) or [None])[0]


def _hit(hit: dict[str, Any], copies: list[dict[str, Any]] | tuple = ()) -> dict[str, Any]:
    source = hit["_source"]
    also = [{"id": c["_id"], "url": _first(c, "url"), "site": _first(c, "site")}
            for c in copies if c["_id"] != hit["_id"]][:ALSO_PUBLISHED]  # fmt: skip
    return {
        "id": hit["_id"],
        "url": source.get("url"),
        "title": source.get("title"),
        "published": source.get("published"),
        "province": source.get("province"),
        "site": source.get("site"),
        "category": source.get("category"),
        "score": hit.get("_score"),
        "highlight": hit.get("highlight", {}),
        "entities": {
            name: source.get(name) or [] for name in ("persons", "organizations", "locations")
        },
        "also_published": also,
    }


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    for name in FACETS:
        counted = aggregations.get(name, {})
        buckets = counted.get("values", counted).get("buckets", [])  # filtered or not
        if name == "dates":
            facets[name] = [{"month": b["key_as_string"][:7], "count": b["doc_count"]}
                            for b in buckets]  # fmt: skip
        elif name == "provinces":
            facets[name] = [
                {"value": b["key"], "count": b["doc_count"],
                 "merged": [{"value": m["key"], "count": m["doc_count"]}
                            for m in b["published_as"]["buckets"] if m["key"] != b["key"]]}
                for b in buckets
            ]  # fmt: skip
        else:
            facets[name] = [{"value": b["key"], "count": b["doc_count"]} for b in buckets]
    return facets


Searches = list[tuple[dict[str, Any], dict[str, Any]]]  # (header, body) of each


def _msearch(
    client: Elasticsearch, index: str, searches: Searches, optional: int = 0
) -> list[dict[str, Any]]:
    """Several (header, body) searches in one request, run side by side. One that fails
    raises the error it would have raised alone (an index missing: NotFoundError), but
    the last ``optional`` ones: each of those that fails comes back as its error."""
    lines = [line for header, body in searches for line in ({"index": index, **header}, body)]
    response = client.msearch(searches=lines)
    answers = response["responses"]
    for answer in answers[: len(answers) - optional]:
        if "error" in answer:
            status = answer.get("status", 500)
            error = HTTP_EXCEPTIONS.get(status, ApiError)
            meta = replace(response.meta, status=status)
            raise error(message=_reason(answer), meta=meta, body=answer)
    return answers


def _reason(answer: dict[str, Any]) -> str:
    """What Elasticsearch says went wrong with one search: its first root cause, else the
    deepest cause it gives."""
    error = answer["error"]
    if not isinstance(error, dict):
        return str(error)
    cause = (error.get("root_cause") or [error])[0]
    while not cause.get("root_cause") and isinstance(cause.get("caused_by"), dict):
        cause = cause["caused_by"]
    return f"{cause.get('type', 'error')}: {cause.get('reason', '')}"


def _story_heads(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The best-ranked hit of each story, in order (an article without a story key is a
    story of its own)."""
    heads: dict[str, dict[str, Any]] = {}
    for hit in hits:
        heads.setdefault(_first(hit, "story_key") or hit["_id"], hit)
    return list(heads.values())


def search(client: Elasticsearch, index: str, request: SearchRequest) -> dict[str, Any]:
    """``{"total", "stories", "estimated", "page", "size", "hits": [...], "facets"?,
    "unavailable"}``; each hit has id, url, title, published, province, site, score,
    highlight, entities, also_published. ``estimated``: the facets were counted on a
    sample; ``unavailable``: what Elasticsearch failed to add (facets, also_published),
    and why.

    Two round trips of searches run side by side: the order of the hits (ranked_body:
    FETCH_PER_STORY hits per story of the pages so far, one per story kept) and the counts
    (count_body); then the page's text and highlights (page_body), its republications
    (also_published_body) and the facets (counts_body: sampled when the matches are many)."""
    reach = request.page * request.size
    if request.group:
        start, fetch = 0, min(reach * FETCH_PER_STORY, MAX_RESULT_WINDOW)
    else:
        start, fetch = reach - request.size, request.size
    ranked, counted = _msearch(client, index, [({}, ranked_body(request, start, fetch)),
                                               ({}, count_body(request))])  # fmt: skip
    hits = ranked["hits"]["hits"]
    while (
        request.group and len(_story_heads(hits)) < reach and len(hits) == fetch < MAX_RESULT_WINDOW
    ):
        # The stories have many copies among the best: rank further.
        fetch = min(fetch * 4, MAX_RESULT_WINDOW)
        hits = client.search(index=index, **ranked_body(request, 0, fetch))["hits"]["hits"]
    chosen = _story_heads(hits)[reach - request.size : reach] if request.group else hits
    matches = counted["hits"]["total"]["value"]
    aggregations = counted.get("aggregations", {})
    found = aggregations.get(HITS, {"doc_count": matches, **aggregations})

    searches: Searches = []
    if chosen:
        searches.append(({}, page_body(request, [hit["_id"] for hit in chosen])))
    # Republications and facets add to the hits: when Elasticsearch fails either, the hits
    # come without it, and the result says which and why (``unavailable``).
    optional: list[str] = []
    keys = list(dict.fromkeys(key for hit in chosen if (key := _first(hit, "story_key"))))
    if request.group and keys:
        searches.append(({}, also_published_body(request, keys)))
        optional.append("also_published")
    counts = counts_body(request, matches)
    if counts is not None:
        # One shard copy for the same search: the same sample, the same counts per page.
        same = json.dumps(counts, sort_keys=True, default=str).encode()
        searches.append(({"preference": f"counts-{zlib.crc32(same)}"}, counts))
        optional.append("facets")
    answers = _msearch(client, index, searches, len(optional)) if searches else []
    texts = {hit["_id"]: hit for hit in answers[0]["hits"]["hits"]} if chosen else {}
    added = dict(zip(optional, answers[len(answers) - len(optional) :], strict=True))
    unavailable = {name: _reason(answer) for name, answer in added.items() if "error" in answer}
    copies: dict[str, list[dict[str, Any]]] = {}
    if "also_published" in added and "also_published" not in unavailable:
        for bucket in added["also_published"]["aggregations"]["stories"]["buckets"]:
            copies[bucket["key"]] = bucket["copies"]["hits"]["hits"]
    result: dict[str, Any] = {
        "total": found["doc_count"],
        "estimated": counts is not None and SAMPLE in counts["aggs"],
        "page": request.page,
        "size": request.size,
        # In the order ranked; one deleted in between is left out.
        "hits": [_hit({**texts[hit["_id"]], "_score": hit.get("_score")},
                      copies.get(_first(hit, "story_key"), []))
                 for hit in chosen if hit["_id"] in texts],
        "unavailable": unavailable,
    }  # fmt: skip
    if request.group:
        result["stories"] = found[STORIES]["value"]
        if found["doc_count"] and not result["stories"]:
            # An index of mapping v5 or older has no story_hash until `crawler index migrate`.
            again = client.search(index=index, **count_body(request, "story_key"))
            found = again["aggregations"].get(HITS, again["aggregations"])
            result["stories"] = found[STORIES]["value"]
    if counts is not None:
        facets = {} if "facets" in unavailable else added["facets"]["aggregations"]
        result["facets"] = _facets(facets.get(SAMPLE, facets))
    return result


def check_article_id(article_id: str) -> None:
    """Raise InvalidSearch naming ``id`` for an id no document can have (Elasticsearch
    answers 400, not 404, to one over its limit)."""
    size = len(article_id.encode())
    if size > MAX_ID_BYTES:
        raise InvalidSearch("id", f"must be at most {MAX_ID_BYTES} bytes, got {size}")


def get_article(client: Elasticsearch, index: str, article_id: str) -> dict[str, Any]:
    """The stored article without the copies made for search."""
    check_article_id(article_id)
    source = client.get(index=index, id=article_id)["_source"]
    hidden = {k for k in source if k.endswith("_folded")} | {"entity_keys", "province_keys",
                                                              "expansions"}  # fmt: skip
    return {k: v for k, v in source.items() if k not in hidden}


def more_like_this(
    client: Elasticsearch, index: str, article_id: str, size: int = 5
) -> list[dict[str, Any]]:
    """Articles about the same thing, other than the article and its republications."""
    check_article_id(article_id)
    article = client.get(index=index, id=article_id, source=["story_key"])["_source"]
    query = {
        "bool": {
            "must": [{"more_like_this": {
                "fields": ["title", "lead", "body"],
                "like": [{"_index": index, "_id": article_id}],
                "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 40,
            }}],
            "must_not": [{"term": {"story_key": article.get("story_key", "")}}],
        }
    }  # fmt: skip
    response = client.search(index=index, query=query, size=size, _source=SOURCE_FIELDS)
    return [_hit(hit) for hit in response["hits"]["hits"]]
