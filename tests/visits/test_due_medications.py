"""Which doses a visit shows depends on the patient's local clock, also across midnight."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.extensions import db
from webapp.scheduling.models import Visit
from webapp.visits.bedside import due_medications

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("local_start", "due"),
    [
        (datetime(2026, 12, 3, 23, 30), True),  # bedtime dose, the visit ends after midnight
        (datetime(2026, 12, 3, 9, 0), True),  # morning
        (datetime(2026, 12, 4, 1, 0), False),  # the small hours belong to no time of day
    ],
)
def test_doses_due_follow_the_local_clock(app, visit_setup, local_start, due):
    with app.app_context():
        visit = db.session.get(Visit, visit_setup["visit"].id)
        visit.starts_at = local_start.replace(tzinfo=NEW_YORK)
        visit.ends_at = visit.starts_at + timedelta(hours=1)
        names = [medication.name for medication in due_medications(visit)]
        assert names == (["Ibuprofen"] if due else [])
