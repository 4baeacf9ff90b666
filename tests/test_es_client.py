from __future__ import annotations

import base64

import pytest
from scrapy.settings import Settings

from crawler.config import ConfigError
from crawler.es.client import KeyFileError, client_from_settings, hosts, redact


def client(**values):
    return client_from_settings(Settings({"ES_URL": "http://127.0.0.1:9200", **values}))


def test_credentials_from_settings(tmp_path) -> None:
    basic = client(ES_USERNAME="crawler", ES_PASSWORD="pw")._headers["authorization"]
    assert basic == "Basic " + base64.b64encode(b"crawler:pw").decode()
    assert client(ES_API_KEY="k1")._headers["authorization"] == "ApiKey k1"
    key_file = tmp_path / "crawler.key"
    key_file.write_text("k2\n")
    assert client(ES_API_KEY_FILE=str(key_file))._headers["authorization"] == "ApiKey k2"


def test_several_nodes_and_redaction() -> None:
    assert hosts("http://a:9200, http://b:9200") == ["http://a:9200", "http://b:9200"]
    assert redact("https://user:secret@es.example:9243") == "https://***@es.example:9243"
    assert redact("http://127.0.0.1:9200") == "http://127.0.0.1:9200"


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("missing.key", None, "cannot read: No such file or directory"),
        ("folder", "folder", "cannot read: Is a directory"),
        ("empty.key", "\n", "the file is empty"),
        ("binary.key", b"\xff\xfe", "cannot read: not UTF-8 text"),
    ],
)
def test_an_api_key_file_that_gives_no_key_is_named(tmp_path, name, content, why) -> None:
    key_file = tmp_path / name
    if content == "folder":
        key_file.mkdir()
    elif isinstance(content, bytes):
        key_file.write_bytes(content)
    elif content is not None:
        key_file.write_text(content)
    with pytest.raises(KeyFileError) as raised:
        client(ES_API_KEY_FILE=str(key_file))
    assert str(raised.value) == f"ES_API_KEY_FILE={str(key_file)!r}: {why}"
    # A ConfigError: the command line shows it as its one line, as a bad variable.
    assert isinstance(raised.value, ConfigError)
