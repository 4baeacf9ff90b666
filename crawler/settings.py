"""Every setting of the project, grouped by concern.

The environment overrides the settings named in crawler/config.py (same names), at the
end of this module; `-s NAME=VALUE` overrides both.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import default_settings as scrapy_defaults

from crawler.config import data_dir, environment

# --- Project ---------------------------------------------------------------
BOT_NAME = "vn-police-news"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
LOG_LEVEL = "INFO"
# Log times in Vietnam time, as the reports and the articles (crawler/runner.py).
LOG_DATEFORMAT = "%Y-%m-%d %H:%M:%S+07:00"
FEED_EXPORT_ENCODING = "utf-8"

# --- Data folders ------------------------------------------------------------------
# Where the spool, run reports and HTTP cache live (CRAWLER_DATA_DIR; the image sets /data).
# By default the checkout when the code runs from one (spool/, runs/ beside scrapy.cfg),
# else $XDG_DATA_HOME/vn-police-news-crawler (~/.local/share/...): never site-packages.
CRAWLER_DATA_DIR = str(data_dir(Path(__file__).resolve().parent.parent))

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

# --- Limits: far beyond any real article, so no input costs unbounded time or memory ---
# The real pages of tests/data/pages/ hold under 60 kB of HTML; the real articles (seeds/,
# the shared real excerpts) under 7,000 characters, in paragraphs under 1,600. 0 turns a
# limit off.
# Bytes of a seed file or saved page: a bigger one is refused before it is read.
MAX_PAGE_BYTES = 5 * 1024 * 1024
# Scrapy's limit for fetched pages, the same: a download is stopped past it (a -s of
# MAX_PAGE_BYTES does not move it: set both), and a warning logged past the warning size.
DOWNLOAD_MAXSIZE = MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Characters of an article (title, lead, body, captions): a longer one is refused
# (pipelines/validate.py), as is a longer text by `crawler entities`.
MAX_ARTICLE_CHARS = 200_000
# Characters of a body paragraph or caption: a longer one is split after a sentence.
MAX_PARAGRAPH_CHARS = 20_000

# --- Retries: 5xx and timeouts, waiting longer each time ------------------------
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # A robots.txt that cannot be fetched disallows its host (RFC 9309), not allows it.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
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
# Where Scrapy puts it in a project (.scrapy/httpcache), made absolute: Scrapy resolves its
# relative default through a scrapy.cfg, which an installed crawler does not have.
HTTPCACHE_DIR = str(Path(CRAWLER_DATA_DIR) / ".scrapy" / "httpcache")
# Errors are retried, never stored: a replay sees the answer that finally came.
HTTPCACHE_IGNORE_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]

# --- Scale-out: several crawler processes share one frontier through Redis --------
# `crawler crawl --redis URL` (or REDIS_URL, read by `crawl` only) turns it on for that
# crawl; other commands never share a frontier. See README "Scale-out".
REDIS_URL = None
# A worker that waits for new requests when its queue is empty (`crawl --keep-alive`).
CRAWL_KEEP_ALIVE = False
# Redis out of reach mid-crawl: the crawl waits this many seconds for it, holding the links
# it finds meanwhile (at most REDIS_HOLD_MAX), then stops saying so; 0 waits as long as it
# takes (the default of a `--keep-alive` worker).
REDIS_OUTAGE_LIMIT = 600
REDIS_HOLD_MAX = 10_000
# How long a page fetched by a shared crawl counts as seen (seconds): one night's run
# fetches it once in all; the next night reads listing page 2 again, and retries what
# failed. A seeding run (`crawl --seed-only`) forgets all at once.
REDIS_SEEN_TTL = 20 * 3600

# --- Site registry -----------------------------------------------------------------
# The sites the police spider crawls: the registry shipped in the package by default.
CRAWLER_SITES = str(Path(__file__).resolve().parent / "registry" / "sites.yaml")
# The user's own entries (`crawler sites add`), over the registry's of the same id.
CRAWLER_USER_SITES = str(Path(CRAWLER_DATA_DIR) / "sites.yaml")

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
ES_URL = "http://127.0.0.1:9200"
# Alias that searches and writes go through; it points at a versioned index (articles-v1).
ES_INDEX = "articles"
# Basic auth, or an API key (base64 "id:key" as Elasticsearch prints it).
ES_USERNAME = None
ES_PASSWORD = None
ES_API_KEY = None
# ...or a file holding it (docker-compose's es-setup writes one), so it is in no environment.
ES_API_KEY_FILE = None
# CA bundle for a cluster with TLS under a private CA.
ES_CA_CERTS = None
# Seconds to wait for one Elasticsearch request.
ES_TIMEOUT = 30.0
# Articles sent together (two bulk requests side by side), or fewer when the first of them
# waited ES_BULK_INTERVAL seconds (checked as each article comes, and when the crawl is
# idle): big batches for a replay or a flush (batches of 200 gave 0.7 of bare
# parallel_bulk's rate: benchmarks/search_latency.py), no long wait in a polite crawl. A
# run killed meanwhile loses no article: what was not indexed is fetched again next run.
ES_BULK_SIZE = 1000
ES_BULK_INTERVAL = 10.0
# ...or sooner when they hold this many characters of text (memory stays bounded whatever
# the articles' length: MAX_ARTICLE_CHARS each at most).
ES_BULK_MAX_CHARS = 8_000_000

# Articles Elasticsearch could not take wait here (crawler spool flush).
CRAWLER_SPOOL_DIR = str(Path(CRAWLER_DATA_DIR) / "spool")

# --- Nightly runs ------------------------------------------------------------------
# Where run reports are written as JSON, and the index that keeps them.
CRAWLER_RUNS_DIR = str(Path(CRAWLER_DATA_DIR) / "runs")
ES_RUNS_INDEX = "crawl-runs"
# The run fails (exit code 1) past this share of failed pages or articles...
NIGHTLY_MAX_FAILED_RATIO = 0.5
# ...or when a site has yielded no article this many nights in a row.
NIGHTLY_EMPTY_NIGHTS = 3
# The night's writing done, the index's segments are merged when there are more than this
# many (a search reads every segment: a fifth faster on one, README); -1: never.
NIGHTLY_MERGE_ABOVE = 10

# When `crawler schedule` starts a nightly run (cron, Asia/Ho_Chi_Minh).
CRAWLER_NIGHTLY_CRON = "0 2 * * *"
# A progress line per site on stderr (crawler nightly turns it on).
EXTENSIONS = {"crawler.extensions.ProgressExtension": 500, "crawler.extensions.KeepAlive": 510}
# Scrapy's remote console is left out, not only off: an unattended crawler opens no port
# that runs Python, and Scrapy imports every listed extension (this one loads aiohttp's
# web server, a quarter of a second of every command that starts a spider).
EXTENSIONS_BASE = {
    path: order for path, order in scrapy_defaults.EXTENSIONS_BASE.items()
    if not path.endswith(".RemoteControl")
}  # fmt: skip
PROGRESS_ENABLED = False
PROGRESS_INTERVAL = 10

# --- Saved searches and alerts (crawler watch, /watches, /feeds) --------------------
# The index of saved searches, created with its own strict mapping on first use.
ES_WATCHES_INDEX = "watches"
# Secret of the X-Signature-256 HMAC on webhook deliveries (environment only).
WATCH_WEBHOOK_SECRET = None
# Seconds a webhook receiver or the mail server may take before the delivery fails.
WATCH_TIMEOUT = 20.0
# Articles one delivery holds at most; the rest go in the next run.
WATCH_MAX_ARTICLES = 100
# The mail server of watch e-mails; user and password from the environment only.
SMTP_HOST = None
SMTP_PORT = 587
SMTP_USER = None
SMTP_PASSWORD = None
SMTP_FROM = None
SMTP_STARTTLS = True
# Writes to watches from the page and the API need this token (Bearer, or the form's
# field); unset, only clients on loopback may write.
WEB_WRITE_TOKEN = None

# --- Entities ------------------------------------------------------------------
# Turn named-entity extraction off for fast runs that need no entities.
NER_ENABLED = True
# Worker processes for entity extraction (CPU-bound): 2 uses both cores of a small machine.
NER_WORKERS = 2
# Articles that waited for a busy worker go to the next free one together, up to this many.
NER_BATCH_SIZE = 8

# --- Local Elasticsearch node (crawler es up) ---------------------------------------
ES_HEAP = "512m"
ES_MAVEN_REPO = None  # default: Maven Central
ES_LOCAL_DIR = None  # default: .es in CRAWLER_DATA_DIR (a checkout: the project's)
ES_TRANSPORT_PORT = None  # default: the first free port from 9300

# --- The environment, last: same names as above, checked (crawler/config.py) --------
globals().update(environment())
