"""gunicorn settings for HomeStretch: `gunicorn wsgi:app` picks this file up by itself.

Every value can be set from the environment, so the same image runs on any machine.
App servers keep no state of their own (sessions, throttles and bookings live in the
database), so any number of them can run behind a load balancer.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
#: Two per core plus one is gunicorn's usual start; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
#: Recycle workers now and then so slow leaks never pile up.
max_requests = 2000
max_requests_jitter = 200
#: Each request is logged by the app as one JSON line (webapp/request_log.py); gunicorn's own
#: access log would repeat it, so only errors are logged here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
#: Trust X-Forwarded-* only from the load balancer (set PROXY_FIX_HOPS for the app too).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
#: Not preloaded: each worker opens its own database connections after the fork.
preload_app = False


def post_worker_init(worker):
    """Once a worker has loaded HomeStretch, hide what loading made (modules, templates, the
    schema: about 150,000 objects) from the garbage collector. Its full collections otherwise
    walk them all, stalling a request for about 60 ms every few hundred pages.

    A page builds and drops some thousands of short-lived objects (rows, ORM state, template
    pieces), so young collections are made rarer too: a few per page at Python's default of
    700 allocations, a few percent of a page's time."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
