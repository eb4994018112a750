"""What a fuzzed form post puts in its fields: a value the form would take, or something nasty
(empty, huge, another script's digits, control characters, impossible numbers, dates and times,
ids of records that belong to someone else or to nobody), and the field sets of the longer forms.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

NASTY_TEXT = [
    "",
    " ",
    "\t\r\n",
    "0",
    "-1",
    "-0",
    "-999999999999",
    "99999999999999999999",
    "2147483648",
    "1e309",
    "NaN",
    "inf",
    "1_000",
    "0x1F",
    "1.5",
    "12,50",
    "²",
    "٣",
    "١٢",
    "𝟗",
    "\u202eevil\u202c",
    "\u200f\u200b",
    "🦵💊🏥",
    "e\u0301",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\x7f",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "1969-12-31",
    "2026-13-01",
    "31/12/2026",
    "tomorrow",
    "25:00",
    "24:00",
    "23:60",
    "-01:00",
    "9:00 PM",
    "09:00+02:00",
    "Mars/Olympus_Mons",
    "../../../etc/passwd",
    "utc",
    "EST5EDT",
    "Etc/GMT+14",
    "America/New_York ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "%s%n",
]
#: Characters that look like nothing, or like digits, or that databases refuse.
TAINTS = ["\x00", "\x1b", "\x7f", "\u202e", "\u200b", "²", "٣", "🦵"]
HUGE_TEXT = ["x" * 20_000, "é" * 6_000, "9" * 5_000, "🦵" * 3_000]
#: Raw URL segments where an id goes: real ids are added from the world.
NASTY_IDS = ["0", "-1", "2147483647", "2147483648", "99999999999999999999", "²", "1.0", "%00"]


def nasty() -> st.SearchStrategy:
    """Anything at all: a listed trap, a huge string, or random Unicode text (no surrogates)."""
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.sampled_from(HUGE_TEXT),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


@dataclass(frozen=True)
class Field:
    """What a field may hold: values the form takes, and what it gets when broken."""

    valid: st.SearchStrategy
    broken: st.SearchStrategy
    #: One valid value, for the hand-written cases (None: left out).
    sample: object = None


def one(*valid, bad=()) -> Field:
    """A single-valued field: one of the valid values (None: left out); broken, a near miss,
    anything at all, or left out."""
    broken = st.one_of(
        st.sampled_from(bad or ("",)), nasty(), st.none(), tainted(valid), tainted(valid, "\x00")
    )
    return Field(st.sampled_from(valid), broken, valid[0])


def tainted(valid, taint=None) -> st.SearchStrategy:
    """A valid value with one troublesome character added, so only that character is wrong
    (NUL gets a branch of its own: it is the one PostgreSQL refuses outright)."""
    values = [value for value in valid if isinstance(value, str)] or [""]
    taints = st.just(taint) if taint else st.sampled_from(TAINTS)
    return st.tuples(st.sampled_from(values), taints).map("".join)


def many(*valid, bad=()) -> Field:
    """A multi-valued field (checkboxes): some valid values; broken, nasty ones mixed in."""
    wrong = st.one_of(st.sampled_from(bad or ("",)), nasty())
    return Field(
        st.lists(st.sampled_from(valid), min_size=1, max_size=len(valid), unique=True),
        st.lists(st.one_of(st.sampled_from(valid), wrong), max_size=5),
        [valid[0]],
    )


def mostly_valid(fields: dict) -> st.SearchStrategy:
    """Every field valid except a few broken ones (sometimes none, sometimes all), so the
    posts get past the form's own checks into the rules behind it as well."""
    names = sorted(fields)
    return st.tuples(
        st.fixed_dictionaries({name: fields[name].valid for name in names}),
        st.fixed_dictionaries({name: fields[name].broken for name in names}),
        st.one_of(
            st.sets(st.sampled_from(names), max_size=min(3, len(names))),
            st.just(frozenset(names)),
        ),
    ).map(lambda parts: {n: parts[1][n] if n in parts[2] else parts[0][n] for n in names})


def id_strategy(world) -> st.SearchStrategy:
    """Ids of the world's records (the patient's, other people's) or ones that cannot be ids."""
    real = sorted({str(v) for v in world.ids.values() if isinstance(v, int)})
    return st.one_of(st.sampled_from(real), st.sampled_from(NASTY_IDS))


def _days(*offsets) -> list[str]:
    return [(date.today() + timedelta(days=days)).isoformat() for days in offsets]


TIMES = ["09:00", "10:00", "08:30", "23:59", "00:00"]
ZONES = ["America/New_York", "Europe/Paris", "UTC"]
SLOTS = ["morning", "midday", "afternoon", "evening", "bedtime"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EMAILS = ["new.person@example.com", "patient@example.com", "Other.Person@Example.com"]


def new_request_fields(world):
    return {
        "submission_key": one("k" * 24, "", bad=("k" * 65,)),
        "first_date": one(*_days(1, 3, 400, -1, 0)),
        "start_time": one(*TIMES),
        "end_time": one(*TIMES),
        "repeat": one("once", "weekly"),
        "weekdays": many("0", "3", "6", bad=("7", "-1")),
        "ends": one("until", "count"),
        "until_date": one(*_days(2, 30, -5, 800)),
        "count": one("1", "4", bad=("0", "10000")),
        "offered_to": one(
            "", str(world.ids["other_aide"]), bad=(str(world.ids["unverified_aide"]),)
        ),
        "street": one("1 Elm Street"),
        "city": one("Springfield"),
        "postal_code": one("12345"),
        "access_notes": one("Ring twice"),
        "tasks": many(str(world.ids["routine_item"]), bad=(str(world.ids["other_routine_item"]),)),
        "includes_medications": one("y"),
        "rate": one("28", "28.50", "$30", bad=("0.99", "500.01", "$1,025.00")),
        "currency": one("USD", "EUR", bad=("XXX",)),
        "notes": one("Parking at the back"),
    }


def log_fields(world):
    item, medication = world.ids["routine_item"], world.ids["medication"]
    return {
        "pain_before": one(*[str(n) for n in range(11)], bad=("11",)),
        "pain_after": one("0", "7", "10"),
        "notes": one("All good."),
        f"task_{item}_status": one("done", "partly", "skipped", bad=("maybe",)),
        f"task_{item}_reason": one("pain", "other", bad=("bored",)),
        f"task_{item}_note": one("Knee hurt."),
        f"task_{item}_sets": one("0", "3", "20", bad=("21",)),
        f"medication_{medication}_outcome": one("given", "refused", "missed", bad=("sold",)),
        f"medication_{medication}_given_at": one(*TIMES),
        "save": one("Save"),
        # The visit is already checked out: checking out again is a conflict, so only sometimes.
        "save_and_check_out": one(None, bad=("Save and check out",)),
    }


def home_log_fields(world):
    item, medication = world.ids["routine_item"], world.ids["medication"]
    return {
        "part_of_day": one(*SLOTS, bad=("noon",)),
        "done_on": one(*_days(0, -1, -30), bad=_days(1, -9000)),
        "done_time": one(*TIMES),
        "pain_before": one(*[str(n) for n in range(11)], bad=("11",)),
        "pain_after": one("0", "7", "10"),
        "notes": one("Did them after breakfast."),
        f"task_{item}_status": one("done", "partly", "skipped", bad=("maybe",)),
        f"task_{item}_reason": one("pain", "other", bad=("bored",)),
        f"task_{item}_note": one("Knee hurt."),
        f"medication_{medication}_outcome": one("given", "refused", "missed", bad=("sold",)),
        f"medication_{medication}_given_at": one(*TIMES),
        # Someone else's routine item, posted as if it were on this form.
        f"task_{world.ids['other_routine_item']}_status": one(None, bad=("done",)),
        "save": one("Save the session"),
    }
