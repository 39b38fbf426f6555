"""The project's form renderer (symbiosis/form_renderer.py: inputs, lists and text areas written
in Python, the other widgets by templates with the lean attrs.html) draws every widget exactly
as Django's own templates do: the same tags, attributes, values, escaping and selected options,
whitespace between tags aside."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from symbiosis.form_renderer import FormRenderer, escape
from symbiosis.templatetags.form_widgets import widget_attrs

# Attributes of every kind a template writes differently: True alone, False left out, None,
# quotes, ampersands and brackets, a safe string, a lazy translation.
ATTRS = {
    "required": True,
    "disabled": False,
    "data-none": None,
    "placeholder": 'Say "hi" & <b>bye</b>',
    "data-safe": mark_safe("&amp;"),
    "aria-label": _("Search"),
}

GROUPED = [
    ("", "---------"),
    ("Water", [("1", "Treated wastewater"), ("2", "Rain & <storm> water")]),
    (3, "Steam"),
    ("Energy", [(4, _("Active")), ("5", "Solar")]),
]


class RadioOptionSelect(forms.Select):
    """A select whose options are drawn by another template than select_option.html."""

    option_template_name = "django/forms/widgets/input_option.html"


WIDGETS = [
    ("text", forms.TextInput(ATTRS), 'a "quoted" <value> & more'),
    ("text, no value", forms.TextInput(), None),
    ("number", forms.NumberInput({"min": "0", "step": "any"}), 12.5),
    ("date", forms.DateInput({"type": "date"}, format="%Y-%m-%d"), "2023-09-12"),
    ("email", forms.EmailInput(), "a@b.vn"),
    ("url", forms.URLInput(), "https://example.com/?a=1&b=2"),
    ("password", forms.PasswordInput(render_value=True), "secret"),
    ("hidden", forms.HiddenInput(), 7),
    ("search", forms.SearchInput(ATTRS), "steel"),
    ("checkbox, ticked", forms.CheckboxInput(), True),
    ("checkbox, not ticked", forms.CheckboxInput(ATTRS), False),
    ("file", forms.FileInput({"accept": ".pdf,.png"}), None),
    ("textarea", forms.Textarea({"rows": 4}), "Line one\n<line> & two"),
    ("textarea, empty", forms.Textarea(), ""),
    ("select", forms.Select(ATTRS, choices=GROUPED), "2"),
    ("select, int chosen", forms.Select(choices=GROUPED), 3),
    ("select, nothing chosen", forms.Select(choices=GROUPED), None),
    ("select multiple", forms.SelectMultiple(choices=GROUPED), ["1", "4", "5"]),
    ("yes/no select", forms.NullBooleanSelect(), True),
    ("select with its own option template", RadioOptionSelect(choices=GROUPED), "5"),
    ("radio", forms.RadioSelect(choices=GROUPED), "1"),
]


def between_tags(html):
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize(("kind", "widget", "value"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_a_widget_is_drawn_as_djangos_own_templates_draw_it(kind, widget, value):
    attrs = {"id": "id_field", "aria-describedby": "id_field_helptext"}

    ours = widget.render("field", value, attrs, renderer=FormRenderer())
    djangos = widget.render("field", value, attrs, renderer=DjangoTemplates())

    assert between_tags(ours) == between_tags(djangos)


def test_the_project_draws_widgets_with_its_renderer_and_its_attributes_template(settings):
    assert isinstance(get_default_renderer(), FormRenderer)
    name = "django/forms/widgets/attrs.html"
    ours = settings.BASE_DIR / "templates" / name
    assert FormRenderer().get_template(name).origin.name == str(ours)
    assert DjangoTemplates().get_template(name).origin.name != str(ours)
    select = forms.Select(choices=[("1", "One")]).render("n", "1", renderer=FormRenderer())
    assert select == '<select name="n">\n  <option value="1" selected>One</option>\n</select>'


def test_attributes_are_written_in_order_escaped_and_true_ones_alone():
    assert widget_attrs(ATTRS) == (
        ' required data-none="None" placeholder="Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;"'
        ' data-safe="&amp;" aria-label="Search"'
    )


def test_escape_leaves_safe_text_alone_and_escapes_the_rest_as_django_does():
    assert escape(mark_safe("<b>")) == "<b>"
    assert escape("<'\"&>") == "&lt;&#x27;&quot;&amp;&gt;"
    assert escape(_("Search")) == "Search"
    assert escape(3) == "3"
