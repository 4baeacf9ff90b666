"""The fast featurizer gives underthesea's features and tags, string for string."""

from __future__ import annotations

import pytest
from underthesea import ner
from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
from underthesea.pipeline.ner.model_crf import CRFNERPredictor
from underthesea.pipeline.ner.tagged_feature import word2features
from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

from crawler.nlp.crf import features, reference_tag, tag
from crawler.nlp.evaluation import load_set
from crawler.text import split_paragraphs
from tests.conftest import PROJECT, SEED

TEXTS = [row["text"] for row in load_set(PROJECT / "tests/data/entities/dev.jsonl")]
TEXTS += [row["text"] for row in load_set(PROJECT / "tests/data/entities/heldout.jsonl")]
TEXTS += split_paragraphs(SEED.read_text(encoding="utf-8"))


def test_same_tags_as_underthesea_on_every_benchmark_text() -> None:
    assert [tag(text) for text in TEXTS] == [reference_tag(text) for text in TEXTS]


@pytest.mark.parametrize(
    ("predictor", "columns"),
    [(CRFPOSTagPredictor, 2), (CRFChunkingPredictor, 3), (CRFNERPredictor, 4)],
)
def test_same_feature_strings(predictor, columns: int) -> None:
    template = predictor.Instance().transformer.template
    for text in TEXTS[:20]:
        rows = [row[:columns] for row in ner(text)]
        expected = [word2features(rows, i, template) for i in range(len(rows))]
        assert features(rows, template) == expected


def test_edge_cases() -> None:
    assert tag("") == []
    assert [t[0] for t in tag("Hà Nội")] == ["Hà Nội"]
