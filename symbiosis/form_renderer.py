"""The form renderer (``FORM_RENDERER``): Django's ``TemplatesSetting``, with the widgets forms
are mostly made of (text, number, date, hidden and other ``<input>``, ``<select>``,
``<textarea>``) written here in Python, to the letter as Django's own templates write them.

Drawing a widget through its template cost 30 µs for an input and 60 µs for a list, most of it
the template engine's: a context, a template looked up and rendered, an include for the
attributes. An agreement's edit form has some eighty widgets; the list pages have a filter form.
Written here, a widget costs its ``get_context`` and a string. Every other widget (radio buttons,
checkbox lists, file inputs with a "clear" box, a list whose options have their own template)
is drawn by its template, as before (templates/django/forms/widgets/attrs.html keeps their
attributes lean).

``tests/symbiosis/test_form_widgets.py`` draws every kind of widget both ways, here and with
Django's own templates, and compares them.

Every value written goes through ``escape``: Django's ``conditional_escape`` without the
wrapper that looks for lazy arguments, which costs most of the time of ``format_html`` and of
the template's own escaping (an attribute 10 µs instead of 1 µs here). The text is the same.
"""

import html

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"
# Django's templates that are input.html and nothing else.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in [
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
        "file",
    ]
)


def escape(value):
    """``value`` escaped for HTML, unless it is safe already (``conditional_escape``)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def shown(value):
    """``value`` as ``{{ value }}`` shows it in a widget's template: localized, escaped."""
    return escape(localize(template_localtime(value)))


def html_attrs(attrs):
    """`` name="value"`` for each attribute, in order; `` name`` alone for True; nothing for
    False (Django's attrs.html)."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget):
    """input.html: ``<input type name value attrs>``."""
    value = widget["value"]
    value_attr = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value_attr}'
        f"{html_attrs(widget['attrs'])}>"
    )


def textarea_html(widget):
    """textarea.html: the value after a new line, as browsers drop the first one."""
    value = widget["value"]
    return (
        f'<textarea name="{escape(widget["name"])}"{html_attrs(widget["attrs"])}>\n'
        f"{shown(value) if value else ''}</textarea>"
    )


def select_html(widget):
    """select.html with select_option.html for each option, in its ``<optgroup>`` if it has one;
    None if an option has a template of its own."""
    parts = [f'<select name="{escape(widget["name"])}"{html_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{shown(group)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{html_attrs(option['attrs'])}>{shown(option['label'])}</option>"
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS = {
    **dict.fromkeys(INPUT_TEMPLATES, input_html),
    f"{WIDGETS}textarea.html": textarea_html,
    f"{WIDGETS}select.html": select_html,
}


class FormRenderer(TemplatesSetting):
    """Widgets written by ``WRITERS`` where one writes their template, the others by the
    project's template engine (so that templates/ can replace Django's). Like Django's
    renderers, it gives the text without the whitespace around it."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        written = write(context["widget"]) if write is not None else None
        if written is None:
            return super().render(template_name, context, request=request)
        return mark_safe(written)
