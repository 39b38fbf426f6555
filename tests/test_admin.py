"""An admin can use every page of the Django admin on day one, and every change made there goes
through the same services and rules as the staff's and officials' pages."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.models import (
    Agreement,
    Document,
    EmissionFactor,
    Merge,
    Party,
    Resource,
    ResourceFlow,
)
from agreements.reporting.models import ReportCriterion
from parks.models import Agency, Organisation
from tests.agreements.world import make_world
from tests.factories import (
    make_agreement,
    make_official,
    make_park,
    make_park_staff,
    make_user,
)
from tests.pages import admin_form_data

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# Parties and flows are edited on their agreement's page only, where they are saved with it;
# emission factors are set on their resource's factor page (issue 14), which keeps each one.
EDITED_WITH_THEIR_AGREEMENT = {Party, ResourceFlow}
# Merges are made on the officials' merge pages (agreements.merging) and kept as they were.
MADE_ON_THE_MERGE_PAGES = {Merge}
SET_ON_THEIR_PAGE = {EmissionFactor}


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_and_add_pages_answer(superuser_client, demo, model, model_admin):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    expected = (
        403
        if model in EDITED_WITH_THEIR_AGREEMENT | MADE_ON_THE_MERGE_PAGES | SET_ON_THEIR_PAGE
        else 200
    )
    assert superuser_client.get(url(model, "add")).status_code == expected


WITH_DATE_HIERARCHY = [(m, a) for m, a in REGISTERED if a.date_hierarchy]


@pytest.mark.parametrize(
    ("model", "model_admin"),
    WITH_DATE_HIERARCHY,
    ids=[m._meta.label for m, _ in WITH_DATE_HIERARCHY],
)
@pytest.mark.parametrize(
    "period",
    [
        "year=99999999",
        "year=9999",
        "year=9999&{field}__month=12",
        "year=9999&{field}__month=12&{field}__day=31",
        "year=2023&{field}__month=13",
        "year=2023&{field}__month=2&{field}__day=30",
        "year=twenty",
    ],
)
def test_a_date_hierarchy_period_no_date_has_is_a_bad_request(
    superuser_client, model, model_admin, period
):
    field = model_admin.date_hierarchy
    query = f"{field}__" + period.format(field=field)

    response = superuser_client.get(f"{url(model, 'changelist')}?{query}")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


def test_an_empty_to_field_is_a_bad_request_not_a_server_error(superuser_client, world):
    """Found by the pages' fuzz test: Django's change page took "" for a field's name."""
    agreement = make_agreement(world.park)

    response = superuser_client.get(f"{url(Agreement, 'change', agreement.pk)}?_to_field=")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


def test_the_date_hierarchy_still_narrows_the_agreements_to_a_year(superuser_client, world):
    make_agreement(world.park, reference="SIGNED-2023", signed_on=datetime.date(2023, 9, 12))
    make_agreement(world.park, reference="SIGNED-2024", signed_on=datetime.date(2024, 1, 5))

    response = superuser_client.get(f"{url(Agreement, 'changelist')}?signed_on__year=2023")

    assert response.status_code == 200
    assert "SIGNED-2023" in response.content.decode()
    assert "SIGNED-2024" not in response.content.decode()


@pytest.fixture
def one_of_everything(demo):
    """The demo, plus a row of each model the demo has none of."""
    make_park_staff(demo.park)
    make_official(Agency.objects.get(slug="heza"))
    Group.objects.create(name="Officials")
    services.set_emission_factor(
        resource=Resource.objects.first(),
        value="1",
        unit=Resource.objects.first().unit,
        source="Test",
        year=2024,
        by=None,
    )
    Document.objects.create(
        agreement=demo, title="Signed agreement", file=ContentFile(b"%PDF-1.4", name="a.pdf")
    )
    Merge.objects.create(
        kind=Merge.Kind.ORGANISATION,
        kept_organisation=Agency.objects.get(slug="heza"),
        duplicate_name="Hai Phong EZA",
        duplicate_slug="hai-phong-eza",
    )
    ReportCriterion.objects.create(
        text_vi="Tiêu chí", indicator=ReportCriterion.Indicator.ACTIVITIES, threshold=1
    )


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_change_page_answers(superuser_client, one_of_everything, model, model_admin):
    obj = model._default_manager.first()

    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client, one_of_everything, model, model_admin
):
    path = url(model, "changelist")
    with_few = count_queries(superuser_client, path)
    park = make_park()
    heza = Agency.objects.get(slug="heza")
    for number in range(30):
        agreement = make_agreement(park, review_state=Agreement.ReviewState.DRAFT)
        make_park_staff(park)
        make_official(heza)
        Group.objects.create(name=f"Group {number}")
        Document.objects.create(
            agreement=agreement, title="Scan", file=ContentFile(b"%PDF-1.4", name="a.pdf")
        )

    with_many = count_queries(superuser_client, path)

    assert with_many == with_few


@pytest.mark.django_db
def test_agreement_history_is_reachable_from_the_admin(superuser_client, demo):
    response = superuser_client.get(url(Agreement, "history", demo.pk))

    assert response.status_code == 200
    assert demo.reference in response.content.decode()


@pytest.mark.django_db
def test_documents_open_from_the_admin_through_the_download_view(superuser_client, demo):
    document = Document.objects.create(
        agreement=demo,
        title="Signed agreement",
        original_name="signed.pdf",
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
    )

    for page in (url(Document, "change", document.pk), url(Agreement, "change", demo.pk)):
        content = superuser_client.get(page).content.decode()
        assert f'href="{document.get_absolute_url()}"' in content
        assert "documents-are-not-served-here" not in content


# --- Every change through the services -----------------------------------------------------

State = Agreement.ReviewState


@pytest.fixture
def world(db):
    return make_world()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def admin_official(world):
    """The park's official, with an admin account that may change agreements."""
    official = world.official
    official.is_staff = True
    official.save()
    official.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="agreements",
            codename__in=["view_agreement", "change_agreement"],
        )
    )
    return official


def submitted(world, **fields):
    """An agreement of the park submitted by its staff."""
    agreement = make_agreement(
        world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT, **fields
    )
    services.submit_agreement(agreement=agreement, user=world.staff)
    return agreement


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def act(client, action, agreements, **data):
    return client.post(
        url(Agreement, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in agreements], **data},
        follow=True,
    )


def emails_about(agreement):
    """Who was told what of a step, the agreement's reference left out."""
    return sorted(
        (message.to[0], message.subject.replace(agreement.reference, "REF"))
        for message in mail.outbox
    )


def last_record(agreement):
    record = agreement.history.order_by("-history_id").first()
    return {
        "history_type": record.history_type,
        "history_user": record.history_user,
        "review_state": record.review_state,
        "review_comment": record.review_comment,
        "reviewed_by": record.reviewed_by,
        "reviewed_at is set": record.reviewed_at is not None,
        "version": record.version,
    }


class TestReviewActions:
    def test_verifying_in_the_admin_tells_the_same_people_and_records_the_same_as_the_review_page(
        self, world, django_capture_on_commit_callbacks
    ):
        official = admin_official(world)
        # Each with its own session: the page's messages are not the admin's.
        page_client, client = client_for(official), client_for(official)
        on_the_page, in_the_admin = submitted(world), submitted(world)

        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            page_client.post(
                reverse("agreements:review", kwargs={"reference": on_the_page.reference}),
                {"decision": "verify", "comment": ""},
            )
        page_emails = emails_about(on_the_page)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = act(client, "verify_selected", [in_the_admin])

        assert messages_of(response) == [
            f"{in_the_admin.reference} is verified: it is now on the public pages."
        ]
        assert emails_about(in_the_admin) == page_emails
        assert {address for address, _ in page_emails} == {world.staff.email}
        assert last_record(in_the_admin) == last_record(on_the_page)
        assert last_record(in_the_admin)["review_state"] == State.VERIFIED
        assert last_record(in_the_admin)["history_user"] == official
        assert Agreement.objects.public().filter(pk=in_the_admin.pk).exists()

    def test_returning_asks_for_the_comment_then_does_what_the_review_page_does(
        self, world, django_capture_on_commit_callbacks
    ):
        official = admin_official(world)
        # Each with its own session: the page's messages are not the admin's.
        page_client, client = client_for(official), client_for(official)
        on_the_page, in_the_admin = submitted(world), submitted(world)
        comment = "Add the signing date."

        asked = act(client, "return_selected", [in_the_admin])

        assert asked.templates[0].name == "admin/agreements/return_agreements.html"
        assert in_the_admin.reference in asked.content.decode()
        assert Agreement.objects.get(pk=in_the_admin.pk).review_state == State.SUBMITTED
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            page_client.post(
                reverse("agreements:review", kwargs={"reference": on_the_page.reference}),
                {"decision": "return", "comment": comment},
            )
        page_emails = emails_about(on_the_page)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = act(client, "return_selected", [in_the_admin], comment=comment)

        assert messages_of(response) == [
            f"{in_the_admin.reference} is returned to the park staff with your comment."
        ]
        assert emails_about(in_the_admin) == page_emails
        assert all(comment in message.body for message in mail.outbox)
        assert last_record(in_the_admin) == last_record(on_the_page)
        assert last_record(in_the_admin)["review_state"] == State.RETURNED

    def test_returning_without_a_comment_asks_again_and_changes_nothing(self, world):
        agreement = submitted(world)

        response = act(
            client_for(admin_official(world)), "return_selected", [agreement], comment=" "
        )

        assert "Say what needs changing before you return it." in response.content.decode()
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED

    def test_an_agreement_not_awaiting_verification_is_named_with_the_reason_not_a_server_error(
        self, world
    ):
        awaiting, draft = submitted(world), make_agreement(world.park, review_state=State.DRAFT)

        response = act(client_for(admin_official(world)), "verify_selected", [awaiting, draft])

        assert response.status_code == 200
        assert f"{draft.reference} is unchanged. Only a submitted agreement can be verified." in (
            messages_of(response)
        )
        assert f"{awaiting.reference} is verified: it is now on the public pages." in (
            messages_of(response)
        )
        assert Agreement.objects.get(pk=draft.pk).review_state == State.DRAFT

    def test_an_admin_user_who_does_not_review_the_park_changes_nothing_and_is_told(
        self, world, django_capture_on_commit_callbacks
    ):
        other = admin_official(world)
        other.authority_memberships.update(agency=world.other_agency)
        agreement = submitted(world)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            response = act(client_for(other), "verify_selected", [agreement])

        assert messages_of(response) == [
            f"{agreement.reference} is unchanged. "
            "Only the officials overseeing this park verify it."
        ]
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED
        assert mail.outbox == []


def change_page_data(client, agreement=None):
    """What the admin's agreement page posts as it opens (on ``agreement``, or empty to add
    one): its form and inlines with their current values."""
    page = url(Agreement, "change", agreement.pk) if agreement else url(Agreement, "add")
    return page, admin_form_data(client.get(page))


def new_agreement_with_two_signatories(client, world):
    """The admin's add page and its form filled in: an agreement of the world's park with its
    provider and receiver as signatories."""
    page, data = change_page_data(client)
    data.update(
        reference="HEZA/2024/07",
        title_en="Shared steam",
        kind=Agreement.Kind.INDUSTRIAL,
        park=world.park.pk,
        starts_on="2024-03-01",
        **{"parties-TOTAL_FORMS": 2},
    )
    data.update(row_data("parties", 0, organisation=world.provider.pk, role="signatory"))
    data.update(row_data("parties", 1, organisation=world.receiver.pk, role="signatory"))
    return page, data


def row_data(prefix, index, **fields):
    return {f"{prefix}-{index}-{name}": value for name, value in fields.items()}


class TestAgreementChangePage:
    def test_the_review_state_and_record_cannot_be_posted(self, superuser_client, world):
        agreement = make_agreement(world.park, review_state=State.DRAFT)
        page, data = change_page_data(superuser_client, agreement)

        response = superuser_client.post(
            page,
            {
                **data,
                "review_state": State.VERIFIED,
                "reviewed_by": world.official.pk,
                "review_comment": "Looks fine",
                "created_by": world.official.pk,
            },
        )

        assert response.status_code == 302
        agreement.refresh_from_db()
        assert agreement.review_state == State.DRAFT
        assert (agreement.reviewed_by, agreement.review_comment) == (None, "")
        assert not Agreement.objects.public().filter(pk=agreement.pk).exists()

    def test_a_stale_save_is_refused_with_the_staff_forms_message_and_changes_nothing(
        self, superuser_client, world
    ):
        agreement = make_agreement(
            world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
        )
        page, data = change_page_data(superuser_client, agreement)
        theirs = Agreement.objects.get(pk=agreement.pk)
        theirs.summary_en = "Their summary"
        theirs.save()
        data.update(title_en="Mine", **{"parties-TOTAL_FORMS": 3})
        data.update(row_data("parties", 2, organisation=world.witness.pk, role="witness"))
        data["parties-0-DELETE"] = "on"

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "Someone else saved this agreement after you opened it" in response.content.decode()
        agreement.refresh_from_db()
        assert (agreement.title_en, agreement.summary_en) == (theirs.title_en, "Their summary")
        assert agreement.version == theirs.version
        assert set(agreement.parties.values_list("organisation_id", flat=True)) == {
            world.provider.pk,
            world.receiver.pk,
        }

    def test_a_save_with_the_version_it_opened_on_goes_through_the_services(
        self, superuser_client, world
    ):
        admin_user = superuser_client.get(url(Agreement, "changelist")).context["user"]
        agreement = make_agreement(
            world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
        )
        page, data = change_page_data(superuser_client, agreement)
        data.update(title_en="Renamed", **{"parties-TOTAL_FORMS": 3})
        data.update(row_data("parties", 2, organisation=world.witness.pk, role="witness"))

        response = superuser_client.post(page, data)

        assert response.status_code == 302
        agreement.refresh_from_db()
        assert agreement.title_en == "Renamed"
        assert agreement.parties.count() == 3
        assert agreement.history.first().history_user == admin_user
        assert Party.history.get(organisation=world.witness).history_user == admin_user

    def test_the_page_carries_the_version_it_was_opened_on(self, superuser_client, world):
        agreement = make_agreement(world.park)

        content = superuser_client.get(url(Agreement, "change", agreement.pk)).content.decode()

        assert f'<input type="hidden" name="version" value="{agreement.version}"' in content

    def test_a_save_racing_another_after_the_checks_is_undone_and_said_not_logged(
        self, superuser_client, world, monkeypatch
    ):
        agreement = make_agreement(world.park, review_state=State.DRAFT)
        page, data = change_page_data(superuser_client, agreement)

        def racing(**arguments):
            raise services.EditConflict

        monkeypatch.setattr(services, "save_agreement", racing)
        response = superuser_client.post(page, {**data, "title_en": "Mine"}, follow=True)

        assert response.redirect_chain == [(page, 302)]
        assert messages_of(response) == [
            "Someone else saved this agreement at the same moment, so nothing is saved. "
            "Here is the current version: make your changes again."
        ]
        assert Agreement.objects.get(pk=agreement.pk).title_en == agreement.title_en
        assert not LogEntry.objects.exists()

    def test_changing_a_verified_agreement_makes_it_a_draft_again_and_says_so(
        self, superuser_client, world
    ):
        agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
        page, data = change_page_data(superuser_client, agreement)
        data["flows-0-quantity"] = "250"

        response = superuser_client.post(page, data, follow=True)

        assert (
            f"{agreement.reference} was verified: after this change it is a draft again"
            in " ".join(messages_of(response))
        )
        agreement.refresh_from_db()
        assert agreement.review_state == State.DRAFT
        assert not Agreement.objects.public().filter(pk=agreement.pk).exists()

    def test_saving_a_verified_agreement_unchanged_keeps_it_verified(self, superuser_client, world):
        agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
        version = agreement.version
        page, data = change_page_data(superuser_client, agreement)

        assert superuser_client.post(page, data).status_code == 302

        agreement.refresh_from_db()
        assert (agreement.review_state, agreement.version) == (State.VERIFIED, version)

    def test_an_agreement_added_in_the_admin_is_a_draft_created_by_whoever_added_it(
        self, superuser_client, world
    ):
        page, data = new_agreement_with_two_signatories(superuser_client, world)

        response = superuser_client.post(page, data)

        agreement = Agreement.objects.get(reference="HEZA/2024/07")
        assert response.status_code == 302
        assert response.url == url(Agreement, "changelist")
        assert agreement.review_state == State.DRAFT
        assert agreement.created_by.is_superuser
        assert agreement.parties.count() == 2

    def test_a_flow_added_between_organisations_that_are_not_parties_is_refused(
        self, superuser_client, world
    ):
        page, data = new_agreement_with_two_signatories(superuser_client, world)
        data["flows-TOTAL_FORMS"] = 1
        data.update(
            row_data(
                "flows",
                0,
                resource=world.resource.pk,
                provider=world.witness.pk,  # not a party
                receiver=world.receiver.pk,
                direction="one_way",
                period="yearly",
            )
        )

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "The provider must be a party to this agreement." in response.content.decode()
        assert not Agreement.objects.exists()

    def test_a_party_removed_while_a_flow_still_names_it_is_refused(self, superuser_client, world):
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver, world.witness],
            flows=[(world.resource, world.witness, world.receiver)],
            review_state=State.DRAFT,
        )
        page, data = change_page_data(superuser_client, agreement)
        witness_row = next(
            key.removesuffix("-organisation")
            for key, value in data.items()
            if key.startswith("parties-") and value == world.witness.pk
        )
        data[f"{witness_row}-DELETE"] = "on"

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "The provider must be a party to this agreement." in response.content.decode()
        assert agreement.parties.count() == 3

    def test_tampered_row_counts_are_refused_and_change_nothing(self, superuser_client, world):
        agreement = make_agreement(
            world.park, parties=[world.provider, world.receiver], review_state=State.DRAFT
        )
        page, data = change_page_data(superuser_client, agreement)
        data.update(title_en="Mine", **{"parties-INITIAL_FORMS": 0})

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "The rows sent do not match this page as it was opened" in (
            response.content.decode()
        )
        agreement.refresh_from_db()
        assert agreement.title_en != "Mine"
        assert agreement.parties.count() == 2

    def test_a_reserved_reference_word_is_refused(self, superuser_client, world):
        agreement = make_agreement(world.park, review_state=State.DRAFT)
        page, data = change_page_data(superuser_client, agreement)
        data["reference"] = "DEEPC/edit"

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "A reference cannot contain these words between slashes" in (
            response.content.decode()
        )
        assert Agreement.objects.get(pk=agreement.pk).reference == agreement.reference

    def test_a_submitted_agreement_is_not_edited_in_the_admin(self, superuser_client, world):
        agreement = make_agreement(world.park, review_state=State.SUBMITTED, title_en="Sent")
        page, data = change_page_data(superuser_client, agreement)
        data["title_en"] = "Edited while awaiting verification"

        response = superuser_client.post(page, data, follow=True)

        assert "awaiting verification" in response.content.decode()
        assert Agreement.objects.get(pk=agreement.pk).title_en == "Sent"

    def test_an_end_before_the_start_is_refused_in_the_staff_forms_words(
        self, superuser_client, world
    ):
        agreement = make_agreement(world.park, review_state=State.DRAFT)
        page, data = change_page_data(superuser_client, agreement)
        data["ends_on"] = "2020-01-01"

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "The end date cannot be before the start date." in response.content.decode()
        assert Agreement.objects.get(pk=agreement.pk).ends_on is None

    def test_a_public_document_added_to_a_verified_agreement_makes_it_a_draft_again(
        self, superuser_client, world
    ):
        agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
        page, data = change_page_data(superuser_client, agreement)
        data.update(
            {"documents-TOTAL_FORMS": 1, "documents-0-title": "Scan", "documents-0-is_public": "on"}
        )
        data["documents-0-file"] = SimpleUploadedFile("Signed.pdf", b"%PDF-1.7\n1 0 obj\n")

        response = superuser_client.post(page, data)

        assert response.status_code == 302
        document = agreement.documents.get()
        assert (document.original_name, document.content_type) == ("Signed.pdf", "application/pdf")
        assert document.uploaded_by.is_superuser
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.DRAFT

    def test_no_document_is_added_to_an_agreement_awaiting_verification(
        self, superuser_client, world
    ):
        agreement = submitted(world)
        page, data = change_page_data(superuser_client, agreement)
        data.update({"documents-TOTAL_FORMS": 1, "documents-0-title": "Scan"})
        data["documents-0-file"] = SimpleUploadedFile("Signed.pdf", b"%PDF-1.7\n1 0 obj\n")

        response = superuser_client.post(page, data)

        assert response.status_code == 200
        assert "This agreement is awaiting verification" in response.content.decode()
        assert not agreement.documents.exists()

    def test_an_old_version_cannot_be_brought_back_from_the_history(self, superuser_client, world):
        agreement = submitted(world)
        first = agreement.history.order_by("history_id").first()
        page = reverse(
            "admin:agreements_agreement_simple_history", args=[agreement.pk, first.history_id]
        )

        assert superuser_client.get(page).status_code == 200
        assert superuser_client.post(page, {"version": first.version}).status_code == 403
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED


def test_parties_and_flows_are_only_read_on_their_own_admin_pages(superuser_client, world):
    agreement = make_agreement(world.park, parties=[world.provider, world.receiver])
    party = agreement.parties.first()

    assert superuser_client.get(url(Party, "change", party.pk)).status_code == 200
    response = superuser_client.post(url(Party, "change", party.pk), {"role": "witness"})

    assert response.status_code == 403
    assert Party.objects.get(pk=party.pk).role == Party.Role.SIGNATORY


class TestOrganisationRules:
    def organisation_data(self, **fields):
        return {"kind": "company", "country": "VN", **fields}

    def test_the_admin_refuses_a_second_organisation_of_the_same_name(
        self, superuser_client, world
    ):
        response = superuser_client.post(
            url(Organisation, "add"),
            self.organisation_data(kind="agency", name_vi="CÔNG AN QUẬN HẢI AN", slug="police-2"),
        )

        assert response.status_code == 200
        assert (
            "Hai An District Police is already in the registry: choose it from the list."
            in response.content.decode()
        )
        assert not Organisation.objects.filter(slug="police-2").exists()

    def test_the_admin_refuses_a_level_for_a_company(self, superuser_client, world):
        response = superuser_client.post(
            url(Organisation, "add"),
            self.organisation_data(name_en="New Co", slug="new-co", level="national"),
        )

        assert response.status_code == 200
        assert "Only a government agency has a level." in response.content.decode()
        assert not Organisation.objects.filter(slug="new-co").exists()

    def test_an_organisation_is_saved_again_in_the_admin_under_its_own_name(
        self, superuser_client, world
    ):
        police = world.receiver
        data = self.organisation_data(
            kind="agency", name_en=police.name_en, name_vi=police.name_vi, slug=police.slug
        )

        response = superuser_client.post(
            url(Organisation, "change", police.pk),
            {**data, "level": "district", "vietnam_province": "Hải Phòng"},
        )

        assert response.status_code == 302
        assert Organisation.objects.get(pk=police.pk).province == "Hải Phòng"

    def test_an_agency_added_through_its_own_page_may_have_a_level(self, superuser_client, world):
        response = superuser_client.post(
            url(Agency, "add"),
            {
                "name_en": "Ninh Binh Authority",
                "slug": "nb",
                "level": "provincial",
                "country": "VN",
            },
        )

        assert response.status_code == 302
        assert Agency.objects.get(slug="nb").level == Organisation.Level.PROVINCIAL


class TestDeletedAccounts:
    def test_the_agreement_page_names_a_deleted_reviewer_creator_and_uploader_a_former_user(
        self, superuser_client, world
    ):
        agreement = submitted(world, created_by=world.staff)
        services.return_agreement(agreement=agreement, user=world.official, comment="Add it.")
        services.attach_document(
            agreement=agreement,
            title="Signed agreement",
            file=SimpleUploadedFile("signed.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            user=world.staff,
        )
        world.official.delete()
        world.staff.delete()

        # The agreement's reviewer, creator and document's uploader; the document's uploader.
        for page, named in (
            (url(Agreement, "change", agreement.pk), 3),
            (url(Document, "change", agreement.documents.get().pk), 1),
        ):
            response = superuser_client.get(page)

            assert response.status_code == 200
            assert response.content.decode().count("a former user") == named

    def test_nobody_is_named_where_nobody_acted(self, superuser_client, world):
        agreement = make_agreement(world.park, review_state=State.DRAFT)

        content = superuser_client.get(url(Agreement, "change", agreement.pk)).content.decode()

        assert "a former user" not in content
