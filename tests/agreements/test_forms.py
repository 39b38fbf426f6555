"""The agreement form with its party and flow rows, the organisation form and the review form:
every rule gives its message next to the field it is about."""

import pytest

from agreements.forms import CONFLICT_MESSAGE, AgreementEntry, ReviewForm
from agreements.models import Agreement, Party
from parks.forms import OrganisationForm, unique_slug
from parks.models import Organisation
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def entry_for(world, *, user=None, instance=None, **data):
    return AgreementEntry(user=user or world.staff, instance=instance, data=data)


def complete(world, **fields):
    return new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver), party(world.witness, "witness")],
        flows=[flow(world.resource, world.provider, world.receiver, direction="mutual")],
        **fields,
    )


def test_a_complete_new_agreement_is_valid(world):
    entry = entry_for(world, **complete(world))

    assert entry.is_valid(), (entry.form.errors, entry.parties.errors, entry.flows.errors)


def test_the_park_is_preselected_for_staff_of_a_single_park(world):
    entry = AgreementEntry(user=world.staff)

    assert entry.form["park"].value() == world.park.pk


def test_staff_cannot_file_an_agreement_under_another_park(world):
    data = complete(world)
    data["park"] = str(world.other_park.pk)

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert "Select a valid choice" in entry.form.errors["park"][0]


def test_an_agreement_needs_at_least_two_parties(world):
    data = new_agreement_data(park=world.park, parties=[party(world.provider)])

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.parties.non_form_errors() == [
        "An agreement needs at least two parties: add every organisation that signed or "
        "witnessed it."
    ]


def test_an_agreement_needs_a_signatory(world):
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider, "witness"), party(world.receiver, "facilitator")],
    )

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.parties.non_form_errors() == ["At least one party must be a signatory."]


def test_the_same_organisation_cannot_be_a_party_twice(world):
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver), party(world.provider, "witness")],
    )

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert "Each organisation can be a party only once" in str(entry.parties.non_form_errors())


def test_empty_spare_rows_are_ignored(world):
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver), party(None)],
        flows=[flow(world.resource, world.provider, world.receiver)],
    )
    data.update(
        {"flows-TOTAL_FORMS": "2", "flows-1-direction": "one_way", "flows-1-period": "yearly"}
    )

    assert entry_for(world, **data).is_valid()


def test_a_flow_provider_must_be_among_the_party_rows(world):
    outsider = make_organisation(name_en="Outsider Ltd")
    data = new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver)],
        flows=[flow(world.resource, outsider, world.receiver)],
    )

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.flows.forms[0].errors["provider"] == [
        "The provider must be a party to this agreement."
    ]


def test_a_flow_to_a_party_removed_in_the_same_save_is_refused(world):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver, world.witness])
    data = edit_data(agreement, extra_flows=[flow(world.resource, world.provider, world.witness)])
    witness_row = next(
        index
        for index in range(3)
        if data[f"parties-{index}-organisation"] == str(world.witness.pk)
    )
    data[f"parties-{witness_row}-DELETE"] = "on"

    entry = entry_for(world, instance=agreement, **data)

    assert not entry.is_valid()
    assert entry.flows.forms[1].errors["receiver"] == [
        "The receiver must be a party to this agreement."
    ]


def test_a_flow_to_a_party_added_in_the_same_save_is_accepted(world):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
    data = edit_data(
        agreement,
        extra_parties=[party(world.witness, "witness")],
        extra_flows=[flow(world.resource, world.witness, world.provider)],
    )

    entry = entry_for(world, instance=agreement, **data)

    assert entry.is_valid(), entry.flows.errors


def test_provider_and_receiver_must_differ(world):
    data = complete(world)
    data["flows-0-receiver"] = str(world.provider.pk)

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.flows.forms[0].errors["receiver"] == ["The provider and the receiver must differ."]
    assert not entry.flows.forms[0].non_field_errors()


def test_a_negative_quantity_is_refused(world):
    data = complete(world)
    data["flows-0-quantity"] = "-5"

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.flows.forms[0].errors["quantity"] == ["The quantity cannot be negative."]


def test_a_quantity_in_a_unit_of_another_dimension_is_refused_next_to_the_unit(world):
    # The world's resource is measured in m³: a quantity in kWh is not a volume.
    data = complete(world)
    data["flows-0-quantity"] = "5"
    data["flows-0-unit"] = "kWh"

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    assert entry.flows.forms[0].errors["unit"] == [
        "Fire-fighting capacity is measured in m³: give the quantity in one of these units: L, m³."
    ]


def test_a_flow_keeps_the_unit_it_was_entered_in_or_takes_its_resources(world):
    data = complete(world)
    data["flows-0-quantity"] = "1500"
    data["flows-0-unit"] = "L"
    entry = entry_for(world, **data)
    assert entry.is_valid(), entry.flows.errors
    assert entry.cleaned_data_for_service()["flows"][0]["unit"] == "L"

    data["flows-0-unit"] = ""
    entry = entry_for(world, **data)
    assert entry.is_valid(), entry.flows.errors
    assert entry.cleaned_data_for_service()["flows"][0]["unit"] == "m3"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("flows-0-quantity", "a lot", "Enter a number."),
        ("starts_on", "2023-13-45", "Type a year (1972), a month (09/2023) or a day"),
        ("signed_on", "Sept 1972", "Type a year (1972), a month (09/2023) or a day"),
        ("ends_on", "2023-13-45", "This date could not be read: type it as yyyy-mm-dd"),
        ("kind", "bribery", "Select a valid choice. bribery is not one of the available choices."),
        ("reference", "has spaces", "Use letters, digits, dots, dashes and slashes only"),
        ("reference", "X/../DEEPC-2023-IUS-01", "each part starting with a letter or digit"),
        ("reference", "HEZA//01", "each part starting with a letter or digit"),
        ("reference", "x" * 41, "Ensure this value has at most 40 characters"),
        ("signed_at_en", "x" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_malformed_values_are_refused_next_to_their_field(world, field, value, message):
    data = complete(world)
    data[field] = value

    entry = entry_for(world, **data)

    assert not entry.is_valid()
    errors = (
        entry.flows.forms[0].errors["quantity"]
        if field.startswith("flows")
        else entry.form.errors[field]
    )
    assert message in errors[0]


def test_a_ten_thousand_character_title_is_refused(world):
    entry = entry_for(world, **complete(world, title_en="x" * 10_000))

    assert not entry.is_valid()
    assert entry.form.errors["title_en"] == [
        "Ensure this value has at most 300 characters (it has 10000)."
    ]


def test_a_title_in_either_language_is_required(world):
    entry = entry_for(world, **complete(world, title_en="", title_vi=""))

    assert not entry.is_valid()
    assert entry.form.errors["title_en"] == ["Give the title in English, in Vietnamese, or both."]


def test_a_vietnamese_title_alone_is_enough(world):
    assert entry_for(world, **complete(world, title_en="", title_vi="Quy chế phối hợp")).is_valid()


def test_the_end_date_cannot_come_before_the_start(world):
    entry = entry_for(world, **complete(world, starts_on="2023-09-12", ends_on="2023-09-11"))

    assert not entry.is_valid()
    assert entry.form.errors["ends_on"] == ["The end date cannot be before the start date."]
    assert not entry.form.non_field_errors()


def test_the_termination_date_cannot_come_before_the_start(world):
    entry = entry_for(world, **complete(world, terminated_on="2020-01-01"))

    assert not entry.is_valid()
    assert entry.form.errors["terminated_on"] == [
        "The termination date cannot be before the start date."
    ]


def test_the_reference_must_be_unique(world):
    make_agreement(world.other_park, reference="DEEPC-2024-001")

    entry = entry_for(world, **complete(world, reference="DEEPC-2024-001"))

    assert not entry.is_valid()
    assert entry.form.errors["reference"] == [
        "Another agreement already has this reference: choose another one."
    ]


@pytest.mark.parametrize("reference", ["mine", "DEEPC/edit", "new", "A/History/B"])
def test_a_reference_cannot_use_the_words_of_the_registry_addresses(world, reference):
    entry = entry_for(world, **complete(world, reference=reference))

    assert not entry.is_valid()
    assert "A reference cannot contain these words" in entry.form.errors["reference"][0]


def test_saving_over_a_newer_version_is_a_conflict(world):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
    data = edit_data(agreement)
    Agreement.objects.get(pk=agreement.pk).save()  # someone else saves meanwhile

    entry = entry_for(world, instance=Agreement.objects.get(pk=agreement.pk), **data)

    assert not entry.is_valid()
    assert entry.form.non_field_errors() == [str(CONFLICT_MESSAGE)]
    assert entry.form.has_conflict


@pytest.mark.parametrize("version", ["", "abc", "999"])
def test_a_missing_or_tampered_version_is_a_conflict(world, version):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver])

    entry = entry_for(world, instance=agreement, **edit_data(agreement, version=version))

    assert not entry.is_valid()
    assert entry.form.has_conflict


def test_a_valid_entry_hands_the_service_its_rows_without_the_removed_and_spare_ones(world):
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver, world.witness], flows=[]
    )
    kept, changed, removed = agreement.parties.order_by("role", "pk")
    data = edit_data(
        agreement, title_en="Renamed", extra_parties=[party(None), party(world.agency)]
    )
    data["parties-1-role"] = "witness"
    data["parties-2-DELETE"] = "on"
    entry = entry_for(world, instance=agreement, **data)
    assert entry.is_valid(), (entry.form.errors, entry.parties.errors)

    arguments = entry.cleaned_data_for_service()

    assert arguments["agreement"] == agreement
    assert arguments["version"] == agreement.version
    assert arguments["values"]["title_en"] == "Renamed"
    assert arguments["values"]["park"] == world.park
    assert [(row["id"], row["organisation"], row["role"]) for row in arguments["parties"]] == [
        (kept.pk, kept.organisation, "signatory"),
        (changed.pk, changed.organisation, "witness"),
        (None, world.agency, "signatory"),
    ]
    assert removed.pk not in {row["id"] for row in arguments["parties"]}
    assert arguments["flows"] == []


def test_a_new_entry_hands_the_service_no_agreement_and_no_version(world):
    entry = entry_for(world, **complete(world))
    assert entry.is_valid()

    arguments = entry.cleaned_data_for_service()

    assert (arguments["agreement"], arguments["version"]) == (None, None)
    assert [row["id"] for row in arguments["parties"]] == [None, None, None]
    assert arguments["flows"][0]["direction"] == "mutual"


def list_labels(field):
    return [label for _, label in field.choices][1:]


def test_a_party_list_offers_only_its_organisation_not_the_whole_registry(world):
    for number in range(30):
        make_organisation(name_en=f"Bystander {number}")
    agreement = make_agreement(world.park, parties=[world.agency, world.receiver])

    entry = AgreementEntry(user=world.staff, instance=agreement)

    rows = {form.instance.organisation_id: form for form in entry.parties.forms[:2]}
    assert list_labels(rows[world.agency.pk].fields["organisation"]) == [
        "Hai Phong Economic Zone Authority (HEZA)"
    ]
    assert list_labels(rows[world.receiver.pk].fields["organisation"]) == ["Hai An District Police"]
    assert list_labels(entry.parties.forms[2].fields["organisation"]) == []  # the spare row


def test_a_flows_provider_and_receiver_lists_offer_the_parties_sorted_by_name(world):
    agreement = make_agreement(world.park, parties=[world.witness, world.provider, world.agency])

    entry = AgreementEntry(user=world.staff, instance=agreement)

    for form in entry.flows.forms:
        for name in ["provider", "receiver"]:
            assert list_labels(form.fields[name]) == [
                "Dinh Vu Industrial Park JSC",
                "Flat Vietnam",
                "Hai Phong Economic Zone Authority (HEZA)",
            ]


def typed(world, *names, flows=()):
    """The new agreement's form with the parties' names typed instead of chosen."""
    return new_agreement_data(
        park=world.park,
        parties=[party(None, organisation_query=name) for name in names],
        flows=flows,
    )


class TestFindingAnOrganisationByName:
    """Without JavaScript, a party's organisation is found by the name typed in its row."""

    def test_a_name_matching_one_organisation_chooses_it(self, world):
        entry = entry_for(world, **typed(world, "dinh vu", "CONG AN QUAN"))

        assert entry.is_valid(), entry.parties.errors
        assert [form.cleaned_data["organisation"] for form in entry.parties.forms] == [
            world.provider,
            world.receiver,
        ]
        # Shown again, each row has it chosen in its list, and its box is empty.
        row = entry.parties.forms[1]
        assert row["organisation"].value() == str(world.receiver.pk)
        assert row["organisation_query"].value() == ""
        assert list_labels(row.fields["organisation"]) == ["Hai An District Police"]

    def test_a_slug_chooses_its_organisation(self, world):
        entry = entry_for(world, **typed(world, world.witness.slug, "dinh vu"))

        assert entry.is_valid(), entry.parties.errors
        assert entry.parties.forms[0].cleaned_data["organisation"] == world.witness

    def test_an_exact_name_wins_over_names_containing_it(self, world):
        make_organisation(name_en="Flat Vietnam Glass")

        entry = entry_for(world, **typed(world, "flat vietnam", "dinh vu"))

        assert entry.is_valid(), entry.parties.errors
        assert entry.parties.forms[0].cleaned_data["organisation"] == world.witness

    def test_several_matches_are_offered_in_the_list_and_one_chosen_there_is_kept(self, world):
        second = make_organisation(name_en="Dinh Vu Port")

        entry = entry_for(world, **typed(world, "dinh vu", "hai an"))

        assert not entry.is_valid()
        row = entry.parties.forms[0]
        assert row.errors["organisation_query"] == [
            "2 organisations match “dinh vu”: choose one in the list above."
        ]
        assert list_labels(row.fields["organisation"]) == [
            "Dinh Vu Industrial Park JSC",
            "Dinh Vu Port",
        ]
        assert "organisation" not in row.errors

        data = typed(world, "dinh vu", "hai an")
        data["parties-0-organisation"] = str(second.pk)  # chosen in the list, name kept
        entry = entry_for(world, **data)

        assert entry.is_valid(), entry.parties.errors
        assert entry.parties.forms[0].cleaned_data["organisation"] == second

    def test_a_name_matching_nothing_says_so(self, world):
        entry = entry_for(world, **typed(world, "Hai An Fire Brigade", "dinh vu"))

        assert not entry.is_valid()
        assert entry.parties.forms[0].errors["organisation_query"] == [
            "No organisation is called “Hai An Fire Brigade”. Check the spelling, try its name "
            "in the other language, or add it as a missing organisation."
        ]

    def test_too_many_matches_ask_for_more_of_the_name(self, world):
        for number in range(25):
            make_organisation(name_en=f"Steel Company {number}")

        entry = entry_for(world, **typed(world, "steel", "dinh vu"))

        assert not entry.is_valid()
        row = entry.parties.forms[0]
        assert row.errors["organisation_query"] == [
            "More than 20 organisations match “steel”: type more of its name. The list above "
            "offers the first 20."
        ]
        assert len(list_labels(row.fields["organisation"])) == 20

    def test_a_name_typed_over_a_chosen_organisation_replaces_it(self, world):
        data = typed(world, "dinh vu", "hai an")
        data["parties-1-organisation"] = str(world.witness.pk)  # chosen earlier

        entry = entry_for(world, **data)

        assert entry.is_valid(), entry.parties.errors
        assert entry.parties.forms[1].cleaned_data["organisation"] == world.receiver

    def test_a_party_row_needs_an_organisation_chosen_or_typed(self, world):
        data = new_agreement_data(
            park=world.park,
            parties=[
                party(world.provider),
                party(world.receiver),
                party(None, representative_name="Bui Ngoc Hai"),
            ],
        )

        entry = entry_for(world, **data)

        assert not entry.is_valid()
        assert entry.parties.forms[2].errors["organisation"] == [
            "Choose the organisation, or type its name."
        ]

    def test_flows_can_use_the_parties_found_by_name_in_the_same_save(self, world):
        data = typed(
            world,
            "dinh vu",
            "hai an",
            flows=[flow(world.resource, world.provider, world.receiver)],
        )

        assert entry_for(world, **data).is_valid()

    def test_a_flow_without_provider_says_to_choose_it_among_the_parties(self, world):
        data = typed(
            world, "dinh vu", "hai an", flows=[flow(world.resource, world.provider, world.receiver)]
        )
        data["flows-0-provider"] = ""

        entry = entry_for(world, **data)

        assert not entry.is_valid()
        form = entry.flows.forms[0]
        assert form.errors["provider"] == ["Choose the provider among the parties."]
        assert list_labels(form.fields["provider"]) == [
            "Dinh Vu Industrial Park JSC",
            "Hai An District Police",
        ]


class TestOrganisationForm:
    def test_a_new_organisation_gets_a_unique_slug_from_its_name(self, world):
        make_organisation(name_en="Hai An Water", slug="hai-an-water")
        form = OrganisationForm(
            {"kind": "company", "name_vi": "Công ty Nước Hải An", "name_en": "Hai An Water Co"}
        )

        organisation = form.save()

        assert organisation.slug == "hai-an-water-co"
        assert organisation.kind == Organisation.Kind.COMPANY

    def test_a_name_shared_by_many_gets_the_next_free_number_in_one_query(
        self, world, django_assert_num_queries
    ):
        for slug in ["hai-an-water", "hai-an-water-2", "hai-an-water-3"]:
            make_organisation(name_en="Hai An Water", slug=slug)

        with django_assert_num_queries(1):
            assert unique_slug("Hải An Water") == "hai-an-water-4"

    def test_a_name_containing_an_existing_one_is_not_a_duplicate(self, world):
        form = OrganisationForm({"kind": "company", "name_en": "Flat Vietnam Glass"})

        assert form.is_valid(), form.errors

    def test_a_vietnamese_name_alone_makes_an_ascii_slug(self, world):
        form = OrganisationForm({"kind": "agency", "name_vi": "Đội Cảnh sát PCCC Đình Vũ"})

        assert form.save().slug == "doi-canh-sat-pccc-dinh-vu"

    def test_a_name_is_required(self, world):
        form = OrganisationForm({"kind": "company", "short_name": "ABC"})

        assert form.errors["name_en"] == [
            "Give the name in Vietnamese, in English, or in its own language."
        ]

    def test_an_organisation_already_in_the_registry_is_refused(self, world):
        form = OrganisationForm({"kind": "agency", "name_vi": "cong an quan hai an"})

        assert form.non_field_errors() == [
            "Hai An District Police is already in the registry: choose it from the list."
        ]

    def test_only_an_agency_has_a_level(self, world):
        form = OrganisationForm({"kind": "company", "name_en": "New Co", "level": "national"})

        assert form.errors["level"] == ["Only a government agency has a level."]


class TestReviewForm:
    def test_returning_needs_a_comment(self):
        form = ReviewForm({"decision": "return", "comment": "   "})

        assert form.errors["comment"] == ["Say what needs changing before you return it."]

    def test_verifying_needs_no_comment(self):
        assert ReviewForm({"decision": "verify"}).is_valid()

    def test_a_decision_is_required(self):
        assert ReviewForm({"comment": "fine"}).errors["decision"] == ["This field is required."]


def test_party_roles_are_ordered_signatories_first():
    assert [role for role, _ in Party.Role.choices][0] == Party.Role.SIGNATORY
