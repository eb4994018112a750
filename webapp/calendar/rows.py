"""What a calendar reads: a patient's visits, covers and home sessions in one UNION ALL of the
columns its entries and their coverage use, and an aide's visits; built once, the window
(a services.Span) going in as parameters."""

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, String, bindparam, literal_column, select, union_all
from sqlalchemy.orm import aliased, joinedload

from webapp.auth.models import User
from webapp.circle.models import CircleMember
from webapp.coverage.models import MEMBER_IN_CIRCLE, FamilyCover
from webapp.coverage.rows import LONGEST_VISIT, sessions_part, typed_null, visits_part
from webapp.database import UTCDateTime, read_columns
from webapp.extensions import db
from webapp.scheduling.models import Visit


@dataclass(frozen=True)
class _Statements:
    patient_rows: object
    aide_visits: object


#: A visit, a family cover and a home session as a patient's calendar reads them: the columns
#: its entries and their coverage use (a cover's circle_member_id is None once its member has
#: left the circle).
VisitRow = namedtuple("VisitRow", "id patient_id status starts_at ends_at updated_at aide_name")
CoverRow = namedtuple(
    "CoverRow",
    "id patient_id part_of_day window_starts_at window_ends_at released_at updated_at"
    " member_name circle_member_id",
)
SessionRow = namedtuple("SessionRow", "id patient_id part_of_day done_at")


@cache
def statements() -> _Statements:
    """The calendar's reads, built once; the window goes in as parameters (starts, ends and
    reach_from, a day before starts) with the patients' ids or the aide's.

    A patient's calendar reads its visits (with their aide's name), covers (with their
    member's name and whether the member is still in the circle) and home sessions in one
    UNION ALL of the columns its entries and their coverage use, not whole records: a feed
    holds months of them. Each part reads by patient and time as its indexes serve it.
    """
    in_window = (
        Visit.starts_at < bindparam("ends"),
        # Bounds the index range read: no visit is longer than LONGEST_VISIT.
        Visit.starts_at > bindparam("reach_from"),
        Visit.ends_at > bindparam("starts"),
    )
    patient_ids = bindparam("patient_ids", expanding=True)
    member = aliased(User)
    none = typed_null
    # The columns: kind, id, patient_id, word (a visit's status, a part of the day), starts_at,
    # ends_at, released_at, updated_at, name (the aide's, the member's), member_id (a cover's
    # circle member while they are in the circle).
    visits = visits_part(patient_ids, Visit.updated_at.label("updated_at"))
    covers = (
        select(
            literal_column("'cover'"),
            FamilyCover.id,
            FamilyCover.patient_id,
            FamilyCover.part_of_day,
            FamilyCover.window_starts_at,
            FamilyCover.window_ends_at,
            FamilyCover.released_at,
            FamilyCover.updated_at,
            member.display_name,
            CircleMember.id,
        )
        .outerjoin(member, member.id == FamilyCover.member_id)
        .outerjoin(CircleMember, MEMBER_IN_CIRCLE)
        .where(
            FamilyCover.patient_id.in_(patient_ids),
            FamilyCover.window_starts_at < bindparam("ends"),
            # A cover holds one care window, a part of one day: this bounds the range read.
            FamilyCover.window_starts_at > bindparam("reach_from"),
            FamilyCover.window_ends_at > bindparam("starts"),
        )
    )
    sessions = sessions_part(
        patient_ids,
        none(UTCDateTime()),
        none(UTCDateTime()),
        none(UTCDateTime()),
        none(String),
        none(Integer),
    )
    # In time order (then id): each kind's rows come in the order its own read would give.
    patient_rows = union_all(visits, covers, sessions).order_by(
        literal_column("starts_at"), literal_column("id")
    )
    aide_visits = (
        select(Visit)
        .where(Visit.aide_id == bindparam("aide_id"), *in_window)
        .options(joinedload(Visit.aide), joinedload(Visit.patient))
        .order_by(Visit.starts_at, Visit.id)
    )
    return _Statements(patient_rows, aide_visits)


def window_values(window) -> dict[str, datetime]:
    """A Span's bounds as the reads' parameters (reach_from bounds the range an index reads)."""
    return {
        "starts": window.starts_at,
        "ends": window.ends_at,
        "reach_from": window.starts_at - LONGEST_VISIT,
    }


def patient_rows(
    patient_ids: list[int], window
) -> tuple[list[VisitRow], list[tuple[CoverRow, bool]], list[SessionRow]]:
    """The patients' visits, covers (each with whether it lapsed: its member left the circle)
    and home sessions in the window, each in time order (one query)."""
    values = {"patient_ids": patient_ids} | window_values(window)
    visits, covers, sessions = [], [], []
    for (
        kind,
        row_id,
        patient_id,
        word,
        starts_at,
        ends_at,
        released_at,
        updated_at,
        name,
        cm_id,
    ) in read_columns(db.session, statements().patient_rows, values):
        if kind == "visit":
            visits.append(VisitRow(row_id, patient_id, word, starts_at, ends_at, updated_at, name))
        elif kind == "cover":
            cover = CoverRow(
                row_id, patient_id, word, starts_at, ends_at, released_at, updated_at, name, cm_id
            )
            covers.append((cover, cm_id is None))
        else:
            sessions.append(SessionRow(row_id, patient_id, word, starts_at))
    return visits, covers, sessions
