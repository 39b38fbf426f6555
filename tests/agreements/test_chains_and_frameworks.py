"""Chains of flows (a flow made from a flow its provider receives) and agreements that nest (a
bilateral agreement made under a framework, an agreement amending, renewing or replacing
another), as a municipality-wide cluster records them: the rules that keep them sound, the
forms that enter them, the pages that link them, and totals that count each exchange once."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from agreements.forms import AgreementEntry
from agreements.impact import impact
from agreements.models import MAX_CHAIN, Agreement, ResourceFlow
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting import dashboard, exports
from agreements.reporting.filters import Filters
from tests.agreements.entry import edit_data
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_organisation, make_resource

State = Agreement.ReviewState
TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def cluster(world):
    """A cluster in the world's park: a refinery's wastewater made into biogas by a biogas
    plant, which the power station burns (a chain of two flows); a framework agreement of the
    power station, the refinery and a plasterboard maker recording steam and gypsum, and two
    bilateral agreements under it, one recording the same steam exchange with its quantity."""
    park = world.park
    c = type("Cluster", (), {})()
    c.power = make_organisation(name_en="Asnæs Power Station")
    c.refinery = make_organisation(name_en="Kalundborg Refinery")
    c.biogas = make_organisation(name_en="Biogas plant")
    c.gypsum = make_organisation(name_en="Plasterboard maker")
    c.wastewater = make_resource(name_en="Wastewater", category="water", unit="m3")
    c.biogas_fuel = make_resource(name_en="Biogas", category="energy", unit="MWh")
    c.steam = make_resource(name_en="Steam", category="energy", unit="GJ")
    c.gypsum_board = make_resource(name_en="Gypsum", category="material", unit="t")

    c.wastewater_deal = make_agreement(
        park,
        reference="KAL-WW",
        parties=[c.refinery, c.biogas],
        flows=[(c.wastewater, c.refinery, c.biogas)],
    )
    c.biogas_deal = make_agreement(
        park,
        reference="KAL-BIO",
        parties=[c.biogas, c.power],
        flows=[(c.biogas_fuel, c.biogas, c.power)],
    )
    c.wastewater_flow = c.wastewater_deal.flows.get()
    c.biogas_flow = c.biogas_deal.flows.get()
    c.biogas_flow.made_from = c.wastewater_flow
    c.biogas_flow.save()

    c.framework = make_agreement(
        park,
        reference="KAL-FRAME",
        parties=[c.power, c.refinery, c.gypsum],
        flows=[(c.steam, c.power, c.refinery), (c.gypsum_board, c.power, c.gypsum)],
    )
    c.steam_bilateral = make_agreement(
        park,
        reference="KAL-STEAM",
        parties=[c.power, c.refinery],
        flows=[(c.steam, c.power, c.refinery)],
        framework=c.framework,
    )
    c.steam_bilateral.flows.update(quantity=Decimal("1000"))
    c.other_bilateral = make_agreement(
        park,
        reference="KAL-OTHER",
        parties=[c.power, c.gypsum],
        flows=[(c.wastewater, c.power, c.gypsum)],
        framework=c.framework,
    )
    return c


def counted_flows(agreements):
    return impact(ResourceFlow.objects.filter(agreement__in=agreements), today=TODAY).flows


# Counting each exchange once


def test_the_network_and_the_dashboard_count_an_exchange_of_a_framework_and_its_bilateral_once(
    client, world, cluster, django_capture_on_commit_callbacks
):
    # Six flows recorded; the framework's steam is the bilateral's steam: five exchanges.
    assert ResourceFlow.objects.count() == 6

    response = client.get(world.park.get_absolute_url())

    links = {
        (link["provider"].name, link["category"], link["receiver"].name): link["agreements"]
        for link in response.context["network_links"]
    }
    assert links == {
        ("Kalundborg Refinery", "water", "Biogas plant"): 1,
        ("Biogas plant", "energy", "Asnæs Power Station"): 1,
        ("Asnæs Power Station", "energy", "Kalundborg Refinery"): 1,  # not 2
        ("Asnæs Power Station", "material", "Plasterboard maker"): 1,
        ("Asnæs Power Station", "water", "Plasterboard maker"): 1,
    }
    assert response.context["impact"].flows == 5

    official = world.official
    for filters in [Filters(), Filters(kind=Agreement.Kind.INDUSTRIAL)]:  # kept and computed
        figures = dashboard.build(
            agreements=reviewable_agreements(official, Agreement.objects.all()),
            parks=overseen_parks(official),
            filters=filters,
            today=TODAY,
        )
        assert figures.impact.flows == 5
        energy = {row.unit: row for row in figures.impact.rows if row.category == "energy"}
        # Energy adds up in MWh: the biogas and the steam, once, the bilateral's with its
        # quantity (1,000 GJ = 277.778 MWh).
        assert energy["MWh"].flows == 2
        assert energy["MWh"].annual_quantity == Decimal("277.778")


def test_the_rule_is_written_under_the_totals_of_the_park_page(client, world, cluster):
    page = client.get(world.park.get_absolute_url()).content.decode()

    assert "Each exchange (provider → resource → receiver) counts once" in page


def test_a_framework_flow_counts_again_when_its_bilateral_is_not_counted(world, cluster):
    cluster.steam_bilateral.review_state = State.DRAFT
    cluster.steam_bilateral.save()

    assert counted_flows(Agreement.objects.filter(reference="KAL-FRAME")) == 2


def test_the_exports_keep_every_row_and_say_which_the_totals_count(world, cluster):
    header = exports.flow_header(today=TODAY)
    rows = list(exports.flow_rows(Agreement.objects.all(), today=TODAY))
    reference, resource = header.index("Reference"), header.index("Resource")
    counted = header.index("Counted in the impact totals")

    marks = {(row[reference], row[resource]): row[counted] for row in rows}

    assert len(rows) == 6
    assert marks[("KAL-FRAME", "Steam")] == "no"
    assert marks[("KAL-STEAM", "Steam")] == "yes"
    assert marks[("KAL-FRAME", "Gypsum")] == "yes"


# Chains of flows


def test_the_park_network_draws_the_chain_through_the_organisation_that_makes_it(
    client, world, cluster
):
    response = client.get(world.park.get_absolute_url())
    page = response.content.decode()

    # Once in each drawing: the one for a screen and the one for a phone.
    assert len(re.findall(r"<path class='chain'", page)) == 2
    assert [chain.maker for chain in response.context["network_chains"]] == [cluster.biogas.slug]
    assert "Biogas plant makes Energy for Asnæs Power Station from Water" in page


def test_the_agreement_page_says_what_a_flow_is_made_from(client, cluster):
    page = client.get(cluster.biogas_deal.get_absolute_url()).content.decode()

    assert "made from: Wastewater from Kalundborg Refinery" in page
    assert f'href="{cluster.wastewater_deal.get_absolute_url()}"' in page


def test_the_public_does_not_see_a_flow_made_from_an_unverified_agreement(client, cluster):
    Agreement.objects.filter(pk=cluster.wastewater_deal.pk).update(review_state=State.DRAFT)

    page = client.get(cluster.biogas_deal.get_absolute_url()).content.decode()

    assert "made from:" not in page


def test_a_flow_cannot_be_made_from_itself(cluster):
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceFlow.objects.filter(pk=cluster.wastewater_flow.pk).update(
            made_from=cluster.wastewater_flow.pk
        )


def test_a_flow_cannot_be_made_from_a_flow_later_in_its_own_chain(cluster):
    # The refinery gets biogas back and makes the wastewater from it: a loop.
    back = ResourceFlow.objects.create(
        agreement=cluster.wastewater_deal,
        resource=cluster.biogas_fuel,
        provider=cluster.biogas,
        receiver=cluster.refinery,
        made_from=cluster.wastewater_flow,
    )
    wastewater = cluster.wastewater_flow
    wastewater.made_from = back

    with pytest.raises(ValidationError) as error:
        wastewater.full_clean()

    assert "a chain cannot loop" in str(error.value.message_dict["made_from"])


def test_a_flow_is_made_only_from_a_flow_its_provider_receives_in_the_same_park(world, cluster):
    steam = cluster.framework.flows.get(resource=cluster.steam)  # received by the refinery
    cluster.biogas_flow.made_from = steam
    with pytest.raises(ValidationError) as error:
        cluster.biogas_flow.full_clean()
    assert "this flow's provider receives" in str(error.value)

    elsewhere = make_agreement(
        world.other_park,
        parties=[cluster.refinery, cluster.biogas],
        flows=[(cluster.wastewater, cluster.refinery, cluster.biogas)],
    ).flows.get()
    cluster.biogas_flow.made_from = elsewhere
    with pytest.raises(ValidationError) as error:
        cluster.biogas_flow.full_clean()
    assert "an agreement of this park" in str(error.value)


def test_a_chain_longer_than_the_limit_is_refused(world):
    park = world.park
    a, b = make_organisation(), make_organisation()
    agreement = make_agreement(park, parties=[a, b], flows=[])
    resource = make_resource()
    previous = None
    for index in range(MAX_CHAIN + 1):
        provider, receiver = (a, b) if index % 2 == 0 else (b, a)
        previous = ResourceFlow.objects.create(
            agreement=agreement,
            resource=resource,
            provider=provider,
            receiver=receiver,
            made_from=previous,
        )
    last = ResourceFlow(
        agreement=agreement, resource=resource, provider=b, receiver=a, made_from=previous
    )

    with pytest.raises(ValidationError) as error:
        last.full_clean()

    assert f"at most {MAX_CHAIN} long" in str(error.value)


def test_the_form_offers_only_the_stored_flows_of_the_park_its_providers_receive(world, cluster):
    elsewhere = make_agreement(
        world.other_park,
        parties=[cluster.refinery, cluster.biogas],
        flows=[(cluster.wastewater, cluster.refinery, cluster.biogas)],
    )

    entry = AgreementEntry(user=world.staff, instance=cluster.biogas_deal)
    offered = [pk for pk, _label in entry.flows.forms[0].fields["made_from"].choices if pk]

    # The biogas plant (the row's provider) receives the wastewater here; not the flows other
    # parties receive, nor one of another park, nor the row itself.
    assert offered == [cluster.wastewater_flow.pk]
    assert elsewhere.flows.get().pk not in offered
    labels = dict(entry.flows.forms[0].fields["made_from"].choices)
    assert labels[cluster.wastewater_flow.pk] == (
        "Wastewater: Kalundborg Refinery → Biogas plant (KAL-WW)"
    )


def test_staff_link_a_flow_to_what_it_is_made_from_and_a_wrong_one_is_refused(
    client, world, cluster
):
    client.force_login(world.staff)
    ResourceFlow.objects.filter(pk=cluster.biogas_flow.pk).update(made_from=None)
    agreement = Agreement.objects.get(pk=cluster.biogas_deal.pk)
    steam = cluster.framework.flows.get(resource=cluster.steam)
    edit = reverse("agreements:update", kwargs={"reference": agreement.reference})

    wrong = client.post(edit, edit_data(agreement, **{"flows-0-made_from": steam.pk}))
    assert wrong.status_code == 200
    assert "Choose a flow that this flow&#x27;s provider receives" in wrong.content.decode()
    assert ResourceFlow.objects.get(pk=cluster.biogas_flow.pk).made_from is None

    right = client.post(
        edit, edit_data(agreement, **{"flows-0-made_from": cluster.wastewater_flow.pk})
    )
    assert right.status_code == 302
    assert ResourceFlow.objects.get(pk=cluster.biogas_flow.pk).made_from == cluster.wastewater_flow
    history = client.get(
        reverse("agreements:history", kwargs={"reference": agreement.reference})
    ).content.decode()
    assert "Kalundborg Refinery → Wastewater → Biogas plant" in history


def test_two_rows_of_one_form_cannot_close_a_loop(client, world):
    client.force_login(world.staff)
    a, b = make_organisation(), make_organisation()
    resource = make_resource()
    agreement = make_agreement(
        world.park, parties=[a, b], flows=[(resource, a, b), (resource, b, a)], review_state="draft"
    )
    first, second = agreement.flows.order_by("pk")

    response = client.post(
        reverse("agreements:update", kwargs={"reference": agreement.reference}),
        edit_data(agreement, **{"flows-0-made_from": second.pk, "flows-1-made_from": first.pk}),
    )

    assert response.status_code == 200
    assert "a chain cannot loop" in response.content.decode()
    assert not ResourceFlow.objects.filter(made_from__isnull=False).exists()


# Frameworks and amendments


def test_an_agreement_cannot_be_its_own_framework_nor_amend_itself(cluster):
    pk = cluster.framework.pk
    for change in [{"framework": pk}, {"amends": pk, "amendment_kind": "amends"}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=pk).update(**change)


def test_an_amendment_says_how_it_relates_to_the_earlier_agreement(cluster):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=cluster.steam_bilateral.pk).update(amends=cluster.framework.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.filter(pk=cluster.steam_bilateral.pk).update(amendment_kind="renews")


def test_a_framework_cannot_be_made_under_its_own_bilateral(cluster):
    framework = cluster.framework
    framework.framework = cluster.steam_bilateral

    with pytest.raises(ValidationError) as error:
        framework.full_clean()

    assert "already the framework of that one" in str(error.value.message_dict["framework"])


def test_staff_enter_the_framework_and_the_earlier_agreement_by_reference(client, world, cluster):
    client.force_login(world.staff)
    agreement = Agreement.objects.get(pk=cluster.other_bilateral.pk)
    edit = reverse("agreements:update", kwargs={"reference": agreement.reference})
    elsewhere = make_agreement(world.other_park, reference="ELSEWHERE-1")

    for reference in ["NOPE-1", elsewhere.reference]:
        response = client.post(
            edit, edit_data(agreement, amends=reference, amendment_kind="renews")
        )
        assert response.status_code == 200
        assert f"No agreement of your parks has the reference “{reference}”" in (
            response.content.decode()
        )

    missing_kind = client.post(edit, edit_data(agreement, amends="KAL-STEAM"))
    assert "Say whether it amends, renews or replaces" in missing_kind.content.decode()

    saved = client.post(
        edit, edit_data(agreement, framework="", amends=" KAL-STEAM ", amendment_kind="renews")
    )
    assert saved.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.framework, agreement.amends, agreement.amendment_kind) == (
        None,
        cluster.steam_bilateral,
        "renews",
    )
    # It opens again with the references typed in.
    page = client.get(edit).content.decode()
    assert 'name="amends" value="KAL-STEAM"' in page


def test_agreement_pages_link_the_framework_its_bilaterals_and_amendments(client, world, cluster):
    renewal = make_agreement(
        world.park,
        reference="KAL-STEAM-2",
        amends=cluster.steam_bilateral,
        amendment_kind=Agreement.AmendmentKind.RENEWS,
    )
    draft = make_agreement(world.park, reference="KAL-DRAFT", framework=cluster.framework)
    Agreement.objects.filter(pk=draft.pk).update(review_state=State.DRAFT)

    framework_page = client.get(cluster.framework.get_absolute_url())
    assert [a.reference for a in framework_page.context["bilaterals"]] == [
        "KAL-OTHER",
        "KAL-STEAM",
    ]  # not the draft
    bilateral_page = client.get(cluster.steam_bilateral.get_absolute_url()).content.decode()
    assert f'href="{cluster.framework.get_absolute_url()}"' in bilateral_page
    assert f'href="{renewal.get_absolute_url()}"' in bilateral_page
    renewal_page = client.get(renewal.get_absolute_url()).content.decode()
    assert "Renews" in renewal_page
    assert f'href="{cluster.steam_bilateral.get_absolute_url()}"' in renewal_page

    client.force_login(world.staff)
    staff_page = client.get(cluster.framework.get_absolute_url())
    assert "KAL-DRAFT" in [a.reference for a in staff_page.context["bilaterals"]]


def test_the_admin_offers_the_framework_the_earlier_agreement_and_what_a_flow_is_made_from(
    client, world, cluster
):
    client.force_login(world.admin)

    page = client.get(
        reverse("admin:agreements_agreement_change", args=[cluster.biogas_deal.pk])
    ).content.decode()

    for name in ["framework", "amends", "amendment_kind", "flows-0-made_from"]:
        assert f'name="{name}"' in page


def test_vietnamese_readers_see_the_framework_in_their_language(client, cluster):
    # Needs the Vietnamese catalogue compiled with this change's strings (i13-vi.json).
    with translation.override("vi"):
        page = client.get(
            cluster.steam_bilateral.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi"
        ).content.decode()

    assert "Được ký theo thỏa thuận khung" in page
