"""Domain errors raised by services, and the one place that turns errors into responses."""

from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the product was broken; the message is shown to the user as it is."""

    status_code = 409
    title = "That could not be done"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""

    status_code = 404
    title = "We could not find that page"


class NotAllowed(DomainError):
    """The user is known to be allowed to see the thing but not to do this to it."""

    status_code = 403
    title = "Not allowed"


class Conflict(DomainError):
    """The request clashes with the current state (already taken, already done)."""

    status_code = 409
    title = "That could not be done"


class AlreadyDone(Conflict):
    """The same action arrived twice (a double tap, a second tab); the first one counted.
    Routes answer it by going back to the thing with the message, not with an error page.
    """


class InvalidInput(DomainError):
    """Input that passed the form but breaks a rule only the service can check."""

    status_code = 422
    title = "Please check your input"


_TITLES = {
    400: "We could not read that",
    403: "Not allowed",
    404: "We could not find that page",
    405: "That does not work here",
    409: "That could not be done",
    413: "That was too large",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message: str, title: str | None = None):
    """Render an error as JSON for API callers and as a page for people."""
    title = title or _TITLES.get(status, "Error")
    if _wants_json():
        return jsonify(error=title, message=message), status
    page = render_template(
        "errors/error.html", status=status, title=title, message=message, back=_back_link()
    )
    return page, status


def _back_link() -> str | None:
    """The page the person came from, when it is one of ours and not this very address (so
    "Go back" after a refused button press returns to the page with the button)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if request.method == "GET" and path == request.path:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        from webapp.extensions import db

        db.session.rollback()
        return error_response(error.status_code, error.message, error.title)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        return error_response(
            429,
            "Too many attempts in a short time. Please wait a few minutes and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        messages = {
            404: "We could not find that page.",
            405: "That action is not available here.",
            413: "That upload is too large.",
        }
        message = messages.get(error.code, error.description)
        if error.code == 400 and "CSRF" in (error.description or ""):
            message = (
                "Your form expired or came from somewhere else. Please go back, reload the page "
                "and try again."
            )
        return error_response(error.code or 500, message)

    @app.errorhandler(500)
    def _server_error(error):
        from webapp.extensions import db

        db.session.rollback()
        return error_response(500, "Something went wrong on our side. Nothing was saved.")
