"""Every form post in HomeStretch, fed generated input: never a server error, and a refused post
leaves every table exactly as it was.

Each field gets either a value the form would take or something nasty: empty, huge, another
script's digits ("²", "٣"), right-to-left marks, emoji, NUL and other control characters,
negative and enormous numbers, impossible dates and times, unknown time zones, end before
start, and ids of records that belong to someone else or to nobody. Hypothesis runs a fixed,
derandomized number of examples per form, so a CI run is reproducible; the counts are in the
test ids and in the summary at the end of the run.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD
from tests.security.conftest import EXAMPLES_RUN, make_app

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


#: A wrong password (at log-in, or re-entered to change the account) is counted in the
#: database by design: that is how every app server agrees on the limit.
FAILED_LOGINS = ("login_failure",)


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


@dataclass(frozen=True)
class Form:
    """One form post: the rule, who posts it, and its fields as strategies (given the world)."""

    rule: str
    role: str
    fields: object = None  # world -> {name: strategy}; None: a button with only a CSRF token
    examples: int = 20
    #: URL variables filled with generated ids instead of the world's record.
    fuzz_ids: tuple = ()
    #: Which world record fills a URL variable, where not the usual one.
    ids: dict = field(default_factory=dict)
    #: The post changes the login it runs in (a new password, a deleted account, log-out):
    #: each example gets its own freshly logged-in client.
    own_client: bool = False
    #: Tables a refused post may still write to, and why (see each form).
    may_write: tuple = ()

    def strategy(self, world) -> st.SearchStrategy:
        values = self.fields(world) if self.fields else {"extra": one("1")}
        ids = {
            name: st.one_of(st.just(world.ids["token"]), nasty())
            if name == "token"
            else id_strategy(world)
            for name in self.fuzz_ids
        }
        return st.tuples(mostly_valid(values), st.fixed_dictionaries(ids))


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


FORMS = [
    # Accounts
    Form(
        "/auth/login",
        "anonymous",
        lambda w: {
            "email": one("patient@example.com", "nobody@example.com"),
            "password": one(PASSWORD, "wrong password, sorry"),
            "remember": one("y"),
        },
        may_write=FAILED_LOGINS,
    ),
    Form(
        "/auth/signup",
        "anonymous",
        lambda w: {
            "email": one(*EMAILS),
            "password": one(PASSWORD, bad=("short",)),
            "confirm": one(PASSWORD),
            "role": one("patient", "aide", "family", bad=("admin",)),
            "display_name": one("New Person"),
            "timezone": one(*ZONES),
            "health_data_consent": one("y"),
        },
        examples=30,
    ),
    Form("/auth/logout", "patient", own_client=True, examples=5),
    Form(
        "/auth/profile",
        "patient",
        lambda w: {
            "display_name": one("Rosa"),
            "phone": one("+1 555 123 4567", bad=("555",)),
            "timezone": one(*ZONES),
        },
    ),
    Form(
        "/auth/profile/email",
        "patient",
        lambda w: {
            "change_email-email": one(*EMAILS),
            "change_email-current_password": one(PASSWORD, "wrong password, sorry"),
        },
        own_client=True,
        may_write=FAILED_LOGINS,
        examples=10,
    ),
    Form(
        "/auth/profile/password",
        "patient",
        lambda w: {
            "change_password-current_password": one(PASSWORD, "wrong password, sorry"),
            "change_password-password": one("a brand new long password"),
            "change_password-confirm": one("a brand new long password"),
        },
        own_client=True,
        may_write=FAILED_LOGINS,
        examples=10,
    ),
    Form("/auth/sessions/<int:session_id>/end", "patient", fuzz_ids=("session_id",)),
    Form("/auth/sessions/end-all", "patient", own_client=True, examples=5),
    Form(
        "/auth/password/forgot",
        "anonymous",
        lambda w: {"email": one(*EMAILS, "nobody@example.com")},
        # The answer is the same page whether or not a link was sent (so it reveals no
        # accounts): a 200 may have stored a reset link and queued its email.
        may_write=("password_reset", "outbox_email"),
    ),
    Form(
        "/auth/password/reset/<token>",
        "anonymous",
        lambda w: {"password": one(PASSWORD, bad=("short",)), "confirm": one(PASSWORD)},
        fuzz_ids=("token",),
    ),
    Form("/auth/signup/confirm/<token>", "anonymous", fuzz_ids=("token",)),
    Form("/auth/signup/check-email", "anonymous", examples=5),
    Form(
        "/account/delete",
        "patient",
        lambda w: {"password": one(PASSWORD, "wrong password, sorry"), "understood": one("y")},
        own_client=True,
        may_write=FAILED_LOGINS,
        examples=10,
    ),
    # The care circle
    Form(
        "/patients/<int:patient_id>/circle",
        "patient",
        lambda w: {
            "email": one(*EMAILS, "cousin@example.com"),
            "role": one("viewer", "coordinator", bad=("owner",)),
        },
    ),
    Form(
        "/patients/<int:patient_id>/circle/invitations/<int:invitation_id>/withdraw",
        "patient",
        fuzz_ids=("patient_id", "invitation_id"),
    ),
    Form(
        "/patients/<int:patient_id>/circle/members/<int:member_id>/role",
        "patient",
        lambda w: {"role": one("coordinator", "viewer", bad=("admin",))},
        fuzz_ids=("member_id",),
    ),
    Form(
        "/patients/<int:patient_id>/circle/members/<int:member_id>/remove",
        "patient",
        fuzz_ids=("patient_id", "member_id"),
    ),
    Form("/circle/join/<token>", "other_coordinator", fuzz_ids=("token",)),
    Form("/circles/<int:patient_id>/leave", "family_viewer", fuzz_ids=("patient_id",)),
    # Alerts: each person's own, and which come by email
    Form("/notifications/<int:notification_id>/read", "patient", fuzz_ids=("notification_id",)),
    Form("/notifications/read-all", "patient"),
    Form(
        "/notifications/settings",
        "patient",
        lambda w: {"email": one("visit_booked", "visit_cancelled", None, bad=("nonsense",))},
    ),
    # The care plan
    Form(
        "/patients/<int:patient_id>/routine/items",
        "patient",
        lambda w: {"exercise": one("runners-lunge", "thomas-stretch", bad=("moonwalk",))},
    ),
    Form(
        "/patients/<int:patient_id>/routine/items/<int:item_id>",
        "patient",
        lambda w: {
            "sets": one("1", "10", bad=("11", "0")),
            "reps": one("1", "50", bad=("51",)),
            "hold_seconds": one("5", "600", bad=("4",)),
            "minutes": one("1", "60", bad=("61",)),
            "times_per_day": one("1", "12", bad=("13", "0")),
            "weekdays": many(*DAYS, bad=("Funday",)),
            "times_of_day": many(*SLOTS, bad=("midnight",)),
            "needs_helper": one("y"),
            "notes": one("Hold at the top."),
        },
        examples=40,
    ),
    Form(
        "/patients/<int:patient_id>/routine/items/<int:item_id>/delete",
        "patient",
        fuzz_ids=("patient_id", "item_id"),
    ),
    Form(
        "/patients/<int:patient_id>/medications",
        "patient",
        lambda w: {
            "name": one("Ibuprofen"),
            "dose": one("400 mg"),
            "instructions": one("With food"),
            "times_of_day": many(*SLOTS, bad=("midnight",)),
        },
    ),
    Form(
        "/patients/<int:patient_id>/medications/<int:medication_id>",
        "patient",
        lambda w: {
            "name": one("Ibuprofen"),
            "dose": one("400 mg"),
            "instructions": one("With food"),
            "times_of_day": many(*SLOTS),
        },
    ),
    Form(
        "/patients/<int:patient_id>/medications/<int:medication_id>/delete",
        "patient",
        fuzz_ids=("patient_id", "medication_id"),
    ),
    Form(
        "/patients/<int:patient_id>/precautions",
        "patient",
        lambda w: {"activity": one("Stairs", "Running"), "tip": one("Use the lift")},
    ),
    Form(
        "/patients/<int:patient_id>/precautions/standard",
        "patient",
        lambda w: {"key": one("stairs", "running", bad=("flying",))},
    ),
    Form(
        "/patients/<int:patient_id>/precautions/<int:precaution_id>",
        "patient",
        lambda w: {"activity": one("Stairs", "Skiing"), "tip": one("Use the lift")},
    ),
    Form(
        "/patients/<int:patient_id>/precautions/<int:precaution_id>/delete",
        "patient",
        fuzz_ids=("patient_id", "precaution_id"),
    ),
    # The calendar, coverage and the home log
    Form(
        "/calendar/feeds",
        "patient",
        lambda w: {
            "calendar": one(
                f"patient-{w.ids['patient']}",
                bad=(
                    "visits",
                    f"patient-{w.ids['other_patient']}",
                    "patient-0",
                    "patient-2147483648",
                    "patient-9999999999",
                ),
            )
        },
    ),
    Form("/calendar/feeds/<int:feed_id>/regenerate", "patient", fuzz_ids=("feed_id",)),
    Form("/calendar/feeds/<int:feed_id>/revoke", "patient", fuzz_ids=("feed_id",)),
    Form(
        "/patients/<int:patient_id>/coverage/cover",
        "patient",
        lambda w: {
            "day": one(*_days(1, 2, 30), bad=_days(-1, 800)),
            "part": one("morning", "evening", bad=("noon",)),
        },
    ),
    Form(
        "/patients/<int:patient_id>/coverage/covers/<int:cover_id>/give-back",
        "patient",
        fuzz_ids=("patient_id", "cover_id"),
    ),
    Form(
        "/patients/<int:patient_id>/day-parts",
        "patient",
        lambda w: {
            f"{part}_{end}": one(*TIMES, None) for part in SLOTS for end in ("start", "end")
        },
        examples=30,
    ),
    Form("/patients/<int:patient_id>/home-log/new", "patient", home_log_fields, examples=40),
    # Requests, booking and cancelling
    Form("/requests/new", "patient", new_request_fields, examples=60),
    Form("/patients/<int:patient_id>/requests/new", "patient", new_request_fields, examples=30),
    Form(
        "/requests/<int:request_id>/edit",
        "patient",
        lambda w: {
            key: value
            for key, value in new_request_fields(w).items()
            if key in ("tasks", "includes_medications", "rate", "currency", "notes")
        },
        examples=40,
    ),
    Form("/requests/<int:request_id>/cancel", "patient", fuzz_ids=("request_id",)),
    Form(
        "/requests/<int:request_id>/book-series",
        "other_aide",
        lambda w: {
            "visit_ids": Field(
                st.lists(st.sampled_from([str(w.ids["open_visit"]), str(w.ids["booked_visit"])])),
                st.lists(st.one_of(id_strategy(w), nasty()), max_size=5),
                [str(w.ids["open_visit"])],
            )
        },
        fuzz_ids=("request_id",),
        examples=40,
    ),
    Form("/visits/<int:visit_id>/book", "other_aide", fuzz_ids=("visit_id",)),
    Form("/visits/<int:visit_id>/cancel", "patient", fuzz_ids=("visit_id",)),
    Form("/visits/<int:visit_id>/cancel-rest", "patient", fuzz_ids=("visit_id",)),
    # The visit at the bedside
    Form("/visits/<int:visit_id>/check-in", "holding_aide", fuzz_ids=("visit_id",)),
    Form("/visits/<int:visit_id>/check-out", "holding_aide", fuzz_ids=("visit_id",)),
    Form(
        "/visits/<int:visit_id>/log",
        "holding_aide",
        log_fields,
        ids={"visit_id": "completed_visit"},
        examples=60,
        # A log sent back with errors shows the care plan again, and every showing of it to
        # someone other than the patient is written to the audit log.
        may_write=("audit_event",),
    ),
    Form(
        "/visits/<int:visit_id>/review",
        "patient",
        lambda w: {"rating": one("1", "5", bad=("0", "6")), "comment": one("Kind and careful.")},
        ids={"visit_id": "completed_visit"},
    ),
    # Aides and vetting
    Form(
        "/aide/profile",
        "holding_aide",
        lambda w: {
            "bio": one("Ten years of home care."),
            "skills": many("stretching", "medication", bad=("juggling",)),
            "hourly_rate": one("25", "25.50", bad=("0", "500.01")),
            "currency": one("USD", "GBP", bad=("BTC",)),
            "service_area": one("Springfield 12345"),
            "languages": one("English, Spanish"),
        },
        examples=40,
    ),
    Form(
        "/admin/aides/<int:user_id>/verify",
        "admin",
        lambda w: {
            f"aide-{w.ids['holding_aide']}-note": one("Checked."),
            f"aide-{w.ids['unverified_aide']}-note": one("Checked."),
        },
        fuzz_ids=("user_id",),
    ),
    Form(
        "/admin/aides/<int:user_id>/unverify",
        "admin",
        lambda w: {
            f"aide-{w.ids['holding_aide']}-note": one("Complaint."),
            f"aide-{w.ids['unverified_aide']}-note": one("Complaint."),
        },
        fuzz_ids=("user_id",),
    ),
    # Payments (offline in the world: each answers 404 and changes nothing)
    Form("/patients/<int:patient_id>/payment-card/setup", "patient", fuzz_ids=("patient_id",)),
    Form("/payouts/onboard", "holding_aide"),
    Form(
        "/admin/visits/<int:visit_id>/payment/refund",
        "admin",
        lambda w: {
            "amount": one("10", "12.50", bad=("0", "-5", "ten")),
            "reason": one("The aide left early."),
            "confirm": one("y"),
            "submission_key": one("k" * 24, bad=("short",)),
        },
        fuzz_ids=("visit_id",),
    ),
    Form("/stripe/webhook", "anonymous"),
]
FORMS_BY_RULE = {form.rule: form for form in FORMS}


def _post_rules():
    app = make_app("sqlite://")
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static"
    )


POST_RULES = _post_rules()


def test_every_form_post_is_fuzzed():
    missing = [rule for rule in POST_RULES if rule not in FORMS_BY_RULE]
    assert not missing, "form posts without an entry in FORMS: " + ", ".join(missing)
    stale = sorted(set(FORMS_BY_RULE) - set(POST_RULES))
    assert not stale, "FORMS entries for posts that no longer exist: " + ", ".join(stale)


def _fill(world, form: Form, fuzzed: dict) -> str:
    """The form's URL, with generated raw segments where `fuzz_ids` says."""
    rule = form.rule
    for name, value in fuzzed.items():
        segment = value if name != "token" else quote(value, safe="")
        rule = rule.replace(f"<int:{name}>", segment).replace(f"<{name}>", segment)
    return world.url(rule, form.ids)


def _client(world, form: Form):
    """The form's client, and what was stored just before its post."""
    if form.own_client:
        client = world.fresh_client(form.role)
        return client, world.state()  # after the log-in, which writes a session of its own
    before = world.current()
    return world.client(form.role), before


def _check(world, form: Form, response, before: dict, what: str) -> None:
    """No server error; a refused post (an error, or the form again) changed nothing."""
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{what}\n{body[:1500]}"
    if response.status_code >= 400 or response.status_code == 200:
        after = world.state()
        changed = [
            table
            for table in before
            if table not in form.may_write and after[table] != before[table]
        ]
        assert not changed, f"{what}: refused with {response.status_code} but changed {changed}"


def _form_id(form: Form) -> str:
    return f"{form.rule} as {form.role}, {form.examples} examples"


@pytest.mark.slow
@pytest.mark.parametrize("form", FORMS, ids=_form_id)
def test_generated_input_never_breaks_a_form(world, form):
    statuses = EXAMPLES_RUN.setdefault(form.rule, Counter())
    run = statuses.total()

    @settings(
        max_examples=form.examples,
        deadline=None,
        derandomize=True,
        database=None,
        # The world is shared on purpose: every example starts by putting it back.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(form.strategy(world))
    def post(generated):
        values, fuzzed = generated
        data = {name: value for name, value in values.items() if value is not None}
        world.ensure_pristine()
        client, before = _client(world, form)
        url = _fill(world, form, fuzzed)
        response = client.post(url, data=data)
        statuses[response.status_code] += 1
        _check(world, form, response, before, f"POST {url} {data!r:.600}")

    post()
    assert statuses.total() - run >= min(form.examples, 5)


FORMS_WITH_FIELDS = [form for form in FORMS if form.fields]


def _valid_data(world, form: Form) -> dict:
    fields = form.fields(world)
    return {name: field.sample for name, field in fields.items() if field.sample is not None}


@pytest.mark.parametrize("form", FORMS_WITH_FIELDS, ids=lambda form: f"{form.rule} as {form.role}")
def test_a_nul_character_in_any_field_is_refused(world, form):
    """PostgreSQL refuses text with NUL in it; the form must say so before the database does."""
    valid = _valid_data(world, form)
    for name in form.fields(world):
        world.ensure_pristine()
        client, before = _client(world, form)
        url = _fill(world, form, {})
        value = ["a\x00b"] if isinstance(valid.get(name), list) else "a\x00b"
        response = client.post(url, data={**valid, name: value})
        assert 400 <= response.status_code < 500, f"NUL in {name}: {response.status_code}"
        _check(world, form, response, before, f"NUL in {name}")


@pytest.mark.parametrize("form", FORMS_WITH_FIELDS, ids=lambda form: f"{form.rule} as {form.role}")
def test_bytes_that_are_not_utf8_are_refused(world, form):
    """A form whose bytes are not UTF-8 (a broken client, a hostile one) is refused whole."""
    world.ensure_pristine()
    valid = _valid_data(world, form)
    client, before = _client(world, form)
    url = _fill(world, form, {})
    first = sorted(valid)[0]
    body = urlencode({**valid, "csrf_token": client.csrf_token()}, doseq=True)
    body += f"&{quote(first)}=caf%E9%FF"
    response = client.post(
        url, data=body.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert 400 <= response.status_code < 500, response.status_code
    _check(world, form, response, before, f"{first}=caf\\xe9\\xff")


QUERY_TRAPS = [
    ("other_aide", "/board?page=²"),
    ("other_aide", "/board?page=٣"),
    ("other_aide", "/board?date_from=2026-02-30&date_to=0000-01-01&min_rate=%C2%B2"),
    ("patient", "/aides?page=²"),
    ("patient", "/aides?page=𝟗&skill=juggling"),
    ("admin", "/admin/aides?show=²"),
    ("patient", "/calendar?view=month&date=²"),
    ("patient", "/patients/{patient}/calendar?view=fortnight&date=9999-99-99"),
    ("family_viewer", "/patients/{patient}/calendar?view=week&date=0001-01-01"),
    ("patient", "/patients/{patient}/coverage?week=²"),
    ("patient", "/patients/{patient}/coverage?week=9999-12-31"),
    ("patient", "/patients/{patient}/coverage/ask-an-aide?part=morning&day=2026-02-30"),
    ("patient", "/patients/{patient}/home-log?before=²"),
    ("patient", "/patients/{patient}/home-log?before=9999-12-31T00:00:00"),
    ("patient", "/patients/{patient}/home-log/new?part=²"),
]


@pytest.mark.parametrize(("role", "url"), QUERY_TRAPS)
def test_odd_query_strings_are_not_server_errors(world, role, url):
    """Page numbers in other scripts' digits, impossible dates: a page or a 4xx, never a 500."""
    response = world.client(role).get(url.format(patient=world.ids["patient"]))
    assert response.status_code < 500, response.get_data(as_text=True)[:1000]


@pytest.mark.parametrize("value", ["²", "٣", "𝟗", "1_0", "-1", "0x1", "1.0"])
def test_other_scripts_digits_in_a_series_booking_are_refused(world, value):
    world.ensure_pristine()
    form = FORMS_BY_RULE["/requests/<int:request_id>/book-series"]
    before = world.current()
    response = world.client("other_aide").post(
        _fill(world, form, {}), data={"visit_ids": [str(world.ids["open_visit"]), value]}
    )
    assert response.status_code == 400, response.status_code
    _check(world, form, response, before, f"visit_ids {value!r}")


@pytest.mark.parametrize("value", ["patient-2147483648", "patient-9999999999"])
def test_a_feed_link_for_an_id_beyond_a_database_integer_is_refused(world, value):
    world.ensure_pristine()
    before = world.current()
    response = world.client("patient").post("/calendar/feeds", data={"calendar": value})
    assert response.status_code == 404, response.status_code
    _check(world, FORMS_BY_RULE["/calendar/feeds"], response, before, f"calendar={value}")
