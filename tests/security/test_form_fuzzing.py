"""Every form post in HomeStretch, fed generated input: never a server error, and a refused post
leaves every table exactly as it was.

Each field gets either a value the form would take or something nasty: empty, huge, another
script's digits ("²", "٣"), right-to-left marks, emoji, NUL and other control characters,
negative and enormous numbers, impossible dates and times, unknown time zones, end before
start, and ids of records that belong to someone else or to nobody. Hypothesis runs a fixed,
derandomized number of examples per form, so a CI run is reproducible; the counts are in the
test ids and in the summary at the end of the run. The posts, and what their fields may hold,
are listed in forms_table.py.
"""

from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings

from tests.security.conftest import EXAMPLES_RUN
from tests.security.forms_table import FORMS, FORMS_BY_RULE, Form
from tests.security.world import make_app


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
