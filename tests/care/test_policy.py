"""Only the patient sees and edits their own care plan; everyone else gets 404."""

import pytest

from webapp.care.models import Medication, Precaution, RoutineItem


@pytest.fixture
def other_plan(app, make_user, login, store):
    """Another patient with one exercise, one medication and the standard precautions."""
    other = make_user("patient", name="Other Patient")
    client = login(app.test_client(), other)
    client.post(f"/patients/{other.id}/routine/items", data={"exercise": "cold-pack"})
    client.post(
        f"/patients/{other.id}/medications",
        data={"name": "Secret med", "dose": "1", "times_of_day": ["morning"]},
    )
    return {
        "patient": other,
        "item": store.one(RoutineItem, patient_id=other.id),
        "medication": store.one(Medication, patient_id=other.id),
        "precaution": store.all(Precaution, patient_id=other.id)[0],
    }


def urls(plan):
    pid = plan["patient"].id
    return [
        ("get", f"/patients/{pid}/routine"),
        ("get", f"/patients/{pid}/routine/print"),
        ("get", f"/patients/{pid}/routine/items/{plan['item'].id}"),
        ("post", f"/patients/{pid}/routine/items/{plan['item'].id}"),
        ("post", f"/patients/{pid}/routine/items/{plan['item'].id}/delete"),
        ("post", f"/patients/{pid}/routine/items"),
        ("post", f"/patients/{pid}/medications"),
        ("get", f"/patients/{pid}/medications/{plan['medication'].id}"),
        ("post", f"/patients/{pid}/medications/{plan['medication'].id}/delete"),
        ("post", f"/patients/{pid}/precautions"),
        ("post", f"/patients/{pid}/precautions/standard"),
        ("get", f"/patients/{pid}/precautions/{plan['precaution'].id}"),
        ("post", f"/patients/{pid}/precautions/{plan['precaution'].id}/delete"),
    ]


@pytest.mark.parametrize("who", ["patient_client", "aide_client", "family_client"])
def test_someone_elses_care_plan_is_not_found(request, other_plan, store, who):
    client = request.getfixturevalue(who)
    for method, url in urls(other_plan):
        response = getattr(client, method)(url, data={"exercise": "thomas-stretch"})
        assert response.status_code == 404, (method, url)
        assert "Secret med" not in response.get_data(as_text=True)
    other = other_plan["patient"].id
    assert store.count(RoutineItem) == 1
    assert store.count(Medication) == 1
    assert store.count(Precaution, patient_id=other) == 5


def test_logged_out_visitors_are_sent_to_login(client, other_plan):
    for method, url in urls(other_plan):
        response = getattr(client, method)(url, data={})
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


def test_own_items_under_another_patients_url_are_not_found(patient_client, patient, other_plan):
    """Mixing my patient id with someone else's item id does not reach their item."""
    item = other_plan["item"]
    response = patient_client.get(f"/patients/{patient.id}/routine/items/{item.id}")
    assert response.status_code == 404


def test_unknown_patient_is_not_found(patient_client):
    assert patient_client.get("/patients/999999/routine").status_code == 404
