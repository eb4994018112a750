"""What operators rely on: the health check and one JSON log line per request."""

import json
import logging

import pytest

from webapp import create_app
from webapp.config import TestConfig


def test_health_check_is_json_and_says_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_fails_with_503_when_the_database_is_gone(tmp_path):
    missing = tmp_path / "no-such-folder" / "homestretch.db"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}


@pytest.fixture
def logged_app(database_url, _schema):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url, "REQUEST_LOG": True})
    yield app
    with app.app_context():
        from webapp.extensions import db

        db.engine.dispose()


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_each_request_is_one_json_line_without_tokens_or_secrets(logged_app):
    client = logged_app.test_client()
    logger = logging.getLogger("homestretch.requests")
    collected = _Lines()
    logger.addHandler(collected)
    try:
        client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
        response = client.get("/circle/join/secret-token-abc?email=a@b.c")
        client.post(
            "/auth/login", data={"email": "rosa@example.com", "password": "hunter2-hunter2"}
        )
    finally:
        logger.removeHandler(collected)
    lines = [json.loads(line) for line in collected.lines]
    assert len(lines) == 3
    first, join, login = lines
    assert first["request_id"] == "lb-1234abcd" and first["status"] == 200
    assert first["route"] == "/healthz" and first["method"] == "GET"
    assert isinstance(first["duration_ms"], float) and first["user_id"] is None
    assert join["route"] == "/circle/join/<token>"
    assert response.headers["X-Request-ID"] == join["request_id"]
    assert len(join["request_id"]) == 16  # made here when none was given
    logged = "\n".join(collected.lines)
    for secret in ("secret-token-abc", "a@b.c", "hunter2", "rosa@example.com"):
        assert secret not in logged
    assert login["method"] == "POST"
