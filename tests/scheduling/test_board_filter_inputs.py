"""The board writes its filter inputs out as plain HTML: each stays what the form's widget and
the form helpers would show (label, value, choice, error tied to the control), blank or not,
right or wrong."""

import pytest
from flask import request

from webapp.scheduling.forms import FILTER_FIELDS, BoardFilterForm

#: What templates/_forms.html's field() adds to each filter's control on the board.
EXTRA = {
    "date_from": {"type": "date"},
    "date_to": {"type": "date"},
    "min_rate": {"inputmode": "decimal"},
}


def _as_the_form_shows(field) -> tuple[str, str, str | None]:
    attrs = {"class_": "field__input", **EXTRA.get(field.name, {})}
    error = None
    if field.errors:
        attrs.update({"aria-describedby": f"{field.id}-error", "aria-invalid": "true"})
        error = f'<p class="field__error" id="{field.id}-error">{" ".join(field.errors)}</p>'
    return str(field.label(class_="field__label")), str(field(**attrs)), error


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 200),
        ("area=++Spring+field+&task=cold-pack&min_rate=25&date_from=2030-01-02", 200),
        ("task=medications&date_to=2030-03-04", 200),
        ("area=%3Cb%3E%22&task=zzz&min_rate=abc&date_from=xx", 422),
        ("date_from=2030-02-01&date_to=2030-01-01", 422),
        ("area=" + "x" * 101, 422),
    ],
)
def test_each_filter_shows_what_its_widget_would(app, verified_aide_client, query, status):
    response = verified_aide_client.get("/board?" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == status

    with app.test_request_context("/board?" + query):
        form = BoardFilterForm(request.args)
        if query:
            assert form.validate() is (status == 200)
    assert [field.name for field in form] == list(FILTER_FIELDS)
    for field in form:
        label, control, error = _as_the_form_shows(field)
        assert label in page
        assert control in page, f"{field.name}: {control}"
        if error:
            assert error in page
        else:
            assert f'id="{field.id}-error"' not in page
