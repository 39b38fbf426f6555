"""Park staff enter agreements through the web forms and officials review them: what each sees,
and that bad input or a concurrent edit never loses or overwrites anything."""

import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.forms import MAX_ROWS, AgreementEntry
from agreements.models import Agreement, Party, ResourceFlow
from agreements.sample_data.management.commands.bench_save import form_fields
from parks.models import Organisation
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_park_staff
from tests.pages import Page, chosen

pytestmark = pytest.mark.django_db
State = Agreement.ReviewState


@pytest.fixture
def world(db):
    return make_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(world):
    return client_for(world.staff)


@pytest.fixture
def official_client(world):
    return client_for(world.official)


def url(name, agreement=None):
    if agreement is None:
        return reverse(f"agreements:{name}")
    return reverse(f"agreements:{name}", kwargs={"reference": agreement.reference})


def text_of(response):
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    content = response.content.decode()
    content = re.sub(r"<script.*?</script>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def founding_data(world, **fields):
    return new_agreement_data(
        park=world.park,
        parties=[
            party(world.provider, representative_name="Diep Kim Hoan"),
            party(world.receiver),
            party(world.witness, "witness"),
        ],
        flows=[flow(world.resource, world.provider, world.receiver, direction="mutual")],
        **fields,
    )


def draft(world, **fields):
    fields.setdefault("review_state", State.DRAFT)
    return make_agreement(world.park, parties=[world.provider, world.receiver], **fields)


# --- Entering an agreement ---------------------------------------------------------------


def test_staff_enter_a_new_agreement_with_its_parties_and_flows(staff_client, world):
    response = staff_client.post(url("create"), founding_data(world), follow=True)

    agreement = Agreement.objects.get(reference="DEEPC-2024-001")
    assert response.redirect_chain[-1][0] == f"{url('mine')}#agreement-{agreement.pk}"
    assert "DEEPC-2024-001 is saved." in text_of(response)
    assert agreement.review_state == State.DRAFT
    assert agreement.created_by == world.staff
    assert sorted(agreement.parties.values_list("organisation__name_en", "role")) == [
        ("Dinh Vu Industrial Park JSC", "signatory"),
        ("Flat Vietnam", "witness"),
        ("Hai An District Police", "signatory"),
    ]
    assert agreement.flows.get().direction == ResourceFlow.Direction.MUTUAL


def test_the_new_agreement_page_offers_spare_rows_and_the_organisation_picker(staff_client):
    response = staff_client.get(url("create"))

    content = response.content.decode()
    assert content.count('name="parties-TOTAL_FORMS" value="3"') == 1
    assert content.count('name="flows-TOTAL_FORMS" value="1"') == 1
    assert "data-organisation-select" in content
    # The last blank spare row of each list is what the script copies to add a row.
    assert 'data-row data-spare-row="parties-2"' in content
    assert 'data-row data-spare-row="flows-0"' in content
    assert "js/agreement-form.js" in content
    assert 'href="/agreements/organisations/new/" target="_blank"' in content


BAD_INPUT = [
    # (field, value typed, message shown next to it): at least one for every field typed in
    ("reference", "", "This field is required."),
    ("reference", "DEEPC 2024/001?", "Use letters, digits, dots, dashes and slashes only"),
    ("title_en", "x" * 10_000, "Ensure this value has at most 300 characters (it has 10000)."),
    ("title_vi", "đ" * 10_000, "Ensure this value has at most 300 characters (it has 10000)."),
    ("signed_on", "12 September", "Type a year (1972), a month (09/2023) or a day"),
    ("signed_at_en", "x" * 201, "Ensure this value has at most 200 characters"),
    ("signed_at_vi", "đ" * 201, "Ensure this value has at most 200 characters"),
    ("starts_on", "2023-02-30", "Type a year (1972), a month (09/2023) or a day"),
    ("ends_on", "2020-01-01", "The end date cannot be before the start date."),
    ("terminated_on", "2020-01-01", "The termination date cannot be before the start date."),
    ("parties-0-representative_name", "x" * 201, "Ensure this value has at most 200 characters"),
    (
        "parties-1-representative_title_en",
        "x" * 201,
        "Ensure this value has at most 200 characters",
    ),
    (
        "parties-1-representative_title_vi",
        "đ" * 201,
        "Ensure this value has at most 200 characters",
    ),
    ("parties-1-organisation", "", "The receiver must be a party to this agreement."),
    ("parties-2-organisation_query", "Nobody Ltd", "No organisation is called “Nobody Ltd”."),
    ("flows-0-quantity", "-1", "The quantity cannot be negative."),
    ("flows-0-quantity", "ten", "Enter a number."),
    ("flows-0-quantity", "1" * 20, "Ensure that there are no more than 16 digits in total."),
    ("flows-0-receiver", "PROVIDER", "The provider and the receiver must differ."),
    ("flows-0-baseline_en", "x" * 201, "Ensure this value has at most 200 characters"),
    ("flows-0-baseline_vi", "đ" * 201, "Ensure this value has at most 200 characters"),
    ("flows-0-claimed_by", "both", "Select a valid choice. both is not one of the available"),
    ("symbiosis_kind", "eco", "Select a valid choice. eco is not one of the available"),
    ("framework", "NOPE-1", "No agreement of your parks has the reference “NOPE-1”"),
    ("amends", "NOPE-2", "No agreement of your parks has the reference “NOPE-2”"),
]
# Free text has no limit a user would hit: HTML and script in it are kept and shown escaped
# (test_html_and_script_typed_in_text_fields_are_shown_escaped).
FREE_TEXT = {"summary_en", "summary_vi", "flows-0-notes_en", "flows-0-notes_vi"}


def typed_fields(user):
    """Every field of the agreement page a user types in (not a list or a box)."""
    entry = AgreementEntry(user=user)
    named = [
        *((name, field) for name, field in entry.form.fields.items()),
        *((f"parties-0-{name}", field) for name, field in entry.parties.forms[0].fields.items()),
        *((f"flows-0-{name}", field) for name, field in entry.flows.forms[0].fields.items()),
    ]
    return {
        name
        for name, field in named
        if isinstance(field.widget, forms.TextInput | forms.Textarea | forms.NumberInput)
    }


def test_every_field_typed_in_has_a_bad_input_case(world):
    covered = {re.sub(r"-\d+-", "-0-", field) for field, _, _ in BAD_INPUT} | FREE_TEXT

    assert typed_fields(world.staff) - covered == set()


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_bad_input_shows_the_message_keeps_what_was_typed_and_saves_nothing(
    staff_client, world, field, value, message
):
    data = founding_data(world)
    data["signed_at_vi"] = "Hải Phòng <đã gõ>"
    data[field] = str(world.provider.pk) if value == "PROVIDER" else value

    response = staff_client.post(url("create"), data)

    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert "Nothing is saved yet" in page
    content = response.content.decode()
    if field != "signed_at_vi":
        assert 'value="Hải Phòng &lt;đã gõ&gt;"' in content
    if field != "parties-0-representative_name":
        assert 'value="Diep Kim Hoan"' in content
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()


def test_every_field_of_the_agreement_and_its_rows_is_on_the_page_with_its_label(
    staff_client, world
):
    entry = AgreementEntry(user=world.staff)
    fields = [
        *((name, field) for name, field in entry.form.fields.items()),
        *((f"parties-0-{name}", field) for name, field in entry.parties.forms[0].fields.items()),
        *((f"flows-0-{name}", field) for name, field in entry.flows.forms[0].fields.items()),
    ]

    page = Page(staff_client.get(url("create")).content)

    for name, field in fields:
        drawn = page.find(name=name)
        if not field.widget.is_hidden:
            assert page.find("label", for_=drawn.attrs["id"]).text, name


def test_a_message_is_shown_next_to_its_field_which_is_marked_invalid_and_tied_to_it(
    staff_client, world
):
    data = founding_data(world, **{"flows-0-quantity": "-1"})

    page = Page(staff_client.post(url("create"), data).content)

    field = page.find("input", name="flows-0-quantity")
    assert "is-invalid" in field.classes
    assert field.attrs["aria-invalid"] == "true"
    assert "id_flows-0-quantity_error" in field.words("aria-describedby")
    message = page.find(id="id_flows-0-quantity_error")
    assert message.text == "The quantity cannot be negative."
    assert "invalid-feedback" in message.classes
    assert page.find(id="div_id_flows-0-quantity").contains(message)  # next to the field
    for untouched in ["flows-0-notes_en", "flows-0-notes_vi", "reference"]:
        field = page.find(name=untouched)
        assert "is-invalid" not in field.classes
        assert "aria-invalid" not in field.attrs


def test_required_fields_are_marked_and_optional_ones_are_not(staff_client):
    page = Page(staff_client.get(url("create")).content)

    for required in ["reference", "park", "kind", "parties-0-role"]:
        label = page.find("label", for_=f"id_{required}")
        assert "requiredField" in label.classes
        assert label.find("span").attrs == {"class": "asteriskField"}
        assert label.text.endswith("*")
        # A spare row may stay empty, so the browser is not told to require its fields.
        browser_required = not required.startswith("parties-")
        assert ("required" in page.find(id=f"id_{required}").attrs) == browser_required
    # A start may be unknown ("start not recorded"), so it is optional too.
    for optional in [
        "title_en",
        "summary_en",
        "summary_vi",
        "starts_on",
        "signed_at_vi",
        "ends_on",
        "parties-0-representative_name",
        "parties-0-representative_title_vi",
        "flows-0-notes_vi",
    ]:
        label = page.find("label", for_=f"id_{optional}")
        assert "requiredField" not in label.classes
        assert not label.text.endswith("*")
        assert "required" not in page.find(id=f"id_{optional}").attrs


def test_help_text_is_shown_under_its_field_and_read_out_with_it(staff_client):
    page = Page(staff_client.get(url("create")).content)

    for field, help_text in [
        ("reference", "A short unique identifier"),
        ("parties-0-organisation", "Type a few letters of its name, in either language."),
        ("flows-0-provider", "A party to this agreement."),
    ]:
        assert page.find(id=f"id_{field}").words("aria-describedby") == [f"id_{field}_helptext"]
        described_by = page.find(id=f"id_{field}_helptext")
        assert described_by.text.startswith(help_text)
        assert page.find(id=f"div_id_{field}").contains(described_by)


def test_the_lists_keep_what_was_chosen_when_the_form_comes_back(staff_client, world):
    data = founding_data(world, kind="industrial", reference="")
    data["parties-2-role"] = "facilitator"
    data["flows-0-period"] = "monthly"

    page = Page(staff_client.post(url("create"), data).content)

    assert "This field is required." in page.find(id="id_reference_error").text
    assert chosen(page, "kind") == ["industrial"]
    assert chosen(page, "park") == [str(world.park.pk)]
    assert chosen(page, "parties-0-organisation") == [str(world.provider.pk)]
    assert chosen(page, "parties-2-role") == ["facilitator"]
    assert chosen(page, "flows-0-resource") == [str(world.resource.pk)]
    assert chosen(page, "flows-0-receiver") == [str(world.receiver.pk)]
    assert chosen(page, "flows-0-period") == ["monthly"]


def test_the_page_carries_the_rows_counts_and_a_blank_row_for_the_script(staff_client, world):
    page = Page(staff_client.get(url("update", draft(world))).content)

    for prefix, fields in [
        ("parties", ["organisation", "role"]),
        ("flows", ["resource", "notes_en", "notes_vi"]),
    ]:
        section = page.find("section", data_formset=prefix)
        # The spare row comes after the stored rows.
        spare = f"{prefix}-{section.find('input', name=f'{prefix}-INITIAL_FORMS').attrs['value']}"
        for count in ["TOTAL", "INITIAL", "MIN_NUM", "MAX_NUM"]:
            assert section.find("input", name=f"{prefix}-{count}_FORMS").attrs["type"] == "hidden"
        # The spare row, blank, stands for the empty row: the page draws no other.
        assert section.find_all("template") == []
        row = section.find("fieldset", **{"data-spare-row": spare})
        for field in fields:
            name = f"{spare}-{field}"
            assert row.find(name=name).attrs["id"] == f"id_{name}"
            assert row.find("label", for_=f"id_{name}")
            assert not row.find(name=name).attrs.get("value")
        assert row.find("input", name=f"{spare}-DELETE")


def test_a_form_shown_again_with_every_row_filled_carries_an_empty_row_for_the_script(
    staff_client, world
):
    data = founding_data(world, reference="")  # three parties and a flow: no blank row

    page = Page(staff_client.post(url("create"), data).content)

    for prefix, fields in [
        ("parties", ["organisation", "role"]),
        ("flows", ["resource", "notes_en", "notes_vi"]),
    ]:
        section = page.find("section", data_formset=prefix)
        assert not any("data-spare-row" in row.attrs for row in section.find_all("fieldset"))
        empty_row = section.find("template", **{"data-empty-row": None})
        for field in fields:
            name = f"{prefix}-__prefix__-{field}"
            assert empty_row.find(name=name).attrs["id"] == f"id_{name}"
            assert empty_row.find("label", for_=f"id_{name}")
        assert empty_row.find("input", name=f"{prefix}-__prefix__-DELETE")


@pytest.mark.parametrize(
    "tampering",
    [
        {"parties-TOTAL_FORMS": "many"},
        {"parties-TOTAL_FORMS": "100000"},
        {"flows-INITIAL_FORMS": "3"},
        {"parties-0-id": "999999"},
        {"parties-0-organisation": "not-a-number"},
        {"parties-0-organisation": "9" * 30},  # beyond any primary key a database stores
        {"flows-0-provider": "999999"},
        {"flows-0-receiver": "-" + "9" * 30},
        {"park": "'; DROP TABLE agreements_agreement; --"},
        {"kind": "<script>alert(1)</script>"},
    ],
)
def test_a_tampered_form_is_refused_without_a_server_error(staff_client, world, tampering):
    data = founding_data(world)
    data.update(tampering)

    response = staff_client.post(url("create"), data)

    assert response.status_code == 200
    assert "Nothing is saved yet" in text_of(response)
    assert not Agreement.objects.exists()


ROWS_ALTERED = "The rows sent do not match this page as it was opened"


def test_rows_passed_off_as_stored_by_a_negative_count_are_refused(staff_client, world):
    # Four rows, two of them counted as stored rows by INITIAL_FORMS=-2: the ministry, a
    # witness in the first two, provides the flow. Nothing of it may be saved.
    ministry = world.national_official.authority_memberships.get().agency
    data = new_agreement_data(
        park=world.park,
        parties=[
            party(ministry, "witness"),
            party(world.witness, "witness"),
            party(world.provider),
            party(world.receiver),
        ],
        flows=[flow(world.resource, ministry, world.receiver)],
    )
    data["parties-INITIAL_FORMS"] = "-2"

    response = staff_client.post(url("create"), data)

    assert response.status_code == 200
    page = Page(response.content)
    assert ROWS_ALTERED in page.find("section", data_formset="parties").text
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()


@pytest.mark.parametrize(
    "tampering",
    [
        {"parties-INITIAL_FORMS": "-1"},
        {"parties-INITIAL_FORMS": "4"},  # above the three rows sent
        {"flows-INITIAL_FORMS": "1"},  # a stored flow, on an agreement not yet stored
        {"parties-TOTAL_FORMS": "-3"},
        {"flows-TOTAL_FORMS": "-1", "flows-INITIAL_FORMS": "-1"},
    ],
)
def test_row_counts_out_of_range_are_refused_on_a_new_agreement(staff_client, world, tampering):
    data = founding_data(world)
    data.update(tampering)

    response = staff_client.post(url("create"), data)

    assert response.status_code == 200
    assert ROWS_ALTERED in text_of(response)
    assert "Nothing is saved yet" in text_of(response)
    assert not Agreement.objects.exists()


def test_more_rows_than_an_agreement_can_have_are_refused_and_said(staff_client, world):
    data = founding_data(world)
    data["parties-TOTAL_FORMS"] = "101"

    response = staff_client.post(url("create"), data)

    assert response.status_code == 200
    assert "At most 100 rows can be saved here" in text_of(response)
    assert not Agreement.objects.exists()


def stored_state(agreement):
    agreement.refresh_from_db()
    return (
        agreement.version,
        agreement.title_en,
        sorted(agreement.parties.values_list("pk", "organisation_id", "role")),
        sorted(agreement.flows.values_list("pk", "provider_id", "receiver_id", "notes_en")),
    )


def tampered_edit(world, agreement, change):
    data = edit_data(
        agreement,
        extra_parties=[party(world.witness, "witness")],
        title_en="Changed title",
    )
    change(data)
    return data


EDIT_TAMPERING = {
    # Fewer stored rows than the agreement has: the second stored party passed off as new.
    "fewer initial rows": lambda data: data.update({"parties-INITIAL_FORMS": "1"}),
    # More than it has: the new witness passed off as stored.
    "more initial rows": lambda data: data.update({"parties-INITIAL_FORMS": "3"}),
    "a negative count": lambda data: data.update({"parties-INITIAL_FORMS": "-1"}),
    "none of them": lambda data: data.update({"flows-INITIAL_FORMS": "0"}),
    # One stored row sent twice, in place of the other.
    "a row twice": lambda data: data.update({"parties-1-id": data["parties-0-id"]}),
    "another agreement's row": lambda data: data.update({"parties-1-id": "999999"}),
    "no id": lambda data: data.update({"flows-0-id": ""}),
}


@pytest.mark.parametrize("change", EDIT_TAMPERING.values(), ids=EDIT_TAMPERING.keys())
def test_stored_rows_that_do_not_match_the_agreement_are_refused_and_change_nothing(
    staff_client, world, change
):
    agreement = draft(world, flows=[(world.resource, world.provider, world.receiver)])
    before = stored_state(agreement)

    response = staff_client.post(url("update", agreement), tampered_edit(world, agreement, change))

    assert response.status_code == 200
    assert ROWS_ALTERED in text_of(response)
    assert 'value="Changed title"' in response.content.decode()  # what was typed is kept
    assert stored_state(agreement) == before


def test_the_same_edit_with_the_rows_as_stored_is_saved(staff_client, world):
    agreement = draft(world, flows=[(world.resource, world.provider, world.receiver)])

    response = staff_client.post(
        url("update", agreement), tampered_edit(world, agreement, lambda data: None)
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title_en == "Changed title"
    assert agreement.parties.count() == 3


def test_a_single_party_is_refused(staff_client, world):
    data = founding_data(world)
    data["parties-TOTAL_FORMS"] = "1"

    response = staff_client.post(url("create"), data)

    assert "An agreement needs at least two parties" in text_of(response)
    assert not Agreement.objects.exists()


def test_two_parties_without_a_signatory_are_refused(staff_client, world):
    data = founding_data(world)
    data["parties-0-role"] = data["parties-1-role"] = "witness"

    response = staff_client.post(url("create"), data)

    assert "At least one party must be a signatory." in text_of(response)
    assert not Agreement.objects.exists()


def test_a_flow_between_organisations_that_are_not_parties_is_refused(staff_client, world):
    data = founding_data(world)
    outsider = Organisation.objects.create(kind="company", name_en="Outsider", slug="outsider")
    data["flows-0-provider"] = str(outsider.pk)

    response = staff_client.post(url("create"), data)

    assert "The provider must be a party to this agreement." in text_of(response)
    assert not Agreement.objects.exists()


def test_a_reference_already_used_is_refused(staff_client, world):
    make_agreement(world.other_park, reference="DEEPC-2024-001")

    response = staff_client.post(url("create"), founding_data(world))

    assert "Another agreement already has this reference" in text_of(response)
    assert Agreement.objects.count() == 1


def test_html_and_script_typed_in_text_fields_are_shown_escaped(staff_client, world):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = founding_data(
        world, title_en=script, summary_en=script, summary_vi=script, signed_at_vi=script
    )
    data["parties-0-representative_title_vi"] = script
    data["flows-0-notes_en"] = script
    data["parties-0-representative_name"] = script

    staff_client.post(url("create"), data)
    mine = staff_client.get(url("mine")).content.decode()
    agreement = Agreement.objects.get()
    edit = staff_client.get(url("update", agreement)).content.decode()
    history = staff_client.get(url("history", agreement)).content.decode()

    assert agreement.title_en == script
    for content in (mine, edit, history):
        assert "<script>alert" not in content
        assert "<img src=x" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in mine


def test_a_staff_member_edits_an_agreement(staff_client, world):
    agreement = draft(world)

    response = staff_client.post(
        url("update", agreement), edit_data(agreement, title_en="Renamed"), follow=True
    )

    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.title_en == "Renamed"


def test_rows_are_removed_and_added_in_one_save(staff_client, world):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver, world.witness])
    data = edit_data(
        agreement,
        extra_parties=[party(world.agency, "witness")],
        extra_flows=[flow(world.resource, world.agency, world.provider, quantity="12.5")],
    )
    witness_row = next(
        index
        for index in range(3)
        if data[f"parties-{index}-organisation"] == str(world.witness.pk)
    )
    data[f"parties-{witness_row}-DELETE"] = "on"

    staff_client.post(url("update", agreement), data)

    assert set(agreement.parties.values_list("organisation", flat=True)) == {
        world.provider.pk,
        world.receiver.pk,
        world.agency.pk,
    }
    assert agreement.flows.count() == 2


def test_editing_a_verified_agreement_warns_and_takes_it_off_the_public_pages(staff_client, world):
    agreement = draft(world, review_state=State.VERIFIED)

    page = text_of(staff_client.get(url("update", agreement)))
    response = staff_client.post(
        url("update", agreement), edit_data(agreement, title_en="Renamed"), follow=True
    )

    assert "Saving a change makes it a draft again" in page
    assert "after this change it is a draft again" in text_of(response)
    assert not Agreement.objects.public().filter(pk=agreement.pk).exists()


def test_saving_a_verified_agreement_unchanged_keeps_it_public(staff_client, world):
    agreement = draft(world, review_state=State.VERIFIED)
    version = agreement.version

    staff_client.post(url("update", agreement), edit_data(agreement))

    agreement.refresh_from_db()
    assert agreement.review_state == State.VERIFIED
    assert agreement.version == version
    assert Agreement.objects.public().filter(pk=agreement.pk).exists()


def test_a_submitted_agreement_cannot_be_edited_until_reviewed(staff_client, world):
    agreement = draft(world, review_state=State.SUBMITTED)

    response = staff_client.get(url("update", agreement))

    assert response.status_code == 403
    assert "awaiting verification" in text_of(response)


# --- The largest agreement the form takes ------------------------------------------------


def largest_agreement(world):
    """A draft with as many parties and flows as the form takes (100 of each), made in bulk."""
    organisations = Organisation.objects.bulk_create(
        Organisation(kind="company", name_en=f"Tenant {number}", slug=f"tenant-{number}")
        for number in range(MAX_ROWS)
    )
    agreement = make_agreement(world.park, parties=[], flows=[], review_state=State.DRAFT)
    Party.objects.bulk_create(
        Party(agreement=agreement, organisation=organisation) for organisation in organisations
    )
    ResourceFlow.objects.bulk_create(
        ResourceFlow(
            agreement=agreement,
            resource=world.resource,
            provider=organisation,
            receiver=organisations[(number + 1) % MAX_ROWS],
        )
        for number, organisation in enumerate(organisations)
    )
    return agreement


def as_a_browser_posts(client, page, data):
    """``data`` sent as a browser sends the form: URL-encoded."""
    return client.post(
        page, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def largest(world):
    """The largest agreement, the client of a staff member with the CSRF check on, as in
    production, and the fields a browser sends from its edit page."""
    agreement = largest_agreement(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    data = form_fields(client.get(url("update", agreement)).content.decode())
    return agreement, client, data


def test_an_agreement_with_as_many_rows_as_the_form_takes_is_saved(largest):
    agreement, client, data = largest
    data["title_en"] = "All the tenants"

    response = as_a_browser_posts(client, url("update", agreement), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title_en == "All the tenants"
    assert (agreement.parties.count(), agreement.flows.count()) == (MAX_ROWS, MAX_ROWS)


def test_every_row_of_the_largest_agreement_marked_for_removal_is_answered_by_the_form(largest):
    # The most fields the page can send: every row's removal box ticked as well.
    agreement, client, data = largest
    for name in list(data):
        if name.endswith("-id"):
            data[name.removesuffix("-id") + "-DELETE"] = "on"

    response = as_a_browser_posts(client, url("update", agreement), data)

    assert response.status_code == 200
    assert "An agreement needs at least two parties" in text_of(response)
    assert agreement.parties.count() == MAX_ROWS


def test_a_form_beyond_what_a_request_may_carry_is_shown_again_and_nothing_is_saved(largest):
    agreement, client, data = largest
    data["title_en"] = "All the tenants"
    data["flows-TOTAL_FORMS"] = str(MAX_ROWS + 300)
    for number in range(MAX_ROWS, MAX_ROWS + 300):
        data.update({f"flows-{number}-{name}": "" for name in ["resource", "notes_en", "quantity"]})
    assert len(data) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    response = as_a_browser_posts(client, url("update", agreement), data)

    assert response.status_code == 200
    text = text_of(response)
    assert "The form sent more fields than the registry reads at once" in text
    assert 'value="All the tenants"' in response.content.decode()  # what was typed is kept
    agreement.refresh_from_db()
    assert agreement.title_en != "All the tenants"
    assert agreement.flows.count() == MAX_ROWS


def test_another_form_beyond_what_a_request_may_carry_is_refused_whole(staff_client):
    # Only the agreement page shows a form cut at the limit again; elsewhere the request is
    # refused, never read in part.
    data = {"organisation-name_en": "Half a form"}
    data.update({f"junk-{number}": "" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)})

    response = as_a_browser_posts(staff_client, url("organisation-create"), data)

    assert response.status_code == 400
    assert not Organisation.objects.filter(name_en="Half a form").exists()


# --- The conflict --------------------------------------------------------------------------


def open_form(client, agreement):
    """The version a browser holds after opening the edit page."""
    content = client.get(url("update", agreement)).content.decode()
    return re.search(r'name="version" value="(\d+)"', content).group(1)


def test_the_second_of_two_concurrent_edits_sees_a_conflict_and_the_first_survives(world):
    agreement = draft(world, title_en="Original title")
    colleague = make_park_staff(world.park)
    first, second = client_for(world.staff), client_for(colleague)
    first_version, second_version = open_form(first, agreement), open_form(second, agreement)
    assert first_version == second_version

    first_response = first.post(
        url("update", agreement),
        edit_data(agreement, title_en="First's title", version=first_version),
    )
    second_response = second.post(
        url("update", agreement),
        edit_data(
            agreement,
            title_en="Second's title",
            summary_en="Second's long summary",
            version=second_version,
        ),
    )

    assert first_response.status_code == 302
    assert second_response.status_code == 200
    page = text_of(second_response)
    assert "Someone else saved this agreement after you opened it" in page
    assert "Open the current version in a new tab" in page
    content = second_response.content.decode()
    assert 'value="Second&#x27;s title"' in content
    assert "Second&#x27;s long summary" in content
    agreement.refresh_from_db()
    assert agreement.title_en == "First's title"
    assert agreement.summary_en == ""


def test_a_new_agreement_losing_a_race_keeps_the_form_and_says_so(staff_client, world, monkeypatch):
    def racing(**kwargs):
        raise services.EditConflict

    monkeypatch.setattr(services, "save_agreement", racing)

    response = staff_client.post(url("create"), founding_data(world))

    assert response.status_code == 200
    assert "Another save changed the registry at the same moment" in text_of(response)
    assert 'value="DEEPC-2024-001"' in response.content.decode()


# --- My agreements -----------------------------------------------------------------------


def test_my_agreements_puts_returned_ones_first_with_the_officials_comment(staff_client, world):
    draft(world, title_en="A draft")
    returned = draft(
        world,
        title_en="Needs work",
        review_state=State.RETURNED,
        review_comment="Add the signing date, please.",
        reviewed_by=world.official,
    )
    make_agreement(world.other_park, title_en="Not mine", review_state=State.DRAFT)

    page = text_of(staff_client.get(url("mine")))

    assert page.index("Returned to you for changes") < page.index("Drafts")
    assert "Returned by heza-official" in page
    assert "Add the signing date, please." in page
    assert returned.reference in page
    assert "Not mine" not in page


def test_officials_see_what_awaits_their_review(official_client, world):
    draft(world, title_en="Awaiting", review_state=State.SUBMITTED)
    make_agreement(world.other_park, title_en="Elsewhere", review_state=State.SUBMITTED)

    page = text_of(official_client.get(url("mine")))

    assert "Awaiting your review 1" in page
    assert "Awaiting" in page
    assert "Elsewhere" not in page


def test_a_user_without_a_role_is_told_to_ask_for_one(world):
    from tests.factories import make_user

    page = text_of(client_for(make_user()).get(url("mine")))

    assert "Your account is not linked to a park or an authority yet" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_my_agreements_takes_the_same_number_of_queries_whatever_the_rows(
    world, staff_client, django_assert_num_queries, rows
):
    for number in range(rows):
        draft(world, review_state=list(State)[number % 4])
    # The staff member is an official too: both lists are on the page.
    from parks.models import AuthorityMembership

    AuthorityMembership.objects.create(user=world.staff, agency=world.agency)

    # savepoint, session, user, memberships (parks and agencies), own agreements counted by
    # state, the returned ones, the review queue with its total, count and page of own
    # agreements, release, managed parks (for the review buttons)
    with django_assert_num_queries(11):
        response = staff_client.get(url("mine"))

    assert response.status_code == 200
    assert len(response.context["agreements"]) == min(rows, 25)


def test_my_agreements_lists_25_a_page_the_last_saved_first(staff_client, world):
    agreements = [draft(world, reference=f"M-{number:02d}") for number in range(30)]

    first = staff_client.get(url("mine"))
    second = staff_client.get(url("mine"), {"page": "2"})

    listed = [a.reference for a in first.context["agreements"]]
    assert listed == [a.reference for a in reversed(agreements[5:])]
    assert [a.reference for a in second.context["agreements"]] == [
        a.reference for a in reversed(agreements[:5])
    ]
    assert 'href="?page=2#own"' in first.content.decode()
    assert "Your parks' agreements 30" in text_of(first)


def test_my_agreements_narrow_to_one_state_with_its_count(staff_client, world):
    for state, count in [(State.DRAFT, 3), (State.VERIFIED, 2), (State.RETURNED, 1)]:
        for _ in range(count):
            draft(world, review_state=state)

    response = staff_client.get(url("mine"), {"state": "verified"})

    assert {a.review_state for a in response.context["agreements"]} == {State.VERIFIED}
    page = text_of(response)
    assert "All 6 Returned to you for changes 1 Drafts 3 Awaiting verification 0" in page
    assert "Verified and public 2" in page
    unknown = staff_client.get(url("mine"), {"state": "shredded"})
    assert len(unknown.context["agreements"]) == 6


def test_the_returned_work_list_shows_the_ten_latest_and_leads_to_them_all(staff_client, world):
    for number in range(12):
        draft(
            world,
            reference=f"RET-{number:02d}",
            review_state=State.RETURNED,
            review_comment=f"Fix number {number}.",
            reviewed_by=world.official,
            reviewed_at=timezone.now() - datetime.timedelta(days=number),
        )

    response = staff_client.get(url("mine"))

    assert [a.reference for a in response.context["returned"]] == [
        f"RET-{number:02d}" for number in range(10)
    ]
    page = text_of(response)
    assert "Returned to you for changes 12" in page
    assert "The 10 returned last of 12. See all 12 returned agreements" in page
    assert 'href="?state=returned"' in response.content.decode()
    everything = staff_client.get(url("mine"), {"state": "returned"})
    assert len(everything.context["agreements"]) == 12
    assert everything.context["returned"] == []
    assert "Fix number 11." in text_of(everything)


def test_the_review_queue_shows_the_ten_waiting_longest_and_leads_to_the_dashboard(
    official_client, world
):
    for number in range(12):
        draft(
            world,
            reference=f"SUB-{number:02d}",
            review_state=State.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(days=30 - number),
        )

    response = official_client.get(url("mine"))

    assert [a.reference for a in response.context["awaiting_review"]] == [
        f"SUB-{number:02d}" for number in range(10)
    ]
    page = text_of(response)
    assert "Awaiting your review 12" in page
    assert "The 10 waiting longest of 12." in page
    assert f'href="{url("dashboard")}#awaiting-verification-heading"' in response.content.decode()


# --- Submitting and reviewing -------------------------------------------------------------


def test_staff_submit_a_draft_and_the_officials_are_emailed(
    staff_client, world, django_capture_on_commit_callbacks
):
    agreement = draft(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("submit", agreement), follow=True)

    assert "is submitted" in text_of(response)
    assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED
    assert {message.to[0] for message in mail.outbox} == {
        world.official.email,
        world.national_official.email,
    }
    assert "http://testserver/agreements/" in mail.outbox[0].body


def test_an_incomplete_agreement_is_not_submitted_and_the_page_says_why(staff_client, world):
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], flows=[], review_state="draft"
    )

    response = staff_client.post(url("submit", agreement), follow=True)

    assert "was not submitted. It needs at least one resource flow" in text_of(response)
    assert Agreement.objects.get(pk=agreement.pk).review_state == State.DRAFT


def test_the_official_verifies_a_submitted_agreement(
    official_client, world, django_capture_on_commit_callbacks
):
    agreement = draft(world, review_state=State.SUBMITTED, title_en="Shared fire-fighting")

    page = text_of(official_client.get(url("review", agreement)))
    with django_capture_on_commit_callbacks(execute=True):
        response = official_client.post(
            url("review", agreement), {"decision": "verify"}, follow=True
        )

    assert "Shared fire-fighting" in page
    assert "Your decision" in page
    assert "is verified: it is now on the public pages" in text_of(response)
    agreement.refresh_from_db()
    assert (agreement.review_state, agreement.reviewed_by) == (State.VERIFIED, world.official)
    assert [message.to for message in mail.outbox] == [[world.staff.email]]


def test_returning_without_a_comment_shows_the_message_and_changes_nothing(official_client, world):
    agreement = draft(world, review_state=State.SUBMITTED)

    response = official_client.post(url("review", agreement), {"decision": "return"})

    assert response.status_code == 200
    assert "Say what needs changing before you return it." in text_of(response)
    assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED


def test_an_overlong_comment_is_refused_and_kept(official_client, world):
    agreement = draft(world, review_state=State.SUBMITTED)

    response = official_client.post(
        url("review", agreement), {"decision": "return", "comment": "<b>x</b>" * 1000}
    )

    assert "Ensure this value has at most 5000 characters (it has 8000)." in text_of(response)
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED


def test_a_returned_agreement_shows_the_comment_to_the_staff(official_client, world):
    agreement = draft(world, review_state=State.SUBMITTED)
    official_client.post(
        url("review", agreement), {"decision": "return", "comment": "Add the witnesses."}
    )

    edit_page = text_of(client_for(world.staff).get(url("update", agreement)))

    assert "Returned by heza-official" in edit_page
    assert "Add the witnesses." in edit_page


def test_an_agreement_not_awaiting_review_cannot_be_reviewed(official_client, world):
    response = official_client.get(url("review", draft(world)))

    assert response.status_code == 403
    assert "This agreement is not awaiting verification (it is draft)." in text_of(response)


# --- History -------------------------------------------------------------------------------


def test_the_history_shows_who_changed_which_field_from_what_to_what(staff_client, world):
    staff_client.post(url("create"), founding_data(world, title_en="First title"))
    agreement = Agreement.objects.get()
    data = edit_data(agreement, title_en="Second title")
    data["parties-0-representative_title_en"] = "Head of Environment"
    client_for(world.admin).post(url("update", agreement), data)

    page = text_of(staff_client.get(url("history", agreement)))

    assert "Agreement · changed by admin" in page
    assert "Title in English First title Second title" in page
    assert "Party: Dinh Vu Industrial Park JSC · changed by admin" in page
    assert "Representative's title in English — Head of Environment" in page
    assert "Agreement · created by deepc-staff" in page
    assert (
        "Resource flow: Dinh Vu Industrial Park JSC → Fire-fighting capacity → "
        "Hai An District Police · created by deepc-staff"
    ) in page


def test_the_history_takes_a_fixed_number_of_queries(
    staff_client, world, django_assert_num_queries
):
    agreement = draft(world)
    for number in range(5):
        agreement.title_en = f"Title {number}"
        agreement.save()

    # savepoint, session, user, memberships (parks and agencies), agreement, 3 histories,
    # parks, organisations, resources, release
    with django_assert_num_queries(12):
        staff_client.get(url("history", agreement))


# --- A deleted account --------------------------------------------------------------------


def returned_by_an_official_deleted_since(world):
    """An agreement its staff created and submitted, returned by an official whose account an
    admin then deleted (from the shell: the admin offers deactivation instead)."""
    staff_client = client_for(world.staff)
    staff_client.post(url("create"), founding_data(world))
    agreement = Agreement.objects.get()
    services.submit_agreement(agreement=agreement, user=world.staff)
    services.return_agreement(agreement=agreement, user=world.official, comment="Add the date.")
    world.official.delete()
    return agreement


def test_the_staff_pages_name_a_deleted_reviewer_a_former_user(staff_client, world):
    agreement = returned_by_an_official_deleted_since(world)

    for page in (url("mine"), url("update", agreement)):
        response = staff_client.get(page)

        assert response.status_code == 200
        assert "Returned by a former user on" in text_of(response)
        assert "Add the date." in text_of(response)


def test_the_history_names_a_deleted_reviewer_a_former_user(staff_client, world):
    agreement = returned_by_an_official_deleted_since(world)

    response = staff_client.get(url("history", agreement))

    assert response.status_code == 200
    assert "Reviewed by — a former user" in text_of(response)
    assert "(deleted, #" not in text_of(response)
    assert "Agreement · created by deepc-staff" in text_of(response)


def test_the_pages_name_a_deleted_creator_a_former_user(world):
    agreement = returned_by_an_official_deleted_since(world)
    official_client = client_for(world.national_official)
    world.staff.delete()

    history = official_client.get(url("history", agreement))

    assert history.status_code == 200
    assert "Created by — a former user" in text_of(history)
    assert official_client.get(url("detail", agreement)).status_code == 200


# --- Organisations ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["cong an quan", "CÔNG AN QUẬN HẢI", "district police", "hai an"])
def test_organisations_are_found_by_a_few_letters_in_either_language(staff_client, world, query):
    response = staff_client.get(url("organisation-search"), {"q": query})

    assert {
        "id": world.receiver.pk,
        "label": "Hai An District Police",
        "kind": "Government agency",
    } in (response.json()["results"])


def test_a_single_letter_finds_nothing_yet(staff_client, world):
    assert staff_client.get(url("organisation-search"), {"q": "h"}).json() == {"results": []}


def test_staff_add_a_missing_organisation_from_the_form_dialog(staff_client, world):
    response = staff_client.post(
        url("organisation-create"),
        {"organisation-kind": "agency", "organisation-name_vi": "Đội PCCC Đình Vũ"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 201
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert response.json()["label"] == "Đội PCCC Đình Vũ"
    assert organisation.kind == Organisation.Kind.AGENCY


def test_a_duplicate_organisation_from_the_dialog_comes_back_with_the_message(staff_client, world):
    response = staff_client.post(
        url("organisation-create"),
        {"organisation-kind": "agency", "organisation-name_en": "hai an district police"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert "Hai An District Police is already in the registry" in response.json()["html"]
    assert Organisation.objects.filter(name_en__iexact="hai an district police").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_en", "x" * 256, "Ensure this value has at most 255 characters"),
        ("name_vi", "đ" * 256, "Ensure this value has at most 255 characters"),
        ("short_name", "x" * 65, "Ensure this value has at most 64 characters"),
        ("province", "x" * 101, "Ensure this value has at most 100 characters"),
        ("kind", "cartel", "Select a valid choice."),
    ],
)
def test_bad_input_for_a_new_organisation_is_refused_next_to_its_field(
    staff_client, world, field, value, message
):
    data = {"organisation-kind": "company", "organisation-name_en": "Deep C Water"}
    data[f"organisation-{field}"] = value

    response = staff_client.post(url("organisation-create"), data, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert message in response.json()["html"]
    assert not Organisation.objects.filter(name_en="Deep C Water").exists()


def test_without_javascript_the_organisation_page_adds_it_and_says_what_next(staff_client, world):
    response = staff_client.post(
        url("organisation-create"),
        {"organisation-kind": "company", "organisation-name_en": "Deep C Water"},
        follow=True,
    )

    assert Organisation.objects.filter(name_en="Deep C Water").exists()
    assert "Deep C Water is added. Go back to the agreement's tab" in text_of(response)


def test_a_new_organisation_is_found_by_its_name_when_the_form_is_sent(staff_client, world):
    staff_client.post(
        url("organisation-create"),
        {"organisation-kind": "company", "organisation-name_en": "Deep C Water"},
    )
    data = founding_data(world, title_en="")
    data["parties-2-organisation_query"] = "deep c water"

    response = staff_client.post(url("create"), data)

    water = Organisation.objects.get(name_en="Deep C Water")
    assert f'<option value="{water.pk}" selected>Deep C Water</option>' in (
        response.content.decode()
    )


# --- The organisation lists at the registry's scale ------------------------------------------


def test_the_form_offers_no_organisation_it_does_not_need_whatever_the_registrys_size(
    staff_client, world
):
    for number in range(200):
        Organisation.objects.create(
            kind="company", name_en=f"Bystander {number}", slug=f"b-{number}"
        )
    agreement = draft(world)

    new_page = staff_client.get(url("create")).content.decode()
    edit_page = staff_client.get(url("update", agreement)).content.decode()

    assert "Bystander" not in new_page
    assert "Bystander" not in edit_page
    assert 'name="parties-0-organisation_query"' in new_page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_edit_page_takes_the_same_number_of_queries_whatever_the_rows(
    staff_client, world, django_assert_num_queries, rows
):
    organisations = [
        Organisation.objects.create(kind="company", name_en=f"Party {n}", slug=f"p-{n}")
        for n in range(rows + 1)
    ]
    agreement = make_agreement(
        world.park,
        parties=organisations,
        flows=[(world.resource, organisations[0], other) for other in organisations[1:]],
        review_state=State.DRAFT,
    )

    # savepoint, session, user, memberships (parks and agencies), agreement, parks, parties,
    # flows, resources, the organisations' names, the flows its flows can be made from, the
    # parks of the "propose a missing resource" dialog, release
    with django_assert_num_queries(13):
        response = staff_client.get(url("update", agreement))

    assert response.content.decode().count('name="parties-') > rows


@pytest.mark.parametrize("rows", [1, 30])
def test_a_save_reads_each_kind_of_row_once_whatever_the_rows(
    staff_client, world, django_assert_num_queries, rows
):
    organisations = [
        Organisation.objects.create(kind="company", name_en=f"Party {n}", slug=f"p-{n}")
        for n in range(rows + 1)
    ]
    agreement = make_agreement(
        world.park,
        parties=organisations,
        flows=[(world.resource, organisations[0], other) for other in organisations[1:]],
        review_state=State.DRAFT,
    )

    data = edit_data(agreement, title_en="New")

    # savepoint, session, user, memberships (parks and agencies), agreement, park, the
    # agreement's checks (in a savepoint of their own: 3), its reference not taken, parties,
    # flows, every row's organisation, every flow's resource, each flow's checks (3 a flow),
    # then the save: savepoint, the agreement locked, its parties and flows, the suggested
    # kind of symbiosis (the resources' categories, the parties' parks), the agreement and
    # its history, release, release (once committed, the park's kept figures move on)
    with django_assert_num_queries(24 + 3 * rows):
        response = staff_client.post(url("update", agreement), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title_en, agreement.version) == ("New", 2)
    assert agreement.history.count() == 2
    assert (agreement.parties.count(), agreement.flows.count()) == (rows + 1, rows)


def test_without_javascript_parties_are_found_by_name_then_flows_chosen_among_them(
    staff_client, world
):
    # First sending: the parties' names typed; the flow's resource chosen, but its provider
    # and receiver lists are still empty (no party chosen yet when the page was drawn).
    data = new_agreement_data(
        park=world.park,
        parties=[
            party(None, organisation_query="dinh vu"),
            party(None, organisation_query="hai an"),
        ],
        flows=[flow(world.resource, world.provider, world.receiver)],
    )
    data["flows-0-provider"] = data["flows-0-receiver"] = ""

    response = staff_client.post(url("create"), data)

    page = text_of(response)
    assert "Choose the provider among the parties." in page
    assert not Agreement.objects.exists()
    content = response.content.decode()
    assert f'<option value="{world.provider.pk}" selected>' in content  # the party row
    provider_list = content[content.index('name="flows-0-provider"') :]
    provider_list = provider_list[: provider_list.index("</select>")]
    assert ">Dinh Vu Industrial Park JSC</option>" in provider_list
    assert ">Hai An District Police</option>" in provider_list

    # Second sending: the page as it came back, with the flow's ends chosen.
    data["parties-0-organisation"], data["parties-0-organisation_query"] = world.provider.pk, ""
    data["parties-1-organisation"], data["parties-1-organisation_query"] = world.receiver.pk, ""
    data["flows-0-provider"], data["flows-0-receiver"] = world.provider.pk, world.receiver.pk
    response = staff_client.post(url("create"), data)

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert set(agreement.parties.values_list("organisation", flat=True)) == {
        world.provider.pk,
        world.receiver.pk,
    }


def test_two_parties_can_swap_their_organisations(staff_client, world):
    agreement = draft(world)
    first, second = agreement.parties.order_by("role", "pk")[:2]
    data = edit_data(agreement)
    data["parties-0-organisation"], data["parties-1-organisation"] = (
        second.organisation_id,
        first.organisation_id,
    )
    data["parties-0-role"], data["parties-1-role"] = second.role, first.role

    response = staff_client.post(url("update", agreement), data, follow=True)

    assert "Someone else saved" not in text_of(response)
    stored = dict(agreement.parties.values_list("organisation_id", "role"))
    assert stored == {first.organisation_id: first.role, second.organisation_id: second.role}
    agreement.refresh_from_db()
    assert agreement.version > 1
