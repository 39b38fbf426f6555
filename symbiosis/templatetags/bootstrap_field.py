"""``{% bootstrap_field field as f %}``: templates/bootstrap5/field.html (the project's lean
copy of crispy-bootstrap5's) draws the fields most forms are made of with what this writes.

The pack's template reads the field's label, help text, id and errors again and again, and
each read of a label or help text is a translation looked up anew; with its includes, a field
cost a form page about half a millisecond, and the agreement form has a hundred. Here each is
read once and the markup written in Python, the pack's to the letter (the wrapper, the label and
its required marker, the widget with its classes, the errors, the help text): some forty
template nodes less a field. tests/symbiosis/test_bootstrap_field.py compares the two.
"""

from django import forms, template
from django.conf import settings
from django.forms.widgets import Input
from django.utils.safestring import SafeString

from symbiosis.form_renderer import escape

register = template.Library()

# Fields field.html draws itself; the others (checkboxes, radio and checkbox lists, file
# inputs) go to bootstrap5/_field_full.html, as do helpers that hide labels, set a wrapper
# class or put help text inline.
LEAN_WIDGETS = (forms.Select, Input, forms.Textarea)
NOT_LEAN_WIDGETS = (forms.CheckboxInput, forms.FileInput)


@register.simple_tag(takes_context=True)
def bootstrap_field(context, field):
    if field.is_hidden:
        return {"hidden": True, "widget": str(field)}
    widget = field.field.widget
    lean = (
        isinstance(widget, LEAN_WIDGETS)
        and not isinstance(widget, NOT_LEAN_WIDGETS)
        and not widget.use_fieldset
        and context.get("form_show_labels")
        and not context.get("help_text_inline")
        and not context.get("wrapper_class")
    )
    if not lean:
        return {"lean": False}
    return {"lean": True, "html": SafeString(lean_field_html(context, field, widget))}


def lean_field_html(context, field, widget):
    """What field.html wrote for a lean field, written here: the wrapper, the label with its
    required marker, the widget with its classes, the errors and the help text."""
    errors = field.errors
    css_classes = field.css_classes()
    auto_id = escape(field.auto_id)
    bootstrap_class = "form-select" if isinstance(widget, forms.Select) else "form-control"
    wrapper_classes = escape(f" {css_classes}" if css_classes else "")
    parts = [f'\n<div id="div_{auto_id}" class="mb-3{wrapper_classes}">\n  ']
    label = str(field.label)  # a translation: each read looks it up again
    if label:
        id_for_label = field.id_for_label
        for_attr = f' for="{escape(id_for_label)}"' if id_for_label else ""
        if field.field.required:
            parts.append(
                f'<label{for_attr} class="form-label requiredField">{escape(label)}'
                '<span class="asteriskField">*</span></label>'
            )
        else:
            parts.append(f'<label{for_attr} class="form-label">{escape(label)}</label>')
    widget_html = crispy_widget(
        field, f"{bootstrap_class} is-invalid" if errors else bootstrap_class
    )
    parts.append(f"\n  {widget_html}\n  ")
    if errors and context.get("form_show_errors"):
        tag = "span" if context.get("error_text_inline") else "p"
        parts.append(f'<div id="{escape(errors.field_id)}_error" class="invalid-feedback">')
        parts.extend(
            f'<{tag} id="error_{number}_{auto_id}"><strong>{escape(error)}</strong></{tag}>'
            for number, error in enumerate(errors, start=1)
        )
        parts.append("</div>")
    parts.append("\n  ")
    help_text = str(field.help_text)
    if help_text:
        id_attr = f'id="{auto_id}_helptext" ' if field.auto_id else ""
        parts.append(f'<div {id_attr}class="form-text">{help_text}</div>')
    parts.append("\n</div>\n")
    return "".join(parts)


def crispy_widget(field, classes):
    """The field's widget with crispy's classes, as ``{% crispy_field field 'class' classes %}``
    draws it: the widget's own class, the lowercased name of its class (``select``,
    ``textinput``), then ``classes``."""
    widget = field.field.widget
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    class_name = widget.__class__.__name__.lower()
    class_name = converters.get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in classes.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class
    return str(field)
