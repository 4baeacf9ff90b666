"""Seed-size articles for the benchmarks, no two alike.

Copies of one article would flatter anything that remembers what it has seen (the CRF
decoder keeps the weights of each word window it meets). So each article is drawn from
the sentences of real police news we hold (the seed and the entity sets), shuffled,
with its people, places and numbers replaced: new names, new word pairs around them.
"""

from __future__ import annotations

import random
import re
from functools import cache
from itertools import takewhile

from underthesea import sent_tokenize

from crawler.nlp.domain import place_patterns
from crawler.nlp.evaluation import load_set
from crawler.nlp.gazetteer import places
from crawler.nlp.ner import SURNAMES
from crawler.text import split_paragraphs
from testkit import PROJECT, SEED

MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Đức", "Thanh", "Hữu", "Ngọc", "Công", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quang",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Thảo",
    "Thủy",
    "Tiến",
    "Trung",
    "Tuấn",
    "Tùng",
    "Vinh",
    "Yến",
    "Đạt",
    "Định",
    "Hằng",
    "Lộc",
]
_PERSON = re.compile(rf"\b(?:{'|'.join(SURNAMES)})(?: \w+){{1,3}}")
_NUMBER = re.compile(r"\d+")


@cache
def sentences() -> list[str]:
    """Every sentence of the seed's body and of the entity sets."""
    texts = split_paragraphs(SEED.read_text(encoding="utf-8"))[1:]
    for name in ("dev", "heldout"):
        texts += [row["text"] for row in load_set(PROJECT / f"tests/data/entities/{name}.jsonl")]
    return [sentence for text in texts for sentence in sent_tokenize(text)]


def _vary(sentence: str, rng: random.Random) -> str:
    """New people (a surname and capitalised names, not a place), places and numbers."""
    provinces = sorted(p.name for p in places().values() if p.kind == "province")
    typed = place_patterns()[0]
    spans = [m.span() for m in typed.finditer(sentence)]

    def person(match: re.Match[str]) -> str:
        words = match.group(0).split(" ")
        names = len(list(takewhile(lambda w: w[:1].isupper(), words[1:])))
        if not names or any(s < match.end() and match.start() < e for s, e in spans):
            return match.group(0)
        name = [rng.choice(sorted(SURNAMES)), rng.choice(MIDDLE), rng.choice(GIVEN)]
        return " ".join(name[: names + 1] + words[names + 1 :])

    sentence = _PERSON.sub(person, sentence)
    sentence = typed.sub(
        lambda m: m.group(0).replace(m["name"], rng.choice(provinces)) if m["name"] else m[0],
        sentence,
    )
    return _NUMBER.sub(
        lambda m: str(rng.randint(1, 28) if len(m.group(0)) <= 2 else rng.randrange(1000, 9999)),
        sentence,
    )


def article(number: int, size: int = 6500) -> tuple[str, list[str]]:
    """(title, paragraphs) of article `number`: about `size` characters, like the seed."""
    rng = random.Random(number)
    pool = sentences()
    paragraphs: list[str] = []
    while sum(map(len, paragraphs)) < size:
        paragraphs.append(" ".join(_vary(s, rng) for s in rng.sample(pool, rng.randint(1, 4))))
    title = " ".join(_vary(rng.choice(pool), rng).split()[:14]).rstrip(",.;:")
    return title, paragraphs


def seed_text(number: int) -> str:
    """Article `number` as a seed file (the seeds/ format: a dated title line, then
    paragraphs)."""
    title, paragraphs = article(number)
    rng = random.Random(-number)
    return f" date {rng.randint(2015, 2025)}-{rng.randint(1, 12):02d} {title}\n\n" + "\n\n".join(
        paragraphs
    )
