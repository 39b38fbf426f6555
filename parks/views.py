"""Public pages of parks and organisations: who they are, their verified agreements and flows,
and a park's symbiosis network.

Every list is paginated or capped, and every total is counted by the database, so each page
costs the same whatever the number of agreements, flows or organisations.
"""

from django.db.models import Count, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.views.generic import ListView

from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.views.public import (
    DetailWithListMixin,
    PageNumberClampMixin,
    page_of,
    public_agreements,
)
from parks.models import Organisation, Park
from parks.network import network_from_links, render_network
from parks.search import fold

# The network draws the organisations with the most flows, and the links among them carrying
# the most agreements: enough for a readable picture, few enough for any park.
NETWORK_MAX_NODES = 50
NETWORK_MAX_LINKS = 150
TENANTS_SHOWN = 50


class ParkListView(PageNumberClampMixin, ListView):
    template_name = "parks/park_list.html"
    context_object_name = "parks"
    paginate_by = 25

    def get_queryset(self):
        return (
            Park.objects.for_list_page()
            .annotate(
                agreement_count=Count(
                    "agreements",
                    filter=Q(agreements__review_state=Agreement.ReviewState.VERIFIED),
                )
            )
            .order_by("name_en", "name_vi")
        )


def network_organisations(flows, *, limit):
    """The ``limit`` organisations at an end of the most ``flows`` (ties by name, then primary
    key), each with ``flow_count`` and ``in_network``: how many organisations the flows link in
    all. One query."""

    def flows_at(end):
        counted = (
            flows.filter(**{end: OuterRef("pk")})
            .order_by()
            .values(end)
            .annotate(count=Count("pk"))
            .values("count")
        )
        return Coalesce(Subquery(counted), Value(0))

    return list(
        Organisation.objects.filter(
            pk__in=flows.order_by()
            .values("provider_id")
            .union(flows.order_by().values("receiver_id"), all=True)
        )
        .annotate(
            flow_count=flows_at("provider") + flows_at("receiver"),
            in_network=Window(Count("pk")),
        )
        .only("pk", "slug", "name_en", "name_vi", "short_name")
        .order_by("-flow_count", "name_en", "name_vi", "pk")[:limit]
    )


def network_links(flows, organisations, *, limit):
    """The flows among ``organisations`` grouped by provider, receiver, resource category and
    direction, each with how many agreements and flows it stands for: the ``limit`` + 1 with
    the most agreements (one more than drawn, to tell that some are left out). One query."""
    return list(
        flows.filter(provider__in=organisations, receiver__in=organisations)
        .values("provider_id", "receiver_id", "direction", category=F("resource__category"))
        .annotate(agreements=Count("agreement", distinct=True), flows=Count("pk"))
        .order_by("-agreements", "provider_id", "receiver_id", "category", "direction")[: limit + 1]
    )


class ParkDetailView(DetailWithListMixin, ListView):
    """A park, its symbiosis network, its verified agreements (25 a page) and the organisations
    located in it."""

    template_name = "parks/park_detail.html"
    object_queryset = Park.objects.for_list_page()
    list_context_name = "agreements"

    def get_queryset(self):
        return (
            public_agreements(self.request.user).in_park(self.object).for_list_page().latest_first()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        park = self.object
        context.update(self.network(park))
        tenants = list(
            park.tenants.annotate(total=Window(Count("pk")))
            .only("slug", "name_en", "name_vi", "park")
            .order_by("name_en", "name_vi", "pk")[:TENANTS_SHOWN]
        )
        context["tenants"] = tenants
        context["more_tenants"] = tenants[0].total - len(tenants) if tenants else 0
        return context

    def network(self, park):
        flows = ResourceFlow.objects.public().filter(agreement__park=park)
        organisations = {
            organisation.pk: organisation
            for organisation in network_organisations(flows, limit=NETWORK_MAX_NODES)
        }
        if not organisations:
            return {}
        categories = dict(Resource.Category.choices)
        links = network_links(flows, list(organisations), limit=NETWORK_MAX_LINKS)
        more_links = len(links) > NETWORK_MAX_LINKS
        links = links[:NETWORK_MAX_LINKS]
        nodes, drawn = network_from_links(organisations, links, categories=categories)
        in_network = next(iter(organisations.values())).in_network
        for link in links:
            link["provider"] = organisations[link["provider_id"]]
            link["receiver"] = organisations[link["receiver_id"]]
            link["category_label"] = categories.get(link["category"], link["category"])
        links.sort(
            key=lambda link: (
                fold(link["provider"].name),
                fold(link["receiver"].name),
                link["category"],
                link["direction"],
            )
        )
        return {
            "network": render_network(
                nodes,
                drawn,
                categories=categories,
                title=_("Symbiosis network of %(park)s") % {"park": park.name},
                description=_(
                    "%(organisations)d organisations linked by %(links)d links, each standing "
                    "for the resource flows of verified agreements from one provider to one "
                    "receiver in one resource category; the table below lists the same links."
                )
                % {"organisations": len(nodes), "links": len(drawn)},
                id_prefix="park-network",
            ),
            "network_size": len(nodes),
            "network_hidden": in_network - len(nodes),
            "network_links": links,
            "network_more_links": more_links,
            "network_max_links": NETWORK_MAX_LINKS,
        }


class OrganisationDetailView(DetailWithListMixin, ListView):
    """An organisation, the verified agreements it is party to (25 a page) and the flows it
    provides or receives (25 a page, by their own page parameter)."""

    template_name = "parks/organisation_detail.html"
    object_queryset = Organisation.objects.select_related("park", "successor")
    list_context_name = "parties"
    flows_page_kwarg = "flows_page"

    def get_queryset(self):
        return (
            Party.objects.filter(
                organisation=self.object, agreement__in=public_agreements(self.request.user)
            )
            .select_related("agreement__park")
            .order_by("-agreement__starts_on", "agreement__reference")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        flows = (
            ResourceFlow.objects.public()
            .filter(Q(provider=organisation) | Q(receiver=organisation))
            .for_public_pages()
            .order_by("-agreement__starts_on", "agreement__reference", "pk")
        )
        context["flows_page"] = page_of(self.request, flows, self.flows_page_kwarg)
        context["flows"] = context["flows_page"].object_list
        context["flows_page_kwarg"] = self.flows_page_kwarg
        context["predecessors"] = organisation.predecessors.all()
        context["developed_parks"] = organisation.developed_parks.all()
        context["managed_parks"] = organisation.managed_parks.all()
        return context
