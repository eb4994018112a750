"""The forms that send a person on to Stripe's hosted pages may do so; nothing else may."""

from webapp import create_app
from webapp.config import TestConfig


def test_stripe_mode_allows_stripe_hosted_pages_as_form_targets(app, client, fake_stripe):
    policy = client.get("/").headers["Content-Security-Policy"]
    form_action = next(p for p in policy.split("; ") if p.startswith("form-action"))
    assert "https://checkout.stripe.com" in form_action
    assert "https://connect.stripe.com" in form_action
    assert fake_stripe.url.rstrip("/") in form_action  # the tests' stand-in for Stripe


def test_offline_mode_keeps_forms_to_our_own_pages(database_url, _schema):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    offline = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url})
    policy = offline.test_client().get("/").headers["Content-Security-Policy"]
    assert "form-action 'self';" in policy
