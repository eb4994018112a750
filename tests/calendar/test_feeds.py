"""Calendar feeds: secret links a phone subscribes to, read back as a calendar app would."""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from tests.calendar.conftest import HEALTH_WORDS, same_page
from tests.calendar.test_views import next_monday
from webapp.auth.models import User
from webapp.calendar.models import CalendarFeed
from webapp.database import utcnow
from webapp.extensions import db


def fetch(client, path) -> Calendar:
    """GET the feed the way a phone does (no login) and parse it."""
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> dict[str, dict]:
    """Each event by UID: summary, status, sequence, start and end."""
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
        }
        for event in calendar.walk("VEVENT")
    }


def test_patient_feed_lists_visits_and_cover_with_stable_uids_in_utc(
    app, client, patient, patient_client, family, join_circle, post_request, verified_aide,
    book, visits_of, cover, make_feed,
):  # fmt: skip
    join_circle(patient, family)
    monday = next_monday()
    booked, still_open = visits_of(
        post_request(patient, first_date=monday, weekdays=[0, 2], count=2)
    )
    book(booked, verified_aide)
    cover_id = cover(
        patient, family, datetime(monday.year, monday.month, monday.day, 23, tzinfo=UTC)
    )
    path = make_feed(patient_client, f"patient-{patient.id}")

    first = fetch(client, path)
    assert str(first["X-WR-CALNAME"]) == "HomeStretch: Rosa Patient"
    shown = events(first)
    assert shown[f"visit-{booked}@homestretch"]["summary"] == (
        "HomeStretch: Vera Verified with Rosa Patient, 09:00"
    )
    assert shown[f"visit-{booked}@homestretch"]["status"] == "CONFIRMED"
    assert shown[f"visit-{still_open}@homestretch"]["summary"] == (
        "HomeStretch: Open visit for Rosa Patient, 09:00 (no aide yet)"
    )
    assert shown[f"visit-{still_open}@homestretch"]["status"] == "TENTATIVE"
    assert shown[f"cover-{cover_id}@homestretch"]["summary"] == (
        "HomeStretch: Dan Family with Rosa Patient, 18:00 (family)"
    )
    start = shown[f"visit-{booked}@homestretch"]["start"]
    assert start.utcoffset() == timedelta(0)
    assert start == datetime(monday.year, monday.month, monday.day, 14, tzinfo=UTC)
    assert "DTSTART:" + f"{monday:%Y%m%d}T140000Z" in first.to_ical().decode()

    again = events(fetch(client, path))
    assert {uid: entry["sequence"] for uid, entry in again.items()} == {
        uid: entry["sequence"] for uid, entry in shown.items()
    }


def test_cancelling_raises_the_sequence_and_marks_the_event_cancelled(
    client, patient, patient_client, post_request, verified_aide, book, visits_of, make_feed
):
    (visit,) = visits_of(post_request(patient, first_date=next_monday()))
    book(visit, verified_aide, ago=timedelta(hours=2))
    path = make_feed(patient_client, f"patient-{patient.id}")
    uid = f"visit-{visit}@homestretch"
    before = events(fetch(client, path))[uid]
    assert before["status"] == "CONFIRMED"

    assert patient_client.post(f"/visits/{visit}/cancel", data={}).status_code == 302
    after = events(fetch(client, path))[uid]
    assert after["status"] == "CANCELLED"
    assert after["sequence"] > before["sequence"]
    assert after["summary"] == "HomeStretch: Cancelled: Vera Verified with Rosa Patient, 09:00"
    assert after["start"] == before["start"]


def test_given_back_cover_is_cancelled_in_the_feed(
    app, client, patient, patient_client, family, join_circle, cover, make_feed
):
    join_circle(patient, family)
    monday = next_monday()
    cover_id = cover(
        patient, family, datetime(monday.year, monday.month, monday.day, 13, tzinfo=UTC),
        released=True,
    )  # fmt: skip
    path = make_feed(patient_client, f"patient-{patient.id}")
    assert events(fetch(client, path))[f"cover-{cover_id}@homestretch"]["status"] == "CANCELLED"


def test_weekly_visit_keeps_nine_local_across_the_november_clock_change(
    monkeypatch, client, patient, patient_client, post_request, make_feed
):
    import webapp.calendar.routes

    post_request(patient, first_date=date(2027, 10, 25), weekdays=[0], count=3)
    path = make_feed(patient_client, f"patient-{patient.id}")
    monkeypatch.setattr(
        webapp.calendar.routes, "utcnow", lambda: datetime(2027, 10, 20, 12, tzinfo=UTC)
    )

    calendar = fetch(client, path)
    new_york = ZoneInfo("America/New_York")
    occurrences = recurring_ical_events.of(calendar).between(
        datetime(2027, 10, 20, tzinfo=UTC), datetime(2027, 11, 20, tzinfo=UTC)
    )
    starts = sorted(event.decoded("DTSTART") for event in occurrences)
    assert [start.astimezone(new_york).strftime("%d %b %H:%M") for start in starts] == [
        "25 Oct 09:00",
        "01 Nov 09:00",
        "08 Nov 09:00",
    ]
    # Summer time before 7 November, winter time after: the UTC hour moves, 09:00 does not.
    assert [start.astimezone(UTC).hour for start in starts] == [13, 13, 14]


def test_no_health_words_anywhere_in_the_feed(
    client, patient, patient_client, post_request, verified_aide, book, visits_of,
    helper_routine, make_feed,
):  # fmt: skip
    helper_routine(patient)
    request = post_request(patient, first_date=next_monday(), tasks=("thomas-stretch", "cold-pack"))
    book(visits_of(request)[0], verified_aide)
    path = make_feed(patient_client, f"patient-{patient.id}")

    body = client.get(path).get_data(as_text=True)
    summaries = re.findall(r"^SUMMARY:(.*)$", body, re.M)
    assert any("nobody yet" in summary for summary in summaries)  # the morning gaps
    for summary in summaries:
        assert summary.startswith("HomeStretch: ")
        for word in HEALTH_WORDS:
            assert word.lower() not in summary.removeprefix("HomeStretch: ").lower()
    for name in ("Thomas stretch", "Cold pack", "Naproxen", "250 mg"):
        assert name.lower() not in body.lower()


def test_gaps_reach_four_weeks_ahead_and_visits_the_whole_window(
    client, patient, patient_client, post_request, verified_aide, book, visits_of,
    helper_routine, make_feed,
):  # fmt: skip
    helper_routine(patient)
    far = next_monday() + timedelta(weeks=8)
    book(visits_of(post_request(patient, first_date=far))[0], verified_aide)
    path = make_feed(patient_client, f"patient-{patient.id}")

    shown = events(fetch(client, path)).values()
    gaps = [event for event in shown if "nobody yet" in event["summary"]]
    horizon = datetime.now(UTC) + timedelta(days=29)
    assert len(gaps) >= 20  # the next four weeks' mornings
    assert max(event["start"] for event in gaps) < horizon
    assert [event["start"].date() for event in shown if "Vera" in event["summary"]] == [far]


def test_aide_feed_holds_only_their_own_visits(
    app, client, make_user, make_aide, login, post_request, book, visits_of, make_feed
):
    rosa = make_user("patient", name="Rosa Patient")
    tom = make_user("patient", name="Tom Patient")
    sam, other = make_aide("Sam Aide"), make_aide("Olga Aide")
    monday = next_monday()
    rosa_visit, rosa_other = visits_of(
        post_request(rosa, first_date=monday, weekdays=[0, 1], count=2)
    )
    (tom_visit,) = visits_of(post_request(tom, first_date=monday, start="13:00", end="14:00"))
    book(rosa_visit, sam)
    book(tom_visit, sam)
    book(rosa_other, other)

    sam_client = login(app.test_client(), sam)
    offered = sam_client.get("/calendar/subscribe").get_data(as_text=True)
    assert 'value="visits"' in offered and 'value="patient-' not in offered
    shown = events(fetch(client, make_feed(sam_client, "visits")))
    assert {uid: entry["summary"] for uid, entry in shown.items()} == {
        f"visit-{rosa_visit}@homestretch": "HomeStretch: Visit with Rosa Patient, 09:00",
        f"visit-{tom_visit}@homestretch": "HomeStretch: Visit with Tom Patient, 13:00",
    }
    refused = sam_client.post("/calendar/feeds", data={"calendar": f"patient-{rosa.id}"})
    assert refused.status_code == 404


def test_only_the_hash_of_the_token_is_stored(patient, patient_client, make_feed, store):
    path = make_feed(patient_client, f"patient-{patient.id}")
    token = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    feed = store.one(CalendarFeed)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(feed))


def not_found_like_unknown(client, path):
    unknown = client.get("/calendar/feed/" + "A" * 43 + ".ics")
    response = client.get(path)
    assert response.status_code == unknown.status_code == 404
    assert same_page(response) == same_page(unknown)


def test_revoked_forged_and_malformed_links_answer_like_an_unknown_one(
    client, patient, patient_client, make_feed, store
):
    path = make_feed(patient_client, f"patient-{patient.id}")
    token = path.removeprefix("/calendar/feed/").removesuffix(".ics")
    for bad in (
        "/calendar/feed/" + token[:-1] + ("B" if token[-1] != "B" else "C") + ".ics",  # forged
        "/calendar/feed/" + token[:-1] + ".ics",  # too short
        "/calendar/feed/" + token + "x.ics",  # too long
        "/calendar/feed/" + token[:-1] + "%C3%A9.ics",  # not the token alphabet
        "/calendar/feed/" + token[:-1] + "..ics",
        "/calendar/feed/.ics",
        "/calendar/feed/" + token.upper() + ".ics" if token.upper() != token else path + "x",
    ):
        not_found_like_unknown(client, bad)

    fetch(client, path)
    feed = store.one(CalendarFeed)
    revoke = patient_client.post(f"/calendar/feeds/{feed.id}/revoke", data={})
    assert revoke.status_code == 302
    not_found_like_unknown(client, path)
    assert store.one(CalendarFeed).revoked_at is not None


def test_regenerating_replaces_the_link(client, patient, patient_client, make_feed, store):
    old = make_feed(patient_client, f"patient-{patient.id}")
    (feed,) = store.all(CalendarFeed)
    response = patient_client.post(f"/calendar/feeds/{feed.id}/regenerate", data={})
    assert response.status_code == 201
    new = re.search(r'value="http://localhost(/calendar/feed/[^"]+\.ics)"', response.text)[1]
    assert new != old
    not_found_like_unknown(client, old)
    fetch(client, new)
    assert [row.revoked_at is None for row in store.all(CalendarFeed)] == [False, True]


def test_an_owner_who_lost_access_gets_nothing(
    app, client, patient, patient_client, family, family_client, join_circle, make_feed, store
):
    from webapp.circle.models import CircleMember

    join_circle(patient, family, "viewer")
    path = make_feed(family_client, f"patient-{patient.id}")
    fetch(client, path)
    member = store.one(CircleMember)
    patient_client.post(f"/patients/{patient.id}/circle/members/{member.id}/remove", data={})
    not_found_like_unknown(client, path)


def test_a_deleted_account_feed_answers_like_an_unknown_one(
    app, client, patient, patient_client, make_feed
):
    path = make_feed(patient_client, f"patient-{patient.id}")
    with app.app_context():
        db.session.get(User, patient.id).deleted_at = utcnow()
        db.session.commit()
    not_found_like_unknown(client, path)


def test_subscribe_page_offers_each_calendar_the_person_sees(
    app, make_user, family, family_client, join_circle
):
    rosa = make_user("patient", name="Rosa Patient")
    tom = make_user("patient", name="Tom Patient")
    join_circle(rosa, family, "viewer")
    join_circle(tom, family, "coordinator")
    page = family_client.get("/calendar/subscribe")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="patient-{rosa.id}"' in html and f'value="patient-{tom.id}"' in html
    assert 'value="visits"' not in html

    refused = family_client.post("/calendar/feeds", data={"calendar": "visits"})
    assert refused.status_code == 404
    for garbage in ("patient-0", "patient-x", "everyone", ""):
        assert family_client.post("/calendar/feeds", data={"calendar": garbage}).status_code == 400
    for beyond in ("patient-2147483648", "patient-9999999999"):  # larger than any stored id
        assert family_client.post("/calendar/feeds", data={"calendar": beyond}).status_code == 404
    stranger = make_user("patient", name="Stranger")
    assert (
        family_client.post("/calendar/feeds", data={"calendar": f"patient-{stranger.id}"})
    ).status_code == 404


def test_making_a_link_twice_keeps_one_live_link(patient, patient_client, make_feed, store):
    make_feed(patient_client, f"patient-{patient.id}")
    make_feed(patient_client, f"patient-{patient.id}")
    feeds = store.all(CalendarFeed)
    assert [feed.revoked_at is None for feed in feeds] == [False, True]
    page = patient_client.get("/calendar/subscribe").get_data(as_text=True)
    assert "Link on" in page
    assert f"/calendar/feeds/{feeds[1].id}/revoke" in page


def test_a_phone_that_holds_the_same_events_gets_a_304_and_a_change_sends_them_again(
    client, patient, patient_client, post_request, verified_aide, book, visits_of, make_feed
):
    (visit,) = visits_of(post_request(patient, first_date=next_monday()))
    book(visit, verified_aide, ago=timedelta(hours=2))
    path = make_feed(patient_client, f"patient-{patient.id}")
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')

    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == etag
    assert unchanged.headers["Cache-Control"] == "no-store"
    # Another validator, or none, gets the whole file.
    assert client.get(path, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200

    assert patient_client.post(f"/visits/{visit}/cancel", data={}).status_code == 302
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"STATUS:CANCELLED" in changed.get_data()


def test_a_revoked_link_is_not_found_even_with_a_matching_validator(
    client, patient, patient_client, make_feed, store
):
    path = make_feed(patient_client, f"patient-{patient.id}")
    etag = client.get(path).headers["ETag"]
    feed = store.one(CalendarFeed, owner_id=patient.id)
    assert patient_client.post(f"/calendar/feeds/{feed.id}/revoke", data={}).status_code == 302
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 404
