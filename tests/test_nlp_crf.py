"""Our decoder of underthesea's CRF models gives underthesea's tags, text for text."""

from __future__ import annotations

import pytest
from underthesea import word_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize
from underthesea_core import CRFFeaturizer

from crawler.nlp import crf
from crawler.nlp.crf import Template, reference_tag, tag, tag_many
from crawler.nlp.evaluation import load_set
from crawler.text import split_paragraphs
from tests.conftest import PROJECT, SEED

TEXTS = [row["text"] for row in load_set(PROJECT / "tests/data/entities/dev.jsonl")]
TEXTS += [row["text"] for row in load_set(PROJECT / "tests/data/entities/heldout.jsonl")]
TEXTS += split_paragraphs(SEED.read_text(encoding="utf-8"))


def test_same_tags_as_underthesea_on_every_benchmark_text() -> None:
    assert [tag(text) for text in TEXTS] == [reference_tag(text) for text in TEXTS]


def test_same_words_as_underthesea_word_tokenize() -> None:
    assert [[row[0] for row in tag(text)] for text in TEXTS] == [
        word_tokenize(text) for text in TEXTS
    ]


def test_texts_tagged_together_get_the_tags_they_get_alone() -> None:
    texts = ["", "Hà Nội", *TEXTS[:12], "   ", "Đại tá Nguyễn Văn A."]
    assert tag_many(texts) == [tag(text) for text in texts]


def test_memory_is_bounded_and_starting_over_changes_nothing(monkeypatch) -> None:
    expected = [reference_tag(text) for text in TEXTS[:10]]
    crf.forget()
    monkeypatch.setattr(crf, "MEMO_LIMIT", 50)
    assert [tag(text) for text in TEXTS[:10]] == expected
    assert max(len(w.memo) for model in crf.models() for w in model.windows) <= 50


def test_edge_cases() -> None:
    assert tag("") == []
    assert [t[0] for t in tag("Hà Nội")] == ["Hà Nội"]


def test_unsupported_template_is_named() -> None:
    with pytest.raises(ValueError, match="T\\[x\\]"):
        Template.parse("T[x]")


def test_word_segmentation_functions_are_underthesea_cores() -> None:
    model = crf.word_model()
    featurizer = CRFFeaturizer(["T[0].lower", "T[0].istitle", "T[0].isdigit", "T[0].is_in_dict",
                                "T[0,1].istitle", "T[0,1].is_in_dict", "T[0,2].istitle",
                                "T[0,2].is_in_dict"], model.value.dictionary)  # fmt: skip
    odd = ["12", ",", "x", "ABC", "aBC", "1.000", "½", "²", "٣", "İ", "ǅ", "Đ", "_a", "CÔNG"]
    syllables = [tokenize(text) for text in TEXTS] + [odd]
    for sentence in syllables:
        for i, features in enumerate(featurizer.process([[[s] for s in sentence]])[0]):
            for feature in features:
                syntax, value = feature.split("=", 1)
                template = Template.parse(syntax)
                if i + template.end >= len(sentence):
                    continue
                text = " ".join(sentence[i : i + template.end + 1])
                assert model.value(template.function, text) == value, (syntax, text)


def test_compiled_models_are_cached_and_a_broken_cache_is_rebuilt(
    tmp_path, monkeypatch, caplog
) -> None:
    from underthesea.pipeline.ner.model_crf import CRFNERPredictor

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = crf._MODELS / "ner" / "ner_crf_2017_10_12.bin"
    template = CRFNERPredictor.Instance().transformer.template
    builds = []

    def build() -> crf.CompiledCRF:
        builds.append(1)
        return crf.CompiledCRF(path, template)

    first = crf.cached(path, build)
    (stored,) = (tmp_path / "vn-police-news-crawler" / "crf").iterdir()
    second = crf.cached(path, build)
    assert len(builds) == 1
    sentence = [[["Ông", "Nguyễn Văn A", "ở", "Hà Nội"], ["N", "Np", "E", "Np"],
                 ["B-NP", "B-NP", "B-PP", "B-NP"], ["O"] * 4]]  # fmt: skip
    assert second.tag(sentence) == first.tag(sentence) == crf.ner_model().tag(sentence)

    stored.write_bytes(stored.read_bytes()[:100])
    assert crf.cached(path, build).tag(sentence) == first.tag(sentence)
    assert len(builds) == 2
    assert f"cached {stored} is unreadable" in caplog.text


def test_syllables_are_underthesea_tokenize_even_on_odd_text() -> None:
    odd = ["TP. Hà Nội", "a TP.", "Th sau", "ThaSố", "x:D", ":D x", "H'Mông 43H-0530",
           "v.v... ==> ", "e-mail: a@b.vn http://x.vn/a_(b)", "1.000,5 12/3/2024 10:20:30",
           "ThS. Th.S Nguyễn", "\u00a0a\u2003b\n c", "a\u0301b c", "NĐ-CP", "T.Ư", "°C 3x4",
           "chào:)) bạn", "Đ&Đ"]  # fmt: skip
    for text in TEXTS + odd:
        syllables = crf.split_syllables(crf.normalize_characters_in_text(text))
        assert syllables == tokenize(text, use_token_normalize=False), text
