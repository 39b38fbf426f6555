"""A park's symbiosis network: what it is drawn from, read from the database, and its nodes,
flows and chains for the drawing (``symbiosis.network_drawing``, which says how it is drawn).

The park's flows are grouped by provider, receiver, category and direction before they are
drawn: a link stands for every agreement of its group. The page gives the text alternative
(the same links as a table) and keeps the drawing with the park's figures
(``figures.for_park_page``).
"""

from django.db import connection
from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parks.models import Organisation
from symbiosis.network_drawing import Chain, Flow, Node


def node_of(organisation):
    """The node of an organisation (anything with ``slug``, ``short_name`` and ``name``, and
    its page's address as ``url`` if it has one)."""
    return Node(
        key=organisation.slug,
        label=organisation.short_name or organisation.name,
        name=organisation.name,
        url=getattr(organisation, "url", None),
    )


def network_from_links(organisations, links, *, categories):
    """Nodes and flows from the organisations to draw and the park's links among them.

    ``organisations``: the organisations to draw, by primary key. ``links``: rows grouped by
    the database, each a mapping with ``provider_id`` and ``receiver_id``, ``category``,
    ``direction`` and ``agreements`` (how many agreements); a link with an end not among
    ``organisations`` is left out. ``categories``: category key to its label.
    """
    nodes = [node_of(organisation) for organisation in organisations.values()]
    flows = []
    for link in links:
        provider = organisations.get(link["provider_id"])
        receiver = organisations.get(link["receiver_id"])
        if provider is None or receiver is None:
            continue
        mutual = link["direction"] == "mutual"
        arrow = "↔" if mutual else "→"
        count = link["agreements"]
        flows.append(
            Flow(
                provider=provider.slug,
                receiver=receiver.slug,
                category=link["category"],
                mutual=mutual,
                description=ngettext(
                    "%(provider)s %(arrow)s %(category)s %(arrow)s %(receiver)s: %(count)d "
                    "agreement",
                    "%(provider)s %(arrow)s %(category)s %(arrow)s %(receiver)s: %(count)d "
                    "agreements",
                    count,
                )
                % {
                    "provider": provider.name,
                    "receiver": receiver.name,
                    "category": categories.get(link["category"], link["category"]),
                    "arrow": arrow,
                    "count": count,
                },
                count=count,
            )
        )
    return nodes, flows


def chains_from_rows(organisations, rows, *, categories):
    """Chains from rows grouped by the database (``network_chains``), among ``organisations``
    (by primary key); a chain with an end not among them is left out."""
    chains = []
    for row in rows:
        ends = [organisations.get(row[name]) for name in ("source_id", "maker_id", "receiver_id")]
        if None in ends:
            continue
        source, maker, receiver = ends
        chains.append(
            Chain(
                source=source.slug,
                maker=maker.slug,
                receiver=receiver.slug,
                description=_(
                    "%(maker)s makes %(output)s for %(receiver)s from %(input)s from %(source)s"
                )
                % {
                    "maker": maker.name,
                    "output": categories.get(row["output"], row["output"]),
                    "receiver": receiver.name,
                    "input": categories.get(row["input"], row["input"]),
                    "source": source.name,
                },
            )
        )
    return chains


# Reading a network from the database


def network_organisations(flows, *, limit):
    """The ``limit`` organisations at an end of the most ``flows`` (ties by name, then primary
    key), each with ``flow_count`` and ``in_network``: how many organisations the flows link in
    all. One query, reading ``flows`` once: each flow's two ends, counted by organisation.

    A count per organisation as a subquery (the ORM's way) read the flows, with the framework
    rule of ``counted_once``, twice for every organisation of the park: 26 ms for a park of 557
    agreements where this takes 3. The ORM cannot group a union, hence the SQL."""
    ends, params = flows.order_by().values("provider_id", "receiver_id").query.sql_with_params()
    table = connection.ops.quote_name(Organisation._meta.db_table)
    columns = ", ".join(
        f"o.{connection.ops.quote_name(Organisation._meta.get_field(name).column)}"
        for name in NETWORK_ORGANISATION_FIELDS
    )
    return list(
        Organisation.objects.raw(
            f"WITH flow_ends AS ({ends}), "
            "organisation_ends AS ("
            "SELECT provider_id AS organisation_id FROM flow_ends "
            "UNION ALL SELECT receiver_id FROM flow_ends), "
            "flow_counts AS ("
            "SELECT organisation_id, COUNT(*) AS flow_count FROM organisation_ends "
            "GROUP BY organisation_id) "
            f"SELECT {columns}, c.flow_count, COUNT(*) OVER () AS in_network "
            f"FROM {table} o INNER JOIN flow_counts c ON c.organisation_id = o.id "
            "ORDER BY c.flow_count DESC, o.name_en, o.name_vi, o.id "
            "LIMIT %s",
            [*params, limit],
        )
    )


# What the network reads of each organisation: its label and its page.
NETWORK_ORGANISATION_FIELDS = ("id", "kind", "slug", "name_en", "name_vi", "name_own", "short_name")


def network_rows(flows, *, max_nodes, max_links):
    """What a network of ``flows`` is drawn from, as data a park keeps with its figures
    (``figures.for_park_page``): ``organisations``, the ``max_nodes`` at an end of the most
    flows (``network_organisations``: each its ``NETWORK_ORGANISATION_FIELDS`` and
    ``flow_count``), ``in_network`` (how many organisations the flows link in all), ``links``
    among them (``network_links``: ``max_links`` + 1 at most) and ``chains``
    (``network_chains``). Three queries; one for flows that link no organisation."""
    organisations = network_organisations(flows, limit=max_nodes)
    if not organisations:
        return {"organisations": [], "in_network": 0, "links": [], "chains": []}
    ids = [organisation.pk for organisation in organisations]
    return {
        "organisations": [
            {
                **{name: getattr(organisation, name) for name in NETWORK_ORGANISATION_FIELDS},
                "flow_count": organisation.flow_count,
            }
            for organisation in organisations
        ],
        "in_network": organisations[0].in_network,
        "links": network_links(flows, ids, limit=max_links),
        "chains": network_chains(flows, ids, limit=max_links),
    }


def organisations_of(rows):
    """{pk: Organisation} of ``network_rows``' organisations, in their order, each with its
    ``flow_count``: read from the rows, not the database."""
    organisations = {}
    for row in rows["organisations"]:
        organisation = Organisation(**{name: row[name] for name in NETWORK_ORGANISATION_FIELDS})
        organisation.flow_count = row["flow_count"]
        organisations[organisation.pk] = organisation
    return organisations


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


def network_chains(flows, organisations, *, limit):
    """The chains among ``flows`` (a flow made from another of them) through and between
    ``organisations``, grouped by who provides the input (``source_id``), who makes the output
    (``maker_id``), who receives it (``receiver_id``) and the two resource categories
    (``input``, ``output``): at most ``limit``. One query."""
    return list(
        flows.filter(
            made_from__in=flows,
            provider__in=organisations,
            receiver__in=organisations,
            made_from__provider__in=organisations,
        )
        .values(
            "receiver_id",
            maker_id=F("provider_id"),
            source_id=F("made_from__provider_id"),
            input=F("made_from__resource__category"),
            output=F("resource__category"),
        )
        .annotate(flows=Count("pk"))
        .order_by("maker_id", "source_id", "receiver_id", "input", "output")[:limit]
    )
