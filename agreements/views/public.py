"""Public pages: home, agreements, resources, and document downloads.

Lists (this module's and the park and organisation pages) show verified agreements only, to
everyone. An agreement's own page also shows an unverified agreement to those whose role reaches
it (its park's staff, its officials), with its review state; anyone else gets a 404, so an
unverified agreement never shows that it exists. Every page runs a fixed number of queries
and shows a bounded number of rows, whatever the number in the registry: long lists are
paginated (25 a page) or capped with a link to the rest, and totals are counted by the
database.
"""

import re
from pathlib import PurePath

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from agreements.filters import AgreementFilterForm
from agreements.flow_drawing import flow_drawing
from agreements.impact import claimed_impact, flow_impacts, impact, total_tonnes_avoided
from agreements.models import Agreement, Document, Merge, Party, Resource, ResourceFlow
from agreements.permissions import (
    can_create_park,
    can_download_document,
    can_merge,
    can_see_internal,
    can_set_emission_factor,
    visible_agreements,
)
from agreements.views.factors import factor_history
from agreements.year_chart import flow_charts, yearly_charts
from parks.models import Organisation, Park
from parks.park_map import SMALL_MAP_THINNING, draw_park_map
from symbiosis.caching import cached_data
from symbiosis.pagination import (
    CappedPaginator,
    DetailWithListMixin,
    PageNumberClampMixin,
    page_of,
)

ROLE_HEADINGS = {
    Party.Role.SIGNATORY: _("Signatories"),
    Party.Role.WITNESS: _("Witnesses"),
    Party.Role.FACILITATOR: _("Facilitators"),
}
PUBLIC = Agreement.PUBLIC_STATE
# How many related agreements of each kind an agreement's page lists; the rest are a link away.
RELATED_LIMIT = 10


class MergedDuplicateMixin:
    """For the page of an organisation or a resource: the address of a duplicate merged into
    another (``agreements.merging``) leads to the kept one's page, and officials (who merge,
    ``can_merge``) see the merges made into it and a link to merge it into another."""

    merge_kind = None
    merge_url_name = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            merge = (
                Merge.objects.filter(kind=self.merge_kind, duplicate_slug=self.kwargs["slug"])
                .select_related("kept_organisation", "kept_resource")
                .first()
            )
            if merge is None or merge.kept is None:
                raise
            return redirect(merge.kept, permanent=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_merge"] = can_merge(self.request.user)
        if context["can_merge"]:
            context["merges"] = self.object.merges.select_related("merged_by")[:MERGES_SHOWN]
            context["merge_url_name"] = self.merge_url_name
        return context


# How many of the merges made into a record its page lists.
MERGES_SHOWN = 20


def with_public_agreement_count(parks):
    """Each park with ``agreement_count``: its verified agreements."""
    return parks.annotate(
        agreement_count=Count("agreements", filter=Q(agreements__review_state=PUBLIC))
    )


def parks_for_map():
    """Every park with its verified agreements counted (one grouped query), in name order."""
    return list(with_public_agreement_count(Park.objects.for_map()).order_by("name_en", "name_vi"))


class HomeView(TemplateView):
    template_name = "home.html"
    latest_count = 5
    park_count = 6

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        public = Agreement.objects.public()
        today = timezone.localdate()
        context["figures"] = cached_data(
            "home-figures", today, compute=lambda: home_figures(public, today=today)
        )
        context["latest"] = public.for_list_page().latest_first()[: self.latest_count]
        # One query for both the small map and the parks with the most verified agreements.
        parks = cached_data("home-parks-map", compute=parks_for_map)
        context["park_map"] = draw_park_map(parks, thinning=SMALL_MAP_THINNING)
        context["parks"] = sorted(parks, key=lambda park: -park.agreement_count)[: self.park_count]
        return context


def home_figures(public, *, today):
    """The headline figures: what the registry holds, counted in the database."""
    return [
        (_("parks"), Park.objects.count()),
        (
            _("organisations in verified agreements"),
            Organisation.objects.confirmed()
            .filter(Exists(Party.objects.filter(organisation=OuterRef("pk"), agreement__in=public)))
            .count(),
        ),
        (_("verified agreements"), public.count()),
        (_("active agreements"), public.active_on(today).count()),
        (
            _("resources shared"),
            Resource.objects.confirmed()
            .filter(
                Exists(ResourceFlow.objects.filter(resource=OuterRef("pk"), agreement__in=public))
            )
            .count(),
        ),
    ]


class AgreementListView(PageNumberClampMixin, ListView):
    """The verified agreements, searched and filtered. Its count stops at
    ``CappedPaginator.count_limit`` ("more than 250 found"), and its year choices run from
    the first year signed to the last, so the page costs the same at any size."""

    template_name = "agreements/agreement_list.html"
    context_object_name = "agreements"
    paginate_by = 25
    paginator_class = CappedPaginator

    def get_queryset(self):
        public = Agreement.objects.public()
        years = cached_data("years-signed", compute=lambda: years_signed(public))
        self.form = AgreementFilterForm(self.request.GET, years=years)
        self.form.is_valid()  # invalid filters are reported on the form and left out
        return self.form.filter(public).for_list_page().latest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["active_filters"] = [
            (label, value, self._without(name)) for name, label, value in self.form.active_filters()
        ]
        return context

    def _without(self, name):
        """This list's query string without one filter (and back on the first page)."""
        params = self.request.GET.copy()
        params.pop(name, None)
        params.pop(self.page_kwarg, None)
        return f"?{params.urlencode()}" if params else "?"


def years_signed(agreements):
    """The years from the latest signing to the earliest, newest first (two index reads on
    PostgreSQL, where listing the distinct years would read every agreement)."""
    span = agreements.aggregate(first=Min("signed_on"), last=Max("signed_on"))
    if span["first"] is None:
        return []
    return list(range(span["last"].year, span["first"].year - 1, -1))


class AgreementDetailView(DetailView):
    template_name = "agreements/agreement_detail.html"
    context_object_name = "agreement"
    slug_field = "reference"
    slug_url_kwarg = "reference"

    def get_queryset(self):
        return visible_agreements(self.request.user, Agreement.objects.for_detail_page())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = self.object
        user = self.request.user
        parties = list(agreement.parties.all())
        flows = list(agreement.flows.all())
        context["party_groups"] = [
            (heading, members)
            for role, heading in ROLE_HEADINGS.items()
            if (members := [party for party in parties if party.role == role])
        ]
        context["flows"] = flows
        context["flow_drawing"] = flow_drawing(agreement, flows)
        internal = can_see_internal(user, agreement)
        for flow in flows:
            # What a flow is made from is shown where its agreement may be seen.
            source = flow.made_from
            flow.shown_made_from = (
                source if source is not None and (internal or source.agreement.is_public) else None
            )
        # Every flow of the agreement is a row, so the Total row is the sum of its rows.
        context["impacts"] = impacts = flow_impacts(flows)
        context["total_tonnes"] = total_tonnes_avoided(impacts)
        # Agreed and measured per year, flow by flow (agreements.yearly).
        context["flow_charts"] = flow_charts(agreement, flows, today=timezone.localdate())
        context["documents"] = [
            document
            for document in agreement.documents.all()
            if can_download_document(user, document)
        ]
        context["can_see_internal"] = internal
        context.update(nested_agreements(user, agreement))
        context.update(related_agreements(user, agreement, parties, flows))
        return context


# A framework can have many bilateral agreements: the page lists this many of its relatives.
NESTED_LIMIT = 50


def nested_agreements(user, agreement, *, limit=NESTED_LIMIT):
    """The agreements this user may see that nest with ``agreement``, in one query:
    ``framework`` (the one it was made under), ``amended`` (the earlier one it amends, renews
    or replaces), ``bilaterals`` (made under it) and ``amendments`` (amending it), with
    ``more_nested`` telling whether some are left out."""
    nested = list(
        visible_agreements(user, Agreement.objects.all()).nested_with(agreement, limit=limit + 1)
    )
    more, nested = len(nested) > limit, nested[:limit]
    return {
        "framework": next((a for a in nested if a.pk == agreement.framework_id), None),
        "amended": next((a for a in nested if a.pk == agreement.amends_id), None),
        "bilaterals": [a for a in nested if a.framework_id == agreement.pk],
        "amendments": [a for a in nested if a.amends_id == agreement.pk],
        "more_nested": more,
        "nested_limit": limit,
    }


def related_agreements(user, agreement, parties, flows, *, limit=RELATED_LIMIT):
    """The other verified agreements linked to this one, the ``limit`` most recent of each kind,
    in four queries whatever their number:

    - ``same_resource``: sharing one of its resources, each with ``shared_flows``;
    - ``same_parties``: signed by one of its signatories, each with ``shared_parties``;
    - ``shared_resources`` and ``signatories``: where to see them all (their own pages), with
      ``more_same_resource`` and ``more_same_parties`` telling whether some are left out.
    """
    resources = list({flow.resource_id: flow.resource for flow in flows}.values())
    signatories = [party.organisation for party in parties if party.role == Party.Role.SIGNATORY]
    others = Agreement.objects.public().exclude(pk=agreement.pk).select_related("park")
    related = {
        "shared_resources": resources,
        "signatories": signatories,
        "related_limit": limit,
        "same_resource": [],
        "same_parties": [],
    }
    if resources:
        shared_flows = ResourceFlow.objects.filter(resource__in=resources)
        related["same_resource"] = list(
            others.filter(pk__in=shared_flows.values("agreement_id"))
            .prefetch_related(
                Prefetch(
                    "flows",
                    queryset=shared_flows.select_related("resource").order_by("resource_id", "pk"),
                    to_attr="shared_flows",
                )
            )
            .latest_first()[: limit + 1]
        )
    if signatories:
        shared_parties = Party.objects.filter(
            organisation__in=signatories, role=Party.Role.SIGNATORY
        )
        related["same_parties"] = list(
            others.filter(pk__in=shared_parties.values("agreement_id"))
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=shared_parties.select_related("organisation").order_by("pk"),
                    to_attr="shared_parties",
                )
            )
            .latest_first()[: limit + 1]
        )
    for name in ["same_resource", "same_parties"]:
        related[f"more_{name}"] = len(related[name]) > limit
        related[name] = related[name][:limit]
    return related


class ResourceListView(ListView):
    template_name = "agreements/resource_list.html"
    context_object_name = "resources"

    def get_queryset(self):
        return (
            Resource.objects.confirmed()
            .annotate(
                agreement_count=Count(
                    "flows__agreement",
                    filter=Q(flows__agreement__review_state=PUBLIC),
                    distinct=True,
                )
            )
            .order_by("category", "name_en", "name_vi")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resources = list(context["resources"])
        context["groups"] = [
            (label, members)
            for category, label in Resource.Category.choices
            if (members := [r for r in resources if r.category == category])
        ]
        return context


class ResourceDetailView(MergedDuplicateMixin, DetailWithListMixin, ListView):
    """A resource and the verified agreements sharing it, 25 a page, the latest first, each
    with its flows of this resource; the impact of them all (``agreements.impact.impact``, as
    on the dashboard) is added up by the database, and each listed flow shows its own figure,
    marked when its agreement is not in force today."""

    template_name = "agreements/resource_detail.html"
    # A resource proposed by park staff has no page until an official confirms it.
    object_queryset = Resource.objects.confirmed().select_related("current_factor")
    merge_kind = Merge.Kind.RESOURCE
    merge_url_name = "agreements:resource-merge"
    list_context_name = "agreements"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()  # one day for every figure of the page

    def get_queryset(self):
        flows = ResourceFlow.objects.filter(resource=self.object)
        return (
            Agreement.objects.public()
            .filter(pk__in=flows.values("agreement_id"))
            .select_related("park")
            .prefetch_related(
                Prefetch(
                    "flows",
                    queryset=flows.select_related(
                        "resource__current_factor", "provider", "receiver"
                    )
                    .with_impact(self.today)
                    .order_by("pk"),
                    to_attr="resource_flows",
                )
            )
            .latest_first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = self.today
        context["impact"] = impact(
            ResourceFlow.objects.public().filter(resource=self.object), today=self.today
        )
        context["yearly_charts"] = yearly_charts(
            ResourceFlow.objects.filter(resource=self.object), today=self.today, slug="resource"
        )
        context["impacts"] = flow_impacts(
            flow for agreement in context["agreements"] for flow in agreement.resource_flows
        )
        # Its factors as they changed (none to read without a current one).
        resource = self.object
        context["factors"] = factor_history(resource) if resource.current_factor_id else []
        context["can_set_emission_factor"] = can_set_emission_factor(self.request.user)
        return context


@require_safe
def document_download(request, pk):
    """The file as an attachment, to those who may see it; a 404 to anyone else."""
    document = get_object_or_404(Document.objects.select_related("agreement"), pk=pk)
    if not can_download_document(request.user, document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document),
        content_type=document.content_type or None,
    )
    if not (document.is_public and document.agreement.is_public):
        response["Cache-Control"] = "private, no-store"
    return response


def download_name(document):
    """A file name safe in any browser and file system: the name it was uploaded with (or its
    title), reduced to letters, digits, dots, dashes and underscores, with the stored file's
    extension."""
    suffix = PurePath(document.file.name).suffix.lower()
    stem = PurePath(document.original_name).stem if document.original_name else document.title
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._-")[:100]
    return f"{stem or f'document-{document.pk}'}{suffix}"


# Parks and organisations: who they are and their verified agreements


class ParkListView(PageNumberClampMixin, ListView):
    template_name = "parks/park_list.html"
    context_object_name = "parks"
    paginate_by = 25

    def get_queryset(self):
        return with_public_agreement_count(Park.objects.for_list_page()).order_by(
            "name_en", "name_vi"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_create_park=can_create_park(self.request.user), **kwargs
        )


class ParkMapView(TemplateView):
    """Every park on a map drawn by the server (``parks/park_map.py``) and in a list beside it;
    with a tile server set (``MAP_TILES_URL``), a script lays them over its tiles."""

    template_name = "parks/park_map.html"

    def get_context_data(self, **kwargs):
        parks = parks_for_map()
        context = super().get_context_data(park_map=draw_park_map(parks), **kwargs)
        if settings.MAP_TILES_URL:
            context["tiles"] = {
                "url": settings.MAP_TILES_URL,
                "attribution": settings.MAP_TILES_ATTRIBUTION,
            }
        return context


class OrganisationDetailView(MergedDuplicateMixin, DetailWithListMixin, ListView):
    """An organisation, the verified agreements it is party to (25 a page) and the flows it
    provides or receives (25 a page, by their own page parameter)."""

    template_name = "parks/organisation_detail.html"
    # An organisation proposed by park staff has no page until an official confirms it.
    object_queryset = Organisation.objects.confirmed().select_related("park", "successor")
    merge_kind = Merge.Kind.ORGANISATION
    merge_url_name = "agreements:organisation-merge"
    list_context_name = "parties"
    flows_page_kwarg = "flows_page"

    def get_queryset(self):
        return (
            Party.objects.filter(organisation=self.object, agreement__in=Agreement.objects.public())
            .select_related("agreement__park")
            .order_by(F("agreement__starts_on").desc(nulls_last=True), "agreement__reference")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        flows = (
            ResourceFlow.objects.public()
            .filter(Q(provider=organisation) | Q(receiver=organisation))
            .for_public_pages()
            .order_by(F("agreement__starts_on").desc(nulls_last=True), "agreement__reference", "pk")
        )
        context["flows_page"] = page_of(self.request, flows, self.flows_page_kwarg)
        context["flows"] = context["flows_page"].object_list
        context["flows_page_kwarg"] = self.flows_page_kwarg
        # Only the flows whose avoided emissions it claims: a provider and a receiver never
        # both count the same tonnes (agreements.impact).
        context["claimed"] = claimed_impact(
            ResourceFlow.objects.public(), organisation=organisation, today=timezone.localdate()
        )
        context["predecessors"] = organisation.predecessors.confirmed()
        context["developed_parks"] = organisation.developed_parks.all()
        context["managed_parks"] = organisation.managed_parks.all()
        return context
