"""What takes seconds to build is built once, and a stale or broken cache never costs a result."""

from __future__ import annotations

from crawler.cachedir import built_once


def test_built_once_then_read_back_and_older_versions_removed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    builds: list[str] = []

    def build(value: str):
        return lambda: builds.append(value) or {"value": value}

    assert built_once("tables", "places", "v1", build("one")) == {"value": "one"}
    assert built_once("tables", "places", "v1", build("again")) == {"value": "one"}
    assert built_once("tables", "places", "v2", build("two")) == {"value": "two"}
    assert builds == ["one", "two"]
    assert len(list((tmp_path / "vn-police-news-crawler" / "tables").iterdir())) == 1


def test_a_cache_that_cannot_be_written_costs_a_warning(tmp_path, monkeypatch, caplog) -> None:
    (tmp_path / "vn-police-news-crawler").write_text("a file where the folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert built_once("tables", "places", "v1", lambda: [1, 2]) == [1, 2]
    assert "cannot store" in caplog.text
