"""underthesea's files are found where its release keeps them, and a moved one is named."""

from __future__ import annotations

from functools import partial
from importlib.metadata import version

import pytest

from crawler.nlp import models

FILES = {
    "word CRF model": partial(models.crf_model, "word"),
    "pos CRF model": partial(models.crf_model, "pos"),
    "chunk CRF model": partial(models.crf_model, "chunk"),
    "ner CRF model": partial(models.crf_model, "ner"),
    "word segmentation feature templates": models.word_features,
    "word segmentation dictionary": models.word_dictionary,
    "text normalization rules": models.token_rules,
}


@pytest.mark.parametrize("find", FILES.values(), ids=FILES)
def test_files_are_in_underthesea(find) -> None:
    path = find()
    assert path.is_file()
    assert path.is_relative_to(models.package_dir())


@pytest.mark.parametrize(("kind", "find"), FILES.items(), ids=FILES)
def test_a_moved_file_is_named_with_the_version(monkeypatch, tmp_path, kind, find) -> None:
    looked_for = find().relative_to(models.package_dir())
    monkeypatch.setattr(models, "package_dir", lambda: tmp_path)
    with pytest.raises(models.UnderTheSeaLayoutError) as raised:
        find()
    expected = f"underthesea {version('underthesea')} has no {kind} at {tmp_path / looked_for}"
    assert expected in str(raised.value)
    assert isinstance(raised.value, FileNotFoundError)
