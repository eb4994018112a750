"""Every form post in HomeStretch: the rule, who posts it and what its fields may hold. The
form fuzzer (test_form_fuzzing.py) walks this table; every POST route needs an entry here.
"""

from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.conftest import PASSWORD
from tests.security.form_fields import (
    DAYS,
    EMAILS,
    SLOTS,
    TIMES,
    ZONES,
    Field,
    _days,
    home_log_fields,
    id_strategy,
    log_fields,
    many,
    mostly_valid,
    nasty,
    new_request_fields,
    one,
)


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


#: A wrong password (at log-in, or re-entered to change the account) is counted in the
#: database by design: that is how every app server agrees on the limit.
FAILED_LOGINS = ("login_failure",)


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
