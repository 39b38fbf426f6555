"""Saving, submitting, verifying and returning agreements: all or nothing, recorded with who and
when, and told by email to whom it concerns once it is committed."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from agreements import services
from agreements.documents import DocumentForm
from agreements.forms import AgreementEntry
from agreements.models import Agreement, Party, ResourceFlow
from agreements.reporting.figures import PendingChanges
from symbiosis import caching
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_park_staff

pytestmark = pytest.mark.django_db
State = Agreement.ReviewState


@pytest.fixture
def world(db):
    return make_world()


def valid_entry(world, *, instance=None, data=None, user=None):
    data = data or new_agreement_data(
        park=world.park,
        parties=[party(world.provider), party(world.receiver), party(world.witness, "witness")],
        flows=[flow(world.resource, world.provider, world.receiver, direction="mutual")],
    )
    entry = AgreementEntry(user=user or world.staff, instance=instance, data=data)
    assert entry.is_valid(), (entry.form.errors, entry.parties.errors, entry.flows.errors)
    return entry


def save(entry, *, user):
    """Save a valid entry the way the staff page does."""
    return services.save_agreement(**entry.cleaned_data_for_service(), user=user)


def draft(world, **fields):
    fields.setdefault("review_state", State.DRAFT)
    return make_agreement(world.park, parties=[world.provider, world.receiver], **fields)


class TestSaveAgreement:
    def test_a_new_agreement_is_saved_with_its_parties_and_flows_as_a_draft(self, world):
        agreement, reverted = save(valid_entry(world), user=world.staff)

        agreement.refresh_from_db()
        assert agreement.review_state == State.DRAFT
        assert agreement.created_by == world.staff
        assert agreement.parties.count() == 3
        assert agreement.flows.get().direction == ResourceFlow.Direction.MUTUAL
        assert not reverted

    def test_who_saved_is_recorded_in_the_history(self, world):
        agreement, _ = save(valid_entry(world), user=world.staff)

        assert agreement.history.get().history_user == world.staff
        assert {record.history_user for record in Party.history.all()} == {world.staff}

    def test_an_edit_bumps_the_version(self, world):
        agreement = draft(world)
        version = agreement.version
        data = edit_data(agreement, title_en="Renamed")

        save(valid_entry(world, instance=agreement, data=data), user=world.staff)

        agreement.refresh_from_db()
        assert (agreement.title_en, agreement.version) == ("Renamed", version + 1)

    def test_changing_a_verified_agreement_makes_it_a_draft_again(self, world):
        agreement = draft(world, review_state=State.VERIFIED)
        data = edit_data(agreement, title_en="Renamed")

        agreement, reverted = save(
            valid_entry(world, instance=agreement, data=data), user=world.staff
        )

        assert reverted
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.DRAFT
        assert not Agreement.objects.public().filter(pk=agreement.pk).exists()

    def test_a_save_racing_another_is_a_conflict_and_changes_nothing(self, world):
        agreement = draft(world, title_en="Original")
        entry = valid_entry(
            world,
            instance=agreement,
            data=edit_data(
                agreement, title_en="Mine", extra_parties=[party(world.witness, "witness")]
            ),
        )
        # Someone else saves between this form's validation and its save.
        theirs = Agreement.objects.get(pk=agreement.pk)
        theirs.title_en = "Theirs"
        theirs.save()

        with pytest.raises(services.EditConflict):
            save(entry, user=world.staff)

        agreement.refresh_from_db()
        assert agreement.title_en == "Theirs"
        assert agreement.parties.count() == 2

    def test_a_new_agreement_racing_another_for_its_reference_saves_nothing(self, world):
        entry = valid_entry(world)
        make_agreement(world.other_park, reference="DEEPC-2024-001")

        with pytest.raises(services.EditConflict):
            save(entry, user=world.staff)

        assert Agreement.objects.count() == 1
        assert not Party.objects.filter(organisation=world.witness).exists()


def party_rows(agreement):
    return [
        {
            "id": row.pk,
            "organisation": row.organisation,
            "role": row.role,
            "representative_name": row.representative_name,
            "representative_title_en": row.representative_title_en,
            "representative_title_vi": row.representative_title_vi,
        }
        for row in agreement.parties.order_by("pk")
    ]


def flow_rows(agreement):
    return [
        {
            "id": row.pk,
            "resource": row.resource_id,
            "provider": row.provider_id,
            "receiver": row.receiver_id,
            "direction": row.direction,
            "quantity": row.quantity,
            "period": row.period,
            "notes_en": row.notes_en,
            "notes_vi": row.notes_vi,
        }
        for row in agreement.flows.order_by("pk")
    ]


class TestSaveAgreementWithPlainData:
    """What an import, a command or the admin hands over: values, not forms."""

    def values(self, world, **changes):
        return {
            "reference": "HEZA/2024/07",
            "park": world.park,
            "kind": Agreement.Kind.INDUSTRIAL,
            "title_en": "Shared steam",
            "starts_on": datetime.date(2024, 3, 1),
            **changes,
        }

    def test_a_new_agreement_is_saved_from_values_and_rows_as_a_draft(self, world):
        agreement, reverted = services.save_agreement(
            values=self.values(world),
            parties=[
                {"organisation": world.provider, "role": Party.Role.SIGNATORY},
                # Relations may be given by their primary key.
                {"organisation": world.receiver.pk, "representative_name": "Mr Hai"},
            ],
            flows=[
                {
                    "resource": world.resource.pk,
                    "provider": world.provider,
                    "receiver": world.receiver,
                    "quantity": Decimal("120.5"),
                }
            ],
            user=world.staff,
        )

        agreement.refresh_from_db()
        assert (agreement.reference, agreement.review_state) == ("HEZA/2024/07", State.DRAFT)
        assert (agreement.created_by, agreement.version, reverted) == (world.staff, 1, False)
        assert sorted(agreement.parties.values_list("organisation_id", "role")) == sorted(
            [(world.provider.pk, "signatory"), (world.receiver.pk, "signatory")]
        )
        assert agreement.flows.get().quantity == Decimal("120.5")
        for model in (Agreement, Party, ResourceFlow):
            assert {record.history_user for record in model.history.all()} == {world.staff}

    def test_an_edit_keeps_changes_removes_and_adds_party_rows_as_listed(self, world):
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver, world.agency],
            flows=[],
            review_state=State.DRAFT,
        )
        kept, changed, _removed = party_rows(agreement)
        changed = {**changed, "role": Party.Role.WITNESS, "representative_name": "Ms Lan"}
        last_record = Party.history.latest("history_id").history_id

        services.save_agreement(
            agreement=agreement,
            values={},
            parties=[kept, changed, {"organisation": world.witness, "role": "facilitator"}],
            flows=[
                {"resource": world.resource, "provider": world.provider, "receiver": world.witness}
            ],
            version=agreement.version,
            user=world.staff,
        )

        rows = {row.organisation_id: row for row in agreement.parties.all()}
        assert set(rows) == {world.provider.pk, world.receiver.pk, world.witness.pk}
        assert rows[world.provider.pk].pk == kept["id"]
        assert (rows[world.receiver.pk].pk, rows[world.receiver.pk].role) == (
            changed["id"],
            Party.Role.WITNESS,
        )
        assert rows[world.receiver.pk].representative_name == "Ms Lan"
        assert rows[world.witness.pk].role == Party.Role.FACILITATOR
        assert agreement.flows.get().receiver == world.witness
        # Only the rows written have history: the changed, removed and added ones, by the user.
        written = Party.history.filter(history_id__gt=last_record)
        assert sorted(written.values_list("history_type", "organisation_id")) == sorted(
            [("~", world.receiver.pk), ("-", world.agency.pk), ("+", world.witness.pk)]
        )
        assert {record.history_user for record in written} == {world.staff}

    def test_two_party_rows_may_swap_their_organisations(self, world):
        agreement = draft(world)
        first, second = party_rows(agreement)
        first["organisation"], second["organisation"] = (
            second["organisation"],
            first["organisation"],
        )
        first["representative_title_en"] = "Director"

        services.save_agreement(
            agreement=agreement,
            values={},
            parties=[first, second],
            flows=flow_rows(agreement),
            version=agreement.version,
            user=world.staff,
        )

        rows = {row.organisation_id: row for row in agreement.parties.all()}
        assert set(rows) == {world.provider.pk, world.receiver.pk}
        assert rows[world.receiver.pk].representative_title_en == "Director"
        # The parties that left are in the history as they were, by the user.
        left = Party.history.filter(history_type="-")
        assert sorted(left.values_list("organisation_id", flat=True)) == sorted(
            [world.provider.pk, world.receiver.pk]
        )
        assert {record.history_user for record in left} == {world.staff}

    def test_an_edit_started_on_an_older_version_is_a_conflict_and_saves_nothing(self, world):
        agreement = draft(world, title_en="Original")
        opened_on = agreement.version
        Agreement.objects.get(pk=agreement.pk).save()  # someone else saves meanwhile

        with pytest.raises(services.EditConflict):
            services.save_agreement(
                agreement=agreement,
                values={"title_en": "Mine"},
                parties=party_rows(agreement)[:1],
                flows=[],
                version=opened_on,
                user=world.staff,
            )

        agreement.refresh_from_db()
        assert agreement.title_en == "Original"
        assert (agreement.parties.count(), agreement.flows.count()) == (2, 1)

    def test_an_edit_without_the_version_it_started_from_is_a_conflict(self, world):
        agreement = draft(world)

        with pytest.raises(services.EditConflict):
            services.save_agreement(
                agreement=agreement, values={"title_en": "Mine"}, parties=[], flows=[], user=None
            )

        assert agreement.parties.count() == 2

    def test_an_agreement_awaiting_verification_is_not_edited_whoever_saves_it(self, world):
        agreement = draft(world, title_en="As submitted", review_state=State.SUBMITTED)

        with pytest.raises(services.TransitionError, match="awaiting verification"):
            services.save_agreement(
                agreement=agreement,
                values={"title_en": "Changed under the official's eyes"},
                parties=party_rows(agreement),
                flows=flow_rows(agreement),
                version=agreement.version,
                user=world.staff,
            )

        agreement.refresh_from_db()
        assert (agreement.title_en, agreement.review_state) == ("As submitted", State.SUBMITTED)

    def test_saved_unchanged_a_verified_agreement_stays_verified(self, world):
        agreement = draft(world, review_state=State.VERIFIED)
        version = agreement.version

        saved, reverted = services.save_agreement(
            agreement=agreement,
            values={"title_en": agreement.title_en, "park": agreement.park_id},
            parties=party_rows(agreement),
            flows=flow_rows(agreement),
            version=version,
            user=world.staff,
        )

        assert (saved.review_state, saved.version, reverted) == (State.VERIFIED, version, False)

    def test_a_verified_agreement_whose_flow_changes_goes_back_to_draft(self, world):
        agreement = draft(world, review_state=State.VERIFIED)
        flows = flow_rows(agreement)
        flows[0]["quantity"] = Decimal("3")

        saved, reverted = services.save_agreement(
            agreement=agreement,
            values={},
            parties=party_rows(agreement),
            flows=flows,
            version=agreement.version,
            user=world.staff,
        )

        assert reverted
        assert Agreement.objects.get(pk=agreement.pk).review_state == State.DRAFT
        assert saved.flows.get().quantity == Decimal("3")

    @pytest.mark.parametrize("field", ["review_state", "reviewed_by", "created_by", "version"])
    def test_the_review_and_its_record_are_not_values_to_save(self, world, field):
        agreement = draft(world)

        with pytest.raises(ValueError, match=field):
            services.save_agreement(
                agreement=agreement,
                values={field: None},
                parties=party_rows(agreement),
                flows=flow_rows(agreement),
                version=agreement.version,
                user=world.staff,
            )

    def test_a_flow_whose_end_is_not_among_the_parties_saved_is_never_saved(self, world):
        # Whatever checked the rows before (a page, the admin, an import), the parties the
        # agreement ends up with are those its flows' ends are checked against.
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver, world.witness],
            flows=[(world.resource, world.witness, world.receiver)],
            review_state=State.DRAFT,
        )
        parties = [row for row in party_rows(agreement) if row["organisation"] != world.witness]

        with pytest.raises(ValueError, match="not a party"):
            services.save_agreement(
                agreement=agreement,
                values={},
                parties=parties,
                flows=flow_rows(agreement),
                version=agreement.version,
                user=world.staff,
            )
        with pytest.raises(ValueError, match="not a party"):
            services.save_agreement(
                values=self.values(world),
                parties=[{"organisation": world.provider}, {"organisation": world.receiver}],
                flows=[
                    {
                        "resource": world.resource,
                        "provider": world.witness.pk,
                        "receiver": world.receiver,
                    }
                ],
                user=world.staff,
            )

        assert agreement.parties.count() == 3
        assert Agreement.objects.count() == 1

    def test_a_row_of_another_agreement_cannot_be_kept(self, world):
        agreement, other = draft(world), draft(world)

        with pytest.raises(ValueError, match="not a row of this agreement"):
            services.save_agreement(
                agreement=agreement,
                values={},
                parties=party_rows(other),
                flows=[],
                version=agreement.version,
                user=world.staff,
            )

        assert agreement.parties.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
)
def test_of_two_saves_at_the_same_moment_one_wins_and_the_other_is_a_conflict(world):
    """Both forms pass validation on the same version; the row lock makes the second wait
    for the first, then see the new version."""
    agreement = draft(world, title_en="Original")
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def edit(title):
        try:
            entry = valid_entry(
                world,
                instance=Agreement.objects.get(pk=agreement.pk),
                data=edit_data(agreement, title_en=title),
            )
            barrier.wait()
            save(entry, user=world.staff)
            results[title] = "saved"
        except services.EditConflict:
            results[title] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(title,)) for title in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == ["conflict", "saved"]
    winner = next(title for title, result in results.items() if result == "saved")
    agreement.refresh_from_db()
    assert (agreement.title_en, agreement.version) == (winner, 2)


class TestSubmit:
    def test_submitting_records_when_and_tells_the_officials_overseeing_the_park(
        self, world, django_capture_on_commit_callbacks
    ):
        agreement = draft(world)

        with django_capture_on_commit_callbacks(execute=True):
            services.submit_agreement(
                agreement=agreement, user=world.staff, base_url="https://registry.example"
            )

        agreement.refresh_from_db()
        assert agreement.review_state == State.SUBMITTED
        assert agreement.submitted_at is not None
        assert agreement.history.first().history_user == world.staff
        recipients = sorted(address for message in mail.outbox for address in message.to)
        assert recipients == [world.official.email, world.national_official.email]
        message = mail.outbox[0]
        # In Vietnamese, then in English: the registry does not know the reader's language.
        assert message.subject.endswith(f" / {agreement.reference} awaits your verification")
        assert f"https://registry.example/agreements/{agreement.reference}/review/" in message.body

    def test_nobody_is_told_when_the_transaction_does_not_commit(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.submit_agreement(agreement=draft(world), user=world.staff)

        emails = [
            c for c in callbacks if c is not caching._move_on and not isinstance(c, PendingChanges)
        ]
        assert len(emails) == 1
        assert mail.outbox == []

    def test_an_agreement_without_a_flow_cannot_be_submitted(self, world):
        agreement = make_agreement(
            world.park, parties=[world.provider, world.receiver], flows=[], review_state="draft"
        )

        with pytest.raises(services.TransitionError, match="at least one resource flow"):
            services.submit_agreement(agreement=agreement, user=world.staff)

        agreement.refresh_from_db()
        assert agreement.review_state == State.DRAFT

    @pytest.mark.parametrize("state", [State.SUBMITTED, State.VERIFIED])
    def test_only_a_draft_or_returned_agreement_can_be_submitted(self, world, state):
        with pytest.raises(services.TransitionError):
            services.submit_agreement(agreement=draft(world, review_state=state), user=world.staff)

    def test_a_returned_agreement_can_be_submitted_again(self, world):
        agreement = draft(world, review_state=State.RETURNED, review_comment="Add the date")

        services.submit_agreement(agreement=agreement, user=world.staff)

        assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED


class TestReview:
    def test_verifying_records_who_and_when_and_tells_the_park_staff_and_submitter(
        self, world, django_capture_on_commit_callbacks
    ):
        colleague = make_park_staff(world.park)
        agreement = draft(world)
        services.submit_agreement(agreement=agreement, user=world.admin)

        with django_capture_on_commit_callbacks(execute=True):
            services.verify_agreement(agreement=agreement, user=world.official)

        agreement.refresh_from_db()
        assert agreement.review_state == State.VERIFIED
        assert agreement.reviewed_by == world.official
        assert agreement.reviewed_at is not None
        assert Agreement.objects.public().filter(pk=agreement.pk).exists()
        recipients = sorted(address for message in mail.outbox for address in message.to)
        assert recipients == sorted([world.staff.email, colleague.email, world.admin.email])
        assert mail.outbox[0].subject.endswith(f" / {agreement.reference} is verified")

    def test_returning_records_the_comment_and_tells_the_park_staff(
        self, world, django_capture_on_commit_callbacks
    ):
        agreement = draft(world, review_state=State.SUBMITTED)

        with django_capture_on_commit_callbacks(execute=True):
            services.return_agreement(
                agreement=agreement, user=world.official, comment="Add the signing date."
            )

        agreement.refresh_from_db()
        assert agreement.review_state == State.RETURNED
        assert agreement.review_comment == "Add the signing date."
        assert agreement.reviewed_by == world.official
        assert [message.to for message in mail.outbox] == [[world.staff.email]]
        assert "Add the signing date." in mail.outbox[0].body

    def test_returning_without_a_comment_is_refused(self, world):
        agreement = draft(world, review_state=State.SUBMITTED)

        with pytest.raises(services.TransitionError, match="Say what needs changing"):
            services.return_agreement(agreement=agreement, user=world.official, comment=" ")

        assert Agreement.objects.get(pk=agreement.pk).review_state == State.SUBMITTED

    @pytest.mark.parametrize("state", [State.DRAFT, State.RETURNED, State.VERIFIED])
    def test_only_a_submitted_agreement_is_verified_or_returned(self, world, state):
        agreement = draft(world, review_state=state)

        with pytest.raises(services.TransitionError):
            services.verify_agreement(agreement=agreement, user=world.official)
        with pytest.raises(services.TransitionError):
            services.return_agreement(agreement=agreement, user=world.official, comment="No")


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


class TestAttachDocument:
    def attach(self, agreement, user, **fields):
        fields = {
            "title": "Signed agreement",
            "file": SimpleUploadedFile("scan.pdf", PDF),
            **fields,
        }
        return services.attach_document(agreement=agreement, **fields, user=user)

    def test_a_document_is_attached_with_who_uploaded_it_and_what_it_is(self, world):
        agreement = draft(world)

        document, reverted = self.attach(agreement, world.staff)

        assert document.agreement == agreement
        assert document.uploaded_by == world.staff
        assert (document.original_name, document.content_type, document.size) == (
            "scan.pdf",
            "application/pdf",
            len(PDF),
        )
        assert document.file.name.endswith(".pdf")
        assert not reverted

    def test_the_upload_pages_form_gives_the_services_arguments(self, world):
        upload = SimpleUploadedFile("Signed 2023.PDF", PDF)
        form = DocumentForm({"title": ""}, {"file": upload})
        assert form.is_valid(), form.errors

        document, _ = services.attach_document(
            agreement=draft(world), **form.cleaned_data_for_service(), user=world.staff
        )

        assert (document.title, document.original_name) == ("Signed 2023", "Signed 2023.PDF")
        assert not document.is_public

    def test_a_file_that_is_not_a_document_is_refused_whoever_attaches_it(self, world):
        agreement = draft(world)

        with pytest.raises(ValidationError, match="not a PDF, PNG or JPEG"):
            self.attach(agreement, world.staff, file=SimpleUploadedFile("a.pdf", b"MZ\x90\x00"))

        assert not agreement.documents.exists()

    def test_a_document_added_to_a_verified_agreement_makes_it_a_draft_again(self, world):
        agreement = draft(world, review_state=State.VERIFIED)

        _, reverted = self.attach(agreement, world.staff, is_public=True)

        assert reverted
        assert agreement.review_state == State.DRAFT
        assert agreement.history.first().history_user == world.staff

    def test_an_internal_document_leaves_a_verified_agreement_public(self, world):
        agreement = draft(world, review_state=State.VERIFIED)

        _, reverted = self.attach(agreement, world.staff)

        assert not reverted
        assert agreement.review_state == State.VERIFIED

    def test_no_document_joins_an_agreement_submitted_meanwhile(self, world):
        agreement = draft(world)
        Agreement.objects.filter(pk=agreement.pk).update(review_state=State.SUBMITTED)

        with pytest.raises(services.TransitionError, match="awaiting verification"):
            self.attach(agreement, world.staff)

        assert not agreement.documents.exists()
