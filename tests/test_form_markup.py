"""Form fields are drawn with every attribute escaped, as WTForms draws them."""

from markupsafe import Markup
from wtforms import Form, StringField, TextAreaField
from wtforms.widgets import core

from webapp.forms import CheckboxesField, choices, html_params


class _Sample(Form):
    name = StringField("Name <b>")
    notes = TextAreaField("Notes")
    when = CheckboxesField(
        "When", choices=choices([("am", "Morning & noon"), ("pm", 'Evening "late"')])
    )


def test_typed_text_cannot_break_out_of_its_attribute():
    form = _Sample(data={"name": '"><script>alert(1)</script>', "notes": "</textarea><b>"})

    assert form.name(class_="field__input", **{"aria-describedby": "name-hint"}) == (
        '<input aria-describedby="name-hint" class="field__input" id="name" name="name" '
        'type="text" value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
    )
    assert str(form.notes()) == (
        '<textarea id="notes" name="notes">\r\n&lt;/textarea&gt;&lt;b&gt;</textarea>'
    )
    assert form.name.label(class_="field__label") == (
        '<label class="field__label" for="name">Name &lt;b&gt;</label>'
    )
    options = str(form.when())
    assert 'value="am"' in options and "Morning &amp; noon" in options
    assert "Evening &#34;late&#34;" in options


def test_attributes_read_as_wtforms_writes_them():
    assert html_params(
        class_="a", data_x_y=1, aria_invalid="true", required=True, hidden=False
    ) == ('aria-invalid="true" class="a" data-x-y="1" required')
    # A value already marked safe keeps its markup, but its double quotes cannot end the value.
    assert html_params(title=Markup('say "hi" & <b>')) == 'title="say &quot;hi&quot; & <b>"'
    assert core.html_params is html_params
