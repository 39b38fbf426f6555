"""The project's lean copy of crispy-bootstrap5's field template (templates/bootstrap5/, with
symbiosis/templatetags/bootstrap_field.py) draws every kind of field as the pack's own
templates do: label and required marker, widget classes, errors, help text and the ids tying
them together, for fields blank, valid and invalid, under each helper setting the project
could use. Compared as HTML: tags, attributes and text, whitespace aside."""

from html.parser import HTMLParser
from pathlib import Path

import crispy_bootstrap5
import pytest
from django import forms
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.utils.translation import gettext_lazy as _

PACK = DjangoTemplates(
    {
        "NAME": "crispy-bootstrap5 alone",
        "DIRS": [Path(crispy_bootstrap5.__file__).parent / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {},
    }
)


class EveryKindOfField(forms.Form):
    reference = forms.CharField(max_length=10, help_text=_("A short unique identifier."))
    title = forms.CharField(label=_("Title in English"), required=False)
    email = forms.EmailField(required=False, help_text="<b>Work</b> address")
    count = forms.IntegerField(min_value=0)
    quantity = forms.DecimalField(required=False, widget=forms.NumberInput({"step": "any"}))
    signed_on = forms.DateField(widget=forms.DateInput({"type": "date"}))
    summary = forms.CharField(widget=forms.Textarea({"rows": 4}), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("b", "<B>")])
    year = forms.TypedChoiceField(choices=[(2023, "2023")], coerce=int, required=False)
    tags = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    public = forms.BooleanField(required=False, help_text="Shown to everyone.")
    agreed = forms.BooleanField()
    decision = forms.ChoiceField(
        choices=[("v", "Verify"), ("r", "Return")], widget=forms.RadioSelect
    )
    sectors = forms.MultipleChoiceField(
        choices=[("c", "C"), ("d", "D")], widget=forms.CheckboxSelectMultiple, required=False
    )
    document = forms.FileField(required=False, help_text="PDF only.")
    when = forms.SplitDateTimeField(required=False)
    unlabelled = forms.CharField(label="", required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)


INVALID = {
    "reference": "x" * 11,
    "email": "not an address",
    "count": "-1",
    "quantity": "ten",
    "signed_on": "2023-02-30",
    "kind": "z",
    "year": "1999",
    "tags": ["q"],
    "decision": "",
    "sectors": ["q"],
    "when_0": "someday",
    "when_1": "",
}
VALID = {"reference": "R-1", "count": "3", "signed_on": "2023-09-12", "kind": "a", "agreed": "on"}

FORMS = {
    "blank": lambda: EveryKindOfField(prefix="p"),
    "valid": lambda: EveryKindOfField({f"p-{k}": v for k, v in VALID.items()}, prefix="p"),
    "invalid": lambda: EveryKindOfField(
        {f"p-{k}": v for k, v in INVALID.items()} | {"p-decision": "x"}, prefix="p"
    ),
}
# {% crispy %} with the project's helpers, {{ form|crispy }}, and the helper options the lean
# template hands over to _field_full.html.
SETTINGS = {
    "crispy tag": {"form_show_errors": True, "form_show_labels": True, "error_text_inline": True},
    "crispy filter": {"form_show_errors": True, "form_show_labels": True},
    "help text inline": {
        "form_show_errors": True,
        "form_show_labels": True,
        "help_text_inline": True,
        "error_text_inline": False,
    },
    "no labels": {"form_show_errors": True, "form_show_labels": False, "error_text_inline": True},
    "no errors": {"form_show_errors": False, "form_show_labels": True, "error_text_inline": True},
    "wrapper class": {"form_show_errors": True, "form_show_labels": True, "wrapper_class": "w"},
}


class Tokens(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tokens = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = [(name, " ".join(value.split()) if value else value) for name, value in attrs]
        self.tokens.append(("start", tag, attrs))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if data.split():
            self.tokens.append(("text", " ".join(data.split())))


def drawn(engine, field_name, state, setting):
    field = FORMS[state]()[field_name]
    template = engine.get_template("bootstrap5/field.html")
    return Tokens(template.render({"field": field, **SETTINGS[setting]})).tokens


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("state", FORMS)
@pytest.mark.parametrize("field_name", EveryKindOfField.base_fields)
def test_a_field_is_drawn_as_the_packs_own_template_draws_it(field_name, state, setting):
    assert drawn(engines["django"], field_name, state, setting) == drawn(
        PACK, field_name, state, setting
    )


def test_the_pack_alone_draws_with_its_own_templates():
    template = PACK.get_template("bootstrap5/field.html")
    assert "crispy_bootstrap5" in template.origin.name
    assert (
        "crispy_bootstrap5"
        not in engines["django"].get_template(template.origin.template_name).origin.name
    )
