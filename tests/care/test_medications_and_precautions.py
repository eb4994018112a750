"""Medications and activities to avoid, as the patient keeps them."""

import pytest

from tests.conftest import field_error
from webapp.care.models import Medication, Precaution

MED = {
    "name": "Ibuprofen",
    "dose": "400 mg",
    "instructions": "With food.",
    "times_of_day": ["morning", "evening"],
}


def url(patient, suffix):
    return f"/patients/{patient.id}{suffix}"


def test_patient_adds_and_edits_a_medication(patient_client, patient, store):
    response = patient_client.post(url(patient, "/medications"), data=MED)
    assert response.status_code == 302
    medication = store.one(Medication, patient_id=patient.id)
    assert medication.time_names == ["Morning", "Evening"]
    patient_client.post(
        url(patient, f"/medications/{medication.id}"), data={**MED, "dose": "200 mg"}
    )
    assert store.one(Medication, id=medication.id).dose == "200 mg"
    page = patient_client.get(url(patient, "/routine")).get_data(as_text=True)
    assert "Ibuprofen" in page and "200 mg" in page and "With food." in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"dose": ""}, "dose"),
        ({"dose": "d" * 101}, "dose"),
        ({"instructions": "i" * 5001}, "instructions"),
        ({"times_of_day": []}, "times_of_day"),
        ({"times_of_day": ["noonish"]}, "times_of_day"),
    ],
)
def test_bad_medication_is_refused(patient_client, patient, store, changes, field):
    response = patient_client.post(url(patient, "/medications"), data={**MED, **changes})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)
    assert store.count(Medication) == 0


def test_removing_a_medication(patient_client, patient, store):
    patient_client.post(url(patient, "/medications"), data=MED)
    medication = store.one(Medication)
    patient_client.post(url(patient, f"/medications/{medication.id}/delete"), data={})
    assert store.count(Medication) == 0


def test_custom_activity_to_avoid(patient_client, patient, store):
    response = patient_client.post(
        url(patient, "/precautions"),
        data={"activity": "Carrying laundry baskets", "tip": "Bring the basket down for her."},
    )
    assert response.status_code == 302
    assert store.count(Precaution, patient_id=patient.id) == 6
    page = patient_client.get(url(patient, "/routine")).get_data(as_text=True)
    assert "Carrying laundry baskets" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"activity": "", "tip": ""}, "Name the activity"),
        ({"activity": "a" * 201, "tip": ""}, "under 200"),
        ({"activity": "RUNNING", "tip": ""}, "already on the list"),
        ({"activity": "Gardening", "tip": "t" * 1001}, None),
    ],
)
def test_bad_activity_is_refused(patient_client, patient, store, data, message):
    response = patient_client.post(url(patient, "/precautions"), data=data)
    assert response.status_code == 422
    if message:
        assert message in response.get_data(as_text=True)
    assert store.count(Precaution, patient_id=patient.id) == 5


def test_removed_standard_activity_can_be_put_back(patient_client, patient, store):
    stairs = store.one(Precaution, patient_id=patient.id, builtin_key="stairs")
    patient_client.post(url(patient, f"/precautions/{stairs.id}/delete"), data={})
    page = patient_client.get(url(patient, "/routine")).get_data(as_text=True)
    assert "+ Going up and down stairs" in page
    patient_client.post(url(patient, "/precautions/standard"), data={"key": "stairs"})
    patient_client.post(url(patient, "/precautions/standard"), data={"key": "stairs"})
    assert store.count(Precaution, patient_id=patient.id, builtin_key="stairs") == 1
    bogus = patient_client.post(url(patient, "/precautions/standard"), data={"key": "skydiving"})
    assert bogus.status_code == 422


def test_editing_an_activity_tip(patient_client, patient, store):
    stairs = store.one(Precaution, patient_id=patient.id, builtin_key="stairs")
    patient_client.post(
        url(patient, f"/precautions/{stairs.id}"),
        data={"activity": "Stairs", "tip": "She lives on one floor now."},
    )
    assert store.one(Precaution, id=stairs.id).tip == "She lives on one floor now."


def test_refused_forms_keep_what_was_typed_and_fresh_ones_stay_empty(patient_client, patient):
    """The empty add forms on the routine page look the same on every view; a refused one
    shows what was typed and its error, and the next view is empty again."""
    name = 'id="name" maxlength="200" name="name" required type="text" value="{}"'
    first = patient_client.get(url(patient, "/routine")).get_data(as_text=True)
    refused = patient_client.post(url(patient, "/medications"), data={**MED, "dose": ""}).get_data(
        as_text=True
    )
    assert name.format("Ibuprofen") in refused and field_error(refused, "dose")
    assert '<input checked class="check__input" id="times_of_day-0"' in refused
    refused_tip = patient_client.post(
        url(patient, "/precautions"), data={"activity": "", "tip": "Use the lift."}
    ).get_data(as_text=True)
    assert field_error(refused_tip, "activity") and "Use the lift.</textarea>" in refused_tip
    again = patient_client.get(url(patient, "/routine")).get_data(as_text=True)
    for page in (first, again):
        assert name.format("") in page and 'for="times_of_day-4">Bedtime</label>' in page
        assert "<input checked" not in page and "Use the lift." not in page
        assert field_error(page, "dose") is None and field_error(page, "activity") is None


def test_the_routine_page_lists_each_part_of_the_plan_once_in_its_order(
    patient_client, patient, make_user
):
    """The plan is read in one statement: each medication and activity comes once, in its
    order, an empty list stays empty, and another patient's plan never joins in."""
    other = make_user("patient")
    for name in ("Zinc", "Aspirin", "Melatonin"):
        patient_client.post(url(patient, "/medications"), data={**MED, "name": name})
    assert patient_client.get(url(patient, "/routine")).status_code == 200
    from webapp.care.services import care_plan
    from webapp.extensions import db

    with patient_client.application.app_context():
        mine = care_plan(db.session.get(type(patient), patient.id))
        theirs = care_plan(db.session.get(type(other), other.id))
    assert [m.name for m in mine.medications] == ["Aspirin", "Melatonin", "Zinc"]
    assert len(mine.precautions) == len({p.id for p in mine.precautions}) > 0
    assert theirs.medications == [] and theirs.items == []
    assert [p.id for p in mine.precautions] == sorted(p.id for p in mine.precautions)
    assert {p.patient_id for p in mine.precautions} == {patient.id}
