"""The dashboard's figures kept per park and day (``ParkFigures``), so that a dashboard over
many parks reads one row per park instead of every agreement, party and flow.

A park's figures are what the dashboard counts and adds up (``agreements/reporting/
dashboard.py``), computed by the same expressions for the park alone: a national dashboard adds
up 200 rows where it would aggregate 100,000 agreements and 200,000 flows. The figures of
several parks add up, except the organisations involved (one can be a party in several parks),
so each park keeps the ids of its organisations and the dashboard counts their union.

They are computed when a dashboard first needs them on a day, and kept until the park's
figures change:

- every committed change to an agreement, a party, a flow or a flow's reported quantity moves
  its park's ``generation`` on
  (after the commit, by the model signals ``connect_signals`` connects); a change to an
  organisation those of the parks where it is a party, a change to a resource or to one of its
  emission factors (the report's figures of a year use the factor of that year) every park's, and
  a bulk write (which sends no model signals) every park's (``symbiosis.caching.bulk_changed``);
- figures are stored with the generation read before they were computed, and only while that
  generation is still the park's: figures computed from rows that a change has since replaced
  are never stored, or never read, whatever the order in which the two commit;
- a park's figures hold for one day: the day decides which agreements are in force.

The sum of several parks' figures is kept too (``ScopeFigures``, ``added_up``), stamped with
the generations of the parks' figures it adds up: a national dashboard reads that one row (and
its parks' generations) instead of 200 rows holding the ids of every organisation involved.
The dashboard keeps its work lists with the sum too (``added_up``'s ``lists``): they change
only with the parks' agreements, and with a park's name, which moves its generation on as well.

A dashboard narrowed by anything else than its parks (a kind, a category, signing dates) is
computed directly, as before.
"""

import hashlib
import json
from collections import defaultdict
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from agreements import yearly
from agreements.impact import counted_in_impact, impact_groups, merge_groups
from agreements.models import (
    Agreement,
    EmissionFactor,
    Party,
    ReportedQuantity,
    Resource,
    ResourceFlow,
)
from agreements.reporting import eip, sankey
from agreements.reporting.models import ParkFigures, ScopeFigures
from parks.models import Organisation, Park
from symbiosis.caching import bulk_changed

DECIMALS = ("annual_quantity", "one_off_quantity", "tonnes_co2e")
# What a park's kept figures hold since issue 15 ("yearly", "report_overview"), since the
# dashboard's trends ("trends": the years whose counts, signed and in force, the overview holds
# beside those active today per review state) and since the flow diagrams ("sankey": their
# data): figures kept before, without them, are worked out again, and so are the sums of several
# parks' figures (``added_up``).
KEPT = {"yearly", "report_overview", "trends", "sankey"}
# The headline counts a sum of several parks' figures keeps per park (``added_up``'s
# "by_park"): what the dashboard shows of each park.
PER_PARK = ("total", "active", "active_verified")
# The form of a park's kept network (``for_park_page``): 2 since it is kept drawn, its rows and
# its drawings in every language; a network kept in another form is worked out again.
NETWORK_KEPT = 2


# Computing and keeping them


def compute(park_ids, *, today, overview_counts):
    """{park id: figures} for ``park_ids``: eleven queries whatever the number of parks.
    ``overview_counts``: the headline counts' expressions (``dashboard.overview_counts``)."""
    agreements = Agreement.objects.filter(park_id__in=park_ids)
    flows = ResourceFlow.objects.filter(agreement__park_id__in=park_ids)
    figures = {
        park_id: {
            "overview": {},
            "per_year": [],
            "categories": [],
            "organisations": defaultdict(list),
            "impact": [],
            "factors": [],
        }
        for park_id in park_ids
    }
    for row in agreements.values("park_id").annotate(**overview_counts).order_by():
        figures[row.pop("park_id")]["overview"] = row
    # The years the overview counts verified agreements signed and in force in (the dashboard's
    # trends: ``dashboard.trend_counts``); stored, they tell figures kept before them apart.
    for park_figures in figures.values():
        park_figures["trends"] = yearly.years_up_to(today)
    for row in (
        agreements.annotate(year=ExtractYear("signed_on"))
        .values("park_id", "year")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        figures[row["park_id"]]["per_year"].append([row["year"], row["count"]])
    for row in (
        flows.values("agreement__park_id", "resource__category")
        .annotate(agreement_count=Count("agreement", distinct=True), flow_count=Count("pk"))
        .order_by()
    ):
        figures[row["agreement__park_id"]]["categories"].append(
            [row["resource__category"], row["agreement_count"], row["flow_count"]]
        )
    involved = (
        Party.objects.filter(agreement__park_id__in=park_ids)
        .values_list("agreement__park_id", "organisation__kind", "organisation_id")
        .distinct()
        .order_by()
    )
    for park_id, kind, organisation_id in involved:
        figures[park_id]["organisations"][kind].append(organisation_id)
    for group in impact_groups(flows, today=today, by=("agreement__park_id",)):
        figures[group.pop("agreement__park_id")]["impact"].append(group)
    counted = (
        flows.filter(counted_in_impact(today), resource__emission_factor__isnull=False)
        .values_list("agreement__park_id", "resource_id")
        .distinct()
        .order_by()
    )
    for park_id, resource_id in counted:
        figures[park_id]["factors"].append(resource_id)
    # Agreed and measured per year (agreements.yearly), over the years the dashboard shows.
    years = yearly.years_up_to(today)
    for park_figures in figures.values():
        park_figures["yearly"] = {"years": years, "agreed": [], "measured": []}
    groups = yearly.yearly_groups(flows, years=years, by=("agreement__park_id",))
    for row in groups["agreed"]:
        figures[row["agreement__park_id"]]["yearly"]["agreed"].append(row)
    for row in groups["measured"]:
        figures[row["flow__agreement__park_id"]]["yearly"]["measured"].append(row)
    # The flow diagrams' bands (agreements.reporting.sankey).
    rows = defaultdict(list)
    for row in sankey.sankey_rows(flows, today=today, by=("agreement__park_id",)):
        rows[row["agreement__park_id"]].append(row)
    for park_id, park_figures in figures.items():
        park_figures["sankey"] = sankey.kept(rows[park_id])
    # Last year's symbiosis report figures, for the officials' overview (eip.overview).
    for park_id, row in eip.overview_figures(park_ids, year=eip.last_year(today)).items():
        figures[park_id]["report_overview"] = row
    return figures


def current(park_ids, *, today, overview_counts):
    """{park id: figures} for ``park_ids`` on ``today``: those kept, and those missing or out
    of date computed (and kept) in one go."""
    figures, _generations = _current(park_ids, today=today, overview_counts=overview_counts)
    return figures


def _current(park_ids, *, today, overview_counts):
    """``current``'s figures, and {park id: the generation each park's figures are for}."""
    rows = ParkFigures.objects.filter(park_id__in=park_ids).values_list(
        "park_id", "generation", "day", "computed_generation", "figures"
    )
    generations, figures = {}, {}
    for park_id, generation, day, computed_generation, kept in rows:
        generations[park_id] = generation
        if _holds(generation, day, computed_generation, kept, today=today):
            figures[park_id] = _decoded(kept)
    missing = [park_id for park_id in park_ids if park_id not in figures]
    if missing:
        figures.update(
            _computed(missing, today=today, overview_counts=overview_counts, kept=generations)
        )
    return figures, generations


def _holds(generation, day, computed_generation, kept, *, today):
    # ParkFigures.holds_for (and figures kept before they had all of KEPT do not)
    return day == today and computed_generation == generation and kept.keys() >= KEPT


def for_park_page(park_id, *, today, overview_counts, network, language):
    """The figures of the park ``park_id`` (``current``'s) and its network: ``network()``'s
    data, {"rows": what it is drawn from (``network.network_rows``), "drawings": {language code:
    its markup}}, kept with the figures while the park's generation stays the one read before
    it was computed, whatever the day (the network depends on none). Returns the figures and
    {"rows", "drawing"}: the drawing in ``language``. One query when both are kept.

    A network kept in an older form than ``NETWORK_KEPT`` (its rows only, drawn on every
    request), or without a drawing in ``language``, is worked out again."""
    row = (
        ParkFigures.objects.filter(park_id=park_id)
        .values_list(
            "generation", "day", "computed_generation", "figures", "network_generation", "network"
        )
        .first()
    )
    generation = row[0] if row is not None else 0
    if row is not None and _holds(*row[:4], today=today):
        figures = _decoded(row[3])
    else:  # as ``current`` does, from the row already read
        figures = compute([park_id], today=today, overview_counts=overview_counts)
        _store(figures, today=today, generations={park_id: generation})
        figures = figures[park_id]
    kept = row[5] if row is not None and row[4] == generation else None
    if kept and kept.get("kept") == NETWORK_KEPT and language in kept["drawings"]:
        return figures, {"rows": kept["rows"], "drawing": kept["drawings"][language]}
    kept = {"kept": NETWORK_KEPT, **network()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET network_generation = %s, network = %s "
            "WHERE park_id = %s AND generation = %s",
            # Its letters as they are, not escaped: 200 kB of drawings read back faster.
            [
                generation,
                json.dumps(kept, cls=DjangoJSONEncoder, ensure_ascii=False),
                park_id,
                generation,
            ],
        )
    return figures, {"rows": kept["rows"], "drawing": kept["drawings"].get(language, "")}


def _computed(park_ids, *, today, overview_counts, kept):
    """The figures of ``park_ids`` computed and kept, with the generations ``kept`` read before
    (``kept`` gets those of parks without a row: 0)."""
    computed = compute(park_ids, today=today, overview_counts=overview_counts)
    # The generation read before computing: stored figures hold only while it is current.
    kept.update({pk: kept.get(pk, 0) for pk in park_ids})
    _store(computed, today=today, generations={pk: kept[pk] for pk in park_ids})
    return computed


def kept_parts(park_ids, *, keys, today, overview_counts):
    """{park id: {key: its figure}} for the ``keys`` of ``current``'s figures of ``park_ids``:
    only those keys of each kept row read (a park's figures hold the ids of every organisation
    involved, which a page showing a few of its figures has no use for); the figures of parks
    missing or out of date computed and kept as ``current`` does. One query when every park's
    figures hold, as ``current``."""
    # Whether each row has every figure of KEPT asked of the database, which holds the row;
    # whether it holds for today (ParkFigures.holds_for) read here, as ``_current`` does.
    has_kept = ExpressionWrapper(Q(figures__has_keys=sorted(KEPT)), output_field=BooleanField())
    rows = (
        ParkFigures.objects.filter(park_id__in=park_ids)
        .annotate(has_kept=has_kept)
        .values_list(
            "park_id",
            "generation",
            "day",
            "computed_generation",
            "has_kept",
            *(f"figures__{key}" for key in keys),
        )
    )
    generations, parts = {}, {}
    for park_id, generation, day, computed_generation, kept, *values in rows:
        generations[park_id] = generation
        if day == today and computed_generation == generation and kept:
            parts[park_id] = dict(zip(keys, values, strict=True))
    missing = [park_id for park_id in park_ids if park_id not in parts]
    if missing:
        computed = _computed(
            missing, today=today, overview_counts=overview_counts, kept=generations
        )
        parts.update(
            {park_id: {key: computed[park_id][key] for key in keys} for park_id in missing}
        )
    return parts


def for_park_report(park_id, *, year, compute):
    """The figures of ``year`` of the park ``park_id``'s symbiosis report: ``compute()``'s data
    (``eip.report_figures``), kept by year with the park's figures while the park's generation
    stays the one read before they were computed, whatever the day (a report depends on none).
    One query when kept; otherwise ``compute()`` and one to keep its data with those of the
    other years kept for the same generation."""
    row = (
        ParkFigures.objects.filter(park_id=park_id)
        .values_list("generation", "report_generation", "report")
        .first()
    )
    generation, report_generation, kept = row if row is not None else (0, None, None)
    years = kept if report_generation == generation and kept else {}
    if str(year) in years:
        return years[str(year)]
    data = compute()
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (park_id, generation, report_generation, report) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (park_id) DO UPDATE SET "
            "report_generation = excluded.report_generation, report = excluded.report "
            f"WHERE {table}.generation = excluded.generation",
            [
                park_id,
                generation,
                generation,
                json.dumps({**years, str(year): data}, cls=DjangoJSONEncoder),
            ],
        )
    return data


def _table():
    return connection.ops.quote_name(ParkFigures._meta.db_table)


def _store(figures, *, today, generations):
    """Keep ``figures``, each only if its park's generation is still the one read before it was
    computed (an upsert, alike on PostgreSQL and SQLite)."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (park_id, generation, day, computed_generation, figures) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (park_id) DO UPDATE SET "
            "day = excluded.day, computed_generation = excluded.computed_generation, "
            f"figures = excluded.figures WHERE {table}.generation = excluded.generation",
            [
                (
                    park_id,
                    generations[park_id],
                    today,
                    generations[park_id],
                    json.dumps(park_figures, cls=DjangoJSONEncoder),
                )
                for park_id, park_figures in figures.items()
            ],
        )


def _decoded(figures):
    _decimals(figures["impact"])
    yearly.decoded_groups(figures["yearly"])
    return figures


def _decimals(groups):
    for group in groups:
        for name in DECIMALS:
            if group[name] is not None:
                group[name] = Decimal(group[name])


def move_on(park_ids):
    """Make the kept figures of ``park_ids`` out of date (run after the change committed)."""
    if not park_ids:
        return
    table = _table()
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (park_id, generation) VALUES (%s, 1) ON CONFLICT (park_id) "
            f"DO UPDATE SET generation = {table}.generation + 1",
            [(park_id,) for park_id in sorted(park_ids)],
        )


def move_on_everywhere(**_signal_kwargs):
    """Make every park's kept figures out of date."""
    table = _table()
    with connection.cursor() as cursor:
        # "WHERE true" lets SQLite read ON CONFLICT after INSERT ... SELECT.
        cursor.execute(
            f"INSERT INTO {table} (park_id, generation) SELECT id, 1 FROM "
            f"{connection.ops.quote_name('parks_park')} WHERE true ON CONFLICT (park_id) "
            f"DO UPDATE SET generation = {table}.generation + 1"
        )
    forget_sums()


def forget_sums(**_signal_kwargs):
    """Delete every kept sum of several parks' figures: after a park's kept figures are deleted
    (its generations could start again, under an id SQLite may give to a new park), or when
    every park's figures move on anyway."""
    ScopeFigures.objects.all().delete()


# What moves them on


class PendingChanges:
    """The parks (and agreements, whose parks are read at commit) changed by one transaction:
    one callback on commit, however many rows it wrote."""

    def __init__(self):
        self.parks = set()
        self.agreements = set()
        self.organisations = set()
        self.flows = set()
        self.everywhere = False
        self.done = False

    def __call__(self):
        self.done = True
        if self.everywhere:
            move_on_everywhere()
            return
        parks = set(self.parks)
        if self.agreements:
            parks.update(
                Agreement.objects.filter(pk__in=self.agreements).values_list("park_id", flat=True)
            )
        if self.flows:
            parks.update(
                ResourceFlow.objects.filter(pk__in=self.flows).values_list(
                    "agreement__park_id", flat=True
                )
            )
        if self.organisations:
            parks.update(
                Party.objects.filter(organisation_id__in=self.organisations)
                .values_list("agreement__park_id", flat=True)
                .distinct()
                .order_by()
            )
        move_on(parks)


def _note(*, parks=(), agreements=(), flows=(), organisations=(), everywhere=False):
    """Note a change whose parks' kept figures move on once it commits: with the transaction's
    other changes (``_changes``), or at once where it has committed already (a save outside any
    transaction, in autocommit, as a shell or a command may make)."""
    in_transaction = transaction.get_connection().in_atomic_block
    changes = _changes() if in_transaction else PendingChanges()
    changes.parks.update(parks)
    changes.agreements.update(agreements)
    changes.flows.update(flows)
    changes.organisations.update(organisations)
    changes.everywhere = changes.everywhere or everywhere
    if not in_transaction:
        changes()


def _changes():
    """This transaction's pending ``PendingChanges`` (registered on commit in the current savepoint,
    so a savepoint rolled back takes only its own changes with it)."""
    current = transaction.get_connection()
    savepoints = set(current.savepoint_ids)
    for savepoints_then, callback, _robust in current.run_on_commit:
        pending = isinstance(callback, PendingChanges) and not callback.done
        if pending and savepoints_then == savepoints:
            return callback
    changes = PendingChanges()
    transaction.on_commit(changes)
    return changes


def _agreement_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    # A change of park moves the figures of the park the agreement leaves too.
    if raw or instance.pk is None or (update_fields is not None and "park" not in update_fields):
        return
    # The park it is stored in, when whoever saves it read that with its row locked
    # (``services.save_agreement``): good for this save only.
    before = instance.__dict__.pop("_stored_park_id", None)
    if before is None:
        before = Agreement.objects.filter(pk=instance.pk).values_list("park_id", flat=True).first()
    if before is not None and before != instance.park_id:
        _note(parks=[before])


def _agreement_changed(sender, instance, **kwargs):
    _note(parks=[instance.park_id])


def _row_changed(sender, instance, **kwargs):
    """A party or a flow: its agreement's park (read at commit unless already at hand)."""
    agreement = sender._meta.get_field("agreement").get_cached_value(instance, None)
    if agreement is not None:
        _note(parks=[agreement.park_id])
    else:
        _note(agreements=[instance.agreement_id])


def _quantity_changed(sender, instance, **kwargs):
    """A reported quantity (``agreements.measurements``): its flow's agreement's park."""
    flow = ReportedQuantity.flow.field.get_cached_value(instance, None)
    if flow is not None:
        _row_changed(ResourceFlow, flow)
    else:
        _note(flows=[instance.flow_id])


def _organisation_before_save(sender, instance, raw=False, **kwargs):
    # A tenant leaving a park changes the tenants the park's figures count (report_overview).
    if raw or instance.pk is None:
        return
    before = Organisation.objects.filter(pk=instance.pk).values_list("park_id", flat=True).first()
    if before is not None and before != instance.park_id:
        _note(parks=[before])


def _organisation_changed(sender, instance, created=False, **kwargs):
    if instance.park_id is not None:  # its park counts its tenants
        _note(parks=[instance.park_id])
    if not created:  # a new organisation is a party to nothing yet
        _note(organisations=[instance.pk])


def _resource_changed(sender, instance, **kwargs):
    _note(everywhere=True)


def _park_changed(sender, instance, created=False, **kwargs):
    # Its name is kept with the work lists of the sums it is part of.
    if not created:
        _note(parks=[instance.pk])


def connect_signals():
    pre_save.connect(_agreement_before_save, sender=Agreement, dispatch_uid="figures-agreement")
    pre_save.connect(
        _organisation_before_save, sender=Organisation, dispatch_uid="figures-organisation"
    )
    for signal in (post_save, post_delete):
        signal.connect(_agreement_changed, sender=Agreement, dispatch_uid="figures-agreement")
        for model in (Party, ResourceFlow):
            signal.connect(_row_changed, sender=model, dispatch_uid=f"figures-{model.__name__}")
        signal.connect(_quantity_changed, sender=ReportedQuantity, dispatch_uid="figures-quantity")
        signal.connect(_organisation_changed, sender=Organisation, dispatch_uid="figures-org")
        signal.connect(_resource_changed, sender=Resource, dispatch_uid="figures-resource")
        # The report's figures of a year use the emission factor in force that year.
        signal.connect(_resource_changed, sender=EmissionFactor, dispatch_uid="figures-factor")
    post_save.connect(_park_changed, sender=Park, dispatch_uid="figures-park")
    bulk_changed.connect(move_on_everywhere, dispatch_uid="figures-bulk")
    post_delete.connect(forget_sums, sender=ParkFigures, dispatch_uid="figures-park-deleted")


# Adding them up


def merged(figures):
    """The figures of several parks, added up: {"overview", "per_year", "categories",
    "organisations", "impact", "factors"} as the dashboard reads them."""
    overview = defaultdict(int)
    per_year = defaultdict(int)
    categories = defaultdict(lambda: [0, 0])
    organisations = defaultdict(set)
    groups = []
    factors = set()
    figures = list(figures)
    for park in figures:
        for name, value in park["overview"].items():
            overview[name] += value
        for year, count in park["per_year"]:
            per_year[year] += count
        for category, agreement_count, flow_count in park["categories"]:
            categories[category][0] += agreement_count
            categories[category][1] += flow_count
        for kind, ids in park["organisations"].items():
            organisations[kind].update(ids)
        groups.extend(park["impact"])
        factors.update(park["factors"])
    return {
        "overview": overview,
        "per_year": per_year,
        "categories": categories,
        "organisations": {kind: len(ids) for kind, ids in organisations.items()},
        "impact": groups,
        "factors": factors,
        "yearly": yearly.merged_groups(park["yearly"] for park in figures),
        "trends": figures[0]["trends"] if figures else None,
        "sankey": sankey.merged(park["sankey"] for park in figures),
    }


def added_up(park_ids, *, today, overview_counts, lists=None):
    """The figures of ``park_ids`` on ``today`` added up, as the dashboard reads them:
    {"overview", "per_year", "categories", "organisations", "impact" (the groups merged),
    "factors", "by_park" ({park id: its ``PER_PARK`` headline counts}), "lists"}. ``lists``: a
    function of the park ids giving what else to keep with the sum as JSON (the dashboard's work
    lists, which change only with the parks' agreements, hence their generations), or None.

    For several parks the sum is kept too (``ScopeFigures``): two small queries read it back
    while every park's kept figures are still those it was added up from, instead of a row per
    park with the ids of every organisation involved. A sum is stamped with the generations
    its parks' figures were for, so a sum of figures since changed is never taken for current.
    One park's figures are kept so too when they come with ``lists``: its row has the figures
    but not the lists, which would otherwise cost three queries each time.
    """
    if not park_ids or (len(park_ids) == 1 and lists is None):  # nothing its row has not
        total = _added(current(park_ids, today=today, overview_counts=overview_counts))
        return {**total, "lists": lists(park_ids) if lists else None}
    scope = _digest(",".join(str(pk) for pk in sorted(park_ids)))
    holding = dict(
        ParkFigures.objects.filter(
            park_id__in=park_ids, day=today, computed_generation=F("generation")
        ).values_list("park_id", "generation")
    )
    if len(holding) == len(park_ids):
        kept = (
            ScopeFigures.objects.filter(parks=scope, signature=_signature(holding, today))
            .values_list("figures", flat=True)
            .first()
        )
        # A sum kept without the lists asked for (by a caller that wanted none) is not enough.
        if (
            kept is not None
            and kept.keys() >= KEPT - {"report_overview"}
            and (lists is None or kept.get("lists") is not None)
        ):
            return _decoded_sum(kept)
    figures, generations = _current(park_ids, today=today, overview_counts=overview_counts)
    total = {**_added(figures), "lists": lists(park_ids) if lists else None}
    ScopeFigures.objects.bulk_create(
        [
            ScopeFigures(
                parks=scope,
                day=today,
                signature=_signature(generations, today),
                figures=_encoded_sum(total),
            )
        ],
        update_conflicts=True,
        unique_fields=["parks"],
        update_fields=["day", "signature", "figures"],
    )
    return total


def forget_sums_before(day):
    """Delete the kept sums of days before ``day``: they can no longer be current."""
    ScopeFigures.objects.filter(day__lt=day).delete()


def _added(figures):
    total = merged(figures.values())
    return {
        **total,
        "impact": merge_groups(total["impact"]),
        # Of each park's headline counts, those the dashboard shows per park (its chart and
        # list of parks): a national sum kept with every count of 200 parks is mostly these.
        "by_park": {
            park_id: {name: park["overview"].get(name, 0) for name in PER_PARK}
            for park_id, park in figures.items()
        },
    }


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _signature(generations, today):
    parks = ",".join(f"{pk}:{generation}" for pk, generation in sorted(generations.items()))
    return _digest(f"{today.isoformat()}|{parks}")


def _encoded_sum(total):
    """``total`` as JSON can hold it: years (None included) and park ids as pairs, not keys."""
    return {
        **total,
        "per_year": sorted(total["per_year"].items(), key=lambda item: (item[0] is None, item[0])),
        "factors": sorted(total["factors"]),
        "by_park": list(total["by_park"].items()),
    }


def _decoded_sum(kept):
    _decimals(kept["impact"])
    if kept["yearly"] is not None:
        yearly.decoded_groups(kept["yearly"])
    return {
        **kept,
        "per_year": dict(kept["per_year"]),
        "factors": set(kept["factors"]),
        "by_park": dict(kept["by_park"]),
    }
