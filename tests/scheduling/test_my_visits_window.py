"""An aide's "My visits": the last week and what is ahead; older visits a page at a time."""

import re
from datetime import timedelta

from webapp.database import utcnow
from webapp.extensions import db
from webapp.scheduling.models import Visit


def _slot_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="visit-(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_older_visits_wait_behind_earlier_visits(
    app, verified_aide, verified_aide_client, patient, post_request, store
):
    request = post_request(patient, weekdays=list(range(7)), count=30)
    with app.app_context():  # the aide held the first 3 a month ago and the rest from today
        visits = sorted(
            db.session.scalars(db.select(Visit).where(Visit.request_id == request.id)),
            key=lambda visit: visit.starts_at,
        )
        for n, visit in enumerate(visits):
            length = visit.ends_at - visit.starts_at
            visit.starts_at = utcnow() + (timedelta(days=n - 30) if n < 3 else timedelta(days=n))
            visit.ends_at = visit.starts_at + length
            visit.status = "completed" if n < 3 else "booked"
            visit.aide_id = verified_aide.id
        db.session.commit()
        old = [visit.id for visit in visits[:3]]
        ahead = [visit.id for visit in visits[3:]]

    page = verified_aide_client.get("/my-visits").get_data(as_text=True)
    assert _slot_ids(page) == ahead[:25]
    later = verified_aide_client.get(_link(page, "next")).get_data(as_text=True)
    assert _slot_ids(later) == ahead[25:] and _link(later, "next") is None
    earlier = verified_aide_client.get(_link(page, "prev")).get_data(as_text=True)
    assert _slot_ids(earlier) == old
    assert _link(earlier, "prev") is None
    before_all = verified_aide_client.get(f"/my-visits?before=20000101000000000000.{old[0]}")
    assert before_all.status_code == 200 and "No visits here." in before_all.get_data(True)
