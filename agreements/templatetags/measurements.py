"""Measured quantities in templates: ``{% quantities_awaiting_review user as count %}``, how
many figures await the review of an official (or an admin), for the dashboard."""

from django import template

from agreements.measurements import awaiting_review

register = template.Library()


@register.simple_tag
def quantities_awaiting_review(user):
    return awaiting_review(user).count()
