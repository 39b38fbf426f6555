"""Small pieces the public pages repeat: an agreement's status badge, its signatories and
resources from prefetched rows, and the page numbers of a long list."""

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


@register.simple_tag(takes_context=True)
def page_query(context, number, page_kwarg="page"):
    """This page's query string with ``page_kwarg`` set to ``number``, every other parameter
    (search, filters, another list's page) kept: Django's ``querystring`` for a page parameter
    named by a variable, as when one page has two paginated lists."""
    params = context.request.GET.copy()
    params[page_kwarg] = number
    return f"?{params.urlencode()}"


@register.simple_tag
def page_numbers(page_obj):
    """Page numbers around the current one, with the first and last; None marks a gap."""
    numbers = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
