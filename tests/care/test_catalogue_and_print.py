"""The exercise cards anyone can read, and the printable sheet for the fridge."""

from pathlib import Path

import pytest

from webapp import ROOT
from webapp.care.catalogue import EXERCISES


def test_catalogue_shows_every_card_with_steps_and_cautions(client):
    page = client.get("/exercises").get_data(as_text=True)
    assert page.count('<article class="card exercise"') == 7
    assert "therapist's numbers always come first" in page
    assert "Never put the pack directly on the skin" in page


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.slug)
def test_each_card_has_a_drawing_steps_and_a_dose(client, exercise):
    assert (Path(ROOT) / "static" / exercise.illustration).is_file()
    assert exercise.steps and exercise.cautions and exercise.illustration_alt
    page = client.get(f"/exercises/{exercise.slug}").get_data(as_text=True)
    assert page.count("<li>") >= len(exercise.steps)
    assert "Common starting dose" in page
    svg = client.get(f"/static/{exercise.illustration}")
    assert svg.status_code == 200 and b"<title" in svg.data
    svg.close()


def test_unknown_card_is_not_found(client):
    assert client.get("/exercises/handstand").status_code == 404


def test_print_sheet_has_the_whole_plan_without_navigation(patient_client, patient):
    patient_client.post(f"/patients/{patient.id}/routine/items", data={"exercise": "cold-pack"})
    patient_client.post(
        f"/patients/{patient.id}/medications",
        data={"name": "Ibuprofen", "dose": "400 mg", "times_of_day": ["morning"]},
    )
    page = patient_client.get(f"/patients/{patient.id}/routine/print").get_data(as_text=True)
    assert "Cold pack on the front of the hip" in page
    assert "20 min · 4 times a day" in page
    assert "Ibuprofen" in page
    assert "Going up and down stairs" in page
    assert "not medical advice" in page
    assert "site-nav" not in page
    assert 'media="print"' not in page  # the sheet uses the print styles on screen too
