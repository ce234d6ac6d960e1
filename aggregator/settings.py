"""Scrapy settings of the aggregator project: the one place settings live.

Project settings are prefixed ``AGGREGATOR_``; the command line and the sources
config override them at ``cmdline`` / ``project`` priority.
"""

from __future__ import annotations

BOT_NAME = "aggregator"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
#: `scrapy crawl` checks the news spider's -a source= / -a config= before starting
COMMANDS_MODULE = "aggregator.scrapycommands"

# --- Aggregator -------------------------------------------------------------
#: TOML file listing the sources; empty means the bundled default config.
AGGREGATOR_CONFIG = ""
#: the parsed sources config (aggregator.config.Config) the crawl runs with: set by
#: `aggregator crawl`, or by the spider from AGGREGATOR_CONFIG / `-a config=`
AGGREGATOR_LOADED_CONFIG = None
#: the source a crawler crawls: set by the news spider from `-a source=` (what incremental
#: crawling's CrawlState reads, aggregator.crawlsettings.crawl_source; not one to set by hand)
AGGREGATOR_SOURCE = ""
#: rebuild the feeds when the crawl ends (aggregator.publishing.FeedPublisher)
AGGREGATOR_PUBLISH_FEEDS = True
#: keep a crawl's pending requests on disk in a folder of its own under the data folder
#: (aggregator.queues.DiskQueue), so that its memory does not grow with the site
AGGREGATOR_DISK_QUEUE = True
#: folder of the SQLite store (``aggregator.sqlite3``) and crawl state
AGGREGATOR_DATA_DIR = "data"
#: the store's URL: "" is the SQLite store in AGGREGATOR_DATA_DIR; postgresql://user@host/db
#: a PostgreSQL database several crawlers share (aggregator.store.open_store)
AGGREGATOR_STORE = ""
#: an SQLite store commits a crawl's writes together this often (seconds; each article stays
#: atomic, a crash loses at most this much work); 0 commits each on its own. The shared
#: frontier's processes use 0 (aggregator.crawlstore)
AGGREGATOR_STORE_COMMIT_SECONDS = 1.0
#: a crawl's SQLite connection keeps this many MB of the store's pages in memory (SQLite's own
#: default is 2): storing an article updates random pages of the story indexes, which a 2 MB
#: cache reads again from the file once the store holds a few thousand articles
AGGREGATOR_STORE_CACHE_MB = 8
#: folder the feeds are written to
AGGREGATOR_FEEDS_DIR = "feeds"
#: how many of the newest articles a feed carries
AGGREGATOR_FEED_LIMIT = 50
#: Cache-Control max-age (seconds) of the files `aggregator serve` answers with
AGGREGATOR_SERVE_MAX_AGE = 300
#: query parameters stripped from every URL, on top of utm_* (see aggregator.urls); the
#: config's ``[aggregator] tracking_params`` list is added to it
AGGREGATOR_TRACKING_PARAMS: list[str] = []
#: seconds a date may lie after the fetch before it is flagged and not trusted
AGGREGATOR_FUTURE_DATE_TOLERANCE = 900
#: estimated Jaccard similarity of word 3-shingles above which two bodies are one story
AGGREGATOR_STORY_THRESHOLD = 0.5
#: host name -> "127.0.0.1:PORT": requests to that host are sent to the local
#: server through it, as to an HTTP proxy (the demo site and tests use it)
AGGREGATOR_HOST_ROUTES: dict[str, str] = {}
#: a URL where site owners can reach the operator; goes into the User-Agent
#: (env AGGREGATOR_CONTACT_URL or `[aggregator] contact_url` in the config override it)
AGGREGATOR_CONTACT_URL = "https://github.com/aggregator-news/aggregator"
#: incremental crawling (aggregator.incremental): conditional requests, known unchanged
#: pages skipped; False fetches everything every run
AGGREGATOR_INCREMENTAL = True
#: hours after publication during which a known article is re-checked for updates on
#: every run (a conditional request); 0: only when a feed/sitemap date says it changed.
#: Env AGGREGATOR_REFRESH_AGE or a source's `refresh_hours` override it.
AGGREGATOR_REFRESH_AGE = 24.0
#: live progress line on stderr: "auto" (only on a terminal), "always" or "never"
AGGREGATOR_PROGRESS = "auto"
#: the objects made before the first request are left out of garbage collection
#: (aggregator.gcfreeze); False collects them with the rest
AGGREGATOR_GC_FREEZE = True
#: while a crawl runs, Python's young generation is collected every this many allocations
#: (aggregator.gcfreeze; Python's own is 700: 4% of a crawl's CPU); 0 leaves Python's own
AGGREGATOR_GC_THRESHOLD = 10_000
#: worker processes extracting pages (aggregator.workers): 0 extracts in the crawl's own
#: process; N >= 1 a pool of N; "auto" one per CPU but the reactor's (docs/crawling.md)
AGGREGATOR_EXTRACT_WORKERS: int | str = 0
#: the extraction function the spider calls (in-process and in the workers), by import path;
#: called as f(body, url, rules=, encoding=, template=)
AGGREGATOR_EXTRACT_FUNCTION = "aggregator.extraction.extract"
#: learn each source's template while crawling (aggregator.template): links on most of its
#: pages are navigation or site-wide lists, a block that recurs with changing links is its
#: related block; False judges every page on its own
AGGREGATOR_TEMPLATE_LEARNING = True
#: rendering pages in headless Chromium (sources with `render = true` or "auto";
#: aggregator.browser): the executable ("" = `chromium` on the PATH, Debian's package)
AGGREGATOR_CHROMIUM = ""
#: seconds a page may take to render (navigation, then its own requests settling)
AGGREGATOR_RENDER_TIMEOUT = 20.0
#: quiet milliseconds (no request of the page in flight) after which a page is rendered
AGGREGATOR_RENDER_SETTLE_MS = 100
#: pages rendered at once in a source's browser context
AGGREGATOR_RENDER_PAGES = 4
#: the browser is restarted between pages once its processes hold more than this (MiB; 0: never)
AGGREGATOR_RENDER_MAX_RSS_MB = 1024
#: resource types the browser does not fetch (Playwright's names)
AGGREGATOR_RENDER_BLOCK_RESOURCES = ["image", "font", "media"]

# --- Politeness ---------------------------------------------------------------
USER_AGENT = f"aggregator/0.1 (+{AGGREGATOR_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
#: items of one response processed at once: Scrapy starts this many tasks per response and
#: our pipelines are synchronous, so its default of 100 only costs (~5% of a crawl's CPU)
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DEPTH_LIMIT = 6
RETRY_TIMES = 2
#: a request that failed for good is reported once by aggregator.crawlerrors, with its source;
#: Scrapy's own "Gave up retrying" line is for -v
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
#: Scrapy's remote control (2.19+: an HTTP server in every crawl that runs the Python code it
#: is sent, its token written to ~/.local/state/scrapy/job_files) is off, like the telnet
#: console: a crawl run every 30 minutes by cron has no one to talk to it. ``true`` in a
#: source's or the config's settings turns it on.
REMOTE_CONTROL_ENABLED = False
#: Scrapy's in-memory stats without the deprecation shim that made every ``inc_value`` 16x
#: slower (aggregator.stats)
STATS_CLASS = "aggregator.stats.StatsCollector"

# --- Components -------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # before HttpProxyMiddleware (750), which then sends the request to the route
    "aggregator.middlewares.HostRoutingMiddleware": 740,
    # Scrapy's meta-refresh redirects, without losing a page whose <base href> is malformed
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "aggregator.middlewares.SafeMetaRefreshMiddleware": 580,
    # incremental crawling: validators on the request, a 304 or an unchanged body judged
    # (aggregator.incremental.downloader); after the retries and redirects, on the body
    # HttpCompressionMiddleware (590) decompressed
    "aggregator.incremental.downloader.IncrementalDownloaderMiddleware": 540,
}

SPIDER_MIDDLEWARES = {
    # incremental crawling: which discovered URLs are requested at all, and the replay of the
    # links of those that are not, or came back unchanged (aggregator.incremental.spider);
    # after DepthMiddleware (900): what it yields is counted in depth like the spider's own
    "aggregator.incremental.spider.IncrementalSpiderMiddleware": 960,
}

ITEM_PIPELINES = {
    "aggregator.pipelines.validate.ValidatePipeline": 100,
    "aggregator.pipelines.urls.CanonicalUrlPipeline": 200,
    "aggregator.pipelines.normalize.TextPipeline": 300,
    "aggregator.pipelines.dates.DatesPipeline": 400,
    "aggregator.pipelines.normalize.AuthorsPipeline": 500,
    "aggregator.pipelines.normalize.HtmlPipeline": 600,
    "aggregator.pipelines.links.LinksPipeline": 700,
    # stores the article with its story (its copies from other sources), in one transaction
    "aggregator.pipelines.store.StorePipeline": 900,
}

#: an item that fails in a pipeline is logged by its URL, not its whole text
LOG_FORMATTER = "aggregator.logformatter.ConciseLogFormatter"

ADDONS = {
    # a fresh JOBDIR per crawl: Scrapy's disk queues hold the pending requests
    "aggregator.queues.DiskQueue": 0,
}

EXTENSIONS = {
    # the feeds rebuilt when the last crawler of the process closes (aggregator.publishing),
    # then each source's run written to the store (aggregator.runlog): the last run records
    # what the publish rejected, for `aggregator status`
    "aggregator.publishing.FeedPublisher": 150,
    "aggregator.runlog.RunRecorder": 200,
    # the crawler's one store connection, handed to every component (aggregator.crawlstore)
    "aggregator.crawlstore.CrawlStore": 100,
    # the crawl state of the crawler's source, shared by the incremental middlewares
    # (aggregator.incremental)
    "aggregator.incremental.CrawlState": 110,
    # a store that became unreachable stops the crawl with one line (aggregator.storehealth)
    "aggregator.storehealth.StoreHealth": 120,
    # every crawl error counted as aggregator/errors/<kind> (aggregator.crawlerrors)
    "aggregator.crawlerrors.CrawlErrors": 400,
    # per-run field coverage and the live progress line (aggregator.health, .progress)
    "aggregator.health.CoverageStats": 500,
    "aggregator.progress.ProgressLine": 510,
    # the objects made before the first request left out of garbage collection
    # (aggregator.gcfreeze; AGGREGATOR_GC_FREEZE)
    "aggregator.gcfreeze.FreezeStartup": 600,
}

FEED_EXPORTERS = {
    "rss": "aggregator.exporters.scrapy_feeds.RssItemExporter",
    "atom": "aggregator.exporters.scrapy_feeds.AtomItemExporter",
    "jsonfeed": "aggregator.exporters.scrapy_feeds.JsonFeedItemExporter",
}

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
