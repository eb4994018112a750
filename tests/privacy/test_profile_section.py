"""The "Your data" part of the profile page."""

from datetime import UTC, datetime

from flask import render_template

from webapp.auth.models import User
from webapp.extensions import db


def section(app, user_id: int) -> str:
    with app.test_request_context("/auth/profile"):
        person = db.session.get(User, user_id)
        return render_template("privacy/_profile_section.html", current_user=person)


def test_a_patient_sees_what_is_stored_when_they_consented_and_both_links(app, patient):
    with app.app_context():
        db.session.get(User, patient.id).health_data_consent_at = datetime(
            2026, 3, 9, 14, 0, tzinfo=UTC
        )
        db.session.commit()
    html = section(app, patient.id)
    assert "Your data" in html and "your care plan" in html
    assert "You agreed that HomeStretch may store your health data on" in html
    assert "Mon 9 Mar 2026, 10:00 EDT" in html  # in Rosa's own time zone
    assert 'href="/account/export"' in html and 'href="/account/delete"' in html


def test_an_aide_without_consent_sees_no_consent_line(app, aide):
    html = section(app, aide.id)
    assert "your aide profile" in html
    assert "You agreed" not in html
    assert 'href="/account/export"' in html


def test_the_profile_page_carries_the_section(patient_client):
    html = patient_client.get("/auth/profile").get_data(as_text=True)
    assert 'id="your-data-title">Your data</h2>' in html
    assert 'href="/account/export"' in html and 'href="/account/delete"' in html
