"""Fixtures for the care circle: an invitation link made through the page, as a patient would."""

import re

import pytest


@pytest.fixture
def invite(patient):
    """invite(patient_client, email, role="coordinator") -> the one-time link's path."""

    def make(patient_client, email, role="coordinator"):
        response = patient_client.post(
            f"/patients/{patient.id}/circle", data={"email": email, "role": role}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        match = re.search(r'value="http://localhost(/circle/join/[^"]+)"', response.text)
        assert match, "the invitation link is shown once after inviting"
        return match.group(1)

    return make
