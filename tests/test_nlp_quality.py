"""Quality gate: entity F1 on the annotated sets may not fall below the stored baseline,
and stays clearly above plain underthesea."""

from __future__ import annotations

import json

import pytest

from crawler.nlp.evaluation import evaluate, load_set, ours, plain_underthesea
from tests.conftest import PROJECT

DATA = PROJECT / "tests" / "data" / "entities"
BASELINE = json.loads((DATA / "baseline.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["dev", "heldout"])
def scored(request):
    rows = load_set(DATA / f"{request.param}.jsonl")
    return request.param, evaluate(rows, ours), evaluate(rows, plain_underthesea)


def test_f1_does_not_fall_below_the_baseline(scored) -> None:
    name, mine, _ = scored
    for kind, floor in BASELINE[name].items():
        assert mine[kind].f1 >= floor, f"{name} {kind}: F1 {mine[kind].f1:.3f} < {floor}"


def test_clearly_above_plain_underthesea_on_every_type(scored) -> None:
    name, mine, base = scored
    for kind in ("PER", "ORG", "LOC", "ALL"):
        assert mine[kind].f1 >= base[kind].f1 + 0.15, f"{name} {kind}"


def test_development_set_is_big_enough_and_well_formed() -> None:
    rows = load_set(DATA / "dev.jsonl")
    police = [r for r in rows if r["domain"] == "police" and r["topic"] != "seed"]
    assert len(police) >= 30
    assert {r["topic"] for r in police} >= {
        "crime",
        "traffic",
        "fire",
        "ceremony",
        "drugs",
        "admin",
    }
    assert any(r["domain"] == "general" for r in rows)
    for row in rows:
        for kind, text in row["entities"]:
            assert text in row["text"], (row["id"], kind, text)
