"""`make run` shows the family story at once: Daniel coordinates Rosa's care."""

from webapp.auth.models import User
from webapp.circle.models import CircleMember
from webapp.coverage.models import FamilyCover


def test_demo_daniel_coordinates_rosas_care(runner, store):
    for _ in range(2):  # running the seed twice keeps one membership
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
    member = store.one(CircleMember)
    rosa = store.one(User, email="rosa@example.com")
    daniel = store.one(User, email="daniel@example.com")
    assert (member.patient_id, member.member_id, member.role) == (rosa.id, daniel.id, "coordinator")
    covers = store.all(FamilyCover)
    assert [(cover.member_id, cover.part_of_day) for cover in covers] == [
        (daniel.id, "evening")
    ] * 2
