"""A person keeps their name, phone and time zone up to date."""

import pytest

from tests.conftest import field_error
from webapp.auth.models import User


def test_profile_is_saved(patient_client, patient, store):
    response = patient_client.post(
        "/auth/profile",
        data={"display_name": "Rosa M.", "phone": "+1 (555) 123-4567", "timezone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    user = store.one(User, id=patient.id)
    assert (user.display_name, user.phone, user.timezone) == (
        "Rosa M.",
        "+1 (555) 123-4567",
        "Asia/Tokyo",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Not/AZone"}, "timezone"),
        ({"timezone": "asia/tokyo"}, "timezone"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "1" * 40}, "phone"),
        ({"display_name": "   "}, "display_name"),
    ],
)
def test_bad_profile_changes_nothing(patient_client, patient, store, changes, field):
    data = {"display_name": "Rosa M.", "phone": "", "timezone": "Asia/Tokyo", **changes}
    response = patient_client.post("/auth/profile", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)
    user = store.one(User, id=patient.id)
    assert (user.display_name, user.timezone) == ("Rosa Patient", "America/New_York")
