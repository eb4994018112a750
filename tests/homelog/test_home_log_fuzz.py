"""Generated home-session posts: never a server error, and a refused one writes nothing."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.homelog.conftest import local_stamp
from webapp.homelog.models import HomeMedicationLog, HomeSession, HomeTaskLog

ODD = st.sampled_from(["", " ", "11", "-1", "٣", "1_0", "x" * 300, "25:61", "2026-02-30", "0"])


def pick(*good):
    """Mostly a good value, sometimes an odd one, sometimes the field left out."""
    return st.one_of(st.sampled_from(good), ODD, st.none())


def written(store) -> tuple[int, int, int]:
    return (store.count(HomeSession), store.count(HomeTaskLog), store.count(HomeMedicationLog))


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_odd_posts_never_break_the_page(patient, patient_client, routine, store, data):
    thomas = routine["items"]["thomas-stretch"].id
    ibuprofen = routine["medications"]["Ibuprofen"].id
    days = [local_stamp(timedelta(days=n))[0] for n in (0, 1, 13, 15, -1)]
    form = {
        "part_of_day": data.draw(pick("morning", "evening", "bedtime")),
        "done_on": data.draw(pick(*days)),
        "done_time": data.draw(pick("00:00", "00:01")),
        "pain_before": data.draw(pick(*[str(n) for n in range(11)])),
        "pain_after": data.draw(pick("0", "7", "10")),
        f"task_{thomas}_status": data.draw(pick("done", "partly", "skipped")),
        f"task_{thomas}_reason": data.draw(pick("pain", "other", "patient_declined")),
        f"medication_{ibuprofen}_outcome": data.draw(pick("given", "refused", "missed")),
        f"medication_{ibuprofen}_given_at": data.draw(pick("00:00", "00:01")),
        "notes": data.draw(pick("After breakfast.")),
    }
    form = {key: value for key, value in form.items() if value is not None}
    before = written(store)
    response = patient_client.post(f"/patients/{patient.id}/home-log/new", data=form)
    assert response.status_code in (302, 422), response.text
    if response.status_code == 422:
        assert written(store) == before
        assert "Please fix" in response.text or "Nothing was saved" in response.text
