"""``{{ widget.attrs|widget_attrs }}``: what templates/django/forms/widgets/attrs.html, the
project's copy of Django's, writes a widget's attributes with, in one node (Django's template
loops over them, four nodes an attribute), for the widgets still drawn by their templates
(radio buttons, checkbox lists: ``symbiosis.form_renderer`` writes the others)."""

from django import template
from django.utils.safestring import SafeString

from symbiosis.form_renderer import html_attrs

register = template.Library()


@register.filter
def widget_attrs(attrs):
    """`` name="value"`` for each attribute, in order; `` name`` alone for True; nothing for
    False."""
    return SafeString(html_attrs(attrs))
