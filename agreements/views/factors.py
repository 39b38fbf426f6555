"""Officials' and admins' page for a resource's emission factor: the current one, a form to set
a new one (``services.set_emission_factor``) and every earlier one, the latest first.

A resource's factor holds in every park, so any official (of any agency) and any admin may set
it (``permissions.can_set_emission_factor``); park staff get 403, a signed-out visitor is sent
to sign in. Nothing is ever edited or deleted: each change adds a factor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements import permissions, units
from agreements.forms import EmissionFactorForm
from agreements.models import EmissionFactor, Resource
from agreements.templatetags.quantities import quantity

# How many factors of a resource its pages list, the latest first (a resource's factor changes
# a few times a decade: the limit only bounds the page).
HISTORY_LIMIT = 50


def factor_history(resource, *, limit=HISTORY_LIMIT):
    """The factors ``resource`` has had, the latest (the current one) first, each with who set
    it: one query."""
    return list(
        EmissionFactor.objects.filter(resource=resource)
        .select_related("set_by")
        .order_by("-set_at", "-pk")[:limit]
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_factor(request, slug):
    if not permissions.can_set_emission_factor(request.user):
        raise PermissionDenied(_("Only officials and admins set emission factors."))
    resource = get_object_or_404(Resource.objects.select_related("current_factor"), slug=slug)
    if request.method == "POST":
        form = EmissionFactorForm(request.POST, resource=resource)
        if form.is_valid() and (factor := form.save(by=request.user)) is not None:
            messages.success(
                request,
                _(
                    "%(resource)s now has an emission factor of %(value)s kg CO2e per %(unit)s "
                    "(%(source)s, %(year)s). The earlier one stays in its history."
                )
                % {
                    "resource": resource.name,
                    "value": quantity(factor.value, 4),
                    "unit": units.label(factor.unit),
                    "source": factor.source,
                    "year": factor.year,
                },
            )
            return redirect("agreements:resource-factor", slug=resource.slug)
    else:
        current = resource.current_factor
        initial = (
            {"unit": current.unit, "source": current.source, "year": current.year}
            if current is not None
            else {}
        )
        form = EmissionFactorForm(initial=initial, resource=resource)
    return render(
        request,
        "agreements/resource_factor.html",
        {
            "resource": resource,
            "form": form,
            "factors": factor_history(resource),
            "history_limit": HISTORY_LIMIT,
        },
    )
