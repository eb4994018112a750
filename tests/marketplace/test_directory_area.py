"""A patient sees first the aides who cover their town or postal code, and is told plainly
when nobody does."""

import re

from tests.marketplace.test_directory import names_on
from tests.marketplace.test_reviews import add_review


def notice(page: str) -> str:
    """The words under the count: who covers the patient's area."""
    match = re.search(r'role="status">.*?</p>(.*?)<ul class="plain-list">', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def test_aides_covering_the_patients_area_come_first(
    app, make_aide, patient, patient_client, post_request
):
    post_request(patient, city="Springfield", postal_code="12345")
    away = make_aide("Anna Away", area="Shelbyville, 99999")
    make_aide("Zed Local", area="springfield")
    make_aide("Bea Postcode", area="12344, 12345")
    add_review(app, patient, away, 5)  # the best rated, but from another town
    page = patient_client.get("/aides").get_data(as_text=True)
    assert names_on(page) == ["Bea Postcode", "Zed Local", "Anna Away"]
    assert notice(page) == "2 of them cover your area, Springfield 12345: listed first."
    assert page.count("Covers your area") == 2
    assert page.count("Does not list your area") == 1
    assert "nobody-covers" not in page


def test_the_patient_is_told_when_nobody_covers_their_area(
    make_aide, patient, patient_client, post_request
):
    post_request(patient, city="Chatham", postal_code="62629")
    make_aide("Anna Away", area="Shelbyville, 99999")
    make_aide("Olga Other", area="Springfield 12345")
    page = patient_client.get("/aides").get_data(as_text=True)
    assert names_on(page) == ["Anna Away", "Olga Other"]  # still listed, best rated first
    assert notice(page).startswith("Nobody listed here covers your area, Chatham 62629, yet.")
    assert "Covers your area" not in page


def test_the_area_order_holds_with_filters_and_across_pages(
    make_aide, patient, patient_client, post_request
):
    post_request(patient, city="Springfield", postal_code="12345")
    make_aide("Anna Away", area="Shelbyville", skills=0b1)
    make_aide("Zed Local", area="Springfield", skills=0b1)
    make_aide("Yan Local", area="Springfield", skills=0b10)
    page = patient_client.get("/aides?skill=stretching").get_data(as_text=True)
    assert names_on(page) == ["Zed Local", "Anna Away"]
    assert notice(page).startswith("1 of them covers your area")


def test_without_an_address_the_patient_learns_how_to_get_nearby_aides_first(
    make_aide, patient_client
):
    make_aide("Anna Away", area="Shelbyville")
    page = patient_client.get("/aides").get_data(as_text=True)
    assert "listed first once you have given your address" in notice(page)
    assert "Covers your area" not in page and "Does not list your area" not in page


def test_others_see_the_plain_directory(make_aide, patient, post_request, family_client):
    post_request(patient, city="Springfield", postal_code="12345")
    make_aide("Anna Away", area="Shelbyville")
    page = family_client.get("/aides").get_data(as_text=True)
    assert names_on(page) == ["Anna Away"]
    assert notice(page) == ""
