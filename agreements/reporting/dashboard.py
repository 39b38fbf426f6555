"""The officials' dashboard: what symbiosis exists in the parks they oversee, what it achieves,
and what needs their action. Every figure is computed by the database (aggregation, never a
Python loop over agreements), so the page costs the same number of queries for 1 agreement
or 100,000.

Counting rules (the footnotes on the page say the same):

- Counts of agreements cover every review state within the user's parks; active, expired and
  not-yet-started are derived from the dates (``AgreementQuerySet.active_condition``).
- "Active today" and the parks with an active agreement count verified agreements only (an
  official reads them as agreements in force); those active by their dates in another review
  state are counted apart, per state (``active_<state>``).
- The trends (``trends``) count verified agreements too, per year of the years the quantities
  per year show (``yearly.years_up_to``): signed in the year, and in force in it, on at least
  one of its days (``yearly.in_force_in_year``, the rule of the agreed quantities per year).
- Impact totals cover the flows of agreements that are verified and active today.
- A quantity is annualised by its period: per month x 12, per year x 1. A one-off quantity is
  not annual: it is totalled separately and never added to the annual figure.
- Quantities are summed per resource category *and unit*, so m³ are never added to tonnes.
- A mutual flow is one flow with one quantity (the quantity exchanged): it counts once, not
  once per direction, which would double it.
- t CO2e avoided = annual quantity x the resource's emission factor (kg CO2e per unit) / 1000,
  for resources that have a factor; the footnote names each factor with its source.
- Flows with no quantity are counted and reported, so nobody mistakes a partial sum for a total.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import ExtractYear
from django.template.defaultfilters import truncatewords
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from agreements import yearly
from agreements.impact import Impact, impact, impact_of
from agreements.models import Agreement, AgreementQuerySet, Party, Resource, ResourceFlow
from agreements.reporting import figures as park_figures
from agreements.reporting import sankey
from agreements.year_chart import recent_totals
from parks.models import Organisation
from symbiosis.addresses import addresses
from symbiosis.bilingual import BilingualNameMixin, pick

ENDING_SOON_DAYS = 90
# Each work list shows its first ten (as "My agreements" does) and how many there are in all:
# the dashboard points at what needs attention, the export holds every one.
WORK_LIST_LIMIT = 10

State = Agreement.ReviewState
Period = ResourceFlow.Period


# Figures


@functools.lru_cache(maxsize=4)
def overview_counts(*, today, ending_within=ENDING_SOON_DAYS):
    """The headline counts, as expressions to aggregate (or annotate per park) with; the
    number of parks with an agreement in force aside (``overview``). Built once a day (and
    read, not changed, by every caller: a query resolves copies of its expressions): with the
    trends' counts, they are some forty expressions, which a request reading kept figures
    would otherwise build twice for their names alone."""
    active = AgreementQuerySet.active_condition(today)
    return dict(
        total=Count("pk"),
        **{state.value: Count("pk", filter=Q(review_state=state)) for state in State},
        **{f"kind_{kind.value}": Count("pk", filter=Q(kind=kind)) for kind in Agreement.Kind},
        active=Count("pk", filter=active),
        # Active today per review state: "Active today" shows the verified, the others apart.
        **{
            f"active_{state.value}": Count("pk", filter=active & Q(review_state=state))
            for state in State
        },
        expired=Count("pk", filter=AgreementQuerySet.expired_condition(today)),
        not_started=Count("pk", filter=Q(starts_on__gt=today)),
        open_ended=Count("pk", filter=active & Q(ends_on__isnull=True, terminated_on__isnull=True)),
        ending_soon=Count(
            "pk", filter=AgreementQuerySet.ending_condition(today, within_days=ending_within)
        ),
        open_ended_verified=Count(
            "pk",
            filter=active
            & Q(ends_on__isnull=True, terminated_on__isnull=True, review_state=State.VERIFIED),
        ),
        without_signing_date=Count("pk", filter=Q(signed_on__isnull=True)),
        **trend_counts(today=today),
    )


def trend_counts(*, today):
    """The trends' counts, as expressions to aggregate with the headline counts (one query for
    both, kept with them per park): per year of ``yearly.years_up_to(today)``, the verified
    agreements signed in it (``signed_<year>``) and in force on at least one of its days
    (``in_force_<year>``)."""
    verified = Q(review_state=State.VERIFIED)
    counts = {}
    for year in yearly.years_up_to(today):
        counts[f"signed_{year}"] = Count("pk", filter=verified & Q(signed_on__year=year))
        counts[f"in_force_{year}"] = Count(
            "pk", filter=verified & yearly.in_force_in_year(year, prefix="")
        )
    return counts


def overview(agreements, *, today, ending_within=ENDING_SOON_DAYS):
    """The headline counts, in one query."""
    return agreements.aggregate(
        **overview_counts(today=today, ending_within=ending_within),
        parks_with_active=Count(
            "park",
            distinct=True,
            filter=AgreementQuerySet.active_condition(today) & Q(review_state=State.VERIFIED),
        ),
    )


def by_state(figures):
    """(state, count) for every review state, in the workflow's order."""
    return [(state, figures[state.value]) for state in State]


def active_by_state(figures):
    """(state, count) of the agreements active today by their dates in each review state but
    verified (those "Active today" counts), in the workflow's order."""
    return tuple(
        (state, figures[f"active_{state.value}"]) for state in State if state != State.VERIFIED
    )


@dataclass(frozen=True)
class TrendYear:
    year: int
    signed: int  # verified agreements signed in the year
    in_force: int  # verified agreements in force on at least one day of it


def trends(figures, *, today):
    """The trends' years (``TrendYear``, oldest first) from the counts of ``trend_counts`` in
    ``figures``, without the first years where nothing was signed or in force (the last year
    kept): what the trend chart and its table show."""
    rows = [
        TrendYear(year, figures[f"signed_{year}"], figures[f"in_force_{year}"])
        for year in yearly.years_up_to(today)
    ]
    first = next(
        (index for index, row in enumerate(rows) if row.signed or row.in_force), len(rows) - 1
    )
    return tuple(rows[first:])


def by_kind(figures):
    """(kind, count) for every kind, zeros included."""
    return [(kind, figures[f"kind_{kind.value}"]) for kind in Agreement.Kind]


def signed_per_year(agreements):
    """[{"year": 2023, "count": 1}, ..., {"year": None, "count": n}]: None is "not recorded"."""
    return list(
        agreements.annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by(F("year").asc(nulls_last=True))
    )


def _per_year(counted):
    """``signed_per_year``'s rows from {year: count}."""
    years = sorted(counted, key=lambda year: (year is None, year))
    return [{"year": year, "count": counted[year]} for year in years]


@dataclass
class ParkCount(BilingualNameMixin):
    """A park in scope as the dashboard shows it: its name (in the visitor's language), slug and
    province, with its agreements and active ones. Plain values rather than ``Park``
    instances: a national dashboard holds 200 of them, and keeps them in the figure cache."""

    pk: int
    slug: str
    name_en: str
    name_vi: str
    province: str
    agreement_count: int = 0
    active_count: int = 0


def park_counts(parks):
    """The parks of a queryset as the dashboard shows them (``ParkCount``, counts at zero), in
    name order: read once, for the filters' choices and the figures alike."""
    return _parks(parks)


def _parks(parks):
    fields = ("pk", "slug", "name_en", "name_vi", "province")
    return [
        ParkCount(*row) for row in parks.order_by("name_en", "name_vi", "pk").values_list(*fields)
    ]


def _with_counts(rows, counted):
    """The parks ``rows``, each with ``agreement_count`` and ``active_count`` from
    ``counted`` ({park id: {"total": n, "active": n}}), zeros included."""
    for park in rows:
        figures = counted.get(park.pk, {})
        park.agreement_count = figures.get("total", 0)
        park.active_count = figures.get("active", 0)
    return rows


def by_park(parks, agreements, *, today):
    """Each park in scope with its agreements and active ones, zeros included: the agreements
    are counted per park in the database, then set on the (few) parks."""
    counted = {
        row["park_id"]: row
        for row in agreements.values("park_id")
        .annotate(
            total=Count("pk"),
            active=Count("pk", filter=AgreementQuerySet.active_condition(today)),
        )
        .order_by()
    }
    return _with_counts(_parks(parks), counted)


def _categories(counted):
    """(category, agreements sharing it, flows) for every category, zeros included, from
    {category: (agreements, flows)}."""
    return [(category, *counted.get(category, (0, 0))) for category in Resource.Category]


def by_category(flows):
    """(category, agreements sharing it, flows) for every category, zeros included."""
    return _categories(
        {
            row["resource__category"]: (row["agreement_count"], row["flow_count"])
            for row in flows.values("resource__category")
            .annotate(agreement_count=Count("agreement", distinct=True), flow_count=Count("pk"))
            .order_by()
        }
    )


def _organisations(counted):
    """{"total": n, kind: n, ...} from {kind: n}, zeros included."""
    return {
        "total": sum(counted.values()),
        **{kind.value: counted.get(kind.value, 0) for kind in Organisation.Kind},
    }


def organisations_involved(agreements):
    """Distinct organisations that are a party (in any role) to the agreements, by kind."""
    parties = Party.objects.filter(
        organisation=OuterRef("pk"), agreement__in=agreements.values("pk")
    )
    return _organisations(
        dict(
            Organisation.objects.filter(Exists(parties))
            .values("kind")
            .annotate(count=Count("pk"))
            .order_by()
            .values_list("kind", "count")
        )
    )


# Work lists


# What a work list shows of each agreement (and its park).
LISTED_FIELDS = (
    "reference",
    "title_vi",
    "title_en",
    "review_state",
    "review_comment",
    "submitted_at",
    "reviewed_at",
    "park__name_vi",
    "park__name_en",
)


@dataclass(frozen=True)
class ListedPark(BilingualNameMixin):
    name_en: str
    name_vi: str


@dataclass(frozen=True)
class ListedAgreement:
    """An agreement as a work list shows it: plain values (read as rows, and kept with the sum
    of several parks' figures, ``figures.added_up``), with what the template reads of an
    agreement (``title`` in the visitor's language, ``park.name``, its review state's label);
    its address comes with it in a ``WorkListRow``."""

    reference: str
    title_en: str
    title_vi: str
    review_state: str
    review_comment: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    park: ListedPark
    ending_on: datetime.date | None = None

    @property
    def title(self):
        return pick(self.title_en, self.title_vi)

    def get_review_state_display(self):
        return State(self.review_state).label

    def as_data(self):
        """For JSON: dates and times as ISO text."""
        return {
            **{name: getattr(self, name) for name in LISTED_VALUES},
            "submitted_at": _iso(self.submitted_at),
            "reviewed_at": _iso(self.reviewed_at),
            "ending_on": _iso(self.ending_on),
            "park": [self.park.name_en, self.park.name_vi],
        }

    @classmethod
    def from_data(cls, data):
        return cls(
            **{name: data[name] for name in LISTED_VALUES},
            submitted_at=_parsed(datetime.datetime, data["submitted_at"]),
            reviewed_at=_parsed(datetime.datetime, data["reviewed_at"]),
            ending_on=_parsed(datetime.date, data["ending_on"]),
            park=ListedPark(*data["park"]),
        )


LISTED_VALUES = ("reference", "title_en", "title_vi", "review_state", "review_comment")


def _iso(value):
    return value.isoformat() if value is not None else None


def _parsed(kind, text):
    return kind.fromisoformat(text) if text is not None else None


def _listed(agreements, limit):
    ending = ["ending_on"] if "ending_on" in agreements.query.annotations else []
    fields = [*LISTED_FIELDS, *ending]
    return [
        ListedAgreement(
            **{name: row[name] for name in LISTED_VALUES},
            submitted_at=row["submitted_at"],
            reviewed_at=row["reviewed_at"],
            ending_on=row.get("ending_on"),
            park=ListedPark(row["park__name_en"], row["park__name_vi"]),
        )
        for row in agreements.values(*fields)[:limit]
    ]


@dataclass(frozen=True)
class WorkListRow:
    """A row of a work list as the page shows it: the agreement, the address it links to and
    the date the list is about (submitted, ending or returned on)."""

    agreement: ListedAgreement
    url: str
    day: datetime.date | datetime.datetime | None


def work_list_rows(agreements, *, to_review=False, day):
    """The rows of a work list of ``agreements`` (``ListedAgreement``s): each links to the
    agreement's review page (``to_review``) or its page, the pattern reversed once a list
    (``symbiosis.addresses``); ``day`` names the date shown."""
    address_of = addresses("agreements:review" if to_review else "agreements:detail", "reference")
    return [
        WorkListRow(agreement, address_of(agreement.reference), getattr(agreement, day))
        for agreement in agreements
    ]


def work_list_table_rows(rows, *, date_header, show_state=False, show_comment=False):
    """The rows of a work list's table (``reporting/_dashboard_work_list.html``): ``rows``
    (``WorkListRow``s) with the date the list is about under ``date_header``, and the review
    state or the reviewer's comment where the list shows them; each cell carries its column's
    name for phones (``data-label``). Written by ``format_html_join``, which escapes every value,
    the labels translated once: a template loop cost ~1 ms a list of ten."""
    labels = {
        "reference": _("Reference"),
        "title": _("Title"),
        "park": _("Park"),
        "state": _("Review state"),
        "comment": _("Reviewer's comment"),
    }
    cells = [
        '<th scope="row" data-label="{reference_label}"><a href="{url}">{reference}</a></th>',
        '<td data-label="{title_label}">{title}</td>',
        '<td data-label="{park_label}">{park}</td>',
        '<td data-label="{date_label}">{day}</td>',
    ]
    if show_state:
        cells.append('<td data-label="{state_label}">{state}</td>')
    if show_comment:
        cells.append('<td data-label="{comment_label}">{comment}</td>')
    row_html = "<tr>" + "".join(cells) + "</tr>"
    fixed = {
        "reference_label": labels["reference"],
        "title_label": labels["title"],
        "park_label": labels["park"],
        "date_label": date_header,
        "state_label": labels["state"],
        "comment_label": labels["comment"],
    }
    return format_html_join(
        "\n",
        row_html,
        (
            {
                **fixed,
                "url": row.url,
                "reference": row.agreement.reference,
                "title": row.agreement.title,
                "park": row.agreement.park.name,
                # As the template's date filter: in the current time zone, "–" for no date.
                "day": date_format(template_localtime(row.day), "DATE_FORMAT") if row.day else "–",
                "state": row.agreement.get_review_state_display() if show_state else "",
                "comment": truncatewords(row.agreement.review_comment, 30) if show_comment else "",
            }
            for row in rows
        ),
    )


def shown_work_lists(dashboard):
    """The ``Dashboard``'s three work lists as rows to show (``work_list_rows``)."""
    return {
        "awaiting_verification": work_list_rows(
            dashboard.awaiting_verification, to_review=True, day="submitted_at"
        ),
        "ending_soon": work_list_rows(dashboard.ending_soon, day="ending_on"),
        "returned": work_list_rows(dashboard.returned, day="reviewed_at"),
    }


def awaiting_verification(agreements, *, limit=WORK_LIST_LIMIT):
    return _listed(agreements.awaiting_verification(), limit)


def ending_soon(agreements, *, today, within=ENDING_SOON_DAYS, limit=WORK_LIST_LIMIT):
    return _listed(agreements.ending_soon(today, within_days=within), limit)


def returned_not_resubmitted(agreements, *, limit=WORK_LIST_LIMIT):
    return _listed(agreements.returned_for_changes(), limit)


# The whole page


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    figures: dict
    by_state: list
    by_kind: list
    signed_per_year: list
    by_park: list
    by_category: list
    organisations: dict
    impact: Impact
    awaiting_verification: list
    ending_soon: list
    returned: list
    parks_in_scope: int
    # Agreed and measured per year (agreements.yearly.YearlyTotals, as a page shows them), or
    # None where no year has a figure.
    yearly: object = None
    # Verified agreements signed and in force per year (``TrendYear``, oldest first).
    trends: tuple = ()
    # (state, count) active today by their dates in each review state but verified. Both
    # default to a class attribute, which a dashboard cached before them (unpickled without
    # them) reads until the cache forgets it.
    active_by_state: tuple = ()
    # The flow diagrams' data (``sankey.kept``: the bands of the flows the impact counts).
    sankey: dict | None = None

    ending_soon_days = ENDING_SOON_DAYS
    work_list_limit = WORK_LIST_LIMIT


def build(*, agreements, parks, filters, today, park_rows=None):
    """Every figure for ``agreements`` (already limited to what the user oversees) in
    ``parks`` (the parks the user oversees), narrowed by ``filters``: added up from the parks'
    kept figures when the filters only choose parks, else computed from the agreements.
    ``park_rows``: ``parks`` already read (``park_counts``), if the caller has them."""
    if filters.choose_parks_only:
        return from_park_figures(
            agreements=agreements, parks=parks, filters=filters, today=today, park_rows=park_rows
        )
    return from_agreements(agreements=agreements, parks=parks, filters=filters, today=today)


def from_agreements(*, agreements, parks, filters, today):
    """``build``'s dashboard computed from the agreements, their parties and flows."""
    agreements = filters.agreements(agreements)
    flows = filters.flows(agreements)
    figures = overview(agreements, today=today)
    parks = by_park(filters.parks(parks), agreements, today=today)
    return Dashboard(
        today=today,
        figures=figures,
        by_state=by_state(figures),
        by_kind=by_kind(figures),
        signed_per_year=signed_per_year(agreements),
        by_park=parks,
        by_category=by_category(flows),
        organisations=organisations_involved(agreements),
        impact=impact(flows, today=today),
        **work_lists(agreements, today=today),
        parks_in_scope=len(parks),
        yearly=recent_totals(flows, today=today),
        trends=trends(figures, today=today),
        active_by_state=active_by_state(figures),
        sankey=sankey.kept(sankey.sankey_rows(flows, today=today)),
    )


def from_park_figures(*, agreements, parks, filters, today, park_rows=None):
    """``build``'s dashboard from the kept figures of each park in scope
    (``agreements.reporting.figures``): the same figures, read from a row per park."""
    if park_rows is None:
        parks = _parks(filters.parks(parks))
    else:
        parks = [
            ParkCount(park.pk, park.slug, park.name_en, park.name_vi, park.province)
            for park in park_rows
            if filters.park in ("", park.slug) and filters.province in ("", park.province)
        ]
    counts = overview_counts(today=today)
    total = kept_sum([park.pk for park in parks], today=today, overview_counts=counts)
    each_park = total["by_park"]
    figures = {name: total["overview"].get(name, 0) for name in counts}
    figures["parks_with_active"] = sum(
        1 for park in parks if each_park[park.pk].get("active_verified")
    )
    return Dashboard(
        today=today,
        figures=figures,
        by_state=by_state(figures),
        by_kind=by_kind(figures),
        signed_per_year=_per_year(total["per_year"]),
        by_park=_with_counts(parks, each_park),
        by_category=_categories(total["categories"]),
        organisations=_organisations(total["organisations"]),
        impact=kept_impact(total),
        **{
            name: [ListedAgreement.from_data(row) for row in rows]
            for name, rows in total["lists"].items()
        },
        parks_in_scope=len(parks),
        yearly=yearly.shown(yearly.totals_of(total["yearly"])) if total["yearly"] else None,
        trends=trends(figures, today=today),
        active_by_state=active_by_state(figures),
        sankey=total["sankey"],
    )


def kept_impact(figures, *, public=False):
    """The ``Impact`` of kept figures (a park's, ``park_figures.current``, or several parks'
    added up): the same as ``impact`` of their flows, read from the row. ``public``: as the
    public sees it (the flows of agreements not verified are not counted, nor said to exist)."""
    groups = figures["impact"]
    if public:
        groups = [{**group, "unverified": 0} for group in groups]
    return impact_of(
        groups,
        factors=Resource.objects.filter(pk__in=figures["factors"])
        .select_related("current_factor")
        .order_by("category", "name_en", "name_vi"),
    )


def park_page_figures(park, *, today, network, language):
    """What a park's public page shows of its kept figures (``park_figures``, the dashboard's,
    computed the first time they are needed on a day or after a change to the park): the
    ``Impact`` of its verified agreements in force, its agreed and measured totals per year
    (``yearly.YearlyTotals`` as shown, or None), its flow diagrams' data (``sankey.kept``) and
    its network's rows and drawing in ``language`` (``network()``'s, kept with them:
    ``park_figures.for_park_page``). A row read, not the park's flows added up."""
    figures, network_rows = park_figures.for_park_page(
        park.pk,
        today=today,
        overview_counts=overview_counts(today=today),
        network=network,
        language=language,
    )
    return (
        kept_impact(figures, public=True),
        yearly.shown(yearly.totals_of(figures["yearly"])),
        figures["sankey"],
        network_rows,
    )


def kept_sum(park_ids, *, today, overview_counts):
    """The figures of ``park_ids`` added up with their work lists, as a dashboard of them reads
    them (``figures.added_up``), kept for the next dashboard of the same parks."""
    return park_figures.added_up(
        park_ids,
        today=today,
        overview_counts=overview_counts,
        lists=lambda park_ids: _kept_lists(park_ids, today=today),
    )


def _kept_lists(park_ids, *, today):
    """The work lists of the agreements of ``park_ids``, as data to keep with their figures."""
    lists = work_lists(Agreement.objects.filter(park_id__in=park_ids), today=today)
    return {name: [row.as_data() for row in rows] for name, rows in lists.items()}


def work_lists(agreements, *, today):
    return {
        "awaiting_verification": awaiting_verification(agreements),
        "ending_soon": ending_soon(agreements, today=today),
        "returned": returned_not_resubmitted(agreements),
    }
