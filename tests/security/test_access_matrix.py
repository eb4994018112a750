"""Who gets what: every route in the app, asked by every kind of person, for GET and POST.

The table below says, for each URL rule, what each role gets today. Ids in the URL come from
one world of records that belong to one patient (see conftest.py). Besides the status, every
page a role gets is searched for strings planted in the patient's records: only the patient
and the aide holding their visits may see them all; their circle sees whose circle it is
(MAY_SEE), and a few pages show a planted string to anyone who reaches them (`reveals`).
A refused POST must change nothing; someone else's record answers like one that does not
exist.

A rule in the app without an entry here fails `test_every_route_is_in_the_matrix`, by name.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.security.world import MARKERS, ROLE_NAMES, make_app

LOGIN = "to the log-in page"  # 302 to /auth/login
MOVED = "redirected elsewhere"  # 302 anywhere but the log-in page
#: Who may see the patient's data at all.
INSIDERS = ("patient", "holding_aide")
#: Which planted strings others may see: the patient's circle knows whose circle it is.
MAY_SEE = {"family_viewer": ("name",)}
#: The patient and the members of their care circle.
CIRCLE = ("patient", "family_viewer")
#: Pages without ids show each patient their own things.
PATIENTS = ("patient", "other_patient")
AIDES = ("holding_aide", "other_aide", "unverified_aide")
VERIFIED_AIDES = ("holding_aide", "other_aide")


def expect(default, *, anonymous=LOGIN, **roles) -> dict:
    """An outcome per role: the named ones, `anonymous` (log-in page unless said), the default."""
    unknown = set(roles) - set(ROLE_NAMES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: roles.get(role, default) for role in ROLE_NAMES} | {"anonymous": anonymous}


def only(roles, outcome, otherwise=404) -> dict:
    """`outcome` for the listed roles, `otherwise` for the other logged-in people."""
    return expect(otherwise, **dict.fromkeys(roles, outcome))


def everyone(outcome) -> dict:
    return expect(outcome, anonymous=outcome)


@dataclass(frozen=True)
class Entry:
    """What each role gets from one URL rule, per method."""

    GET: dict | None = None
    POST: dict | None = None
    #: Which world record fills each URL variable, where not the usual one (see DEFAULT_IDS).
    ids: dict = field(default_factory=dict)
    #: The request ends the session it runs in, so it gets a freshly logged-in client.
    ends_session: bool = False
    #: Planted strings this page shows to anyone who gets it (e.g. who sent an invitation).
    reveals: tuple = ()


# fmt: off
MATRIX = {
    # Public pages
    "/": Entry(GET=expect(MOVED, anonymous=200)),
    "/about": Entry(GET=everyone(200)),
    "/healthz": Entry(GET=everyone(200)),
    "/exercises": Entry(GET=everyone(200)),
    "/exercises/<slug>": Entry(GET=everyone(200)),
    # Accounts (an empty form comes back with errors; a logged-in person is sent on)
    "/auth/login": Entry(GET=expect(MOVED, anonymous=200), POST=expect(MOVED, anonymous=422)),
    "/auth/signup": Entry(GET=expect(MOVED, anonymous=200), POST=expect(MOVED, anonymous=422)),
    "/auth/logout": Entry(POST=everyone(LOGIN), ends_session=True),
    "/auth/profile": Entry(GET=expect(200), POST=expect(422)),
    "/auth/profile/email": Entry(POST=expect(422)),
    "/auth/profile/password": Entry(POST=expect(422)),
    "/auth/sessions/<int:session_id>/end": Entry(POST=only(["patient"], MOVED)),
    "/auth/sessions/end-all": Entry(POST=expect(LOGIN), ends_session=True),
    # Emailed links: anyone may follow one; the invitation token in the world is the wrong kind,
    # so every person gets the same "expired or already used" page and nothing changes.
    "/auth/password/forgot": Entry(GET=everyone(200), POST=everyone(422)),
    "/auth/password/reset/<token>": Entry(GET=everyone(404), POST=everyone(404)),
    "/auth/signup/confirm/<token>": Entry(GET=everyone(404), POST=everyone(404)),
    # "Check your email" needs a sign-up in this browser: others go to the form or onwards.
    "/auth/signup/check-email": Entry(GET=everyone(MOVED), POST=everyone(MOVED)),
    "/account/export": Entry(GET=expect(200)),
    "/account/delete": Entry(GET=expect(200), POST=expect(422)),
    "/account/deleted": Entry(GET=everyone(200)),
    "/dashboard": Entry(GET=expect(200)),
    # The care plan: the patient's alone
    "/routine": Entry(GET=only(PATIENTS, MOVED)),
    "/patients/<int:patient_id>/routine": Entry(GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/routine/print": Entry(GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/routine/items": Entry(POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/routine/items/<int:item_id>": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/routine/items/<int:item_id>/delete": Entry(
        POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/medications": Entry(POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/medications/<int:medication_id>": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/medications/<int:medication_id>/delete": Entry(
        POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/precautions": Entry(POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/precautions/standard": Entry(POST=only(["patient"], MOVED)),
    # Fields left out of an edit keep their stored values, so an empty edit saves as it was.
    "/patients/<int:patient_id>/precautions/<int:precaution_id>": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/precautions/<int:precaution_id>/delete": Entry(
        POST=only(["patient"], MOVED)),
    # The care circle: the patient manages it; an invitation link shows who sent it
    "/circle": Entry(GET=expect(MOVED)),
    "/patients/<int:patient_id>/circle": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/circle/invitations/<int:invitation_id>/withdraw": Entry(
        POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/circle/members/<int:member_id>/role": Entry(
        POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/circle/members/<int:member_id>/remove": Entry(
        POST=only(["patient"], MOVED)),
    "/circle/join/<token>": Entry(
        GET=everyone(200), POST=expect(409, anonymous=200, other_coordinator=MOVED),
        reveals=("name",)),
    "/circles/<int:patient_id>/leave": Entry(POST=only(["family_viewer"], MOVED)),
    # Alerts: each person's own
    "/notifications": Entry(GET=expect(200)),
    "/notifications/<int:notification_id>/read": Entry(POST=only(["patient"], MOVED)),
    "/notifications/read-all": Entry(POST=expect(MOVED)),
    "/notifications/settings": Entry(GET=expect(200), POST=expect(MOVED)),
    # The care calendar and coverage: the patient and their circle see them; coordinators act
    "/calendar": Entry(GET=expect(200, patient=MOVED, other_patient=MOVED)),
    "/calendar/subscribe": Entry(GET=expect(200)),
    "/calendar/feeds": Entry(POST=expect(400)),  # no calendar picked
    "/calendar/feeds/<int:feed_id>/regenerate": Entry(POST=only(["patient"], 201)),
    "/calendar/feeds/<int:feed_id>/revoke": Entry(POST=only(["patient"], MOVED)),
    # Whoever holds a feed's secret link reads that calendar: whose it is, and nothing more.
    "/calendar/feed/<token>.ics": Entry(
        GET=everyone(200), ids={"token": "feed_token"}, reveals=("name",)),
    "/patients/<int:patient_id>/calendar": Entry(GET=only(CIRCLE, 200)),
    "/patients/<int:patient_id>/coverage": Entry(GET=only(CIRCLE, 200)),
    "/patients/<int:patient_id>/coverage/cover": Entry(POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/coverage/covers/<int:cover_id>/give-back": Entry(
        POST=only(["patient"], MOVED)),
    "/patients/<int:patient_id>/coverage/ask-an-aide": Entry(GET=only(["patient"], 400)),
    "/patients/<int:patient_id>/day-parts": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/patients/<int:patient_id>/home-log": Entry(GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/home-log/<int:home_session_id>": Entry(
        GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/home-log/new": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    # Requests: the patient manages them; aides see one while it is on the board
    "/requests": Entry(GET=only(PATIENTS, 200)),
    "/requests/new": Entry(GET=only(PATIENTS, 200), POST=only(PATIENTS, 422)),
    # The same pages for one patient, for the patient and their coordinators.
    "/patients/<int:patient_id>/requests": Entry(GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/requests/new": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/requests/<int:request_id>": Entry(GET=only(["patient", *AIDES], 200)),
    "/requests/<int:request_id>/edit": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422)),
    "/requests/<int:request_id>/cancel": Entry(POST=only(["patient"], MOVED)),
    # Booking (an empty series booking is a conflict for verified aides, refused for others)
    "/board": Entry(GET=only(AIDES, 200)),
    "/my-visits": Entry(GET=only(AIDES, 200)),
    "/visits/<int:visit_id>/book": Entry(
        POST=only(VERIFIED_AIDES, MOVED, otherwise=403), ids={"visit_id": "open_visit"}),
    "/requests/<int:request_id>/book-series": Entry(
        POST=only(VERIFIED_AIDES, 409, otherwise=403)),
    "/visits/<int:visit_id>/cancel": Entry(POST=only(INSIDERS, MOVED)),
    "/visits/<int:visit_id>/cancel-rest": Entry(POST=only(["patient"], MOVED)),
    # The visit at the bedside (the booked visit starts in ten minutes: check-in is open)
    "/visits/<int:visit_id>": Entry(GET=only(INSIDERS, 200)),
    "/visits/<int:visit_id>/check-in": Entry(POST=only(["holding_aide"], MOVED)),
    "/visits/<int:visit_id>/check-out": Entry(POST=only(["holding_aide"], 409)),
    "/visits/<int:visit_id>/log": Entry(
        POST=only(["holding_aide"], MOVED), ids={"visit_id": "completed_visit"}),
    # The circle reads summaries (viewers too): what was done, pain, doses and the aide's notes.
    "/visits/<int:visit_id>/summary": Entry(
        GET=only((*INSIDERS, "family_viewer"), 200), ids={"visit_id": "completed_visit"},
        reveals=("medication", "visit notes")),
    "/visits/<int:visit_id>/review": Entry(
        GET=only(["patient"], 200), POST=only(["patient"], 422),
        ids={"visit_id": "completed_visit"}),
    "/audit": Entry(GET=only(PATIENTS, 200)),
    # Aides and vetting
    "/aide/profile": Entry(GET=only(AIDES, 200), POST=only(AIDES, 422)),
    "/aides": Entry(GET=expect(200)),
    "/aides/<int:user_id>": Entry(GET=expect(200)),
    "/admin/aides": Entry(GET=only(["admin"], 200)),
    "/admin/aides/<int:user_id>/verify": Entry(POST=only(["admin"], 422)),
    "/admin/aides/<int:user_id>/unverify": Entry(POST=only(["admin"], 422)),
    # Payments. The world runs offline (no Stripe keys): the card page and receipts say "pay
    # the aide directly"; everything that would call Stripe does not exist (404).
    "/patients/<int:patient_id>/payment-card": Entry(GET=only(["patient"], 200)),
    "/patients/<int:patient_id>/payment-card/setup": Entry(POST=expect(404)),
    "/patients/<int:patient_id>/payment-card/saved": Entry(GET=expect(404)),
    "/patients/<int:patient_id>/payment-card/cancelled": Entry(GET=expect(404)),
    "/patients/<int:patient_id>/payments": Entry(GET=only(["patient"], 200)),
    "/visits/<int:visit_id>/receipt": Entry(GET=only(["patient"], 200)),
    "/payouts": Entry(GET=only(AIDES, 200)),
    "/payouts/onboard": Entry(POST=expect(404)),
    "/payouts/refresh": Entry(GET=expect(404)),
    "/payouts/return": Entry(GET=expect(404)),
    "/admin/payments": Entry(GET=only(["admin"], 200)),
    "/admin/disputes": Entry(GET=only(["admin"], 200)),
    # Offline no visit has a card payment, so there is none to open or refund.
    "/admin/visits/<int:visit_id>/payment": Entry(GET=expect(404)),
    "/admin/visits/<int:visit_id>/payment/refund": Entry(POST=expect(404)),
    # Signed by Stripe, not logged in; offline there is no webhook endpoint.
    "/stripe/webhook": Entry(POST=everyone(404)),
}
# fmt: on


def _url_rules():
    app = make_app("sqlite://")
    return {rule.rule: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


URL_RULES = _url_rules()
CASES = [
    (rule, method, role)
    for rule in sorted(URL_RULES)
    if rule in MATRIX
    for method in ("GET", "POST")
    if method in URL_RULES[rule].methods and getattr(MATRIX[rule], method) is not None
    for role in ROLE_NAMES
]
SIZE = (
    f"{len(URL_RULES)} rules x {len(ROLE_NAMES)} roles x GET/POST where allowed"
    f" = {len(CASES)} cases"
)


@pytest.mark.parametrize("size", [SIZE])
def test_every_route_is_in_the_matrix(size):
    missing = [
        f"{rule} ({URL_RULES[rule].endpoint})" for rule in sorted(URL_RULES) if rule not in MATRIX
    ]
    assert not missing, "routes without an entry in MATRIX: " + ", ".join(missing)
    stale = sorted(set(MATRIX) - set(URL_RULES))
    assert not stale, "MATRIX entries for routes that no longer exist: " + ", ".join(stale)
    gaps = []
    for rule, url_rule in sorted(URL_RULES.items()):
        entry = MATRIX[rule]
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            if getattr(entry, method, None) is None:
                gaps.append(f"{method} {rule}")
        for method in ("GET", "POST"):
            if getattr(entry, method) is not None and method not in url_rule.methods:
                gaps.append(f"{method} {rule} is in MATRIX but the route does not allow it")
    assert not gaps, "methods without expectations: " + ", ".join(gaps)
    print(f"\naccess matrix: {size}")


def _send(world, rule, method, role, *, missing=False):
    """The request, and what was stored just before it."""
    entry = MATRIX[rule]
    before = world.current() if method == "POST" else None
    if entry.ends_session:
        client = world.fresh_client(role)
        before = world.state() if method == "POST" else None  # the log-in itself wrote
    else:
        client = world.client(role)
    url = world.url(rule, entry.ids, missing=missing)
    if method == "GET":
        return client.get(url), before
    return client.post(url, data={}), before


def _case_id(case) -> str:
    rule, method, role = case
    return f"{method} {rule} as {role}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_access(world, case):
    rule, method, role = case
    world.ensure_pristine()
    expected = getattr(MATRIX[rule], method)[role]
    response, before = _send(world, rule, method, role)
    body = response.get_data(as_text=True)

    assert response.status_code < 500, body[:1000]
    location = urlsplit(response.headers.get("Location", "")).path
    if expected == LOGIN:
        assert (response.status_code, location) == (302, "/auth/login"), body[:500]
    elif expected == MOVED:
        assert response.status_code == 302 and location != "/auth/login", (
            f"{response.status_code} to {location!r}: {body[:500]}"
        )
    else:
        assert response.status_code == expected, body[:1000]

    if role not in INSIDERS:
        allowed = MAY_SEE.get(role, ()) + MATRIX[rule].reveals
        seen = [what for what, marker in MARKERS.items() if marker in body and what not in allowed]
        assert not seen, f"{role} was shown the patient's {', '.join(seen)}"

    refused = (expected == LOGIN and role == "anonymous") or (
        isinstance(expected, int) and expected >= 400
    )
    if method == "POST" and refused:
        after = world.state()
        changed = [table for table in before if after[table] != before[table]]
        assert not changed, f"a refused POST changed stored data in {changed}"


def _lead(body: str) -> str:
    start = body.index('<p class="lead">')
    return body[start : body.index("</p>", start)]


NOT_FOUND_CASES = [
    case
    for case in CASES
    if getattr(MATRIX[case[0]], case[1])[case[2]] == 404
    and case[2] not in INSIDERS
    and URL_RULES[case[0]].arguments
]


@pytest.mark.parametrize("case", NOT_FOUND_CASES, ids=_case_id)
def test_refusal_reads_like_a_missing_record(world, case):
    """Someone else's record answers exactly like an id that exists nowhere."""
    rule, method, role = case
    world.ensure_pristine()
    refused, _ = _send(world, rule, method, role)
    missing, _ = _send(world, rule, method, role, missing=True)
    assert (refused.status_code, missing.status_code) == (404, 404)
    assert _lead(refused.get_data(as_text=True)) == _lead(missing.get_data(as_text=True))


def test_the_planted_strings_are_there_to_find(world):
    """The leak checks mean something only if the insiders' pages do show every planted string."""
    world.ensure_pristine()
    ids = world.ids
    pages = [
        world.client("patient").get(f"/patients/{ids['patient']}/routine"),
        world.client("patient").get(f"/requests/{ids['request']}"),
        world.client("holding_aide").get(f"/visits/{ids['booked_visit']}"),
        world.client("holding_aide").get(f"/visits/{ids['completed_visit']}/summary"),
        world.client("patient").get(f"/patients/{ids['patient']}/home-log/{ids['home_session']}"),
    ]
    assert [page.status_code for page in pages] == [200] * len(pages)
    shown = "".join(page.get_data(as_text=True) for page in pages)
    missing = [what for what, marker in MARKERS.items() if marker not in shown]
    assert not missing, f"never shown even to insiders: {missing}"
