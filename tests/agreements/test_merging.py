"""Officials merge duplicates (``agreements.merging``, ``agreements.views.merge``): "Asnaes Power
Station" and "Asnæs Power Station" are one organisation, and become one record without losing a
party, a flow or a line of history, still found by the duplicate's name."""

import pytest
from django.test import Client
from django.urls import reverse

from agreements import merging
from agreements.models import Agreement, Merge, Party, Resource, ResourceFlow
from parks.lookup import find_organisations
from parks.models import AuthorityMembership, Organisation
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
    make_user,
)

pytestmark = pytest.mark.django_db

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


class Kalundborg:
    """Two records of the Danish power station, each party to agreements of its own, and both
    parties to one (one as a witness), with flows to and from each."""

    def __init__(self):
        self.park = make_park(name_en="Kalundborg Symbiosis", slug="kalundborg")
        self.agency = make_agency(name_en="Kalundborg Municipality")
        self.park.managing_authority = self.agency
        self.park.save()
        self.official = make_official(self.agency, username="kalundborg-official")
        self.staff = make_park_staff(self.park, username="kalundborg-staff")
        self.keep = make_organisation(
            name_en="Asnæs Power Station",
            name_own="Asnæs Kraftværk",
            name_own_language="da",
            slug="asnaes-power-station",
        )
        self.duplicate = make_organisation(
            name_en="Asnaes Power Station", short_name="Asnaes", slug="asnaes-power-station-2"
        )
        self.novo = make_organisation(name_en="Novo Nordisk", slug="novo-nordisk")
        self.equinor = make_organisation(name_en="Equinor Refinery", slug="equinor")
        self.steam = make_resource(name_en="Steam", slug="steam")
        self.gypsum = make_resource(name_en="Gypsum", slug="gypsum")
        # The duplicate's own agreement: steam to Novo Nordisk.
        self.steam_deal = make_agreement(
            self.park,
            reference="KAL-STEAM",
            parties=[self.duplicate, self.novo],
            flows=[(self.steam, self.duplicate, self.novo)],
        )
        # The kept record's own agreement: gypsum to Equinor, a draft.
        self.gypsum_deal = make_agreement(
            self.park,
            reference="KAL-GYPSUM",
            parties=[self.keep, self.equinor],
            flows=[(self.gypsum, self.keep, self.equinor)],
            review_state=Agreement.ReviewState.DRAFT,
        )
        # Both: the kept record a witness, the duplicate a signatory with its representative.
        self.both = make_agreement(
            self.park,
            reference="KAL-BOTH",
            parties=[self.novo, self.equinor],
            flows=[(self.steam, self.novo, self.equinor)],
        )
        Party.objects.create(agreement=self.both, organisation=self.keep, role=Party.Role.WITNESS)
        Party.objects.create(
            agreement=self.both,
            organisation=self.duplicate,
            role=Party.Role.SIGNATORY,
            representative_name="Ole Hansen",
            representative_title_en="Plant manager",
        )
        ResourceFlow.objects.create(
            agreement=self.both, resource=self.gypsum, provider=self.duplicate, receiver=self.novo
        )

    def counts(self):
        return {
            agreement.reference: (agreement.parties.count(), agreement.flows.count())
            for agreement in Agreement.objects.all()
        }


@pytest.fixture
def kalundborg():
    return Kalundborg()


# The service


def test_merging_keeps_every_agreements_parties_and_flows(kalundborg):
    before = kalundborg.counts()

    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    after = kalundborg.counts()
    # The duplicate's party row in KAL-BOTH is folded into the kept one's: one row less there.
    assert after == {**before, "KAL-BOTH": (before["KAL-BOTH"][0] - 1, before["KAL-BOTH"][1])}
    assert not Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    steam = kalundborg.steam_deal.flows.get()
    assert (steam.provider, steam.receiver) == (kalundborg.keep, kalundborg.novo)
    assert set(kalundborg.steam_deal.parties.values_list("organisation", flat=True)) == {
        kalundborg.keep.pk,
        kalundborg.novo.pk,
    }
    assert kalundborg.both.flows.filter(provider=kalundborg.keep).count() == 1


def test_a_party_folded_into_the_kept_one_takes_the_stricter_role_and_the_representative(
    kalundborg,
):
    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    party = kalundborg.both.parties.get(organisation=kalundborg.keep)
    assert party.role == Party.Role.SIGNATORY
    assert party.representative_name == "Ole Hansen"
    assert party.representative_title_en == "Plant manager"


def test_the_duplicates_names_become_aliases_and_search_still_finds_it(kalundborg, client):
    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    kalundborg.keep.refresh_from_db()
    assert kalundborg.keep.alias_list == ["Asnaes Power Station"]
    assert kalundborg.keep.short_name == "Asnaes"  # it had none: it takes the duplicate's
    assert Organisation.objects.called("Asnaes Power Station") == kalundborg.keep
    assert list(Organisation.objects.search("Asnaes Power")) == [kalundborg.keep]
    assert find_organisations("Asnaes Power Station").exact == [kalundborg.keep]
    # The public list finds its verified agreements by the merged name, the draft not.
    response = client.get(reverse("agreements:list"), {"q": "Asnaes Power Station"})
    assert {agreement.reference for agreement in response.context["agreements"]} == {
        "KAL-STEAM",
        "KAL-BOTH",
    }


def test_a_new_organisation_of_a_merged_name_is_refused_as_a_duplicate(kalundborg):
    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    again = Organisation(
        kind=Organisation.Kind.COMPANY, name_en="Asnaes Power Station", slug="asnaes-again"
    )
    with pytest.raises(Exception, match="already in the registry"):
        again.full_clean()


def test_history_moves_to_the_kept_record_and_says_what_the_merge_did(kalundborg):
    merge = merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    duplicate_pk = kalundborg.duplicate.pk
    assert not Party.history.filter(organisation_id=duplicate_pk).exists()
    assert not ResourceFlow.history.filter(provider_id=duplicate_pk).exists()
    assert not ResourceFlow.history.filter(receiver_id=duplicate_pk).exists()
    written = Party.history.filter(history_change_reason=f"merge:{merge.pk}")
    # KAL-STEAM's party moved, KAL-BOTH's kept party changed and the folded one deleted.
    assert sorted(written.values_list("history_type", flat=True)) == ["-", "~", "~"]
    assert set(written.values_list("history_user", flat=True)) == {kalundborg.official.pk}

    client = Client()
    client.force_login(kalundborg.official)
    response = client.get(reverse("agreements:history", args=[kalundborg.steam_deal.reference]))
    page = response.content.decode()
    assert "Merged duplicate organisation" in page
    assert "Asnaes Power Station" in page
    assert "(deleted," not in page  # every record names an organisation that exists


def test_the_merge_is_recorded(kalundborg):
    merge = merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    merge.refresh_from_db()
    assert merge.kind == Merge.Kind.ORGANISATION
    assert merge.kept == kalundborg.keep
    assert merge.duplicate_name == "Asnaes Power Station"
    assert merge.duplicate_names.splitlines() == ["Asnaes Power Station", "Asnaes"]
    assert merge.merged_by == kalundborg.official
    assert (merge.parties_moved, merge.flows_moved, merge.agreements_affected) == (2, 2, 2)


def test_no_row_of_any_table_points_at_the_duplicate_after_the_merge(kalundborg):
    make_park(developer=kalundborg.duplicate)
    keys = list(merging._foreign_keys_to(Organisation))
    assert {(model.__name__, field.name) for model, field in keys} >= {
        ("Party", "organisation"),
        ("HistoricalParty", "organisation"),
        ("ResourceFlow", "provider"),
        ("HistoricalResourceFlow", "receiver"),
        ("Park", "developer"),
        ("AuthorityMembership", "agency"),
        ("Organisation", "successor"),
    }

    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    for model, field in keys:
        pointing = model._base_manager.filter(**{field.attname: kalundborg.duplicate.pk})
        assert not pointing.exists(), f"{model.__name__}.{field.name}"


def test_parks_officials_and_successors_move_to_the_kept_record(kalundborg):
    duplicate_agency = make_agency(name_en="Kalundborg Kommune")
    both = make_official(duplicate_agency, username="both-agencies")
    AuthorityMembership.objects.create(user=both, agency=kalundborg.agency)
    only_duplicate = make_official(duplicate_agency, username="duplicate-only")
    managed = make_park(managing_authority=duplicate_agency)
    predecessor = make_agency(name_en="Old Kalundborg Council", successor=duplicate_agency)
    kalundborg.agency.successor = duplicate_agency  # wrongly entered as its own successor
    kalundborg.agency.save()

    merging.merge_organisations(
        keep=kalundborg.agency, duplicate=duplicate_agency, by=kalundborg.official
    )

    managed.refresh_from_db()
    predecessor.refresh_from_db()
    kalundborg.agency.refresh_from_db()
    assert managed.managing_authority == kalundborg.agency
    assert predecessor.successor == kalundborg.agency
    assert kalundborg.agency.successor is None
    assert set(kalundborg.agency.officials.values_list("user__username", flat=True)) == {
        "kalundborg-official",
        "both-agencies",
        "duplicate-only",
    }
    assert AuthorityMembership.objects.filter(user=only_duplicate).count() == 1


def test_a_merge_that_would_make_a_flow_go_to_itself_is_refused_and_changes_nothing(kalundborg):
    ResourceFlow.objects.create(
        agreement=kalundborg.both,
        resource=kalundborg.steam,
        provider=kalundborg.keep,
        receiver=kalundborg.duplicate,
    )
    before = kalundborg.counts()

    with pytest.raises(merging.MergeRefused, match="KAL-BOTH"):
        merging.merge_organisations(
            keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
        )

    assert kalundborg.counts() == before
    assert Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    assert not Merge.objects.exists()


def test_an_organisation_is_not_merged_into_itself(kalundborg):
    with pytest.raises(merging.MergeRefused):
        merging.merge_organisations(
            keep=kalundborg.keep, duplicate=kalundborg.keep, by=kalundborg.official
        )


# Resources


def test_merging_resources_moves_their_flows_and_keeps_the_name_as_an_alias(kalundborg, client):
    vapour = make_resource(
        name_en="Process steam", name_vi="Hơi nước công nghệ", slug="process-steam"
    )
    make_agreement(
        kalundborg.park,
        reference="KAL-VAPOUR",
        parties=[kalundborg.keep, kalundborg.novo],
        flows=[(vapour, kalundborg.keep, kalundborg.novo)],
    )
    before = kalundborg.counts()

    merge = merging.merge_resources(keep=kalundborg.steam, duplicate=vapour, by=kalundborg.official)

    assert kalundborg.counts() == before
    assert not Resource.objects.filter(pk=vapour.pk).exists()
    assert ResourceFlow.objects.filter(resource=kalundborg.steam).count() == 3
    assert not ResourceFlow.history.filter(resource_id=vapour.pk).exists()
    kalundborg.steam.refresh_from_db()
    assert kalundborg.steam.alias_list == ["Process steam"]
    assert kalundborg.steam.name_vi == "Hơi nước công nghệ"  # it had none: it takes the other's
    assert merge.kept == kalundborg.steam
    # Every agreement sharing steam is found by the merged name, not only the duplicate's.
    response = client.get(reverse("agreements:list"), {"q": "process steam"})
    assert {agreement.reference for agreement in response.context["agreements"]} == {
        "KAL-STEAM",
        "KAL-BOTH",
        "KAL-VAPOUR",
    }


def test_resources_measured_in_units_that_do_not_convert_are_not_merged(kalundborg):
    electricity = make_resource(name_en="Electricity", unit=Resource.Unit.MEGAWATT_HOUR)

    with pytest.raises(merging.MergeRefused, match="cannot be converted"):
        merging.merge_resources(
            keep=kalundborg.steam, duplicate=electricity, by=kalundborg.official
        )

    assert Resource.objects.filter(pk=electricity.pk).exists()


# The pages


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_official_reads_what_would_move_then_merges_and_lands_on_the_kept_record(kalundborg):
    client = _client(kalundborg.official)
    url = reverse("agreements:organisation-merge")

    choose = client.get(url, {"duplicate": kalundborg.duplicate.slug})
    assert choose.status_code == 200
    assert 'value="asnaes-power-station-2"' in choose.content.decode()

    confirm = client.get(url, {"duplicate": "asnaes-power-station-2", "keep": "Asnæs Kraftværk"})
    page = confirm.content.decode()
    assert "Merge Asnaes Power Station into Asnæs Power Station" in page
    assert "2 party rows move" in page
    assert "1 of them is folded" in page
    assert "2 resource flows move" in page
    assert "in 2 agreements" in page
    assert Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()  # not yet

    response = client.post(url, {"duplicate": "asnaes-power-station-2", "keep": "Asnæs Kraftværk"})
    assert response.status_code == 302
    assert response["Location"] == kalundborg.keep.get_absolute_url()
    assert not Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    kept_page = client.get(response["Location"]).content.decode()
    assert "Asnaes Power Station is merged into Asnæs Power Station." in kept_page
    assert "Merged duplicates" in kept_page
    assert "Asnaes Power Station was merged into it" in kept_page
    # The duplicate's address leads to the kept record.
    old = client.get(reverse("parks:organisation-detail", args=["asnaes-power-station-2"]))
    assert old.status_code == 301
    assert old["Location"] == kalundborg.keep.get_absolute_url()


def test_the_public_sees_the_aliases_but_not_the_merges(kalundborg, client):
    merging.merge_organisations(
        keep=kalundborg.keep, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    page = client.get(kalundborg.keep.get_absolute_url()).content.decode()
    assert "Also known as" in page
    assert "Asnaes Power Station" in page.split("Also known as")[1]
    assert "Merged duplicates" not in page
    assert "Merge into another" not in page


def test_an_official_sees_the_merge_link_on_an_organisation_and_a_resource_page(kalundborg):
    client = _client(kalundborg.official)

    organisation_page = client.get(kalundborg.duplicate.get_absolute_url()).content.decode()
    resource_page = client.get(kalundborg.steam.get_absolute_url()).content.decode()

    assert (
        reverse("agreements:organisation-merge") + "?duplicate=asnaes-power-station-2"
    ) in organisation_page
    assert (reverse("agreements:resource-merge") + "?duplicate=steam") in resource_page
    staff_page = _client(kalundborg.staff).get(kalundborg.steam.get_absolute_url())
    assert "Merge into another" not in staff_page.content.decode()


def test_a_refused_merge_says_why_and_changes_nothing(kalundborg):
    ResourceFlow.objects.create(
        agreement=kalundborg.both,
        resource=kalundborg.steam,
        provider=kalundborg.duplicate,
        receiver=kalundborg.keep,
    )
    client = _client(kalundborg.official)
    data = {"duplicate": "asnaes-power-station-2", "keep": "asnaes-power-station"}

    confirm = client.get(reverse("agreements:organisation-merge"), data)
    assert "These cannot be merged yet" in confirm.content.decode()
    assert 'name="keep" value=' in confirm.content.decode()  # the choice, but no Merge button
    assert ">Merge</button>" not in confirm.content.decode()

    response = client.post(reverse("agreements:organisation-merge"), data)

    assert response.status_code == 200
    assert "from an organisation to itself" in response.content.decode()
    assert Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    assert not Merge.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"duplicate": "no-such-organisation", "keep": "asnaes-power-station"}, "No organisation"),
        ({"duplicate": "asnaes-power-station", "keep": "Asnæs Power Station"}, "two different"),
        ({"keep": "asnaes-power-station"}, "This field is required"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_merged(kalundborg, data, message):
    response = _client(kalundborg.official).post(reverse("agreements:organisation-merge"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    assert not Merge.objects.exists()


@pytest.mark.parametrize("name", ["agreements:organisation-merge", "agreements:resource-merge"])
def test_park_staff_get_403_and_nothing_is_merged(kalundborg, name):
    make_resource(name_en="Steam again", slug="steam-again")
    data = (
        {"duplicate": "asnaes-power-station-2", "keep": "asnaes-power-station"}
        if name == "agreements:organisation-merge"
        else {"duplicate": "steam-again", "keep": "steam"}
    )

    response = _client(kalundborg.staff).post(reverse(name), data)

    assert response.status_code == 403
    assert Organisation.objects.filter(pk=kalundborg.duplicate.pk).exists()
    assert Resource.objects.filter(slug="steam-again").exists()
    assert not Merge.objects.exists()


def test_an_admin_merges_resources_from_the_page(kalundborg):
    make_resource(name_en="Steam again", slug="steam-again")
    admin = make_user("root", is_staff=True, is_superuser=True)

    response = _client(admin).post(
        reverse("agreements:resource-merge"), {"duplicate": "steam-again", "keep": "steam"}
    )

    assert response.status_code == 302
    assert response["Location"] == kalundborg.steam.get_absolute_url()
    assert not Resource.objects.filter(slug="steam-again").exists()


def test_the_merge_page_reads_in_vietnamese(kalundborg):
    response = _client(kalundborg.official).get(reverse("agreements:organisation-merge"), **VI)

    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()


# Query counts: fixed whatever the number of rows

# The session and the user; the official's park and agency memberships, in one query
# (``permissions.access``)
SIGNED_IN = 3
# ATOMIC_REQUESTS' savepoint and its release (the public pages run outside it)
TRANSACTION = 2


def _more_agreements(kalundborg, rows):
    for _ in range(rows):
        other = make_organisation()
        make_agreement(
            kalundborg.park,
            parties=[kalundborg.duplicate, other],
            flows=[(kalundborg.steam, kalundborg.duplicate, other)],
        )


@pytest.mark.parametrize("rows", [0, 20])
def test_the_confirmation_page_runs_a_fixed_number_of_queries(
    kalundborg, django_assert_num_queries, rows
):
    _more_agreements(kalundborg, rows)
    client = _client(kalundborg.official)
    data = {"duplicate": "asnaes-power-station-2", "keep": "asnaes-power-station"}

    # the two organisations by slug; counts of parties, flows, agreements, verified ones and
    # parties to fold; the agreements with a flow between the two
    with django_assert_num_queries(SIGNED_IN + TRANSACTION + 8):
        response = client.get(reverse("agreements:organisation-merge"), data)
    assert response.context["plan"].flows == 2 + rows


@pytest.mark.parametrize("rows", [0, 20])
def test_the_resource_confirmation_page_runs_a_fixed_number_of_queries(
    kalundborg, django_assert_num_queries, rows
):
    _more_agreements(kalundborg, rows)
    client = _client(kalundborg.official)
    data = {"duplicate": "steam", "keep": "gypsum"}

    # the two resources; counts of flows, agreements and verified ones; the flows' units; the
    # two lists to choose from
    with django_assert_num_queries(SIGNED_IN + TRANSACTION + 8):
        response = client.get(reverse("agreements:resource-merge"), data)
    assert response.context["plan"].flows == 2 + rows


@pytest.mark.parametrize("rows", [0, 20])
def test_the_kept_records_page_for_an_official_runs_a_fixed_number_of_queries(
    kalundborg, django_assert_num_queries, rows
):
    _more_agreements(kalundborg, rows)
    for _ in range(rows // 5):
        other = make_organisation()
        merging.merge_organisations(keep=kalundborg.duplicate, duplicate=other, by=None)
    client = _client(kalundborg.official)

    # the organisation page's 9 (tests/agreements/test_views_parks.py), and the merges into it
    with django_assert_num_queries(SIGNED_IN + 9 + 1):
        response = client.get(kalundborg.duplicate.get_absolute_url())
    assert len(response.context["merges"]) == rows // 5


# Merging and proposals


def test_a_public_organisation_merged_into_a_proposal_stays_public(kalundborg):
    proposal = make_organisation(
        name_en="Asnaes Kraftvaerk", slug="asnaes-kraftvaerk", confirmed_at=None
    )
    proposal.proposed_by = kalundborg.staff
    proposal.save()

    merging.merge_organisations(
        keep=proposal, duplicate=kalundborg.duplicate, by=kalundborg.official
    )

    proposal.refresh_from_db()
    assert proposal.is_confirmed and proposal.confirmed_by == kalundborg.official
    page = Client().get(reverse("parks:organisation-detail", kwargs={"slug": proposal.slug}))
    assert page.status_code == 200


def test_a_proposal_merged_into_a_public_resource_leaves_it_public_and_the_kept_factor(
    kalundborg,
):
    proposal = make_resource(name_en="Process steam", slug="process-steam", confirmed_at=None)

    merging.merge_resources(keep=kalundborg.steam, duplicate=proposal, by=kalundborg.official)

    kalundborg.steam.refresh_from_db()
    assert kalundborg.steam.is_confirmed
    page = Client().get(reverse("agreements:resource-detail", kwargs={"slug": "steam"}))
    assert page.status_code == 200
    assert "Process steam" in page.content.decode()  # found under its other name
