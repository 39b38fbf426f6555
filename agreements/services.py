"""Changes to agreements that touch several rows or tell people: saving an agreement with its
parties and flows, attaching a document, submitting, verifying and returning.

Each function is keyword-only, runs in one transaction, locks the agreement's row while it
decides, records who did it and when, and sends its emails once the transaction commits.
Views check *who* may call them (``agreements.permissions``); these functions check that the
agreement is in a state that allows the step.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from agreements import permissions
from agreements.models import Agreement, Party

ReviewState = Agreement.ReviewState

# Notification emails go to people whose language the registry does not know: each is written
# in both, Vietnamese first.
EMAIL_LANGUAGES = ("vi", "en")


class EditConflict(Exception):
    """Someone saved the agreement after the form being saved was opened."""


class TransitionError(Exception):
    """The agreement is not in a state that allows this step; the message says why."""


def _lock(agreement):
    """The agreement's current row, locked until the transaction ends."""
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def _back_to_draft_if_verified(agreement):
    """A verified agreement that changes needs verifying again: the public pages show only
    what an official has verified."""
    if agreement.review_state == ReviewState.VERIFIED:
        agreement.review_state = ReviewState.DRAFT
        return True
    return False


def save_agreement(*, entry, user):
    """Save an agreement with its party and flow rows (a valid ``AgreementEntry``): all of it
    or nothing.

    Raises ``EditConflict`` (saving nothing) when the stored agreement is newer than the
    version the form was opened on. Returns the agreement and whether a verified agreement
    went back to draft.
    """
    form, parties, flows = entry.form, entry.parties, entry.flows
    with transaction.atomic():
        agreement = form.instance
        reverted = False
        if agreement.pk is None:
            agreement.created_by = user
            agreement.review_state = ReviewState.DRAFT
        else:
            current = _lock(agreement)
            if not form.is_current_version(form.cleaned_data.get("version")) or (
                current.version != agreement.version
            ):
                raise EditConflict
            agreement.review_state = current.review_state
            edited = set(form.changed_data) - {"version"}
            if not (edited or parties.has_changed() or flows.has_changed()):
                # Saved unchanged: nothing to store, and a verified agreement stays public.
                return current, False
            reverted = _back_to_draft_if_verified(agreement)
        agreement._history_user = user
        try:
            with transaction.atomic():
                agreement = form.save()
                parties.instance = flows.instance = agreement
                for formset in (parties, flows):
                    for row in formset.forms:
                        row.instance._history_user = user
                _save_parties(parties)
                flows.save()
        except IntegrityError as error:
            # Validation catches every rule first; this is another save racing this one
            # (e.g. the same new reference), and it must not become a server error.
            raise EditConflict from error
    return agreement, reverted


def _save_parties(parties):
    """Save the party rows so that organisations can move between rows (two rows swapping
    theirs, a removed row's organisation taken by another) without meeting the database's
    one-row-per-organisation rule halfway: removals first, and a row whose organisation
    changes is saved as the old party removed and a new one added."""
    rows = parties.save(commit=False)
    moved = {obj.pk for obj, fields in parties.changed_objects if "organisation" in fields}
    for obj in parties.deleted_objects:
        obj.delete()
    Party.objects.filter(pk__in=moved).delete()
    for obj in rows:
        if obj.pk in moved:
            obj.pk = None
            obj._state.adding = True
    for obj in sorted(rows, key=lambda row: row.pk is None):  # kept rows, then added ones
        obj.save()


def attach_document(*, agreement, form, user):
    """Save an uploaded document (a valid ``DocumentForm``) to an agreement. Returns the
    document and whether a verified agreement went back to draft: a public document changes
    what the public sees, an internal one does not."""
    with transaction.atomic():
        current = _lock(agreement)
        if not current.is_editable:
            raise TransitionError(
                _(
                    "This agreement is awaiting verification: documents can be added once an "
                    "official has verified or returned it."
                )
            )
        reverted = form.cleaned_data.get("is_public") and _back_to_draft_if_verified(current)
        if reverted:
            current._history_user = user
            current.save()
        document = form.save(commit=False)
        document.agreement = current
        document.uploaded_by = user
        document.save()
    agreement.refresh_from_db()
    return document, reverted


def completeness_problems(agreement):
    """Why an agreement cannot be verified yet (empty when it can)."""
    parties = list(agreement.parties.all())
    problems = []
    if len(parties) < 2:
        problems.append(_("It needs at least two parties."))
    if not any(party.role == party.Role.SIGNATORY for party in parties):
        problems.append(_("At least one party must be a signatory."))
    if not agreement.flows.exists():
        problems.append(
            _("It needs at least one resource flow: what is shared, by whom, with whom.")
        )
    return problems


def submit_agreement(*, agreement, user, base_url=""):
    """Send a draft or returned agreement to the officials for verification."""
    with transaction.atomic():
        current = _lock(agreement)
        if current.review_state not in {ReviewState.DRAFT, ReviewState.RETURNED}:
            raise TransitionError(_("Only a draft or a returned agreement can be submitted."))
        problems = completeness_problems(current)
        if problems:
            raise TransitionError(" ".join(str(problem) for problem in problems))
        current.review_state = ReviewState.SUBMITTED
        current.submitted_at = timezone.now()
        current._history_user = user
        current.save()
        _notify_on_commit(
            "submitted",
            agreement=current,
            actor=user,
            recipients=permissions.reviewers(current),
            base_url=base_url,
            link=reverse("agreements:review", kwargs={"reference": current.reference}),
        )
    return current


def verify_agreement(*, agreement, user, comment="", base_url=""):
    """Verify a submitted agreement: it becomes public."""
    with transaction.atomic():
        current = _lock(agreement)
        if current.review_state != ReviewState.SUBMITTED:
            raise TransitionError(_("Only a submitted agreement can be verified."))
        problems = completeness_problems(current)
        if problems:
            raise TransitionError(" ".join(str(problem) for problem in problems))
        _decide(current, user=user, state=ReviewState.VERIFIED, comment=comment)
        _notify_on_commit(
            "verified",
            agreement=current,
            actor=user,
            recipients=_staff_and_submitter(current),
            base_url=base_url,
            link=reverse("agreements:mine"),
        )
    return current


def return_agreement(*, agreement, user, comment, base_url=""):
    """Return a submitted agreement to the park staff, saying what needs changing."""
    comment = (comment or "").strip()
    if not comment:
        raise TransitionError(_("Say what needs changing before you return it."))
    with transaction.atomic():
        current = _lock(agreement)
        if current.review_state != ReviewState.SUBMITTED:
            raise TransitionError(_("Only a submitted agreement can be returned."))
        _decide(current, user=user, state=ReviewState.RETURNED, comment=comment)
        _notify_on_commit(
            "returned",
            agreement=current,
            actor=user,
            recipients=_staff_and_submitter(current),
            base_url=base_url,
            link=reverse("agreements:update", kwargs={"reference": current.reference}),
        )
    return current


def _decide(agreement, *, user, state, comment):
    agreement.review_state = state
    agreement.review_comment = comment
    agreement.reviewed_by = user
    agreement.reviewed_at = timezone.now()
    agreement._history_user = user
    agreement.save()


def _staff_and_submitter(agreement):
    """The park's staff and whoever last submitted the agreement (who may be an admin)."""
    users = {user.pk: user for user in permissions.park_staff(agreement)}
    submission = (
        agreement.history.filter(review_state=ReviewState.SUBMITTED)
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    if submission and submission.history_user and submission.history_user.is_active:
        users.setdefault(submission.history_user.pk, submission.history_user)
    return list(users.values())


def _notify_on_commit(event, *, agreement, actor, recipients, base_url, link):
    """Email each recipient (one message each: nobody sees the others' addresses) once the
    transaction commits, so that a rolled-back step tells nobody anything."""
    addresses = sorted({user.email for user in recipients if user.email and user != actor})
    if not addresses:
        return
    context = {
        "agreement": agreement,
        "actor": actor,
        "link": f"{base_url.rstrip('/')}{link}",
    }
    subject, body = render_bilingual_email(event, context)

    def send():
        messages = [
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            for address in addresses
        ]
        get_connection().send_messages(messages)

    transaction.on_commit(send)


def render_bilingual_email(event, context):
    """The subject and body of a notification in every ``EMAIL_LANGUAGES``: the subjects joined
    by " / ", the bodies one after the other, each with the names in its own language."""
    subjects, bodies = [], []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            subject = render_to_string(f"agreements/email/{event}_subject.txt", context)
            subjects.append(" ".join(subject.split()))
            bodies.append(render_to_string(f"agreements/email/{event}_body.txt", context).strip())
    return " / ".join(subjects), "\n\n---\n\n".join(bodies) + "\n"
