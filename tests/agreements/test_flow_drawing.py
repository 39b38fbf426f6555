"""The agreement page's picture of its flows: provider → resource → receiver."""

import re
import xml.etree.ElementTree as ET

import pytest

from agreements.flow_drawing import MAX_FLOWS_DRAWN
from tests.factories import make_agreement, make_organisation, make_resource

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def drawings(page):
    figure = re.search(r'<figure[^>]*id="flow-drawing".*?</figure>', page, flags=re.S).group(0)
    root = ET.fromstring(figure.replace('class="network-figure mb-3" ', ""))
    return root.findall(f".//{SVG}svg")


def boxes(svg):
    """{node key: (its link, its label)} of a drawing."""
    found = {}
    for g in svg.iter(f"{SVG}g"):
        if "node" in (g.get("class") or "").split():
            link = g.find(f"{SVG}a")
            label = " ".join(t.text for t in g.iter(f"{SVG}tspan"))
            found[g.get("data-key")] = (link.get("href") if link is not None else None, label)
    return found


def test_the_founding_agreement_draws_its_provider_the_resource_and_its_receiver(client, demo):
    page = client.get(demo.get_absolute_url()).content.decode()
    flow = demo.flows.get()

    for svg in drawings(page):  # the one for a screen and the one for a phone
        drawn = boxes(svg)
        assert drawn[f"provider-{flow.provider_id}"] == (
            flow.provider.get_absolute_url(),
            flow.provider.name,
        )
        assert drawn[f"flow-{flow.pk}"][0] == flow.resource.get_absolute_url()
        assert drawn[f"receiver-{flow.receiver_id}"][0] == flow.receiver.get_absolute_url()
        # The fire-fighting capacity is shared both ways: arrowheads at both ends.
        arrows = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "flow"]
        assert len(arrows) == 2
        assert all(p.get("marker-start") and p.get("marker-end") for p in arrows)
    assert "class='network-diagram network-wide'" in page
    assert "class='network-diagram network-narrow'" in page


def test_one_organisation_providing_two_resources_is_drawn_once_and_each_resource_apart(client):
    hub, tenant, other = make_organisation(), make_organisation(), make_organisation()
    water = make_resource(name_en="Treated wastewater")
    agreement = make_agreement(
        parties=[hub, tenant, other],
        flows=[(water, hub, tenant), (water, hub, other), (make_resource(), tenant, hub)],
    )

    (wide, _narrow) = drawings(client.get(agreement.get_absolute_url()).content.decode())
    keys = boxes(wide)

    assert sorted(key.split("-")[0] for key in keys) == [
        "flow",
        "flow",
        "flow",
        "provider",
        "provider",
        "receiver",
        "receiver",
        "receiver",
    ]
    assert [label for key, (_link, label) in keys.items() if key.startswith("flow")].count(
        "Treated wastewater"
    ) == 2


def test_an_agreement_with_very_many_flows_is_described_by_its_list_alone(client):
    hub, partner = make_organisation(), make_organisation()
    flows = [(make_resource(), hub, partner) for _ in range(MAX_FLOWS_DRAWN + 1)]
    agreement = make_agreement(parties=[hub, partner], flows=flows)

    page = client.get(agreement.get_absolute_url()).content.decode()

    assert 'id="flow-drawing"' not in page
    assert page.count('class="list-group-item"') == MAX_FLOWS_DRAWN + 1
