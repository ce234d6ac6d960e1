"""``aggregator serve``: the feeds folder as a small, read-only, cache-friendly HTTP server.

- :mod:`aggregator.serve.paths` maps a request target to a file inside the folder, or refuses it;
- :mod:`aggregator.serve.caching` computes validators (ETag, Last-Modified), evaluates
  conditional requests and keeps gzip variants;
- :mod:`aggregator.serve.server` is the ``ThreadingHTTPServer`` and its GET/HEAD handler;
- :mod:`aggregator.serve.crawl_timer` optionally runs ``aggregator crawl`` on a timer.
"""
