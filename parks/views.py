"""Public pages of parks and organisations: who they are, their verified agreements and flows,
and a park's symbiosis network."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.views.public import PageNumberClampMixin, public_agreements
from parks.models import Organisation, Park
from parks.network import network_from_flows, render_network


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


class ParkDetailView(DetailView):
    template_name = "parks/park_detail.html"
    context_object_name = "park"
    queryset = Park.objects.for_list_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        park = self.object
        context["agreements"] = (
            public_agreements(self.request.user).in_park(park).for_list_page().latest_first()
        )
        flows = list(
            ResourceFlow.objects.public()
            .filter(agreement__park=park)
            .for_public_pages()
            .order_by("provider__name_en", "receiver__name_en", "resource__name_en", "pk")
        )
        context["flows"] = flows
        if flows:
            nodes, rows = network_from_flows(flows)
            context["network"] = render_network(
                nodes,
                rows,
                categories=dict(Resource.Category.choices),
                title=_("Symbiosis network of %(park)s") % {"park": park.name},
                description=_(
                    "%(organisations)d organisations linked by %(flows)d resource flows of "
                    "verified agreements; the table below lists the same flows."
                )
                % {"organisations": len(nodes), "flows": len(rows)},
                id_prefix="park-network",
            )
            context["network_size"] = len(nodes)
        context["tenants"] = park.tenants.all()
        return context


class OrganisationDetailView(DetailView):
    template_name = "parks/organisation_detail.html"
    context_object_name = "organisation"
    queryset = Organisation.objects.select_related("park", "successor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        public = public_agreements(self.request.user)
        context["parties"] = (
            Party.objects.filter(organisation=organisation, agreement__in=public)
            .select_related("agreement__park")
            .order_by("-agreement__starts_on", "agreement__reference")
        )
        context["flows"] = (
            ResourceFlow.objects.public()
            .filter(Q(provider=organisation) | Q(receiver=organisation))
            .for_public_pages()
            .order_by("-agreement__starts_on", "agreement__reference", "pk")
        )
        context["predecessors"] = organisation.predecessors.all()
        context["developed_parks"] = organisation.developed_parks.all()
        context["managed_parks"] = organisation.managed_parks.all()
        return context
