"""How a flow's impact figure is obtained, for the pages that list flows:
``{{ flow|baseline }}`` (what its avoided emissions are measured against, in the reader's
language) and ``{{ flow|claimant }}`` (the party that claims them), by the rule of
``agreements.impact``."""

from django import template

from agreements import impact

register = template.Library()


@register.filter
def baseline(flow):
    return impact.baseline(flow)


@register.filter
def claimant(flow):
    return impact.claimant(flow)
