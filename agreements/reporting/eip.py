"""A park's symbiosis report for a year, for eco-industrial park certification (Decree 35/2022,
Circular 05/2025): the figures, computed by the database, that the printable page and the
workbook show alike, and the officials' overview of their parks on the dashboard.

- A **symbiosis activity** of the year is a verified agreement of the park in force on at least
  one day of the year (``yearly.in_force_in_year``); each of its flows is an exchange.
  Activities are grouped by kind of symbiosis: a flow's own kind, else its agreement's; blank is
  "kind not recorded". An agreement whose flows are of two kinds is listed under both, with its
  flows of each.
- Each flow shows its agreed quantity for the year and the accepted measured one (months added
  up), each with the tonnes of CO2e it avoids by the emission factor in force that year: the
  figures of ``agreements.yearly`` (``flow_years``, ``yearly_totals``), in the totals unit of
  the resource's dimension. The two are never added together.
- An activity **has evidence** when it has a document, or an accepted measured figure of the
  year with a document as its evidence.
- The park's **tenants** are the companies located in it (``Organisation.park``); one **takes
  part** when it is a party to one of the year's activities. The share is of the tenants.
- Each active ``ReportCriterion`` compares its indicator's figure with its threshold: met, not
  met, or not computable when there is no figure (a share of no tenants, or of no flows).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.template.defaultfilters import floatformat
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    Document,
    EmissionFactor,
    Party,
    ReportedQuantity,
    Resource,
    ResourceFlow,
    SymbiosisKind,
)
from agreements.reporting.models import ReportCriterion
from agreements.templatetags.quantities import quantity
from agreements.yearly import (
    AGREED,
    MEASURED,
    FlowYear,
    FlowYears,
    Total,
    agreed_in_force,
    in_force_in_year,
    in_force_in_year_figures,
    totals_of_flow_years,
)
from parks.models import Organisation
from symbiosis.addresses import addresses
from symbiosis.bilingual import pick
from symbiosis.numbers import numbers

Indicator = ReportCriterion.Indicator
NOT_RECORDED = ""  # the group of activities whose kind is not recorded
HUNDRED = Decimal(100)
SHARE_PLACES = Decimal("0.1")


def last_year(today):
    """The year a report opens on: the last whole one."""
    return today.year - 1


def activity_condition(year, prefix=""):
    """The year's symbiosis activities: verified agreements in force on at least one day of it
    (``yearly.in_force_in_year``, the rule of the yearly figures); ``prefix`` reaches the
    agreement (``"agreement__"`` from a flow)."""
    return Q(**{f"{prefix}review_state": Agreement.PUBLIC_STATE}) & in_force_in_year(year, prefix)


def effective_kind(prefix=""):
    """A flow's kind of symbiosis: its own, else its agreement's ("" for neither)."""
    return Coalesce(
        NullIf(F(f"{prefix}symbiosis_kind"), Value("")), F(f"{prefix}agreement__symbiosis_kind")
    )


def accepted_in_year(year, flow="pk"):
    """The accepted measured figures of the flow ``OuterRef(flow)`` for ``year``."""
    return ReportedQuantity.objects.filter(
        flow=OuterRef(flow), year=year, review_state=ReportedQuantity.PUBLIC_STATE
    ).order_by()


def factor_of_the_year(year, field):
    """``field`` of the emission factor that ``yearly`` uses for a flow's resource in ``year``:
    the latest published in or before it (NULL: the resource's current one, if it has one)."""
    return Subquery(
        EmissionFactor.objects.filter(resource=OuterRef("resource"), year__lte=year)
        .order_by("-year", "-set_at", "-pk")
        .values(field)[:1]
    )


YEAR_FACTOR_FIELDS = ("value", "unit", "source", "year")


def flows_of_the_year(year, *, with_figures=True):
    """The flows a report lists, each with its ``kind`` (``effective_kind``) and whether the
    totals count it (``counted_once``); ``with_figures``, its agreed figures of the year too
    (``yearly.agreed_in_force``: its agreement is in force that year) and the primary key of
    the emission factor of the year (``factor_of_the_year``) as ``year_factor_id``:
    ``report_figures`` keeps them, ``set_year_factors`` reads the factor's fields."""
    flows = (
        ResourceFlow.objects.select_related("resource__current_factor", "provider", "receiver")
        .with_counted_once()
        .annotate(kind=effective_kind())
    )
    if with_figures:
        flows = flows.annotate(
            **agreed_in_force(year), year_factor_id=factor_of_the_year(year, "pk")
        )
    return flows.order_by("pk")


def set_year_factors(flows):
    """Give each of ``flows`` (``flows_of_the_year``'s) the fields of its emission factor of the
    year as ``year_factor_value``, ``_unit``, ``_source`` and ``_year`` (None without one): one
    query, for the factors of every flow at once (a subquery per field compiles and runs for
    each flow)."""
    factors = EmissionFactor.objects.in_bulk(
        {flow.year_factor_id for flow in flows if flow.year_factor_id is not None}
    )
    for flow in flows:
        factor = factors.get(flow.year_factor_id)
        for name in YEAR_FACTOR_FIELDS:
            setattr(flow, f"year_factor_{name}", getattr(factor, name) if factor else None)


# The report


@dataclass
class Activity:
    """An agreement under one kind, with its flows of that kind."""

    agreement: Agreement
    flows: list

    @property
    def has_evidence(self):
        return has_evidence(self.agreement)


def has_evidence(agreement):
    """Whether an activity (from ``activities``) has a document, or an accepted measured figure
    of the year with a document as its evidence."""
    return bool(agreement.documents.all()) or agreement.has_measured_evidence


@dataclass
class KindGroup:
    kind: str
    activities: list = field(default_factory=list)

    @property
    def label(self):
        if self.kind == NOT_RECORDED:
            return _("Kind not recorded")
        return SymbiosisKind(self.kind).label


@dataclass
class CriterionResult:
    criterion: ReportCriterion
    figure: Decimal | None

    @property
    def text(self):
        return pick(self.criterion.text_en, self.criterion.text_vi)

    @property
    def computable(self):
        return self.figure is not None

    @property
    def met(self):
        """True (met), False (not met) or None (not computable)."""
        if self.figure is None:
            return None
        if self.criterion.comparison == ReportCriterion.Comparison.AT_MOST:
            return self.figure <= self.criterion.threshold
        return self.figure >= self.criterion.threshold

    @property
    def outcome(self):
        return {True: "met", False: "not_met", None: "not_computable"}[self.met]

    @property
    def outcome_label(self):
        return {
            True: _("met"),
            False: _("not met"),
            None: _("not computable"),
        }[self.met]


@dataclass
class ParkReport:
    park: object
    year: int
    groups: list
    activity_count: int
    activities_without_evidence: int
    flow_count: int
    measured_flow_count: int
    measured_share: Decimal | None
    measured_tonnes: Decimal | None  # from the accepted measured quantities of the year
    agreed_tonnes: Decimal | None  # from the agreed quantities (never added to the measured)
    tenants: list  # Organisations, each with ``takes_part``
    tenant_count: int
    taking_part: int
    tenant_share: Decimal | None
    criteria: list

    @property
    def indicators(self):
        return {
            Indicator.TENANT_SHARE: self.tenant_share,
            Indicator.ACTIVITIES: Decimal(self.activity_count),
            Indicator.MEASURED_SHARE: self.measured_share,
            Indicator.TONNES_AVOIDED: self.measured_tonnes,
        }


def share(part, whole):
    """``part`` of ``whole`` in per cent, to a tenth; None of nothing."""
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(SHARE_PLACES)


def activities(park, year, *, with_figures=True):
    """The park's activities of ``year``, each with its parties, its flows (``flows_of_the_
    year``, ``with_figures`` or not), its documents and ``has_measured_evidence``: four
    queries."""
    return (
        Agreement.objects.filter(activity_condition(year), park=park)
        .annotate(
            has_measured_evidence=Exists(
                ReportedQuantity.objects.filter(
                    flow__agreement=OuterRef("pk"),
                    year=year,
                    review_state=ReportedQuantity.PUBLIC_STATE,
                    evidence__isnull=False,
                )
            ),
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by("role", "pk"),
            ),
            Prefetch("flows", queryset=flows_of_the_year(year, with_figures=with_figures)),
            Prefetch("documents", queryset=Document.objects.order_by("title", "pk")),
        )
        .order_by("reference")
    )


def baseline(flow):
    """What a flow's avoided emissions are measured against: its own baseline, else its
    resource's, in the reader's language ("" for none)."""
    return pick(flow.baseline_en, flow.baseline_vi) or pick(
        flow.resource.baseline_en, flow.resource.baseline_vi
    )


def grouped_by_kind(agreements):
    """``Activity`` rows grouped by kind (``KindGroup``), in the order of ``SymbiosisKind``,
    "kind not recorded" last. Each party gets its ``role_label`` and each flow its
    ``claimed_by_label``, translated once for the report rather than once a row."""
    roles = {role: str(label) for role, label in Party.Role.choices}
    claimants = {claimant: str(label) for claimant, label in ResourceFlow.Claimant.choices}
    groups = {}
    for agreement in agreements:
        for party in agreement.parties.all():
            party.role_label = roles.get(party.role, party.role)
        by_kind = defaultdict(list)
        for flow in agreement.flows.all():
            flow.baseline_text = baseline(flow)
            flow.claimed_by_label = claimants.get(flow.claimed_by, flow.claimed_by)
            flow.year_factor_unit_label = (
                Resource.Unit(flow.year_factor_unit).label if flow.year_factor_unit else ""
            )
            page_cells(flow)
            by_kind[flow.kind or NOT_RECORDED].append(flow)
        if not by_kind:  # no flow: the agreement's own kind
            by_kind[agreement.symbiosis_kind or NOT_RECORDED] = []
        for kind, flows in by_kind.items():
            groups.setdefault(kind, KindGroup(kind)).activities.append(Activity(agreement, flows))
    order = [*SymbiosisKind.values, NOT_RECORDED]
    return [groups[kind] for kind in order if kind in groups]


def page_cells(flow):
    """Set on a flow (with its figures, ``set_year_figures``) the text of the report page's
    cells: its route (provider, resource, receiver), its agreed and measured quantities
    (``quantity``) and tonnes of CO2e (two decimals at most, grouped), formatted once in
    Python rather than by a filter and lookups a cell."""
    flow.route = f"{flow.provider.name} → {flow.resource.name} → {flow.receiver.name}"
    agreed, measured = flow.agreed, flow.measured
    flow.agreed_quantity = agreed.quantity if agreed is not None else None
    flow.measured_quantity = measured.quantity if measured is not None else None
    flow.agreed_quantity_text = quantity(flow.agreed_quantity)
    flow.measured_quantity_text = quantity(flow.measured_quantity)
    flow.agreed_tonnes_text = _tonnes(agreed.tonnes_co2e if agreed is not None else None)
    flow.measured_tonnes_text = _tonnes(measured.tonnes_co2e if measured is not None else None)


def _tonnes(tonnes):
    return "—" if tonnes is None else floatformat(tonnes, "-2g")


def tenant_rows(tenants):
    """The report page's rows of ``tenants`` (``tenant_list``'s): (slug, "yes" or "no", name,
    whether it takes part in the reader's language), translated once for the page."""
    yes, no = str(_("yes,no")).split(",")  # the words of the ``yesno`` filter's argument
    words = {True: yes, False: no}
    return [
        (
            tenant.slug,
            "yes" if tenant.takes_part else "no",
            tenant.name,
            words[bool(tenant.takes_part)],
        )
        for tenant in tenants
    ]


def tenants(park):
    """The park's tenant companies: the companies located in it."""
    return Organisation.objects.filter(park=park, kind=Organisation.Kind.COMPANY)


def _takes_part(year, park_ids):
    """Whether a tenant (of one of the parks ``park_ids``) is a party to an activity of its park
    in ``year``. The parks are named in the subquery too, so that the database reads those
    parks' parties only (a subquery correlated by the park alone is read for the whole
    registry)."""
    return Exists(
        Party.objects.filter(
            activity_condition(year, "agreement__"),
            agreement__park_id__in=park_ids,
            organisation=OuterRef("pk"),
            agreement__park=OuterRef("park"),
        )
    )


# What a report reads of a tenant, and keeps (``report_figures``), in the order of the model's
# fields (as ``Model.from_db`` takes them).
TENANT_FIELDS = tuple(
    field.attname
    for field in Organisation._meta.concrete_fields
    if field.attname in {"id", "slug", "kind", "name_en", "name_vi", "name_own", "park_id"}
)


def tenant_list(park, year):
    """The park's tenant companies by name, each with ``takes_part`` in an activity of
    ``year``."""
    return list(
        tenants(park)
        .annotate(takes_part=_takes_part(year, [park.pk]))
        .only(*TENANT_FIELDS)
        .order_by("name_en", "name_vi", "pk")
    )


def kept_tenants(kept):
    """``tenant_list``'s tenants from what ``report_figures`` kept of them (loaded as the
    database would load them, the other fields deferred)."""
    listed = []
    for *values, takes_part in kept:
        tenant = Organisation.from_db(None, TENANT_FIELDS, values)
        tenant.takes_part = takes_part
        listed.append(tenant)
    return listed


def tenant_counts(park_ids, year):
    """Per park of ``park_ids``: how many tenant companies, and how many take part. One query:
    {park id: (tenants, taking part)}."""
    rows = (
        Organisation.objects.filter(park_id__in=park_ids, kind=Organisation.Kind.COMPANY)
        .values("park_id")
        .annotate(
            tenants=Count("pk"),
            taking_part=Count("pk", filter=Q(_takes_part(year, park_ids))),
        )
        .order_by()
    )
    return {row["park_id"]: (row["tenants"], row["taking_part"]) for row in rows}


def set_year_figures(agreements, figures, year):
    """Set on each flow of ``agreements`` its figures of ``year`` from ``figures``
    (``yearly.in_force_in_year_figures``): ``agreed`` and ``measured`` (``yearly.Total``:
    quantity in ``figures_unit``, tonnes of CO2e by the year's factor), ``measured_months`` and
    ``measured_sources``."""
    for agreement in agreements:
        for flow in agreement.flows.all():
            years = figures.get(flow.pk)
            row = next((row for row in years.years if row.year == year), None) if years else None
            flow.agreed = row.agreed if row else None
            flow.measured = row.measured if row and row.measured.flows else None
            flow.measured_months = row.months if row else 0
            flow.measured_sources = row.sources if row else []
            flow.figures_unit = years.unit if years else flow.resource.unit
            flow.figures_unit_label = years.unit_label if years else flow.resource.unit_label


def report_figures(flows, tenants, year):
    """What a report keeps of ``flows`` (``flows_of_the_year``'s, with their figures) and of
    ``tenants`` (``tenant_list``'s) for ``year``, as JSON holds it: {"flows": {flow id: [its
    emission factor of the year's id, its figures of the year (``yearly.in_force_in_year_
    figures``): [totals unit, [agreed quantity, tonnes, flows], [measured ...], months,
    sources]]}, "tenants": [[TENANT_FIELDS..., takes part]]}: numbers, codes and the names as
    recorded in each language, no translated words. One query."""
    figures = in_force_in_year_figures(flows, year=year)
    kept = {}
    for flow in flows:
        years = figures[flow.pk]
        (row,) = years.years
        kept[str(flow.pk)] = [
            flow.year_factor_id,
            [
                years.unit,
                [row.agreed.quantity, row.agreed.tonnes_co2e, row.agreed.flows],
                [row.measured.quantity, row.measured.tonnes_co2e, row.measured.flows],
                row.months,
                [str(source) for source in row.sources],
            ],
        ]
    listed = [
        [*(getattr(tenant, name) for name in TENANT_FIELDS), tenant.takes_part]
        for tenant in tenants
    ]
    return {"flows": kept, "tenants": listed}


def _decimal(value):
    return None if value is None else Decimal(value)


def _flow_years(flow_id, kept, year):
    """``report_figures``' figures of a flow as ``yearly.in_force_in_year_figures`` gives
    them."""
    unit, agreed, measured, months, sources = kept

    def total(basis, quantity, tonnes, flows):
        return Total(basis, _decimal(quantity), _decimal(tonnes), flows)

    row = FlowYear(
        year=year,
        in_force=True,
        agreed=total(AGREED, *agreed),
        measured=total(MEASURED, *measured),
        months=months,
        sources=[ReportedQuantity.Source(source) for source in sources],
    )
    return FlowYears(flow_id=flow_id, unit=unit, years=[row])


def _flows(agreements):
    return [flow for agreement in agreements for flow in agreement.flows.all()]


def park_report(park, year, *, keep=None):
    """The report of ``park`` for ``year``: six queries whatever its size once what it keeps
    is given (five when no flow has an emission factor of the year), two more to compute it
    (the flows' measured figures and the tenants). ``keep``: a function of a function
    computing what the report keeps of the year (``report_figures``: the flows' figures, the
    tenants) giving it, kept or computed (``figures.for_park_report``), or None to compute it.
    """
    computed = []

    def compute():
        agreements = list(activities(park, year))
        computed.append(agreements)
        return report_figures(_flows(agreements), tenant_list(park, year), year)

    kept = keep(compute) if keep is not None else compute()
    agreements = computed[0] if computed else list(activities(park, year, with_figures=False))
    flows = _flows(agreements)
    if kept.keys() != {"flows", "tenants"} or kept["flows"].keys() != {
        str(flow.pk) for flow in flows
    }:
        # Kept for other flows (or before the tenants were kept): never trusted.
        agreements = list(activities(park, year))
        flows = _flows(agreements)
        kept = report_figures(flows, tenant_list(park, year), year)
    figures = {}
    for flow in flows:
        flow.year_factor_id, flow_figures = kept["flows"][str(flow.pk)]
        figures[flow.pk] = _flow_years(flow.pk, flow_figures, year)
    set_year_factors(flows)
    set_year_figures(agreements, figures, year)
    groups = grouped_by_kind(agreements)
    listed = kept_tenants(kept["tenants"])
    tenant_count = len(listed)
    taking_part = sum(tenant.takes_part for tenant in listed)
    # The totals add up the flows' own figures (``yearly.totals_of_flow_years``), each exchange
    # once (a framework's flow that its bilateral agreement records is the bilateral's), as
    # every total of the register counts it (``ResourceFlowQuerySet.counted_once``).
    counted = {flow.pk: figures[flow.pk] for flow in flows if flow.counted_once}
    (totals,) = totals_of_flow_years(counted, years=[year]).tonnes
    report = ParkReport(
        park=park,
        year=year,
        groups=groups,
        activity_count=len(agreements),
        activities_without_evidence=sum(not has_evidence(agreement) for agreement in agreements),
        flow_count=totals.flows,
        measured_flow_count=totals.measured.flows,
        measured_share=share(totals.measured.flows, totals.flows),
        measured_tonnes=totals.measured.tonnes_co2e,
        agreed_tonnes=totals.agreed.tonnes_co2e,
        tenants=listed,
        tenant_count=tenant_count,
        taking_part=taking_part,
        tenant_share=share(taking_part, tenant_count),
        criteria=[],
    )
    figures = report.indicators
    report.criteria = [
        CriterionResult(criterion, figures[criterion.indicator])
        for criterion in ReportCriterion.objects.filter(is_active=True)
    ]
    return report


# The officials' overview on the dashboard


@dataclass
class ParkOverview:
    park: object  # a dashboard.ParkCount
    tenants: int = 0
    taking_part: int = 0
    by_kind: list = field(default_factory=list)  # [(label, activities)]
    measured_flows: int = 0
    report_url: str = ""  # the park's report of the year
    # As the page writes them (``overview``): "taking part / tenants (share %)", or None where
    # the park has no tenant; a line per kind, "label: activities"; flows measured.
    tenants_shown: str | None = None
    by_kind_shown: list = field(default_factory=list)
    measured_flows_shown: str = ""


def overview_figures(park_ids, *, year):
    """Per park of ``park_ids``, its figures of ``year`` for the officials' overview, as data
    to keep with the park's dashboard figures (``figures.compute``): {park id: {"tenants",
    "taking_part", "by_kind": [[kind, activities]], "measured_flows"}}. Two queries, grouped
    by park in the database, whatever the number of parks."""
    rows = {
        park_id: {"tenants": 0, "taking_part": 0, "by_kind": [], "measured_flows": 0}
        for park_id in park_ids
    }
    if not rows:
        return rows
    for park_id, (count, taking_part) in tenant_counts(park_ids, year).items():
        rows[park_id]["tenants"], rows[park_id]["taking_part"] = count, taking_part
    per_kind = (
        ResourceFlow.objects.filter(
            activity_condition(year, "agreement__"), agreement__park__in=park_ids
        )
        .values("agreement__park_id", kind=effective_kind())
        .annotate(
            activities=Count("agreement", distinct=True),
            measured=Count("pk", filter=Q(Exists(accepted_in_year(year)))),
        )
        .order_by("agreement__park_id", "kind")
    )
    for row in per_kind:
        park = rows[row["agreement__park_id"]]
        park["by_kind"].append([row["kind"] or NOT_RECORDED, row["activities"]])
        park["measured_flows"] += row["measured"]
    return rows


def overview_table_rows(rows):
    """The rows of the officials' overview table (``reporting/_dashboard_park_overview.html``):
    each park of ``rows`` (``ParkOverview``s) linking to its report, with its figures as
    ``overview`` wrote them. Written by ``format_html_join``, which escapes every value: a
    template loop over a page of 25 parks cost ~2 ms."""
    none = str(_("none"))
    return format_html_join(
        "\n",
        '<tr data-park-overview="{}"><th scope="row" class="fw-normal"><a href="{}">{}</a></th>'
        '<td class="text-end">{}</td><td class="small">{}</td><td class="text-end">{}</td></tr>',
        (
            (
                row.park.slug,
                row.report_url,
                row.park.name,
                row.tenants_shown or "—",
                format_html_join("", "{}<br>", ((line,) for line in row.by_kind_shown))
                if row.by_kind_shown
                else none,
                row.measured_flows_shown,
            )
            for row in rows
        ),
    )


def overview(parks, *, figures, year):
    """The parks ``parks`` (``dashboard.ParkCount`` rows: a page of them) with their figures of
    ``year``, last year (``overview_figures``, read from ``figures``: each park's kept
    figures), as the dashboard shows them: tenants taking part, activities by kind and flows
    with an accepted measured quantity, and the address of the park's report of the year."""
    order = {kind: number for number, kind in enumerate([*SymbiosisKind.values, NOT_RECORDED])}
    # Each kind's label translated once, not once per park that has it.
    labels = {kind: str(KindGroup(kind).label) for kind in order}
    report_of = addresses("parks:report", "slug", year=year)
    # Each park's figures written once here rather than number by number in the template.
    written = numbers()
    rows = []
    for park in parks:
        kept = figures[park.pk]["report_overview"]
        by_kind = [
            (labels[kind], count)
            for kind, count in sorted(kept["by_kind"], key=lambda pair: order[pair[0]])
        ]
        tenants, taking_part = kept["tenants"], kept["taking_part"]
        tenant_share = share(taking_part, tenants)
        rows.append(
            ParkOverview(
                park,
                tenants=tenants,
                taking_part=taking_part,
                by_kind=by_kind,
                measured_flows=kept["measured_flows"],
                report_url=report_of(park.slug),
                tenants_shown=None
                if tenant_share is None
                else f"{written(taking_part)} / {written(tenants)} ({written(tenant_share)}%)",
                by_kind_shown=[f"{label}: {written(count)}" for label, count in by_kind],
                measured_flows_shown=written(kept["measured_flows"]),
            )
        )
    return rows
