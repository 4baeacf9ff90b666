"""Every setting of the project, grouped by concern.

Elasticsearch location and credentials come from the environment here and nowhere else.
"""

from __future__ import annotations

import os

# --- Project ---------------------------------------------------------------
BOT_NAME = "vn-police-news"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
LOG_LEVEL = os.environ.get("CRAWLER_LOG_LEVEL", "INFO")
FEED_EXPORT_ENCODING = "utf-8"

# --- Politeness --------------------------------------------------------------
USER_AGENT = "vn-police-news-crawler/0.1 (+https://github.com/vn-police-news/crawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5

# --- Item pipelines (order matters: validate -> normalize -> ... -> index) -----
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.fingerprint.FingerprintPipeline": 250,
    "pipelines.entities.EntitiesPipeline": 300,
    "pipelines.elasticsearch.ElasticsearchPipeline": 900,
}

# --- Elasticsearch ------------------------------------------------------------
# Where the index lives; the local node started by `crawler es up` listens here too.
ES_URL = os.environ.get("ES_URL", "http://127.0.0.1:9200")
# Alias that searches and writes go through; it points at a versioned index (articles-v1).
ES_INDEX = os.environ.get("ES_INDEX", "articles")
# Basic auth, or an API key (base64 "id:key" as Elasticsearch prints it).
ES_USERNAME = os.environ.get("ES_USERNAME")
ES_PASSWORD = os.environ.get("ES_PASSWORD")
ES_API_KEY = os.environ.get("ES_API_KEY")
# CA bundle for a cluster with TLS under a private CA.
ES_CA_CERTS = os.environ.get("ES_CA_CERTS")
# Seconds to wait for one Elasticsearch request.
ES_TIMEOUT = float(os.environ.get("ES_TIMEOUT", "30"))
# Articles sent per bulk request.
ES_BULK_SIZE = 200

# --- Entities ------------------------------------------------------------------
# Turn named-entity extraction off for fast runs that need no entities.
NER_ENABLED = True
