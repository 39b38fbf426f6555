"""Officials' pages for merging duplicates (``agreements.merging``): two organisations, or two
resources, that are the same become one.

A page in three steps, at one address: choose the duplicate and the record to keep (the
"Merge into another..." link of an organisation's or a resource's page names the duplicate),
read what would move (parties, flows, agreements) and why it cannot be merged if it cannot,
then confirm: the POST merges and lands on the kept record's page with a message. Officials
of any agency and admins (``permissions.can_merge``); anyone else signed in gets 403.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from agreements import merging, permissions
from agreements.forms import OrganisationMergeForm, ResourceMergeForm


@dataclass(frozen=True)
class _MergeKind:
    """What differs between merging organisations and merging resources."""

    form_class: type
    plan: object
    merge: object
    title: str
    intro: str


ORGANISATIONS = _MergeKind(
    form_class=OrganisationMergeForm,
    plan=merging.plan_organisation_merge,
    merge=merging.merge_organisations,
    title=gettext_lazy("Merge two organisations"),
    intro=gettext_lazy(
        "When the registry holds one organisation twice (“Asnaes Power Station” and “Asnæs "
        "Power Station”), merge the duplicate into the other: every party, flow and history "
        "entry moves to it, and the duplicate's names stay as aliases that search still finds."
    ),
)
RESOURCES = _MergeKind(
    form_class=ResourceMergeForm,
    plan=merging.plan_resource_merge,
    merge=merging.merge_resources,
    title=gettext_lazy("Merge two resources"),
    intro=gettext_lazy(
        "When the registry holds one resource twice, merge the duplicate into the other: "
        "every flow and its history moves to it, and the duplicate's names stay as aliases "
        "that search still finds."
    ),
)


def _merge_page(request, kind):
    if not permissions.can_merge(request.user):
        raise PermissionDenied(_("Only officials and admins merge duplicates."))
    data = request.POST if request.method == "POST" else request.GET
    bound = request.method == "POST" or bool({"duplicate", "keep"} & set(request.GET))
    form = kind.form_class(data if bound else None)
    plan = None
    if bound and form.is_valid():
        keep, duplicate = form.cleaned_data["keep"], form.cleaned_data["duplicate"]
        if request.method == "POST":
            try:
                kind.merge(keep=keep, duplicate=duplicate, by=request.user)
            except merging.MergeRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request,
                    _("%(duplicate)s is merged into %(kept)s.")
                    % {"duplicate": duplicate, "kept": keep},
                )
                return redirect(keep)
        plan = kind.plan(keep=keep, duplicate=duplicate)
    return render(
        request,
        "agreements/merge_form.html",
        {"form": form, "plan": plan, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_merge(request):
    return _merge_page(request, ORGANISATIONS)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_merge(request):
    return _merge_page(request, RESOURCES)
