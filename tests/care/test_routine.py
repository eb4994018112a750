"""A patient builds the routine their physical therapist gave them."""

import pytest

from tests.conftest import field_error
from webapp.care.catalogue import SLUGS
from webapp.care.models import RoutineItem

DOSE = {
    "sets": "",
    "reps": "3",
    "hold_seconds": "30",
    "minutes": "",
    "times_per_day": "2",
    "weekdays": ["Mon", "Wed", "Fri"],
    "times_of_day": ["morning", "evening"],
    "needs_helper": "y",
    "notes": "Gentle on the left side.",
}


def routine_url(patient, suffix=""):
    return f"/patients/{patient.id}/routine{suffix}"


def add(client, patient, slug):
    return client.post(routine_url(patient, "/items"), data={"exercise": slug})


def test_routine_offers_all_seven_catalogue_cards(patient_client, patient):
    page = patient_client.get(routine_url(patient)).get_data(as_text=True)
    for name in (
        "Thomas stretch",
        "Runner&#39;s lunge stretch",
        "Straight-leg raise",
        "Standing resisted march",
        "Psoas march with a band",
        "Cold pack on the front of the hip",
        "Tennis-ball self-massage",
    ):
        assert name in page
    assert "it is not medical advice" in page


def test_adding_an_exercise_brings_its_default_dose(patient_client, patient, store):
    response = add(patient_client, patient, "thomas-stretch")
    assert response.status_code == 302
    item = store.one(RoutineItem, patient_id=patient.id)
    assert response.headers["Location"].endswith(f"/routine/items/{item.id}")
    assert (item.reps, item.hold_seconds, item.times_per_day) == (3, 30, 2)
    page = patient_client.get(routine_url(patient)).get_data(as_text=True)
    assert "3 times each side · hold 30 s · twice a day" in page


def test_adding_the_same_exercise_twice_keeps_one(patient_client, patient, store):
    add(patient_client, patient, "cold-pack")
    response = add(patient_client, patient, "cold-pack")
    assert response.status_code == 302
    assert store.count(RoutineItem, patient_id=patient.id) == 1
    page = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already in your routine" in page


@pytest.mark.parametrize("slug", ["", "yoga", "thomas-stretch'; DROP TABLE routine_item;--"])
def test_adding_an_unknown_exercise_is_refused(patient_client, patient, store, slug):
    response = add(patient_client, patient, slug)
    assert response.status_code == 422
    assert store.count(RoutineItem) == 0


def test_patient_sets_their_therapists_numbers(patient_client, patient, store):
    add(patient_client, patient, "runners-lunge")
    item = store.one(RoutineItem, patient_id=patient.id)
    response = patient_client.post(routine_url(patient, f"/items/{item.id}"), data=DOSE)
    assert response.status_code == 302
    item = store.one(RoutineItem, id=item.id)
    assert item.weekday_names == ["Mon", "Wed", "Fri"]
    assert item.time_names == ["Morning", "Evening"]
    assert item.needs_helper is True
    page = patient_client.get(routine_url(patient)).get_data(as_text=True)
    assert "Mon, Wed, Fri · Morning, Evening" in page
    assert "Needs a helper" in page
    assert "Gentle on the left side." in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reps": "0"}, "reps", "from 1 to 50"),
        ({"reps": "10000"}, "reps", "from 1 to 50"),
        ({"reps": "-3"}, "reps", "from 1 to 50"),
        ({"reps": "ten"}, "reps", "whole number"),
        ({"reps": "\u0663"}, "reps", "digits 0-9"),
        ({"reps": "1_0"}, "reps", "digits 0-9"),
        ({"reps": "99999999999999999999999"}, "reps", "from 1 to 50"),
        ({"hold_seconds": "4"}, "hold_seconds", "from 5 to 600"),
        ({"sets": "11"}, "sets", "from 1 to 10"),
        ({"minutes": "61"}, "minutes", "from 1 to 60"),
        ({"times_per_day": "0"}, "times_per_day", "from 1 to 12"),
        ({"times_per_day": ""}, "times_per_day", "how many times a day"),
        ({"weekdays": []}, "weekdays", "at least one day"),
        ({"weekdays": ["Mon", "Funday"]}, "weekdays", "Pick from the choices"),
        ({"times_of_day": ["midnight"]}, "times_of_day", "Pick from the choices"),
        ({"notes": "x" * 5001}, "notes", "under 5000"),
        ({"reps": "", "hold_seconds": ""}, "reps", "at least one of"),
    ],
)
def test_bad_doses_are_refused_and_nothing_changes(
    patient_client, patient, store, changes, field, message
):
    add(patient_client, patient, "thomas-stretch")
    item = store.one(RoutineItem, patient_id=patient.id)
    response = patient_client.post(
        routine_url(patient, f"/items/{item.id}"), data={**DOSE, **changes}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = field_error(html, field)
    assert error is not None and message in error, html
    after = store.one(RoutineItem, id=item.id)
    assert (after.reps, after.hold_seconds, after.weekdays, after.notes) == (3, 30, 127, None)


def test_notes_with_html_are_shown_escaped(patient_client, patient, store):
    add(patient_client, patient, "cold-pack")
    item = store.one(RoutineItem, patient_id=patient.id)
    patient_client.post(
        routine_url(patient, f"/items/{item.id}"),
        data={
            **DOSE,
            "reps": "",
            "hold_seconds": "",
            "minutes": "15",
            "notes": "<img src=x onerror=alert(1)>",
        },
    )
    page = patient_client.get(routine_url(patient)).get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_removing_an_exercise(patient_client, patient, store):
    add(patient_client, patient, "straight-leg-raise")
    item = store.one(RoutineItem, patient_id=patient.id)
    response = patient_client.post(routine_url(patient, f"/items/{item.id}/delete"), data={})
    assert response.status_code == 302
    assert store.count(RoutineItem) == 0


def test_full_hip_routine_in_catalogue_order(patient_client, patient, store):
    for slug in reversed(SLUGS):
        add(patient_client, patient, slug)
    page = patient_client.get(routine_url(patient)).get_data(as_text=True)
    names = [item.exercise.name for item in store.all(RoutineItem, patient_id=patient.id)]
    assert len(names) == 7
    first = page.index("Thomas stretch</h3>")
    last = page.index("Tennis-ball self-massage</h3>")
    assert first < last
    assert "Add an exercise" not in page  # nothing left to add


def test_my_routine_shortcut(patient_client, patient, aide_client):
    assert patient_client.get("/routine").headers["Location"].endswith(routine_url(patient))
    assert aide_client.get("/routine").status_code == 404
