"""underthesea's word segmentation, POS, chunk and NER CRF models, decoded here.

underthesea builds every feature string of every token (dozens a token, for each of the
four models) and hands them to its tagger, which looks each one up; most are not in the
model at all. A CRF's score for a token is a sum of weights, and the templates that read
the same window of the sentence (T[-1].lower, T[-1].istitle and T[-1] all read the word
before) add up to one vector that depends only on that window's contents. So here the
models' weights are read once (python-crfsuite), each distinct window gets its summed
vector once and keeps it, a sentence's scores are a few array lookups, and the best path
is found by hmmlearn's compiled Viterbi (or by numpy, the same path, where a hmmlearn
release has moved it: see crawler.nlp.viterbi). Same models, same scores, same tags (tests
compare them with underthesea's own path).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

import joblib
import numpy as np
import pycrfsuite
import underthesea
from underthesea.pipeline.ner.tagged_feature import text_isdigit, text_istitle, text_lower
from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text
from underthesea.pipeline.word_tokenize.regex_tokenize import regex_patterns_combine

from crawler.cachedir import built_once, source_of
from crawler.nlp import viterbi
from crawler.nlp.models import crf_model, word_dictionary, word_features
from crawler.text import token_map

logger = logging.getLogger(__name__)

# underthesea's syllable tokenizer: each match is a token (its tokenize looks up which
# named group matched, and returns that group's text: the whole match).
_SYLLABLE = re.compile(regex_patterns_combine, re.VERBOSE | re.UNICODE)
# Its abbreviations Th.S and Th.s have an unescaped dot: the only token that can cross a
# space, or end inside a run of letters.
_ANY_DOT = re.compile(r"Th.[Ss]")
_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\[(\d+)\])?(?:\.(\w+))?$")
# Each sentence is read between pads, so that a window leaving the sentence holds a pad:
# strings no token can be (tokens never hold a newline). PAD is wide enough for every
# template's offsets.
_BOS, _EOS, PAD = "\n<BOS>", "\n<EOS>", 3
# Distinct windows remembered per window family before the older half is forgotten:
# bounds memory on an endless stream of new word pairs (~170 bytes a window, 17 families;
# the weight rows are bounded by the model's size). On a replay of 5,000 generated
# seed-size articles 100,000 was no faster (31.5 against 31.2 articles/s, within the
# noise), an entity worker peaking at 350 MB instead of 290.
MEMO_LIMIT = 50_000

Key = str | tuple[str, ...]
Values = Callable[[str | None, str], str]


@dataclass(frozen=True)
class Template:
    """One feature template, e.g. T[-1,0][1].lower: offsets, column and function."""

    syntax: str
    start: int
    end: int
    column: int
    function: str | None

    @classmethod
    def parse(cls, syntax: str) -> Template:
        match = _TEMPLATE.match(syntax)
        if match is None:
            raise ValueError(f"unsupported CRF feature template {syntax!r}")
        start, end, column, function = match.groups()
        return cls(syntax, int(start), int(end or start), int(column or 0), function)


class _Windows:
    """The templates that read windows of one width on one column (T[-1].lower, T[0],
    T[1].istitle... all read one word), with the summed weight rows of each offset's
    templates for each distinct content, worked out once and looked up after."""

    def __init__(self, templates: list[Template], model: CompiledCRF) -> None:
        self.column, self.width = templates[0].column, templates[0].end - templates[0].start + 1
        self.offsets = sorted({t.start for t in templates})
        self.offset_array, self.offset_index = np.array(self.offsets), np.arange(len(self.offsets))
        group = {offset: index for index, offset in enumerate(self.offsets)}
        # Per template function, per value it gives: the (offset, attribute id) of every
        # template of this family that has the attribute "T[offset].function=value".
        self.attributes: dict[str | None, dict[str, list[tuple[int, int]]]] = {}
        for template in templates:
            by_value = self.attributes.setdefault(template.function, {})
            for value, attribute in model.attributes.get(template.syntax, {}).items():
                by_value.setdefault(value, []).append((group[template.start], attribute))
        self.model = model
        # Window content -> its row in `table`, which holds its weight row per offset.
        self.memo: dict[Key, int] = {}
        self.table = np.zeros((1024, len(self.offsets)), dtype=np.intp)

    def rows(self, values: list[str]) -> np.ndarray:
        """For each window start in the padded column, the weight rows of each offset."""
        if self.width == 1:
            keys: list[Key] = values
        else:
            keys = list(zip(*(values[j:] for j in range(self.width)), strict=False))
        memo = self.memo
        found = list(map(memo.get, keys))
        if None in found:
            start, learned = len(memo), []
            for position, index in enumerate(found):
                if index is None:
                    key = keys[position]
                    index = memo.get(key)
                    if index is None:  # not met earlier in this call either
                        index = memo[key] = start + len(learned)
                        learned.append(self._weight_rows(key))
                    found[position] = index
            while len(memo) > len(self.table):
                self.table = np.concatenate([self.table, np.zeros_like(self.table)])
            self.table[start : len(memo)] = learned
        rows = self.table[found]
        if len(memo) > MEMO_LIMIT:
            self._forget_older_half()
        return rows

    def _weight_rows(self, key: Key) -> list[int]:
        """The weight row of each offset's templates for this content. As underthesea's
        template2features: BOS when the window starts before the sentence (even if it
        also ends past it), else EOS when it ends past it."""
        first, last = (key, key) if isinstance(key, str) else (key[0], key[-1])
        pad = "BOS" if first == _BOS else "EOS" if last == _EOS else None
        text = key if isinstance(key, str) else " ".join(key)
        matched: list[list[int]] = [[] for _ in self.offsets]
        for function, by_value in self.attributes.items():
            value = pad or self.model.value(function, text)
            for offset, attribute in by_value.get(value, ()):
                matched[offset].append(attribute)
        row = self.model.row
        return [row(tuple(sorted(ids))) if ids else 0 for ids in matched]

    def _forget_older_half(self) -> None:
        """Bound memory on an endless stream of new word pairs: keep the newer half."""
        kept = list(islice(self.memo, len(self.memo) - MEMO_LIMIT // 2, None))
        self.table[: len(kept)] = self.table[[self.memo[key] for key in kept]]
        self.memo = {key: index for index, key in enumerate(kept)}


_FUNCTIONS = {"lower": text_lower, "istitle": text_istitle, "isdigit": text_isdigit}


def _plain_values(function: str | None, text: str) -> str:
    """Template functions as underthesea's tagged_feature applies them."""
    return text if function is None else f"{_FUNCTIONS[function](text)}"


class CompiledCRF:
    """A CRFsuite model's weights, indexed for scoring whole sentences at once."""

    def __init__(self, path: Path, template: Sequence[str], values: Values = _plain_values):
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        tagger.close()
        self.labels = sorted(info.labels, key=lambda label: int(info.labels[label]))
        index = {label: i for i, label in enumerate(self.labels)}
        size = len(self.labels)
        transitions = np.zeros((size, size))
        for (before, after), weight in info.transitions.items():
            transitions[index[before], index[after]] = weight
        # hmmlearn's Viterbi takes transition probabilities and sums their logarithms.
        self._exp_transitions = np.exp(transitions)
        # Attribute "T[-1].lower=công" is id attributes["T[-1].lower"]["công"], and its
        # weight per label is row id of _weights.
        self.attributes: dict[str, dict[str, int]] = {}
        ids: dict[str, int] = {}
        for attribute, _ in info.state_features:
            if attribute not in ids:
                ids[attribute] = len(ids)
                syntax, value = attribute.split("=", 1)
                self.attributes.setdefault(syntax, {})[value] = ids[attribute]
        self._weights = np.zeros((len(ids), size))
        for (attribute, label), weight in info.state_features.items():
            self._weights[ids[attribute], index[label]] = weight
        self.value = values
        # Row 0 is the window that matches nothing in the model.
        self._matrix = np.zeros((1024, size))
        self._row_of: dict[tuple[int, ...], int] = {(): 0}
        families: dict[tuple[int, int], list[Template]] = {}
        for parsed in map(Template.parse, template):
            families.setdefault((parsed.column, parsed.end - parsed.start), []).append(parsed)
        self.windows = [_Windows(templates, self) for templates in families.values()]

    def row(self, attributes: tuple[int, ...]) -> int:
        """The matrix row holding the summed weights of these attributes."""
        row = self._row_of.get(attributes)
        if row is None:
            row = self._row_of[attributes] = len(self._row_of)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
            self._matrix[row] = self._weights[list(attributes)].sum(axis=0)
        return row

    def tag(self, sentences: Sequence[Sequence[Sequence[str]]]) -> list[list[str]]:
        """Labels of each sentence, given as columns (words, then earlier models' tags)."""
        lengths = [len(columns[0]) for columns in sentences]
        if not sum(lengths):
            return [[] for _ in sentences]
        padded: list[list[str]] = [[] for _ in sentences[0]]
        for columns in sentences:
            for flat, values in zip(padded, columns, strict=True):
                flat += [_BOS] * PAD
                flat += values
                flat += [_EOS] * PAD
        # Each token's place in the padded columns: its index plus the pads before it.
        sentence_of = np.repeat(np.arange(len(lengths)), lengths)
        tokens = np.arange(len(sentence_of)) + PAD * (2 * sentence_of + 1)
        # Every offset's weight row for every token, gathered and summed at once.
        rows = [
            windows.rows(padded[windows.column])[
                tokens[:, None] + windows.offset_array, windows.offset_index
            ]
            for windows in self.windows
        ]
        scores = self._matrix[np.concatenate(rows, axis=1)].sum(axis=1)
        labels, start = self.labels, np.ones(len(self.labels))
        # The best path by hmmlearn's compiled Viterbi (or numpy's): a max-sum over the
        # scores and the logarithms of exp(transition weights). Looked up at each call, so
        # that setting viterbi.VITERBI (as the tests do) changes the decoder.
        decode = viterbi.VITERBI
        paths, offset = [], 0
        for length in lengths:
            sentence = scores[offset : offset + length]
            path = decode(start, self._exp_transitions, sentence)[1] if length else []
            paths.append([labels[i] for i in path])
            offset += length
        return paths


class SyllableValues:
    """Template functions of the word segmentation model, as underthesea_core's featurizer
    computes them (tests compare the two): title case is "starts with an upper-case or a
    non-letter character" for every syllable, digits are ASCII digits, and the dictionary
    is looked up in lower case."""

    def __init__(self, dictionary: set[str]) -> None:
        self.dictionary = dictionary

    def __call__(self, function: str | None, text: str) -> str:
        if function is None:
            return text
        if function == "lower":
            return text.lower()
        if function == "istitle":
            return str(all(s[:1].isupper() or not s[:1].isalpha() for s in text.split(" ")))
        if function == "isdigit":
            return str(text.isascii() and text.isdigit())
        if function == "is_in_dict":
            return str(text.lower() in self.dictionary)
        raise ValueError(f"unsupported word segmentation feature function {function!r}")


@cache
def word_model() -> CompiledCRF:
    def build() -> CompiledCRF:
        template = joblib.load(word_features())
        dictionary = joblib.load(word_dictionary())
        return CompiledCRF(path, template, SyllableValues(dictionary))

    path = crf_model("word")
    return cached(path, build)


@cache
def pos_model() -> CompiledCRF:
    def build() -> CompiledCRF:
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

        return CompiledCRF(path, CRFPOSTagPredictor.Instance().transformer.template)

    path = crf_model("pos")
    return cached(path, build)


@cache
def chunk_model() -> CompiledCRF:
    def build() -> CompiledCRF:
        from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor

        return CompiledCRF(path, CRFChunkingPredictor.Instance().transformer.template)

    path = crf_model("chunk")
    return cached(path, build)


@cache
def ner_model() -> CompiledCRF:
    def build() -> CompiledCRF:
        from underthesea.pipeline.ner.model_crf import CRFNERPredictor

        return CompiledCRF(path, CRFNERPredictor.Instance().transformer.template)

    path = crf_model("ner")
    return cached(path, build)


def cached(path: Path, build: Callable[[], CompiledCRF]) -> CompiledCRF:
    """The compiled model of a CRFsuite file, built once and then read from the cache.

    Reading a model's weights through CRFsuite's text dump takes seconds (each worker
    pool's start waited for it); unpickling the compiled arrays takes a tenth of that.
    """
    stat = path.stat()
    key = f"{underthesea.__version__}|{path}|{stat.st_size}|{stat.st_mtime_ns}|"
    name = f"{path.parent.name}-{path.stem}"
    return built_once("crf", name, key + source_of(__file__), build)


def models() -> tuple[CompiledCRF, ...]:
    """The four models, loaded on first call."""
    return word_model(), pos_model(), chunk_model(), ner_model()


def forget() -> None:
    """Empty every model's memo of word windows: a cold start."""
    for model in models():
        for windows in model.windows:
            windows.memo.clear()


def _words(syllables: list[str], tags: list[str]) -> list[str]:
    """Syllables joined into words as underthesea's word_tokenize does."""
    words: list[str] = []
    for syllable, label in zip(syllables, tags, strict=True):
        if label == "I-W" and words:
            words[-1] += " " + syllable
        else:
            words.append(syllable)
    return words


def split_syllables(text: str) -> list[str]:
    r"""underthesea's tokenize of a text its character normalization has been through
    (NFC, ð -> đ), without the token normalization; three times faster.

    Every alternative of its pattern before \w+ needs a digit, a mark or punctuation
    (but Th.S), and none matches a space: so a space-separated run of letters is one
    token, and only the other runs go through the pattern, read in place.
    """
    if _ANY_DOT.search(text):
        return [m.group() for m in _SYLLABLE.finditer(text)]
    tokens: list[str] = []
    position = 0
    for run in text.split():
        if run.isalpha():
            tokens.append(run)
            continue
        start = text.find(run, position)
        position = start + len(run)
        for match in _SYLLABLE.finditer(text, start):
            if match.start() >= position:
                break
            tokens.append(match.group())
    return tokens


def tag_many(texts: Sequence[str]) -> list[list[tuple[str, str, str, str]]]:
    """(word, POS, chunk, NER) for each word of each text, every text decoded together.

    POS and chunk get underthesea's "X" placeholder for the previous tags, as its own
    functions do; NER gets "O" (see crawler.nlp.ner for why).
    """
    # underthesea's tokenize: NFC and its character map on the whole text, then each
    # syllable through its token map (syllables of NFC text are NFC).
    mapped = token_map()
    syllables = [
        [mapped.get(s, s) for s in split_syllables(text)]
        for text in map(normalize_characters_in_text, texts)
    ]
    segmentation = word_model().tag([[s] for s in syllables])
    words = [_words(s, t) for s, t in zip(syllables, segmentation, strict=True)]
    pos = pos_model().tag([[w, ["X"] * len(w)] for w in words])
    chunks = chunk_model().tag([[w, p, ["X"] * len(w)] for w, p in zip(words, pos, strict=True)])
    entities = ner_model().tag(
        [[w, p, c, ["O"] * len(w)] for w, p, c in zip(words, pos, chunks, strict=True)]
    )
    columns = zip(words, pos, chunks, entities, strict=True)
    return [list(zip(*text, strict=True)) for text in columns]


def tag(text: str) -> list[tuple[str, str, str, str]]:
    """(word, POS, chunk, NER) for each word of one text."""
    return tag_many([text])[0]


def reference_tag(text: str) -> list[tuple[str, str, str, str]]:
    """The straightforward path through underthesea's own functions (chunk, then the NER
    predictor's transformer with "O" for the previous tags): what ``tag`` must equal."""
    from underthesea import chunk
    from underthesea.pipeline.ner.model_crf import CRFNERPredictor

    tokens = chunk(text)
    predictor = CRFNERPredictor.Instance()
    rows = [(word, pos, chunk_tag, "O") for word, pos, chunk_tag in tokens]
    tags = predictor.model.tag(predictor.transformer.transform([rows])[0][0])
    return [(w, p, c, t) for (w, p, c), t in zip(tokens, tags, strict=True)]
