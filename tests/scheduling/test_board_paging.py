"""The board a page at a time: "Later" and "Earlier" links that carry the last slot seen, a
count that stops at 100, and the area matched the way people type a town or postal code."""

import re

from webapp.scheduling.models import Visit


def _slot_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="visit-(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_an_aide_pages_through_every_open_visit_and_back(
    verified_aide_client, make_user, post_request, store
):
    for _ in range(3):  # 45 slots, 15 per patient
        post_request(make_user("patient"), weekdays=list(range(7)), count=15)
    everything = sorted(store.all(Visit), key=lambda visit: (visit.starts_at, visit.id))

    first = verified_aide_client.get("/board").get_data(as_text=True)
    assert "45 open visits." in first
    assert _slot_ids(first) == [visit.id for visit in everything[:20]]
    assert _link(first, "prev") is None

    second = verified_aide_client.get(_link(first, "next")).get_data(as_text=True)
    assert _slot_ids(second) == [visit.id for visit in everything[20:40]]
    third = verified_aide_client.get(_link(second, "next")).get_data(as_text=True)
    assert _slot_ids(third) == [visit.id for visit in everything[40:]]
    assert _link(third, "next") is None  # the end of the board

    back = verified_aide_client.get(_link(third, "prev")).get_data(as_text=True)
    assert _slot_ids(back) == _slot_ids(second)
    back = verified_aide_client.get(_link(back, "prev")).get_data(as_text=True)
    assert _slot_ids(back) == _slot_ids(first) and _link(back, "prev") is None


def test_every_page_says_how_many_match_even_past_the_end(
    verified_aide_client, make_user, post_request, store
):
    """The count rides along with a page's rows; a page past the last slot (its slots booked
    meanwhile) has no rows to carry it and still says how many there are."""
    post_request(make_user("patient"), weekdays=list(range(7)), count=25)
    everything = sorted(store.all(Visit), key=lambda visit: (visit.starts_at, visit.id))
    first = verified_aide_client.get("/board").get_data(as_text=True)
    later = _link(first, "next")
    for visit in everything[20:]:
        assert verified_aide_client.post(f"/visits/{visit.id}/book", data={}).status_code == 302
    past_the_end = verified_aide_client.get(later).get_data(as_text=True)
    assert _slot_ids(past_the_end) == []
    assert "20 open visits" in past_the_end
    assert "0 open visits" in verified_aide_client.get("/board?min_rate=900").get_data(as_text=True)


def test_a_slot_booked_meanwhile_does_not_shift_the_next_page(
    verified_aide_client, make_user, post_request, store
):
    post_request(make_user("patient"), weekdays=list(range(7)), count=30)
    everything = sorted(store.all(Visit), key=lambda visit: (visit.starts_at, visit.id))
    first = verified_aide_client.get("/board").get_data(as_text=True)
    response = verified_aide_client.post(f"/visits/{everything[0].id}/book", data={})
    assert response.status_code == 302
    second = verified_aide_client.get(_link(first, "next")).get_data(as_text=True)
    assert _slot_ids(second) == [visit.id for visit in everything[20:]]


def test_filters_ride_along_and_a_broken_link_shows_the_first_page(
    verified_aide_client, make_user, post_request
):
    post_request(make_user("patient"), weekdays=list(range(7)), count=25, rate_cents=3000)
    post_request(make_user("patient"), weekdays=list(range(7)), count=5, rate_cents=2000)
    first = verified_aide_client.get("/board?min_rate=25").get_data(as_text=True)
    assert "25 open visits." in first
    later = _link(first, "next")
    assert "min_rate=25" in later
    assert len(_slot_ids(verified_aide_client.get(later).get_data(as_text=True))) == 5
    for broken in ("after=yesterday", "after=20270101000000000000.x", "before=" + "9" * 500):
        response = verified_aide_client.get("/board?min_rate=25&" + broken)
        assert response.status_code == 200
        assert _slot_ids(response.get_data(as_text=True)) == _slot_ids(first)


def test_the_area_matches_town_or_postal_code_as_typed(
    verified_aide_client, make_user, post_request, store
):
    home = post_request(make_user("patient"), city="Spring  Field", postal_code="12345")
    away = post_request(make_user("patient"), city="Shelbyville", postal_code="54321")
    ours = store.one(Visit, request_id=home.id).id
    theirs = store.one(Visit, request_id=away.id).id
    for typed in ("  SPRING field ", "spring", "123", "12345"):
        page = verified_aide_client.get("/board", query_string={"area": typed}).get_data(True)
        assert _slot_ids(page) == [ours], typed
    page = verified_aide_client.get("/board?area=field").get_data(as_text=True)
    assert _slot_ids(page) == []  # the start of a name, not any part of it
    assert theirs in _slot_ids(verified_aide_client.get("/board?area=shelby").get_data(True))


def test_the_area_is_a_beginning_letter_for_letter_whatever_the_characters(
    verified_aide_client, make_user, post_request, store
):
    towns = ["Ab", "Abz", "Ac", "Aa", "Zürich", "Zurich", "A_b", "A%b", "Żory", "Z"]
    slots = {}
    for town in towns:
        posted = post_request(make_user("patient"), city=town, postal_code="")
        slots[town] = store.one(Visit, request_id=posted.id).id

    def found(typed: str) -> set[int]:
        response = verified_aide_client.get("/board", query_string={"area": typed})
        assert response.status_code == 200, typed
        return set(_slot_ids(response.get_data(as_text=True)))

    assert found("ab") == {slots["Ab"], slots["Abz"]}
    assert found("a_") == {slots["A_b"]}  # LIKE's wildcards are plain characters here
    assert found("a%") == {slots["A%b"]}
    assert found("zü") == {slots["Zürich"]}
    assert found("z") == {slots["Zürich"], slots["Zurich"], slots["Z"]}
    assert found("ż") == {slots["Żory"]}
    # Characters at the edges of the character set find nothing and break nothing.
    for typed in ("\U0010ffff", "a\U0010ffff", "\ud7ff", "\x7f", "🏠"):
        assert found(typed) == set(), repr(typed)


def test_the_count_is_exact_up_to_a_hundred_and_then_says_more(
    verified_aide_client, make_user, post_request
):
    for _ in range(4):
        post_request(make_user("patient"), weekdays=list(range(7)), count=25)
    page = verified_aide_client.get("/board").get_data(as_text=True)
    assert "100 open visits." in page and "More than" not in page
    post_request(make_user("patient"))
    page = verified_aide_client.get("/board").get_data(as_text=True)
    assert "More than 100 open visits." in page
    later = verified_aide_client.get(_link(page, "next")).get_data(as_text=True)
    assert "More than 100 open visits; these are later ones." in later
