"""One JSON line per request, for log collectors when several app servers run.

Each line has the time, a request id (taken from a well-formed `X-Request-ID` header set by a
load balancer, else made here, and sent back in the response), the method, the route pattern
(`/visits/<int:visit_id>`, never the path: paths can carry invitation, reset and feed tokens),
the status, the duration in milliseconds and the user id. Never query strings, form fields,
cookies, passwords, tokens, card data or health values.
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, request

log = logging.getLogger("homestretch.requests")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def init_request_log(app: Flask) -> None:
    """Log each request as JSON on stderr when REQUEST_LOG is on."""
    if not app.config.get("REQUEST_LOG"):
        return
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        if started is None:
            return response
        response.headers["X-Request-ID"] = g.request_id
        log.info(json.dumps(line_for(response.status_code, started)))
        return response


def line_for(status: int, started: float) -> dict:
    """The fields of one request's log line."""
    from flask_login import current_user

    user = getattr(current_user, "id", None) if current_user else None
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": g.request_id,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "endpoint": request.endpoint,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "user_id": user,
    }
