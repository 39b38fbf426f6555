"""The kind of symbiosis an agreement is, in the terms of Circular 05/2025 (under Decree 35/2022
on eco-industrial parks), suggested from what the registry already knows of it. The rule, in
one place (the agreement form, the saving service and the data migration that filled the stored
agreements all call ``suggested_kind``):

1. An industrial-urban agreement, or one where an organisation that exchanges is not located in
   the agreement's park (an agency, a utility or a company elsewhere): symbiosis with parties
   outside the park.
2. A shared infrastructure or service agreement: shared production infrastructure when every
   resource it shares is energy, water or infrastructure (a power line, a treatment plant, a
   road); otherwise, or when no resource is recorded yet, shared services (fire-fighting,
   training, a service with some infrastructure in it).
3. Industrial symbiosis between the park's enterprises: exchange of inputs and outputs.

The organisations that exchange are the providers and receivers of its flows; with no flow
yet, its signatories (witnesses and facilitators, a ministry or UNIDO, do not make an
agreement one with the world outside the park). The suggestion is only that: the park's staff
may choose another kind, a flow may have its own (``ResourceFlow.symbiosis_kind``), and an
official confirms it on verifying the agreement (``services.verify_agreement``).
"""

from agreements.models import Agreement, Party, Resource, SymbiosisKind
from parks.models import Organisation

# The resource categories whose sharing is shared production infrastructure.
INFRASTRUCTURE_CATEGORIES = frozenset(
    {Resource.Category.ENERGY, Resource.Category.WATER, Resource.Category.INFRASTRUCTURE}
)


def suggested_kind(kind, categories, *, all_in_park):
    """The kind of symbiosis (a ``SymbiosisKind``) suggested for an agreement of ``kind`` (an
    ``Agreement.Kind``) sharing resources of ``categories`` (any iterable of
    ``Resource.Category`` values), ``all_in_park`` telling whether every organisation that
    exchanges is located in the agreement's park; blank for an agreement of no kind yet."""
    if not kind:
        return ""
    if kind == Agreement.Kind.INDUSTRIAL_URBAN or not all_in_park:
        return SymbiosisKind.OUTSIDE_THE_PARK
    if kind == Agreement.Kind.SHARED_SERVICE:
        categories = set(categories)
        if categories and categories <= INFRASTRUCTURE_CATEGORIES:
            return SymbiosisKind.SHARED_INFRASTRUCTURE
        return SymbiosisKind.SHARED_SERVICES
    return SymbiosisKind.INPUT_OUTPUT_EXCHANGE


def suggested_for(*, kind, park_id, resources, flow_ends, signatories):
    """The kind suggested for an agreement of ``kind`` in the park ``park_id`` whose flows share
    ``resources`` between ``flow_ends`` ((provider, receiver) pairs), signed by ``signatories``:
    each given as objects (a form's cleaned rows: no query) or primary keys (one query each for
    the resources' categories and where the organisations that exchange are located)."""
    exchanging = {end for pair in flow_ends for end in pair if end is not None} or {
        end for end in signatories if end is not None
    }
    categories = _read(Resource, resources, "category")
    located = _read(Organisation, exchanging, "park_id")
    return suggested_kind(kind, categories, all_in_park=located <= {park_id})


def _read(model, rows, field):
    """The values of ``field`` of ``rows`` (objects, or primary keys read in one query)."""
    rows = [row for row in rows if row is not None]
    loaded = [
        row for row in rows if isinstance(row, model) and field not in row.get_deferred_fields()
    ]
    values = {getattr(row, field) for row in loaded}
    pks = {row.pk if isinstance(row, model) else row for row in rows} - {row.pk for row in loaded}
    if pks:
        values |= set(model.objects.filter(pk__in=pks).values_list(field, flat=True))
    return values


def suggested_kind_of(agreement):
    """The kind suggested for a stored agreement, from its flows (with their resources,
    providers and receivers) and parties (with their organisations): no query where those are
    loaded (``AgreementQuerySet.for_detail_page``)."""
    flows = list(agreement.flows.all())
    return suggested_for(
        kind=agreement.kind,
        park_id=agreement.park_id,
        resources=[flow.resource for flow in flows],
        flow_ends=[(flow.provider, flow.receiver) for flow in flows],
        signatories=[
            party.organisation
            for party in agreement.parties.all()
            if party.role == Party.Role.SIGNATORY
        ],
    )
