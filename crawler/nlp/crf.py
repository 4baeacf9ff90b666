"""underthesea's POS, chunk and NER CRF models, fed by a fast featurizer.

underthesea builds each token's features by re-splitting the whole sentence into columns
and re-parsing every template with a regex, for every token and template: quadratic and
slow. Here the templates are parsed once and each sentence's columns built once; the
features are the same strings, so the same models give the same tags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from underthesea import word_tokenize
from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
from underthesea.pipeline.ner.model_crf import CRFNERPredictor
from underthesea.pipeline.ner.tagged_feature import apply_function
from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

_TEMPLATE = re.compile(
    r"T\[(?P<index1>\-?\d+)(\,(?P<index2>\-?\d+))?\](\[(?P<column>.*)\])?(\.(?P<function>.*))?"
)


@cache
def _parse(syntax: str) -> tuple[str, int, int | None, int, str | None]:
    match = _TEMPLATE.match(syntax)
    assert match, syntax
    index2 = match.group("index2")
    return (
        f"{syntax}=",
        int(match.group("index1")),
        int(index2) if index2 is not None else None,
        int(match.group("column") or 0),
        match.group("function"),
    )


def features(rows: Sequence[Sequence[str]], template: Sequence[str]) -> list[list[str]]:
    """Each token's feature strings, exactly as underthesea's word2features makes them.

    Built a template at a time over the whole sentence (each word's function applied
    once), then read across: the same strings in the same order.
    """
    length = len(rows)
    if not length:
        return []
    columns = [list(column) for column in zip(*rows, strict=True)]
    computed: dict[tuple[str, str], str] = {}

    def apply(function: str, word: str) -> str:
        key = (function, word)
        if key not in computed:
            computed[key] = f"{apply_function(function, word)}"
        return computed[key]

    per_template = []
    for prefix, index1, index2, column, function in (_parse(s) for s in template):
        values = columns[column]
        if index2 is not None:
            width = index2 - index1 + 1
            values = [" ".join(values[j : j + width]) for j in range(length - width + 1)]
        if function is not None:
            values = [apply(function, value) for value in values]
        # Position i reads values[i + index1]: BOS before the start, EOS past the end
        # (a bigram whose last word is past the end is EOS too).
        bos, eos = prefix + "BOS", prefix + "EOS"
        shifted = [bos] * min(-index1, length) if index1 < 0 else []
        start = max(index1, 0)
        shifted += [prefix + value for value in values[start : start + length - len(shifted)]]
        shifted += [eos] * (length - len(shifted))
        per_template.append(shifted)
    return [list(token) for token in zip(*per_template, strict=True)]


def tag(text: str) -> list[tuple[str, str, str, str]]:
    """(word, POS, chunk, NER) for each word, with one tokenization for all three models.

    POS and chunk keep underthesea's "X" placeholder for the previous tags, as its own
    functions do; NER gets "O" (see crawler.nlp.ner for why).
    """
    words = word_tokenize(text)
    if not words:
        return []
    pos_model = CRFPOSTagPredictor.Instance()
    pos = pos_model.model.tag(features([(w, "X") for w in words], pos_model.transformer.template))
    chunk_model = CRFChunkingPredictor.Instance()
    rows = [(w, p, "X") for w, p in zip(words, pos, strict=True)]
    chunks = chunk_model.model.tag(features(rows, chunk_model.transformer.template))
    ner_model = CRFNERPredictor.Instance()
    rows4 = [(w, p, c, "O") for w, p, c in zip(words, pos, chunks, strict=True)]
    entities = ner_model.model.tag(features(rows4, ner_model.transformer.template))
    return list(zip(words, pos, chunks, entities, strict=True))


def reference_tag(text: str) -> list[tuple[str, str, str, str]]:
    """The straightforward path through underthesea's own functions (chunk, then the NER
    predictor's transformer with "O" for the previous tags): what ``tag`` must equal."""
    from underthesea import chunk

    tokens = chunk(text)
    predictor = CRFNERPredictor.Instance()
    rows = [(word, pos, chunk_tag, "O") for word, pos, chunk_tag in tokens]
    tags = predictor.model.tag(predictor.transformer.transform([rows])[0][0])
    return [(w, p, c, t) for (w, p, c), t in zip(tokens, tags, strict=True)]
