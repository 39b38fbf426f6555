"""Small pieces the public pages repeat: an agreement's status badge, its signatories and
resources from prefetched rows."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Party

register = template.Library()

STATUSES = {
    "active": (_("Active"), "text-bg-success"),
    "expired": (_("Expired"), "text-bg-secondary"),
    "upcoming": (_("Not yet started"), "text-bg-info"),
}


def status_on(agreement, day):
    """ "active", "expired" or "upcoming", from the agreement's dates."""
    if agreement.is_active_on(day):
        return "active"
    if agreement.is_expired_on(day):
        return "expired"
    return "upcoming"


@register.inclusion_tag("agreements/_status_badge.html")
def agreement_status(agreement):
    label, css = STATUSES[status_on(agreement, timezone.localdate())]
    return {"label": label, "css": css}


@register.filter
def signatories(agreement):
    """The signing organisations, from prefetched parties."""
    return [
        party.organisation
        for party in agreement.parties.all()
        if party.role == Party.Role.SIGNATORY
    ]


@register.filter
def shared_resources(agreement):
    """Each resource the agreement's flows share, once, from prefetched flows."""
    resources = {}
    for flow in agreement.flows.all():
        resources.setdefault(flow.resource_id, flow.resource)
    return list(resources.values())
