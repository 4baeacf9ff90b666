"""Every setting of the project, grouped by concern.

Elasticsearch location and credentials come from the environment here and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path

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
# The delay floor: AutoThrottle never goes below it.
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
# Per-run page cap (crawler crawl --max-pages); 0 means none.
CLOSESPIDER_PAGECOUNT = 5000

# --- Retries: 5xx and timeouts, waiting longer each time ------------------------
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # After robots.txt (100) and offsite (50): decides before anything is downloaded.
    "crawler.middlewares.IncrementalDownloaderMiddleware": 560,
}
# Seconds before the first retry; doubled for each further one, up to the cap.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# --- Incremental runs ------------------------------------------------------------
# Skip articles the index already has (until their site's recrawl age).
INCREMENTAL_ENABLED = True
# Fetch every article again (crawler crawl --refresh).
CRAWL_REFRESH = False

# --- Record and replay (crawler crawl --record DIR / --replay DIR) ----------------
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.DummyPolicy"
# Errors are retried, never stored: a replay sees the answer that finally came.
HTTPCACHE_IGNORE_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]

# --- Scale-out: several crawler processes share one frontier through Redis --------
# Set REDIS_URL (crawler crawl --redis URL) to turn it on; see README "Scale-out".
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    SCHEDULER = "scrapy_redis.scheduler.Scheduler"
    DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
    # Keep the shared queue and seen-set between processes; `crawler crawl --redis-reset`
    # clears them before a new crawl.
    SCHEDULER_PERSIST = True

# --- Site registry -----------------------------------------------------------------
# The sites the police spider crawls; CRAWLER_SITES points at another file.
SITES_REGISTRY = os.environ.get("CRAWLER_SITES") or str(
    Path(__file__).resolve().parent.parent / "seeds" / "sites.yaml"
)

# --- Item pipelines (order matters: validate -> normalize -> ... -> index) -----
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.fingerprint.FingerprintPipeline": 250,
    "pipelines.entities.EntitiesPipeline": 300,
    "pipelines.elasticsearch.ElasticsearchPipeline": 900,
}
# Outputs of one callback processed at once. Scrapy starts this many tasks for every
# response whatever it yields (one article, or a listing's ~20 links): 1.4 ms a response
# at its default of 100, 0.34 at 20, 0.12 at 4 on the 2-core machine.
CONCURRENT_ITEMS = 4

# --- Elasticsearch ------------------------------------------------------------
# Where the index lives; the local node started by `crawler es up` listens here too.
ES_URL = os.environ.get("ES_URL", "http://127.0.0.1:9200")
# Alias that searches and writes go through; it points at a versioned index (articles-v1).
ES_INDEX = os.environ.get("ES_INDEX", "articles")
# Basic auth, or an API key (base64 "id:key" as Elasticsearch prints it).
ES_USERNAME = os.environ.get("ES_USERNAME")
ES_PASSWORD = os.environ.get("ES_PASSWORD")
ES_API_KEY = os.environ.get("ES_API_KEY")
# ...or a file holding it (docker-compose's es-setup writes one), so it is in no environment.
ES_API_KEY_FILE = os.environ.get("ES_API_KEY_FILE")
# CA bundle for a cluster with TLS under a private CA.
ES_CA_CERTS = os.environ.get("ES_CA_CERTS")
# Seconds to wait for one Elasticsearch request.
ES_TIMEOUT = float(os.environ.get("ES_TIMEOUT", "30"))
# Articles sent per bulk request.
ES_BULK_SIZE = 200

# Articles Elasticsearch could not take wait here (crawler spool flush).
SPOOL_DIR = os.environ.get("CRAWLER_SPOOL_DIR") or str(
    Path(__file__).resolve().parent.parent / "spool"
)

# --- Nightly runs ------------------------------------------------------------------
# Where run reports are written as JSON, and the index that keeps them.
RUNS_DIR = os.environ.get("CRAWLER_RUNS_DIR") or str(
    Path(__file__).resolve().parent.parent / "runs"
)
ES_RUNS_INDEX = os.environ.get("ES_RUNS_INDEX", "crawl-runs")
# The run fails (exit code 1) past this share of failed pages or articles...
NIGHTLY_MAX_FAILED_RATIO = 0.5
# ...or when a site has yielded no article this many nights in a row.
NIGHTLY_EMPTY_NIGHTS = 3

# When `crawler schedule` starts a nightly run (cron, Asia/Ho_Chi_Minh).
NIGHTLY_CRON = os.environ.get("CRAWLER_NIGHTLY_CRON", "0 2 * * *")
# A progress line per site on stderr (crawler nightly turns it on).
EXTENSIONS = {"crawler.extensions.ProgressExtension": 500}
PROGRESS_ENABLED = False
PROGRESS_INTERVAL = 10

# --- Entities ------------------------------------------------------------------
# Turn named-entity extraction off for fast runs that need no entities.
NER_ENABLED = True
# Worker processes for entity extraction (CPU-bound): 2 uses both cores of a small machine.
NER_WORKERS = int(os.environ.get("NER_WORKERS", "2"))
# Articles that waited for a busy worker go to the next free one together, up to this many.
NER_BATCH_SIZE = 8
