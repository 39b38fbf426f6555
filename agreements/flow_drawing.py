"""An agreement's own flows drawn as a picture, provider → resource → receiver, on its page.

Drawn by ``symbiosis.network_drawing`` as a park's network is: boxes with whole names, each a
link to its page, in three columns for a screen (providers, the resources they share, their
receivers) and as a list with arcs for a phone. Each flow has a resource box of its own, so that
two flows of the same resource between other parties are never read as one. An organisation
that provides one flow and receives another is on both sides, as in a Sankey diagram.

From the flows the page has already read (``Agreement.objects.for_detail_page``): no query.
The list of flows under it says the same in words.
"""

from django.utils.translation import gettext as _

from agreements.models import Resource, ResourceFlow
from symbiosis.network_drawing import Flow, Node, render_network

# An agreement with more flows is described by its list alone: a drawing of them would be a
# wall of boxes, and a page about one agreement draws in well under a millisecond.
MAX_FLOWS_DRAWN = 30


def flow_drawing(agreement, flows):
    """The markup of ``flows`` (the agreement's, with their provider, receiver and resource),
    or "" when there are none or more than ``MAX_FLOWS_DRAWN``."""
    if not flows or len(flows) > MAX_FLOWS_DRAWN:
        return ""
    nodes, edges, columns = {}, [], ([], [], [])
    for flow in flows:
        provider = _node(nodes, columns[0], f"provider-{flow.provider_id}", flow.provider)
        resource = _node(nodes, columns[1], f"flow-{flow.pk}", flow.resource, kind="resource")
        receiver = _node(nodes, columns[2], f"receiver-{flow.receiver_id}", flow.receiver)
        mutual = flow.direction == ResourceFlow.Direction.MUTUAL
        arrow = "↔" if mutual else "→"
        description = " ".join(
            (flow.provider.name, arrow, flow.resource.name, arrow, flow.receiver.name)
        )
        category = flow.resource.category
        edges.append(Flow(provider, resource, category, mutual, description))
        edges.append(Flow(resource, receiver, category, mutual, description))
    return render_network(
        list(nodes.values()),
        edges,
        categories=dict(Resource.Category.choices),
        title=_("What %(reference)s shares: each provider, resource and receiver")
        % {"reference": agreement.reference},
        description=_(
            "Arrows run from each provider to the resource it shares and on to its receiver; "
            "the list below says the same."
        ),
        id_prefix="agreement-flows",
        columns=[list(column) for column in columns],
    )


def _node(nodes, column, node_key, thing, *, kind="organisation"):
    """The key of ``thing``'s node in ``column``, added the first time it is met."""
    if node_key not in nodes:
        nodes[node_key] = Node(
            key=node_key,
            label=thing.name,
            name=thing.name,
            url=thing.get_absolute_url() if thing.is_confirmed else None,
            kind=kind,
        )
        column.append(node_key)
    return node_key
