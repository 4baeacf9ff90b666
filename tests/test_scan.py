"""Patterns told where a match can start find exactly what the plain patterns find."""

from __future__ import annotations

import re

import pytest

from crawler.nlp import domain
from crawler.scan import compile_scanning, first_chars
from tests.test_nlp_crf import TEXTS


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?<!\w)(?:Phó )?(?:Giám đốc|Cục trưởng)(?!\w)", set("PGC")),
        (r"(?:[Ss]áng )?[0-9]{1,2}", set("Ss0123456789")),
        (r"(?P<x>[A-C]{2,}|đ)x", set("ABCđ")),
        (r"\bx", {"x"}),
    ],
)
def test_first_chars(pattern: str, expected: set[str]) -> None:
    assert first_chars(pattern) == expected


@pytest.mark.parametrize(
    "pattern", [r"\w+", r"[^a]b", r".x", r"a?", r"(?i)abc", r"(a)\1|\d"]
)  # fmt: skip
def test_unbounded_or_empty_starts_are_left_alone(pattern: str) -> None:
    assert first_chars(pattern) is None
    assert compile_scanning(pattern).pattern == pattern


def test_rule_patterns_match_as_the_plain_patterns_do() -> None:
    org, title = domain.org_and_title_patterns()
    patterns = [org, title, domain.RANK, domain.DATE, domain.NAME_AFTER, domain.SURNAME_NAME,
                *domain.place_patterns()]  # fmt: skip
    assert all(p.pattern.startswith("(?=[") for p in patterns)
    text = "\n".join(TEXTS)
    for scanning in patterns:
        plain = re.compile(scanning.pattern.split(")(?:", 1)[1][:-1])
        assert [m.span() for m in scanning.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]
