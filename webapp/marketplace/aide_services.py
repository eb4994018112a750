"""Aide rules: profiles and the directory patients browse (vetting: vetting.py)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from math import ceil

from sqlalchemy import bindparam, case, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from webapp import policy
from webapp.auth.models import User
from webapp.errors import Conflict, InvalidInput, NotFound
from webapp.extensions import db
from webapp.marketplace import aide_stats  # noqa: F401  (keeps the profile counters moving)
from webapp.marketplace.models import (
    CURRENCIES,
    MAX_RATE_CENTS,
    MIN_RATE_CENTS,
    SKILL_KEYS,
    SKILL_LABELS,
    AideProfile,
    PatientHome,
    Review,
    skill_bit,
)

DIRECTORY_PAGE_SIZE = 20
LATEST_COMMENTS = 10
NO_AIDE = "We could not find that aide."


# Read models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """What patients thought of an aide, from the sum and number of their stars."""

    stars: int
    count: int

    @property
    def average(self) -> Decimal | None:
        """The mean to one decimal (4.25 shows as 4.3), or None before the first review."""
        if not self.count:
            return None
        return (Decimal(self.stars) / self.count).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def text(self) -> str:
        """ "4.5 out of 5 from 12 reviews", or "No reviews yet"."""
        if not self.count:
            return "No reviews yet"
        noun = "review" if self.count == 1 else "reviews"
        return f"{self.average} out of 5 from {self.count} {noun}"


@dataclass(frozen=True)
class AideCard:
    """One aide in the directory."""

    user_id: int
    name: str
    skills: int
    rate_cents: int
    currency: str
    service_area: str
    rating: Rating
    completed_visits: int
    #: Whether the aide lists the patient's town or postal code; None when nobody asked.
    covers_home: bool | None = None

    @property
    def skill_labels(self) -> list[str]:
        return [SKILL_LABELS[key] for i, key in enumerate(SKILL_KEYS) if self.skills & (1 << i)]


@dataclass(frozen=True)
class DirectoryPage:
    """One page of the directory and where it sits among the others."""

    cards: list[AideCard]
    page: int
    pages: int
    total: int
    #: The patient's town and postal code ("Springfield 12345"), when a patient browses and
    #: has given their address; aides who list it come first.
    home_area: str | None = None
    #: How many of the listed aides (all pages) cover that area.
    covering: int = 0


@dataclass(frozen=True)
class AidePage:
    """Everything the public profile page shows about one aide."""

    name: str
    profile: AideProfile
    rating: Rating
    completed_visits: int
    late_cancellations: int
    #: Booked visits whose time ended with no check-in.
    missed_visits: int
    comments: list[Review]


# Profiles ----------------------------------------------------------------------------------


def _require_aide(user: User) -> None:
    if not policy.may_edit_aide_profile(user):
        raise NotFound("We could not find that page.")


def own_profile(aide: User) -> AideProfile | None:
    """The aide's own profile, or None before they have written one; NotFound for non-aides."""
    _require_aide(aide)
    return db.session.get(AideProfile, aide.id)


def save_profile(
    aide: User,
    *,
    bio: str | None,
    skills: list[str],
    hourly_rate_cents: int,
    currency: str,
    service_area: str,
    languages: str,
) -> AideProfile:
    """Create or change the aide's profile. Verification is the admin's and stays as it is."""
    _require_aide(aide)
    if not skills or any(key not in SKILL_KEYS for key in skills):
        raise InvalidInput("Pick at least one skill from the list.")
    if not MIN_RATE_CENTS <= hourly_rate_cents <= MAX_RATE_CENTS:
        raise InvalidInput("The hourly rate must be from 1.00 to 500.00.")
    if currency not in CURRENCIES:
        raise InvalidInput("Choose a currency from the list.")
    profile = db.session.get(AideProfile, aide.id)
    if profile is None:
        profile = AideProfile(user_id=aide.id)
        db.session.add(profile)
    profile.bio = bio
    profile.skills = sum(skill_bit(key) for key in set(skills))
    profile.hourly_rate_cents = hourly_rate_cents
    profile.currency = currency
    profile.service_area = service_area
    profile.languages = languages
    try:
        db.session.flush()
    except IntegrityError as error:  # the same aide saved a first profile twice at once
        raise Conflict("Your profile was just saved from another window. Please reload.") from error
    return profile


def public_profile(aide_id: int) -> AidePage:
    """An aide's profile as any signed-in person sees it; NotFound unless an aide wrote one.
    The record comes from the counters on the profile (webapp.marketplace.aide_stats)."""
    row = db.session.execute(
        select(AideProfile, User.display_name)
        .join(User, User.id == AideProfile.user_id)
        .where(AideProfile.user_id == aide_id, User.role == "aide")
    ).first()
    if row is None:
        raise NotFound(NO_AIDE)
    profile, name = row
    comments = db.session.scalars(
        select(Review)
        .where(Review.aide_id == aide_id, Review.comment.is_not(None))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(LATEST_COMMENTS)
    )
    return AidePage(
        name=name,
        profile=profile,
        rating=Rating(stars=profile.rating_stars, count=profile.rating_count),
        completed_visits=profile.completed_visits,
        late_cancellations=profile.late_cancellations,
        missed_visits=profile.missed_visits,
        comments=list(comments),
    )


# Directory ---------------------------------------------------------------------------------


def _home_terms(home: PatientHome | None) -> list[str]:
    """The home's town and postal code as the directory matches them (lower case, trimmed,
    each once, in order); none without a home."""
    if home is None:
        return []
    return sorted({term.strip().lower() for term in (home.city, home.postal_code)} - {""})


def _like_escaped(text: str) -> str:
    """Text matched literally inside LIKE ... ESCAPE '/': its %, _ and / lose their meaning."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _area_contains(name: str):
    """SQL truth of "the aide's own words for their area contain this bound text"."""
    return func.lower(AideProfile.service_area).contains(bindparam(name), escape="/")


@cache
def _directory_statements(skill: bool, area: bool, home_terms: int):
    """The directory's count and page statements for one shape of the question: with or
    without a skill, an area typed in, and 0-2 terms of the patient's home to list first. Built
    once per shape; the skill's bit, the area, the terms, and the offset are bound on each call.

    A home is covered with the same loose match as the area filter: its town or its postal
    code appears in the aide's own words.
    """
    conditions = [AideProfile.verified_at.is_not(None), User.role == "aide"]
    if skill:
        conditions.append(AideProfile.skills.bitwise_and(bindparam("skill_bit")) != 0)
    if area:
        # lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not.
        conditions.append(_area_contains("area"))
    covers = [_area_contains(f"term_{n}") for n in range(home_terms)]
    covering = case((or_(*covers) if covers else false(), 1), else_=0)
    count = (
        select(func.count(AideProfile.user_id), func.coalesce(func.sum(covering), 0))
        .join(User, User.id == AideProfile.user_id)
        .where(*conditions)
    )
    # The mean from the profile's counters, as a real number on every engine (0 unrated).
    average = case(
        (AideProfile.rating_count > 0, AideProfile.rating_stars * 1.0 / AideProfile.rating_count),
        else_=0,
    )
    page = (
        select(
            AideProfile.user_id,
            User.display_name,
            AideProfile.skills,
            AideProfile.hourly_rate_cents,
            AideProfile.currency,
            AideProfile.service_area,
            AideProfile.rating_stars,
            AideProfile.rating_count,
            AideProfile.completed_visits,
            covering,
            # How many match, and how many of them cover the home, on every row: a page
            # within range needs no count of its own.
            func.count().over(),
            func.coalesce(func.sum(covering).over(), 0),
        )
        .join(User, User.id == AideProfile.user_id)
        .where(*conditions)
        .order_by(
            covering.desc(),
            average.desc(),
            func.lower(User.display_name),
            AideProfile.user_id,
        )
        .limit(DIRECTORY_PAGE_SIZE)
        .offset(bindparam("offset"))
    )
    return count, page


def directory(
    *,
    skill: str | None = None,
    area: str | None = None,
    page: int = 1,
    viewer: User | None = None,
) -> DirectoryPage:
    """Verified aides: for a patient with an address, those covering it first; then best rated,
    then by name. Two queries whatever the page holds (three for a page past the last), none
    of them reading history: the ratings and visit counts are the profile's own counters."""
    if skill is not None and skill not in SKILL_KEYS:
        raise InvalidInput("Choose a skill from the list.")
    home = db.session.get(PatientHome, viewer.id) if viewer and viewer.is_patient else None
    terms = _home_terms(home)
    values = {f"term_{n}": _like_escaped(term) for n, term in enumerate(terms)}
    if skill:
        values["skill_bit"] = skill_bit(skill)
    if area:
        values["area"] = _like_escaped(area.lower())
    count, page_of = _directory_statements(bool(skill), bool(area), len(terms))
    page = max(page, 1)
    rows = db.session.execute(page_of, {**values, "offset": (page - 1) * DIRECTORY_PAGE_SIZE}).all()
    if rows:
        total, covering_total = rows[0][-2:]
    elif page == 1:
        total = covering_total = 0
    else:  # past the last page: show the last one
        total, covering_total = db.session.execute(count, values).one()
        page = max(1, ceil(total / DIRECTORY_PAGE_SIZE))
        rows = db.session.execute(
            page_of, {**values, "offset": (page - 1) * DIRECTORY_PAGE_SIZE}
        ).all()
    pages = max(1, ceil(total / DIRECTORY_PAGE_SIZE))
    cards = [
        AideCard(
            user_id=user_id,
            name=name,
            skills=skills,
            rate_cents=rate,
            currency=currency,
            service_area=service_area,
            rating=Rating(stars=int(stars), count=count),
            completed_visits=completed,
            covers_home=bool(covered) if terms else None,
        )
        for (
            user_id,
            name,
            skills,
            rate,
            currency,
            service_area,
            stars,
            count,
            completed,
            covered,
            _total,
            _covering,
        ) in rows
    ]
    return DirectoryPage(
        cards=cards,
        page=page,
        pages=pages,
        total=total,
        home_area=home.area if terms else None,
        covering=int(covering_total),
    )
