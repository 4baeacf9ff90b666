"""Where underthesea keeps the files we read ourselves: its four CRF models, the word
segmentation model's templates and dictionary, its normalization rules.

Their places inside underthesea's package are its internals, not an API. A release that
moves one fails here, naming the path looked for and the version installed, instead of
deep inside a model build.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

# Relative to underthesea's package folder, where its 9.x pipeline modules load them.
_WORD_MODEL = "pipeline/word_tokenize/models/ws_crf_vlsp2013_20230727"
_CRF_MODELS = {
    "word": f"{_WORD_MODEL}/models.bin",
    "pos": "pipeline/pos_tag/pos_crf_2017_10_11.bin",
    "chunk": "pipeline/chunking/chunk_crf_2017_10_12.bin",
    "ner": "pipeline/ner/ner_crf_2017_10_12.bin",
}
_WORD_FEATURES = f"{_WORD_MODEL}/features.bin"
_WORD_DICTIONARY = f"{_WORD_MODEL}/dictionary.bin"
_TOKEN_RULES = "pipeline/text_normalize/tn_rules_2023_07_14.bin"

Task = Literal["word", "pos", "chunk", "ner"]


class UnderTheSeaLayoutError(FileNotFoundError):
    """A file is not where this module looks for it in underthesea's package: the
    installed release laid its files out differently."""


def package_dir() -> Path:
    """underthesea's package folder, found without importing it (an import costs the crawl
    process half a second)."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or spec.origin is None:
        raise ImportError("underthesea is not installed: its model files are needed")
    return Path(spec.origin).parent


def crf_model(task: Task) -> Path:
    """The CRFsuite model file of one of underthesea's CRF taggers: word segmentation,
    POS, chunking or NER."""
    return _existing(_CRF_MODELS[task], f"{task} CRF model")


def word_features() -> Path:
    """The word segmentation model's feature templates (a joblib list of strings)."""
    return _existing(_WORD_FEATURES, "word segmentation feature templates")


def word_dictionary() -> Path:
    """The word segmentation model's dictionary (a joblib set of words)."""
    return _existing(_WORD_DICTIONARY, "word segmentation dictionary")


def token_rules() -> Path:
    """The text normalization rules (a pickled dict: its character and token maps)."""
    return _existing(_TOKEN_RULES, "text normalization rules")


def _existing(relative: str, kind: str) -> Path:
    path = package_dir() / relative
    if not path.is_file():
        try:
            installed = f"underthesea {version('underthesea')}"
        except PackageNotFoundError:
            installed = "underthesea (version unknown)"
        raise UnderTheSeaLayoutError(
            f"{installed} has no {kind} at {path}: its package layout changed; "
            "update the paths in crawler/nlp/models.py"
        )
    return path
