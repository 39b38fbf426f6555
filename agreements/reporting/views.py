"""The officials' dashboard and the register's exports, and the public park page with its
symbiosis network.

Officials (users with an authority membership) and admins only: anonymous visitors are sent
to the sign-in page, any other signed-in user gets 403. An official sees the agreements of the
parks their agency manages (all parks for a national or international agency), in every
review state.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Window
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from agreements.models import Agreement, Resource, ResourceFlow
from agreements.permissions import (
    can_edit_park,
    can_see_park_history,
    can_see_park_report,
    is_reviewer,
    overseen_parks,
    oversight_scope,
    reviewable_agreements,
)
from agreements.reporting import dashboard, eip, exports, sankey
from agreements.reporting import figures as park_figures
from agreements.reporting.charts import Bar, BarChart
from agreements.reporting.filters import DashboardFilterForm
from agreements.reporting.network import (
    chains_from_rows,
    network_from_links,
    network_rows,
    organisations_of,
)
from agreements.reporting.trend_chart import trend_chart
from agreements.year_chart import totals_charts
from parks.models import Organisation, Park
from symbiosis.caching import cached_data, generation
from symbiosis.network_drawing import render_network
from symbiosis.pagination import DetailWithListMixin
from symbiosis.search import fold


class DashboardAccessMixin(UserPassesTestMixin):
    """Sign-in page for anonymous visitors (the mixin's default), 403 for everyone else who
    is neither an official nor an admin."""

    def test_func(self):
        return is_reviewer(self.request.user)

    def get_filter_form(self):
        # The parks as plain rows, read once for the choices and the figures: an official who
        # oversees every park gets hundreds of choices, no model instance for each.
        self.park_rows = dashboard.park_counts(overseen_parks(self.request.user))
        return DashboardFilterForm(self.request.GET, parks=self.park_rows)

    def get_agreements(self):
        return reviewable_agreements(self.request.user, Agreement.objects.all())


# The parks the officials' overview of the symbiosis reports lists on a page.
OVERVIEW_PARKS_PER_PAGE = 25


class DashboardView(DashboardAccessMixin, TemplateView):
    template_name = "reporting/dashboard.html"

    def get_context_data(self, **kwargs):
        form = self.get_filter_form()
        filters = form.filters()
        today = timezone.localdate()
        scope = oversight_scope(self.request.user)

        def build():
            return dashboard.build(
                agreements=self.get_agreements(),
                parks=overseen_parks(self.request.user),
                filters=filters,
                today=today,
                park_rows=self.park_rows,
            )

        def figures():
            # Chosen by parks only, the figures are read from the parks' kept sums in a few
            # small queries: nothing to gain from a copy in the cache. Otherwise they are
            # computed from the agreements, and kept for the scope and filters.
            if filters.choose_parks_only:
                return build()
            return cached_data("dashboard", scope, filters.query_string(), today, compute=build)

        # Read only where the page's fragment is not in the cache (the template's {% cache %}).
        figures = SimpleLazyObject(figures)
        # Each park's figures of last year's symbiosis report, a page of parks at a time (those
        # of the park and province filters: the rows read for the filters' choices, no query).
        overview_parks = [
            park
            for park in self.park_rows
            if filters.park in ("", park.slug) and filters.province in ("", park.province)
        ]
        overview_page = Paginator(overview_parks, OVERVIEW_PARKS_PER_PAGE).get_page(
            self.request.GET.get("overview_page")
        )
        report_year = eip.last_year(today)
        return super().get_context_data(
            form=form,
            filters=filters,
            dashboard=figures,
            charts=SimpleLazyObject(lambda: charts(figures, filters)),
            work_lists=SimpleLazyObject(lambda: dashboard.shown_work_lists(figures)),
            trend_chart=SimpleLazyObject(lambda: trend_chart(figures.trends)),
            sankey=SimpleLazyObject(lambda: flow_diagrams(figures.sankey, slug="dashboard")),
            yearly_charts=SimpleLazyObject(
                lambda: totals_charts(figures.yearly, slug="dashboard") if figures.yearly else []
            ),
            query_string=filters.query_string(),
            overview_page=overview_page,
            report_year=report_year,
            park_overview=SimpleLazyObject(
                lambda: eip.overview(
                    overview_page.object_list,
                    figures=park_figures.kept_parts(
                        [park.pk for park in overview_page.object_list],
                        keys=["report_overview"],
                        today=today,
                        overview_counts=dashboard.overview_counts(today=today),
                    ),
                    year=report_year,
                )
            ),
            # The rendered page depends on nothing else (the language aside): officials of one
            # scope share it, as they share the figures. See agreements/caching.py.
            fragment_key=(
                generation(),
                scope,
                sorted(self.request.GET.lists()),
                today,
            ),
            **kwargs,
        )


def flow_diagrams(data, *, slug):
    """What the flow diagrams' template (``reporting/_sankey.html``) shows of ``sankey.kept``
    data: the diagrams, and how many flows without an annual quantity none of them draws."""
    diagrams = sankey.diagrams(data, slug=slug)
    drawn = {diagram.unit for diagram in diagrams}
    units = data["units"].items() if data else ()
    return {
        "sankey_diagrams": diagrams,
        "sankey_left_out": sum(figures["left_out"] for unit, figures in units if unit not in drawn),
    }


# The parks the chart by park draws one by one, those with the most agreements; the others are
# added up in one bar (a chart of 200 bars would be read by nobody).
PARKS_CHARTED = 20


def park_bars(parks, link):
    """A bar for each of the ``PARKS_CHARTED`` parks with the most agreements (then by name, as
    listed), and one for the others together."""
    ranked = sorted(parks, key=lambda park: -park.agreement_count)
    shown, others = ranked[:PARKS_CHARTED], ranked[PARKS_CHARTED:]
    bars = [Bar(park.name, park.agreement_count, link(park=park.slug)) for park in shown]
    if others:
        bars.append(
            Bar(
                ngettext("%(count)d other park", "%(count)d other parks", len(others))
                % {"count": len(others)},
                sum(park.agreement_count for park in others),
            )
        )
    return tuple(bars)


def charts(figures, filters):
    """The breakdowns as bar charts; each row of their tables narrows the dashboard to it."""

    def link(**changes):
        return "?" + filters.query_string(**changes)

    per_year = []
    for row in figures.signed_per_year:
        year = row["year"]
        if year is None:
            per_year.append(Bar(_("Signing date not recorded"), row["count"]))
        else:
            per_year.append(
                Bar(
                    str(year),
                    row["count"],
                    link(signed_from=f"{year}-01-01", signed_to=f"{year}-12-31"),
                )
            )
    return [
        BarChart(
            slug="by-park",
            title=_("Agreements by park"),
            label_header=_("Park"),
            value_header=_("Agreements"),
            bars=park_bars(figures.by_park, link),
        ),
        BarChart(
            slug="by-kind",
            title=_("Agreements by kind"),
            label_header=_("Kind"),
            value_header=_("Agreements"),
            bars=tuple(
                Bar(kind.label, count, link(kind=kind.value)) for kind, count in figures.by_kind
            ),
        ),
        BarChart(
            slug="by-category",
            title=_("Agreements by resource category shared"),
            label_header=_("Resource category"),
            value_header=_("Agreements"),
            bars=tuple(
                Bar(category.label, agreement_count, link(category=category.value))
                for category, agreement_count, _flows in figures.by_category
            ),
        ),
        BarChart(
            slug="by-year",
            title=_("Agreements signed per year"),
            label_header=_("Year signed"),
            value_header=_("Agreements"),
            bars=tuple(per_year),
        ),
    ]


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ExportView(DashboardAccessMixin, View):
    """The filtered register as a file. Invalid filters make no file: the dashboard shows
    what to correct."""

    def get(self, request):
        form = self.get_filter_form()
        if not form.is_valid():
            messages.error(request, _("No file was made: correct the filters below."))
            url = reverse("agreements:dashboard")
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{url}?{query}" if query else url)
        filters = form.filters()
        agreements = filters.agreements(self.get_agreements())
        return self.respond(agreements, filters, today=timezone.localdate())


class CsvExportView(ExportView):
    def respond(self, agreements, filters, *, today):
        rows = exports.flow_rows(agreements, category=filters.category, today=today)
        response = StreamingHttpResponse(
            exports.csv_stream(exports.flow_header(today=today), exports.in_snapshot(rows)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, exports.file_name("csv", today=today)
        )
        return response


class XlsxExportView(ExportView):
    def respond(self, agreements, filters, *, today):
        with exports.read_snapshot():
            output = exports.xlsx_file(
                flows=(
                    exports.flow_header(today=today),
                    exports.flow_rows(agreements, category=filters.category, today=today),
                ),
                agreements=(
                    exports.agreement_header(today=today),
                    exports.agreement_rows(agreements, category=filters.category, today=today),
                ),
                about=exports.notes(today=today, filters_text=describe(filters)),
            )
        return FileResponse(
            output,
            as_attachment=True,
            filename=exports.file_name("xlsx", today=today),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def describe(filters):
    """The filters in force, in words, for the file's "About" sheet."""
    fields = DashboardFilterForm.base_fields
    labels = {
        "kind": dict(Agreement.Kind.choices),
        "category": dict(Resource.Category.choices),
    }
    parts = []
    for name, value in vars(filters).items():
        if value:
            shown = value.isoformat() if hasattr(value, "isoformat") else value
            parts.append(f"{fields[name].label}: {labels.get(name, {}).get(value, shown)}")
    return "; ".join(parts)


# The park page: public, with its network

TENANTS_SHOWN = 50
# The park's verified agreements a page: the page is about the park (its network, flows, impact
# and years), so its newest agreements as cards, the others a page further (or in the agreement
# list, narrowed to the park).
PARK_AGREEMENTS_PER_PAGE = 10
# The network draws the organisations with the most flows, and the links among them carrying
# the most agreements: enough for a readable picture, few enough for any park.
NETWORK_MAX_NODES = 50
NETWORK_MAX_LINKS = 150


class ParkDetailView(DetailWithListMixin, ListView):
    """A park, its symbiosis network, the impact of its verified agreements in force today and
    its figures per year (read from the park's figures the dashboard keeps, the network's rows
    kept with them: ``dashboard.park_page_figures``), its verified agreements
    (``PARK_AGREEMENTS_PER_PAGE`` a page) and the organisations located in it."""

    template_name = "reporting/park_detail.html"
    paginate_by = PARK_AGREEMENTS_PER_PAGE
    object_queryset = Park.objects.for_list_page()
    list_context_name = "agreements"

    def get_queryset(self):
        return Agreement.objects.public().in_park(self.object).for_list_page().latest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        park = self.object
        context["today"] = today = timezone.localdate()
        context["impact"], totals, flows, network = dashboard.park_page_figures(
            park,
            today=today,
            network=lambda: self.kept_network(park),
            language=translation.get_language(),
        )
        context.update(flow_diagrams(flows, slug="park"))
        context.update(self.network(network["rows"], network["drawing"]))
        context["yearly_charts"] = totals_charts(totals, slug="park") if totals else []
        tenants = list(
            park.tenants.confirmed()
            .annotate(total=Window(Count("pk")))
            .only("slug", "kind", "name_en", "name_vi", "name_own", "park")
            .order_by("name_en", "name_vi", "pk")[:TENANTS_SHOWN]
        )
        url_of = Organisation.absolute_urls()
        for tenant in tenants:
            tenant.url = url_of(tenant)
        context["tenants"] = tenants
        context["more_tenants"] = tenants[0].total - len(tenants) if tenants else 0
        user = self.request.user
        context["can_edit_park"] = can_edit_park(user, park)
        context["can_see_park_history"] = can_see_park_history(user, park)
        context["can_see_park_report"] = can_see_park_report(user, park)
        return context

    @classmethod
    def kept_network(cls, park):
        """What the park's network is drawn from, and its drawing in every language: kept with
        the park's figures, so that a visit reads it rather than draws it."""
        rows = network_rows(
            ResourceFlow.objects.public().counted_once().filter(agreement__park=park),
            max_nodes=NETWORK_MAX_NODES,
            max_links=NETWORK_MAX_LINKS,
        )
        drawings = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                drawings[code] = cls.drawing(park, rows)
        return {"rows": rows, "drawings": drawings}

    @staticmethod
    def network_parts(rows):
        """The organisations (by primary key, each with its page's ``url``), the links drawn and
        the chains among them, from the rows kept."""
        organisations = organisations_of(rows)
        url_of = Organisation.absolute_urls()
        for organisation in organisations.values():
            organisation.url = url_of(organisation)
        links = rows["links"][:NETWORK_MAX_LINKS]
        return organisations, links

    @classmethod
    def drawing(cls, park, rows):
        """The network's markup, in the active language ("" for a park without flows)."""
        organisations, links = cls.network_parts(rows)
        if not organisations:
            return ""
        categories = dict(Resource.Category.choices)
        nodes, drawn = network_from_links(organisations, links, categories=categories)
        chains = chains_from_rows(organisations, rows["chains"], categories=categories)
        return str(
            render_network(
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
                chains=chains,
            )
        )

    def network(self, rows, drawing):
        """The network's drawing (kept) and its text alternative: the table of its links and
        the list of its chains, in the reader's language."""
        organisations, links = self.network_parts(rows)
        if not organisations:
            return {}
        categories = dict(Resource.Category.choices)
        more_links = len(rows["links"]) > NETWORK_MAX_LINKS
        chains = chains_from_rows(organisations, rows["chains"], categories=categories)
        # Each organisation's name read once, not again in each of its links' rows.
        for organisation in organisations.values():
            organisation.shown_name = organisation.name
            organisation.folded_name = fold(organisation.shown_name)
        directions = {
            ResourceFlow.Direction.MUTUAL: _("both ways"),
            ResourceFlow.Direction.ONE_WAY: _("provider to receiver"),
        }
        for link in links:
            link["provider"] = organisations[link["provider_id"]]
            link["receiver"] = organisations[link["receiver_id"]]
            link["category_label"] = categories.get(link["category"], link["category"])
            link["direction_label"] = directions[link["direction"]]
        links.sort(
            key=lambda link: (
                link["provider"].folded_name,
                link["receiver"].folded_name,
                link["category"],
                link["direction"],
            )
        )
        return {
            "network": mark_safe(drawing),  # drawn by render_network, which escapes every text
            "network_chains": chains,
            "network_size": len(organisations),
            "network_hidden": rows["in_network"] - len(organisations),
            "network_links": links,
            "network_more_links": more_links,
            "network_max_links": NETWORK_MAX_LINKS,
        }
