"""Agreements, parties and flows: the rules the database keeps, and what is derived."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agreements.models import Agreement, Party, Resource, ResourceFlow
from tests.constraints import assert_rejected
from tests.factories import make_agreement, make_organisation, make_park, make_resource

DAY = datetime.date(2024, 1, 1)


@pytest.mark.django_db
class TestAgreementConstraints:
    def test_an_agreement_cannot_end_before_it_starts(self):
        assert_rejected(
            "agreements_agreement_ends_after_start",
            lambda: make_agreement(starts_on=DAY, ends_on=DAY - datetime.timedelta(days=1)),
        )

    def test_an_agreement_cannot_be_terminated_before_it_starts(self):
        assert_rejected(
            "agreements_agreement_terminated_after_start",
            lambda: make_agreement(starts_on=DAY, terminated_on=datetime.date(2020, 1, 1)),
        )

    def test_an_agreement_needs_a_title_in_one_language(self):
        assert_rejected("agreements_agreement_has_a_title", lambda: make_agreement(title_en=""))

    def test_references_are_unique(self):
        make_agreement(reference="DEEPC-1")
        assert_rejected(
            Agreement._meta.get_field("reference"), lambda: make_agreement(reference="DEEPC-1")
        )


@pytest.mark.django_db
class TestPartyAndFlowConstraints:
    def test_an_organisation_is_a_party_once_per_agreement(self):
        agreement = make_agreement()
        organisation = agreement.parties.first().organisation
        assert_rejected(
            "agreements_party_one_per_organisation",
            lambda: Party.objects.create(agreement=agreement, organisation=organisation),
        )

    def test_a_flow_provider_differs_from_its_receiver(self):
        agreement = make_agreement()
        party = agreement.parties.first().organisation
        assert_rejected(
            "agreements_resourceflow_provider_differs_from_receiver",
            lambda: ResourceFlow.objects.create(
                agreement=agreement, resource=make_resource(), provider=party, receiver=party
            ),
        )

    def test_a_quantity_is_not_negative(self):
        agreement = make_agreement()
        provider, receiver = (p.organisation for p in agreement.parties.all())
        assert_rejected(
            "agreements_resourceflow_quantity_not_negative",
            lambda: ResourceFlow.objects.create(
                agreement=agreement,
                resource=make_resource(),
                provider=provider,
                receiver=receiver,
                quantity=-5,
            ),
        )

    def test_an_emission_factor_needs_its_source(self):
        assert_rejected(
            "agreements_resource_emission_factor_has_source",
            lambda: make_resource(emission_factor=0.5),
        )

    def test_an_emission_factor_is_not_negative(self):
        assert_rejected(
            "agreements_resource_emission_factor_not_negative",
            lambda: make_resource(emission_factor=-1, emission_factor_source="IPCC"),
        )

    def test_resource_slugs_are_unique(self):
        make_resource(slug="water")
        assert_rejected(Resource._meta.get_field("slug"), lambda: make_resource(slug="water"))


@pytest.mark.django_db
def test_a_flow_between_organisations_outside_the_agreement_reads_clearly():
    agreement = make_agreement()
    party = agreement.parties.first().organisation
    flow = ResourceFlow(
        agreement=agreement,
        resource=make_resource(),
        provider=party,
        receiver=make_organisation(name_en="Stranger"),
    )

    with pytest.raises(ValidationError) as excinfo:
        flow.full_clean()

    assert excinfo.value.message_dict == {
        "receiver": ["The receiver must be a party to this agreement."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["mine", "DEEPC/edit", "A/History/B", "review"])
def test_a_reference_made_of_the_registry_addresses_words_is_refused_by_the_model(reference):
    agreement = make_agreement()
    agreement.reference = reference

    with pytest.raises(ValidationError) as excinfo:
        agreement.full_clean()

    assert list(excinfo.value.message_dict) == ["reference"]
    assert "A reference cannot contain these words" in excinfo.value.message_dict["reference"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["HEZA/2023/mine-01", "DEEPC-2023-NEW", "editions/1"])
def test_a_reference_containing_those_words_inside_a_part_is_accepted(reference):
    agreement = make_agreement()
    agreement.reference = reference

    agreement.full_clean()


@pytest.mark.django_db
class TestActiveIsDerivedFromDates:
    def test_open_ended_agreement_is_active_from_its_start(self):
        agreement = make_agreement(starts_on=DAY)

        assert not agreement.is_active_on(DAY - datetime.timedelta(days=1))
        assert agreement.is_active_on(DAY)
        assert agreement.is_active_on(datetime.date(2099, 1, 1))

    def test_agreement_expires_after_its_end(self):
        agreement = make_agreement(starts_on=DAY, ends_on=datetime.date(2024, 12, 31))

        assert agreement.is_active_on(datetime.date(2024, 12, 31))
        assert not agreement.is_active_on(datetime.date(2025, 1, 1))

    def test_a_terminated_agreement_is_not_active_from_its_termination(self):
        agreement = make_agreement(starts_on=DAY, terminated_on=datetime.date(2024, 6, 1))

        assert agreement.is_active_on(datetime.date(2024, 5, 31))
        assert not agreement.is_active_on(datetime.date(2024, 6, 1))

    def test_the_queryset_agrees_with_the_row(self):
        park = make_park()
        open_ended = make_agreement(park, starts_on=DAY)
        ended = make_agreement(park, starts_on=DAY, ends_on=datetime.date(2024, 3, 1))
        terminated = make_agreement(park, starts_on=DAY, terminated_on=datetime.date(2024, 2, 1))
        later = datetime.date(2024, 4, 1)

        assert list(Agreement.objects.active_on(later)) == [open_ended]
        assert set(Agreement.objects.expired_on(later)) == {ended, terminated}


@pytest.mark.django_db
def test_public_shows_verified_agreements_only():
    verified = make_agreement()
    make_agreement(review_state=Agreement.ReviewState.DRAFT)
    make_agreement(review_state=Agreement.ReviewState.SUBMITTED)
    make_agreement(review_state=Agreement.ReviewState.RETURNED)

    assert list(Agreement.objects.public()) == [verified]


@pytest.mark.django_db
def test_agreements_are_found_by_party_and_resource_names_without_accents():
    police = make_organisation(name_vi="Công an quận Hải An", name_en="")
    developer = make_organisation(name_en="Dinh Vu Industrial Park JSC")
    water = make_resource(name_vi="Nước thải đã qua xử lý", name_en="")
    agreement = make_agreement(parties=[developer, police], flows=[(water, developer, police)])
    make_agreement()

    assert list(Agreement.objects.search("hai an")) == [agreement]
    assert list(Agreement.objects.search("NUOC THAI")) == [agreement]
    assert list(Agreement.objects.search(agreement.reference.lower())) == [agreement]


@pytest.mark.django_db
def test_every_save_of_an_agreement_is_a_new_version_with_history():
    agreement = make_agreement()
    agreement.title_en = "Renamed"
    agreement.save()
    agreement.refresh_from_db()

    assert agreement.version == 2
    assert [h.title_en for h in agreement.history.all()] == [
        "Renamed",
        agreement.history.last().title_en,
    ]


@pytest.mark.django_db
def test_annual_quantity_and_impact_follow_the_period():
    resource = make_resource(
        emission_factor=500, emission_factor_source="test", unit=Resource.Unit.MEGAWATT_HOUR
    )
    agreement = make_agreement(flows=[])
    a, b = agreement.parties.values_list("organisation", flat=True)

    def flow(quantity, period=ResourceFlow.Period.YEARLY):
        return ResourceFlow.objects.create(
            agreement=agreement,
            resource=resource,
            provider_id=a,
            receiver_id=b,
            quantity=quantity,
            period=period,
        ).pk

    monthly = flow(10, ResourceFlow.Period.MONTHLY)
    yearly = flow(10)
    one_off = flow(10, ResourceFlow.Period.ONE_OFF)
    undisclosed = flow(None)
    # Whole numbers that do not divide into whole tonnes (SQLite divides integers as integers).
    fractional = flow(1)
    flows = ResourceFlow.objects.with_impact().in_bulk()

    assert flows[monthly].annual_quantity == 120
    assert flows[yearly].annual_quantity == 10
    assert flows[one_off].annual_quantity is None
    assert flows[undisclosed].annual_quantity is None
    assert flows[monthly].annual_tonnes_co2e_avoided == 60
    assert flows[one_off].annual_tonnes_co2e_avoided is None
    assert flows[fractional].annual_tonnes_co2e_avoided == Decimal("0.5")
