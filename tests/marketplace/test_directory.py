"""Patients browse verified aides by what they help with and where they travel."""

import re

import pytest
from sqlalchemy import event

from tests.marketplace.test_reviews import add_review, add_visit
from webapp.auth.models import User
from webapp.database import utcnow
from webapp.extensions import db
from webapp.marketplace.models import AideProfile, skill_bit


def names_on(page: str) -> list[str]:
    """The aides' names in the order the directory lists them."""
    return re.findall(r'<h2><a href="/aides/\d+">(.*?)</a></h2>', page)


def add_aides(app, count: int, *, start: int = 0, area: str = "Springfield") -> None:
    """Many verified aides stored directly (signing each up would hash a password each time)."""
    with app.app_context():
        for number in range(start, start + count):
            aide = User(
                email=f"bulk{number}@example.com",
                password_hash="!",  # matches no password: these aides never log in
                role="aide",
                display_name=f"Bulk Aide {number:03d}",
                timezone="America/New_York",
            )
            db.session.add(aide)
            db.session.flush()
            db.session.add(
                AideProfile(
                    user_id=aide.id,
                    skills=skill_bit("stretching") | skill_bit("mobility"),
                    hourly_rate_cents=2000 + number,
                    currency="USD",
                    service_area=area,
                    languages="English",
                    verified_at=utcnow(),
                )
            )
        db.session.commit()


def test_only_verified_aides_are_listed_with_what_patients_need(
    app, make_aide, patient, patient_client
):
    vera = make_aide("Vera Verified", rate_cents=2850, area="Springfield 12345, Shelbyville")
    make_aide("Walter Waiting", verified=False)
    add_review(app, patient, vera, 5)
    add_review(app, patient, vera, 4)
    add_visit(app, patient, vera, status="booked", days_ago=-1)
    page = patient_client.get("/aides").get_data(as_text=True)
    assert names_on(page) == ["Vera Verified"]
    assert "1 aide." in page
    assert "$28.50/h" in page
    assert "Springfield 12345, Shelbyville" in page
    assert "Stretching assistance" in page and "Medication reminders" in page
    assert "4.5 out of 5 from 2 reviews" in page
    assert "2 completed visits" in page


def test_best_rated_first_then_by_name(app, make_aide, patient, patient_client):
    aides = {name: make_aide(name) for name in ("zoe", "Yusuf", "Xavier", "Anna", "Bea")}
    add_review(app, patient, aides["zoe"], 5)
    add_review(app, patient, aides["Yusuf"], 5)
    add_review(app, patient, aides["Yusuf"], 4)
    add_review(app, patient, aides["Xavier"], 5)
    add_review(app, patient, aides["Xavier"], 4)
    add_review(app, patient, aides["Bea"], 1)
    page = patient_client.get("/aides").get_data(as_text=True)
    assert names_on(page) == ["zoe", "Xavier", "Yusuf", "Bea", "Anna"]


def test_filter_by_skill(make_aide, patient_client):
    make_aide("Stella Stretch", skills=skill_bit("stretching"))
    make_aide("Mo Meds", skills=skill_bit("medication") | skill_bit("cold_therapy"))
    page = patient_client.get("/aides?skill=medication").get_data(as_text=True)
    assert names_on(page) == ["Mo Meds"]
    page = patient_client.get("/aides?skill=stretching").get_data(as_text=True)
    assert names_on(page) == ["Stella Stretch"]
    assert names_on(patient_client.get("/aides?skill=").get_data(as_text=True)) == [
        "Mo Meds",
        "Stella Stretch",
    ]


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("somerville", ["Cam Cambridge"]),
        ("SOMERVILLE", ["Cam Cambridge"]),
        ("0213", ["Cam Cambridge", "Nora North"]),
        ("medford", []),
        ("%", ["Perry Percent"]),
        ("_", []),
        ("", ["Cam Cambridge", "Nora North", "Perry Percent"]),
    ],
)
def test_filter_by_area_ignores_letter_case(make_aide, patient_client, area, expected):
    make_aide("Cam Cambridge", area="02139, Somerville, Cambridge")
    make_aide("Nora North", area="02138 north side")
    make_aide("Perry Percent", area="Town with a 100% walk score")
    page = patient_client.get("/aides", query_string={"area": area}).get_data(as_text=True)
    assert names_on(page) == expected
    if not expected:
        assert "No verified aides match." in page


def test_filters_combine(make_aide, patient_client):
    make_aide("Stella Stretch", skills=skill_bit("stretching"), area="Somerville")
    make_aide("Mo Meds", skills=skill_bit("medication"), area="Somerville")
    make_aide("Far Stretch", skills=skill_bit("stretching"), area="Boston")
    page = patient_client.get("/aides?skill=stretching&area=somer").get_data(as_text=True)
    assert names_on(page) == ["Stella Stretch"]


def test_the_filter_shows_what_was_chosen_and_is_empty_again_unfiltered(make_aide, patient_client):
    make_aide("Stella Stretch", skills=skill_bit("stretching"), area="Somerville")
    unfiltered = patient_client.get("/aides").get_data(as_text=True)
    chosen = patient_client.get("/aides?skill=stretching&area=Somer").get_data(as_text=True)
    assert '<option selected value="stretching">' in chosen
    assert 'name="area" type="text" value="Somer">' in chosen
    assert "<summary>Filter (on)</summary>" in chosen
    again = patient_client.get("/aides?page=1").get_data(as_text=True)
    for page in (unfiltered, again):
        assert '<option selected value="">Anything</option>' in page
        assert 'name="area" type="text" value="">' in page and "Somer<" not in page
        assert page.count("selected") == 1 and "<summary>Filter</summary>" in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("skill=yoga", "skill"),
        ("area=" + "x" * 201, "area"),
    ],
)
def test_bad_filters_are_explained(make_aide, patient_client, query, field):
    make_aide("Vera Verified")
    response = patient_client.get(f"/aides?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error"', html), html
    assert names_on(html) == []


def test_twenty_aides_a_page_and_the_filters_follow_the_pages(app, patient_client):
    add_aides(app, 25, area="Springfield")
    add_aides(app, 3, start=100, area="Shelbyville")
    first = patient_client.get("/aides?area=springfield").get_data(as_text=True)
    assert names_on(first) == [f"Bulk Aide {n:03d}" for n in range(20)]
    assert "25 aides, page 1 of 2." in first
    assert 'href="/aides?page=2&amp;area=springfield"' in first
    second = patient_client.get("/aides?area=springfield&page=2").get_data(as_text=True)
    assert names_on(second) == [f"Bulk Aide {n:03d}" for n in range(20, 25)]
    assert 'href="/aides?page=1&amp;area=springfield"' in second
    beyond = patient_client.get("/aides?area=springfield&page=99").get_data(as_text=True)
    assert names_on(beyond) == names_on(second)  # the last page rather than an empty one
    for page in ("0", "-3", "abc"):
        response = patient_client.get(f"/aides?area=springfield&page={page}")
        assert names_on(response.get_data(as_text=True)) == names_on(first), page


def count_statements(app, client, url: str) -> int:
    """How many SQL statements one page load sends to the database."""
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)  # outside that context: the request gets its own, as live
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements)


def test_the_directory_costs_the_same_queries_for_3_or_30_aides(app, patient, patient_client):
    add_aides(app, 3)
    with app.app_context():
        aides = list(db.session.scalars(db.select(User).where(User.role == "aide")))
        db.session.expunge_all()
    for aide in aides:
        add_review(app, patient, aide, 4, "Kind and careful.")
        add_visit(app, patient, aide)
    with_3 = count_statements(app, patient_client, "/aides?skill=stretching")
    page = patient_client.get("/aides?skill=stretching").get_data(as_text=True)
    assert len(names_on(page)) == 3 and "2 completed visits" in page

    add_aides(app, 27, start=3)
    with_30 = count_statements(app, patient_client, "/aides?skill=stretching")
    page = patient_client.get("/aides?skill=stretching").get_data(as_text=True)
    assert len(names_on(page)) == 20 and "30 aides, page 1 of 2." in page
    assert with_30 == with_3


@pytest.mark.parametrize("viewer", ["patient_client", "family_client", "aide_client"])
def test_anyone_signed_in_may_browse(request, make_aide, viewer):
    make_aide("Vera Verified")
    client = request.getfixturevalue(viewer)
    assert names_on(client.get("/aides").get_data(as_text=True)) == ["Vera Verified"]


def test_logged_out_visitors_are_sent_to_login(client):
    response = client.get("/aides")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
