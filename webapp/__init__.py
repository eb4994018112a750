"""HomeStretch: home exercise and medication help, booked aides and family on one calendar."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from webapp.config import Config
from webapp.request_log import init_request_log

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    """Build the HomeStretch application."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _fill_local_defaults(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    init_request_log(app)
    register_input_checks(app)
    register_extensions(app)
    register_write_lock(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_security_headers(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs: only ids a database integer can hold; anything else is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2_147_483_647)
        super().__init__(url_map, *args, **kwargs)


def _fill_local_defaults(app: Flask) -> None:
    """Default to a SQLite file and a persisted secret key in `instance/` when not configured."""
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = Path(app.instance_path) / "homestretch.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        os.makedirs(app.instance_path, exist_ok=True)
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from webapp import database
    from webapp.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"


def register_input_checks(app: Flask) -> None:
    """Refuse garbled bytes and NUL characters in any query string or form, before anything runs
    (registered before the CSRF check, which would otherwise call them an expired form)."""
    from flask import request

    from webapp.errors import error_response
    from webapp.forms import input_problem

    @app.before_request
    def _refuse_unreadable_input():
        problem = input_problem(request)
        if problem is not None:
            return error_response(400, problem)


def register_write_lock(app: Flask) -> None:
    """A request that writes takes the write lock before it loads anything (see begin_write);
    one that only read ends with COMMIT (see end_read)."""
    from flask import request

    from webapp.database import begin_write, commit_asides, end_read, takes_write_lock_up_front
    from webapp.extensions import db

    @app.before_request
    def _begin_write():
        if takes_write_lock_up_front(request.method, request.endpoint):
            begin_write(db.session)

    # Before the response goes out: a page is never sent when its audit row was not written.
    @app.after_request
    def _commit_asides(response):
        if db.session.registry.has():
            commit_asides(db.session())
        return response

    # Requests only (not the worker's or a shell's app context); runs before the session is
    # removed at the end of the app context.
    @app.teardown_request
    def _end_read(error):
        if error is None and db.session.registry.has():
            end_read(db.session())


def register_blueprints(app: Flask) -> None:
    """Mount each domain area's blueprint."""
    from webapp.auth import bp as auth_bp
    from webapp.calendar import bp as calendar_bp
    from webapp.care import bp as care_bp
    from webapp.circle import bp as circle_bp
    from webapp.coverage import bp as coverage_bp
    from webapp.homelog import bp as homelog_bp
    from webapp.main import bp as main_bp
    from webapp.marketplace import bp as marketplace_bp
    from webapp.notifications import bp as notifications_bp
    from webapp.payments import bp as payments_bp
    from webapp.privacy import bp as privacy_bp
    from webapp.scheduling import bp as scheduling_bp
    from webapp.visits import bp as visits_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(care_bp)
    app.register_blueprint(circle_bp)
    app.register_blueprint(coverage_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(homelog_bp)
    app.register_blueprint(marketplace_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(scheduling_bp)
    app.register_blueprint(visits_bp)


def register_errorhandlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to pages (or JSON for API callers)."""
    from webapp import errors

    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    """Make the access policy and a few formatters available in templates."""
    from webapp import policy
    from webapp.main import template_helpers

    app.jinja_env.globals["policy"] = policy
    template_helpers.register(app)


def register_security_headers(app: Flask) -> None:
    """Headers that keep pages out of frames and caches, scripts to our own origin, and (behind
    HTTPS) browsers on HTTPS."""
    from urllib.parse import urlsplit

    from flask import request
    from flask_login import current_user

    def content_policy() -> str:
        # "Save a card" and "Set up payouts" are forms whose answer sends the browser on to
        # Stripe's hosted pages; form-action must allow those origins or the browser stops.
        form_action = ["'self'"]
        if app.config.get("STRIPE_SECRET_KEY"):
            form_action += ["https://checkout.stripe.com", "https://connect.stripe.com"]
            if app.config.get("STRIPE_API_BASE"):
                base = urlsplit(app.config["STRIPE_API_BASE"])
                form_action.append(f"{base.scheme}://{base.netloc}")
        return (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-ancestors 'none'; form-action {' '.join(form_action)}; base-uri 'self'"
        )

    @app.after_request
    def _headers(response):
        # Any page a logged-in person sees may show health or payment data: never store it.
        if request.endpoint != "static" and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_policy())
        return response


def register_commands(app: Flask) -> None:
    """Add the `flask` CLI commands."""
    from webapp.auth.cli import users_cli
    from webapp.demo import seed_demo_command
    from webapp.notifications.cli import worker_command

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(worker_command)
