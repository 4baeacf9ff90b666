from __future__ import annotations

import base64

from scrapy.settings import Settings

from crawler.es.client import client_from_settings, hosts, redact


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
