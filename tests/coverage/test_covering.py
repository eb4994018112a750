"""Covering a window with one tap, giving it back, and refusals that change nothing."""

from datetime import timedelta

from tests.coverage.conftest import next_monday
from webapp.circle.models import CircleMember
from webapp.coverage.models import FamilyCover
from webapp.extensions import db


def cover(client, patient, day, part="morning"):
    return client.post(
        f"/patients/{patient.id}/coverage/cover",
        data={"day": day if isinstance(day, str) else day.isoformat(), "part": part},
    )


def test_a_coordinator_covers_a_gap_and_gives_it_back(
    app, patient, coordinator, coordinator_client, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    response = cover(coordinator_client, patient, monday)
    assert response.status_code == 302
    held = store.one(FamilyCover)
    assert (held.member_id, held.part_of_day, held.released_at) == (coordinator.id, "morning", None)
    assert held.window_ends_at - held.window_starts_at == timedelta(hours=2)
    again = cover(coordinator_client, patient, monday)  # a double tap
    assert again.status_code == 302 and store.count(FamilyCover) == 1
    back = coordinator_client.post(
        f"/patients/{patient.id}/coverage/covers/{held.id}/give-back", data={}
    )
    assert back.status_code == 302
    assert store.one(FamilyCover).released_at is not None
    html = coordinator_client.get(back.headers["Location"]).text
    assert "You gave the window back" in html
    # Given back, the window can be covered again (the old row stays, released).
    assert cover(coordinator_client, patient, monday).status_code == 302
    assert store.count(FamilyCover, released_at=None) == 1


def test_the_second_relative_is_told_someone_else_covered_it(
    app, patient, coordinator_client, make_user, join_circle, login, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    other = make_user("family", name="Olga Other")
    join_circle(patient, other)
    assert cover(coordinator_client, patient, monday).status_code == 302
    late = cover(login(app.test_client(), other), patient, monday)
    assert late.status_code == 409
    assert "Someone else just covered this window." in late.text
    assert store.count(FamilyCover) == 1


def test_a_window_an_aide_holds_is_not_offered_to_family(
    app, patient, coordinator_client, verified_aide, add_item, aide_visit, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    aide_visit(patient, verified_aide, monday, "09:30", "10:30")
    html = coordinator_client.get(f"/patients/{patient.id}/coverage?week={monday}").text
    assert f'id="window-{monday}-morning"' not in html  # listed as covered, no button
    refused = cover(coordinator_client, patient, monday)
    assert refused.status_code == 409
    assert "An aide is already booked for this window" in refused.text
    assert store.count(FamilyCover) == 0


def test_bad_windows_are_refused_and_change_nothing(
    app, patient, coordinator_client, viewer_client, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",), days=["Mon"])
    not_a_window = cover(coordinator_client, patient, monday + timedelta(days=1))
    assert not_a_window.status_code == 422
    assert "there is no care window to cover" in not_a_window.text
    wrong_part = cover(coordinator_client, patient, monday, part="evening")
    assert wrong_part.status_code == 422
    unknown = cover(coordinator_client, patient, monday, part="midnight")
    assert unknown.status_code == 422 and "Pick a part of the day from the list." in unknown.text
    for garbled in ("2026-02-30", "tomorrow", "9999-01-01"):
        assert cover(coordinator_client, patient, garbled).status_code == 422, garbled
    past = cover(coordinator_client, patient, monday - timedelta(days=14))
    assert past.status_code == 409 and "already over" in past.text
    assert cover(viewer_client, patient, monday).status_code == 404
    assert store.count(FamilyCover) == 0


def test_the_patient_cannot_cover_their_own_window(patient, patient_client, add_item, store):
    add_item(patient, "thomas-stretch", parts=("morning",))
    refused = cover(patient_client, patient, next_monday())
    assert refused.status_code == 403 and "post a request for an aide" in refused.text
    assert store.count(FamilyCover) == 0


def test_giving_back_someone_elses_cover_is_not_found(
    app, patient, coordinator_client, make_user, join_circle, login, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    cover(coordinator_client, patient, monday)
    held = store.one(FamilyCover)
    other = make_user("family", name="Olga Other")
    join_circle(patient, other)
    other_client = login(app.test_client(), other)
    url = f"/patients/{patient.id}/coverage/covers/{held.id}/give-back"
    assert other_client.post(url, data={}).status_code == 404
    assert (
        other_client.post(
            f"/patients/{patient.id}/coverage/covers/999999/give-back", data={}
        ).status_code
        == 404
    )
    assert store.one(FamilyCover).released_at is None


def test_a_removed_members_open_tab_changes_nothing_and_their_cover_lapses(
    app, patient, coordinator, coordinator_client, make_user, join_circle, login, add_item, store
):
    monday = next_monday()
    add_item(patient, "thomas-stretch", parts=("morning",))
    assert cover(coordinator_client, patient, monday).status_code == 302
    held = store.one(FamilyCover)
    with app.app_context():
        db.session.execute(db.delete(CircleMember).where(CircleMember.member_id == coordinator.id))
        db.session.commit()
    # The tab still open on the coverage page: every button now answers like a missing page.
    assert cover(coordinator_client, patient, monday + timedelta(days=1)).status_code == 404
    give_back = f"/patients/{patient.id}/coverage/covers/{held.id}/give-back"
    assert coordinator_client.post(give_back, data={}).status_code == 404
    assert store.count(FamilyCover) == 1 and store.one(FamilyCover).released_at is None
    # Their promise no longer counts, and another coordinator can take the window.
    other = make_user("family", name="Olga Other")
    join_circle(patient, other)
    other_client = login(app.test_client(), other)
    html = other_client.get(f"/patients/{patient.id}/coverage?week={monday}").text
    assert "0 of 7 windows covered" in html
    assert cover(other_client, patient, monday).status_code == 302
    live = store.one(FamilyCover, released_at=None)
    assert live.member_id == other.id


def test_a_cover_for_a_window_that_is_over_stays_on_the_record(
    app, patient, coordinator, coordinator_client, add_item, store
):
    from datetime import UTC, datetime

    add_item(patient, "thomas-stretch", parts=("morning",))
    with app.app_context():
        starts = datetime.now(UTC) - timedelta(days=2)
        db.session.add(
            FamilyCover(
                patient_id=patient.id,
                member_id=coordinator.id,
                part_of_day="morning",
                window_starts_at=starts,
                window_ends_at=starts + timedelta(hours=2),
            )
        )
        db.session.commit()
    held = store.one(FamilyCover)
    refused = coordinator_client.post(
        f"/patients/{patient.id}/coverage/covers/{held.id}/give-back", data={}
    )
    assert refused.status_code == 409 and "stays on the record" in refused.text
    assert store.one(FamilyCover).released_at is None
