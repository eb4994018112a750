"""Configuration read from the environment, with safe defaults for a laptop."""

import os
from datetime import timedelta


class Config:
    """Base settings; every value can be overridden by an environment variable."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    #: None means "a SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: Failed log-ins, counted in the database (webapp/auth/throttle.py): one account from
    #: one address; one address across accounts; one account from everywhere.
    LOGIN_LIMIT_PER_ACCOUNT_AND_IP = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_AND_IP", "5 per 5 minutes"
    )
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 5 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "100 per hour")
    #: Requests per address for "forgot your password" and sign-up (flask-limiter strings);
    #: each account or address also gets at most 3 such emails an hour whatever the limits.
    PASSWORD_RESET_LIMIT_PER_IP = os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "30 per hour")
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get(
        "PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour"
    )
    SIGNUP_LIMIT_PER_IP = os.environ.get("SIGNUP_LIMIT_PER_IP", "50 per hour")
    SIGNUP_RESEND_LIMIT_PER_IP = os.environ.get("SIGNUP_RESEND_LIMIT_PER_IP", "10 per hour")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    #: "Keep me logged in" lasts as long as a remembered session may stay idle.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # a slow phone with a form open all morning still submits
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "America/New_York")
    #: How many proxies (load balancers) in front of the app set X-Forwarded-For/-Proto; the
    #: login throttle counts by the client's address, so behind a balancer set this to 1.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    #: Where links in emails point; the address people use to reach HomeStretch.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    #: Outgoing mail. With no SMTP_HOST, `flask worker` writes each email as a file under
    #: instance/mail/ instead of sending it.
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "HomeStretch <no-reply@homestretch.invalid>")
    #: Card payments through Stripe. With no secret key HomeStretch runs offline: visits say
    #: "pay the aide directly", there are no card pages and nothing calls Stripe.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    #: The signing secret of the webhook endpoint (POST /stripe/webhook).
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    #: Empty means Stripe itself; the tests point it at a local fake Stripe server.
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    #: The platform's share of each visit, and what a late cancellation by the patient costs
    #: (a share of one visit's price), in whole percent.
    PLATFORM_FEE_PERCENT = int(os.environ.get("PLATFORM_FEE_PERCENT", "10"))
    LATE_CANCEL_FEE_PERCENT = int(os.environ.get("LATE_CANCEL_FEE_PERCENT", "50"))
    #: One JSON line per request on stderr (webapp/request_log.py); REQUEST_LOG=0 turns it off.
    REQUEST_LOG = os.environ.get("REQUEST_LOG", "1") == "1"


class TestConfig(Config):
    """Settings for the test suite: fast hashing is not used; the database comes from the test."""

    TESTING = True
    REQUEST_LOG = False
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None
    #: Offline unless a test turns Stripe on (against the local fake server).
    STRIPE_SECRET_KEY = ""
    STRIPE_WEBHOOK_SECRET = ""
    STRIPE_API_BASE = ""
