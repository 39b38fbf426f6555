"""``{% bootstrap_field field as f %}``: what templates/bootstrap5/field.html (the project's
lean copy of crispy-bootstrap5's) draws a field with, read once.

The pack's template reads the field's label, help text, id and errors again and again, and
each read of a label or help text is a translation looked up anew; with its includes, a field
cost a form page about half a millisecond, and the agreement form has a hundred. Read here,
they cost a dictionary lookup each; the template still writes every piece of markup.
"""

from django import forms, template
from django.conf import settings
from django.forms.widgets import Input

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
    errors = field.errors
    css_classes = field.css_classes()
    bootstrap_class = "form-select" if isinstance(widget, forms.Select) else "form-control"
    return {
        "lean": True,
        "auto_id": field.auto_id,
        "css_classes": f" {css_classes}" if css_classes else "",
        "label": str(field.label),  # a translation: each read looks it up again
        "id_for_label": field.id_for_label,
        "required": field.field.required,
        "widget": crispy_widget(
            field, f"{bootstrap_class} is-invalid" if errors else bootstrap_class
        ),
        "errors": errors,
        "help_text": str(field.help_text),
    }


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
