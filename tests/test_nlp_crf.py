"""Our decoder of underthesea's CRF models gives underthesea's tags, text for text, with
hmmlearn's compiled Viterbi and with the numpy one that stands in when it is gone."""

from __future__ import annotations

import sys
from functools import cache
from types import SimpleNamespace

import hmmlearn
import numpy as np
import pytest
from underthesea import word_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize
from underthesea_core import CRFFeaturizer

from crawler.nlp import crf
from crawler.nlp import viterbi as decoders
from crawler.nlp.crf import Template, reference_tag, tag, tag_many
from crawler.nlp.models import crf_model
from tests.conftest import police_texts

TEXTS = police_texts()


@pytest.fixture(params=["compiled", "numpy"])
def viterbi(request, monkeypatch) -> decoders.Viterbi:
    """Each test twice: with the Viterbi chosen at import (hmmlearn's compiled one, where
    it is usable) and with the numpy fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(decoders, "VITERBI", decoders.numpy_viterbi)
    return decoders.VITERBI


@cache
def reference_tags() -> list[list[tuple[str, str, str, str]]]:
    return [reference_tag(text) for text in TEXTS]


def test_same_tags_as_underthesea_on_every_benchmark_text(viterbi) -> None:
    assert [tag(text) for text in TEXTS] == reference_tags()


def hmmlearns_viterbi() -> decoders.Viterbi:
    """hmmlearn's compiled Viterbi itself, whether or not it was chosen."""
    return pytest.importorskip("hmmlearn._hmmc").viterbi


def test_both_viterbis_give_the_same_paths_and_scores(monkeypatch) -> None:
    """On every sentence each model decodes for the benchmark texts: the same best path and
    the same log probability, to the last bit."""
    compiled = hmmlearns_viterbi()
    problems = []

    def recorded(*problem: np.ndarray) -> tuple[float, np.ndarray]:
        problems.append(problem)
        return compiled(*problem)

    monkeypatch.setattr(decoders, "VITERBI", recorded)
    crf.tag_many(TEXTS)
    assert len(problems) == 4 * len(TEXTS)  # every text, by each model
    for problem in problems:
        expected_log_prob, expected_path = compiled(*problem)
        log_prob, path = decoders.numpy_viterbi(*problem)
        assert log_prob == expected_log_prob
        assert path.tolist() == expected_path.tolist()


def test_ties_are_broken_as_hmmlearn_breaks_them() -> None:
    """Scores of few values, and even transitions: many paths tie for best."""
    compiled = hmmlearns_viterbi()
    random = np.random.default_rng(1)
    for model in crf.models():
        size = len(model.labels)
        for transitions in (model._exp_transitions, np.ones((size, size))):
            for length in (1, 2, 5, 17):
                scores = random.integers(-1, 2, size=(length, size)).astype(float)
                problem = (np.ones(size), transitions, scores)
                expected_log_prob, expected_path = compiled(*problem)
                log_prob, path = decoders.numpy_viterbi(*problem)
                assert log_prob == expected_log_prob
                assert path.tolist() == expected_path.tolist()


def test_every_transition_is_taken_as_hmmlearn_takes_it() -> None:
    """Each transition forced onto the best path: its logarithm must be hmmlearn's to the
    last bit (numpy's own log differs on four of the POS model's)."""
    compiled = hmmlearns_viterbi()
    for model in crf.models():
        size = len(model.labels)
        for before in range(size):
            for after in range(size):
                scores = np.full((2, size), -1e6)
                scores[0, before] = scores[1, after] = 0
                problem = (np.ones(size), model._exp_transitions, scores)
                assert decoders.numpy_viterbi(*problem)[0] == compiled(*problem)[0]


def test_hmmlearns_viterbi_is_used_here() -> None:
    """Fails on an upgrade that moves or changes it: tags stay right, decoding gets slower."""
    assert decoders.VITERBI is decoders.compiled_viterbi() is not None


def _logs_in(startprob, transmat, log_frameprob):
    """A Viterbi that takes logarithms, as hmmlearn's main branch does."""
    return decoders.numpy_viterbi(np.exp(startprob), np.exp(transmat), log_frameprob)


def _main_branch(startprob, transmat, log_frameprob):
    """hmmlearn's main branch: logarithms in, (path, log probability) out."""
    return _logs_in(startprob, transmat, log_frameprob)[::-1]


def _other_ties(startprob, transmat, log_frameprob):
    """A Viterbi that breaks ties the other way round: the labels in reverse order."""
    reversed_problem = (startprob[::-1], transmat[::-1, ::-1], log_frameprob[:, ::-1])
    log_prob, path = decoders.numpy_viterbi(*reversed_problem)
    return log_prob, len(startprob) - 1 - path


@pytest.mark.parametrize("changed", [_logs_in, _main_branch, _other_ties, lambda a, b: (0, [])])
def test_a_changed_viterbi_is_not_used(changed) -> None:
    assert decoders.decodes_as_numpy(decoders.numpy_viterbi)
    assert not decoders.decodes_as_numpy(changed)


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        (None, "(ModuleNotFoundError"),  # moved: the import fails
        (SimpleNamespace(), "(AttributeError"),  # renamed
        (SimpleNamespace(viterbi=_logs_in), "(its arguments or results changed"),
    ],
)
def test_without_hmmlearns_viterbi_numpy_decodes(monkeypatch, caplog, module, reason) -> None:
    monkeypatch.delattr(hmmlearn, "_hmmc", raising=False)
    monkeypatch.setitem(sys.modules, "hmmlearn._hmmc", module)
    if module is not None:
        monkeypatch.setattr(hmmlearn, "_hmmc", module, raising=False)
    assert decoders.compiled_viterbi() is None
    assert f"hmmlearn's compiled Viterbi is not usable {reason}" in caplog.text


def test_same_words_as_underthesea_word_tokenize(viterbi) -> None:
    assert [[row[0] for row in tag(text)] for text in TEXTS] == [
        word_tokenize(text) for text in TEXTS
    ]


def test_texts_tagged_together_get_the_tags_they_get_alone(viterbi) -> None:
    texts = ["", "Hà Nội", *TEXTS[:12], "   ", "Đại tá Nguyễn Văn A."]
    assert tag_many(texts) == [tag(text) for text in texts]


def test_memory_is_bounded_and_starting_over_changes_nothing(monkeypatch, viterbi) -> None:
    expected = reference_tags()[:10]
    crf.forget()
    monkeypatch.setattr(crf, "MEMO_LIMIT", 50)
    assert [tag(text) for text in TEXTS[:10]] == expected
    assert max(len(w.memo) for model in crf.models() for w in model.windows) <= 50


def test_edge_cases(viterbi) -> None:
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
    path = crf_model("ner")
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
