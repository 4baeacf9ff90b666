"""Patterns told where a match can start find exactly what the plain patterns find, and
without re's private parser they compile plainly, with the same matches."""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from crawler import scan
from crawler.nlp import domain
from crawler.scan import compile_scanning, first_chars
from tests.conftest import PROJECT, police_texts


@pytest.fixture(params=["private parser", "fallback"])
def parser(request, monkeypatch) -> bool:
    """Each test twice: with re._parser as detected here, and as if it were gone."""
    if request.param == "fallback":
        monkeypatch.setattr(scan, "PARSER", False)
    return scan.PARSER


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?<!\w)(?:Phó )?(?:Giám đốc|Cục trưởng)(?!\w)", set("PGC")),
        (r"(?:[Ss]áng )?[0-9]{1,2}", set("Ss0123456789")),
        (r"(?P<x>[A-C]{2,}|đ)x", set("ABCđ")),
        (r"\bx", {"x"}),
    ],
)
def test_first_chars(pattern: str, expected: set[str], parser: bool) -> None:
    assert first_chars(pattern) == (expected if parser else None)


@pytest.mark.parametrize(
    "pattern", [r"\w+", r"[^a]b", r".x", r"a?", r"(?i)abc", r"(a)\1|\d"]
)  # fmt: skip
def test_unbounded_or_empty_starts_are_left_alone(pattern: str, parser: bool) -> None:
    assert first_chars(pattern) is None
    assert compile_scanning(pattern).pattern == pattern


def test_rule_patterns_match_as_the_plain_patterns_do(parser: bool) -> None:
    org, title = domain.org_and_title_patterns()
    built = [org, title, domain.RANK, domain.DATE, domain.NAME_AFTER, domain.SURNAME_NAME,
             *domain.place_patterns()]  # fmt: skip
    assert scan.PARSER is parser
    assert all(p.pattern.startswith("(?=[") for p in built)
    text, found = "\n".join(police_texts()), 0
    for source in (p.pattern.split(")(?:", 1)[1][:-1] for p in built):
        scanning, plain = compile_scanning(source), re.compile(source)
        assert scanning.pattern.startswith("(?=[") if parser else scanning.pattern == source
        spans = [m.span() for m in scanning.finditer(text)]
        assert spans == [m.span() for m in plain.finditer(text)]
        found += len(spans)
    assert found > 100


def test_the_private_parser_is_used_here() -> None:
    """Fails on a Python that moves or changes it: matches stay right, scans get slower."""
    assert scan.parser_works()
    assert scan.PARSER


def _parse_without_flags(pattern: str) -> object:
    return re.compile(pattern)  # not a parse tree


@pytest.mark.parametrize(
    ("attribute", "changed"),
    [
        ("_parser", None),  # moved: the import failed
        ("_parser", SimpleNamespace(parse=_parse_without_flags)),  # signature changed
        ("_parser", SimpleNamespace(parse=lambda pattern, flags: [])),  # another tree
        ("sre", SimpleNamespace(**{k: v for k, v in vars(scan.sre).items()
                                   if k != "ATOMIC_GROUP"})),  # a constant renamed
    ],
)  # fmt: skip
def test_a_changed_private_parser_is_not_used(monkeypatch, attribute, changed) -> None:
    monkeypatch.setattr(scan, attribute, changed)
    assert not scan.parser_works()


def test_without_the_private_parser_patterns_compile_plainly() -> None:
    """A Python without re._parser: the module imports, says so once, and scans plainly."""
    hide = (
        "import re, sys; del re._parser; sys.modules['re._parser'] = None; "
        "from crawler import scan; "
        "assert not scan.PARSER, 'fallback not taken'; "
        "assert scan.first_chars('ab') is None; "
        "print(scan.compile_scanning(r'(?<!\\w)x|y').pattern)"
    )
    run = subprocess.run([sys.executable, "-c", hide], cwd=PROJECT, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert run.stdout == "(?<!\\w)x|y\n"
    assert "re's private parser is not usable" in run.stderr
