"""Changes to agreements that touch several rows or tell people: saving an agreement with its
parties and flows, attaching a document, submitting, verifying and returning; and setting a
resource's emission factor.

Each function is keyword-only, runs in one transaction, locks the agreement's row while it
decides, records who did it and when, and sends its emails once the transaction commits.
Views check *who* may call them (``agreements.permissions``); these functions check that the
agreement is in a state that allows the step.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from agreements import permissions, units
from agreements.documents import describe_upload
from agreements.models import (
    FIRST_FACTOR_YEAR,
    LAST_FACTOR_YEAR,
    Agreement,
    Document,
    EmissionFactor,
    Party,
    Resource,
    ResourceFlow,
)
from agreements.symbiosis_kinds import suggested_for
from parks.models import Organisation

ReviewState = Agreement.ReviewState

# What only the review steps change: the state and its record.
REVIEW_FIELDS = ("review_state", "review_comment", "submitted_at", "reviewed_at", "reviewed_by")
# Who confirmed its kind of symbiosis and when: set by verifying it, cleared when the kind changes.
KIND_CONFIRMATION_FIELDS = ("symbiosis_kind_confirmed_at", "symbiosis_kind_confirmed_by")
# What ``save_agreement`` sets: the agreement's own fields, but not who created it (whoever saves
# a new one) nor its review.
CONTENT_FIELDS = frozenset(
    field.name
    for field in Agreement._meta.concrete_fields
    if field.editable and not field.primary_key
) - {*REVIEW_FIELDS, *KIND_CONFIRMATION_FIELDS, "created_by"}
DOCUMENTS_AWAIT_VERIFICATION = _(
    "This agreement is awaiting verification: documents can be added once an official has "
    "verified or returned it."
)
EDITS_AWAIT_VERIFICATION = _(
    "This agreement is awaiting verification: it can be edited again once an official has "
    "verified or returned it."
)
# What the pages and the admin say of the steps, in the same words wherever they are taken.
BACK_TO_DRAFT = _(
    "%(reference)s was verified: after this change it is a draft again and leaves the public "
    "pages until an official verifies it. Submit it when it is ready."
)
REVIEWED_BY_OVERSEEING_OFFICIALS = _("Only the officials overseeing this park verify it.")
PARTY_FIELDS = (
    "organisation",
    "role",
    "representative_name",
    "representative_title_en",
    "representative_title_vi",
)
FLOW_FIELDS = (
    "resource",
    "provider",
    "receiver",
    "direction",
    "quantity",
    "unit",
    "period",
    "notes_en",
    "notes_vi",
    "made_from",
    "symbiosis_kind",
    "baseline_en",
    "baseline_vi",
    "claimed_by",
)

# Notification emails go in the language each recipient chose for their account (accounts'
# AccountSettings); to people who chose none, in both, Vietnamese first.
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


def save_agreement(*, agreement=None, values, parties, flows, version=None, user):
    """Save an agreement with its party and flow rows: all of it or nothing.

    ``agreement`` is the stored agreement, or None for a new one; ``values`` its fields (any
    of ``CONTENT_FIELDS``: its review state and record change only through the review steps);
    ``parties`` and ``flows`` every row it is to have, each a dict of ``PARTY_FIELDS`` or
    ``FLOW_FIELDS`` with the ``id`` of the stored row it keeps (none for a row to add): stored
    rows not listed are deleted. Relations are given as objects or primary keys. The values
    are cleaned ones, checked by the models' rules (``AgreementEntry``, the admin's forms, or
    ``full_clean``); the database refuses what slips through, and a row of another agreement or
    a flow whose provider or receiver is not among the parties saved raises ``ValueError``.

    Raises ``EditConflict`` (saving nothing) when the stored agreement is newer than
    ``version``, the version the edit started from, or when another save races this one.
    Returns the agreement and whether a verified agreement went back to draft.
    """
    unknown = set(values) - CONTENT_FIELDS
    if unknown:
        raise ValueError(f"save_agreement() cannot set {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if agreement is None:
            current = Agreement(created_by=user, review_state=ReviewState.DRAFT)
            stored_kind, stored_parties, stored_flows = None, {}, {}
            stored_park = None
            reverted = False
        else:
            current = _lock(agreement)
            stored_park = current.park_id
            if _version_number(version) != current.version:
                raise EditConflict
            if not current.is_editable:
                raise TransitionError(EDITS_AWAIT_VERIFICATION)
            stored_kind = current.symbiosis_kind
            stored_parties = {row.pk: row for row in current.parties.all()}
            stored_flows = {row.pk: row for row in current.flows.all()}
        party_plan = _RowPlan(Party, stored_parties, parties, moving="organisation")
        flow_plan = _RowPlan(ResourceFlow, stored_flows, flows)
        _check_flow_ends(party_plan, flow_plan)
        if agreement is not None:
            edited = [name for name, value in values.items() if not _same(current, name, value)]
            if not (edited or party_plan.changes or flow_plan.changes):
                # Saved unchanged: nothing to store, and a verified agreement stays public.
                return current, False
            reverted = _back_to_draft_if_verified(current)
        for name, value in values.items():
            _assign(current, name, value)
        _keep_kind_of_symbiosis(current, party_plan, flow_plan, stored=stored_kind)
        current._history_user = user
        if stored_park is not None:
            # Read with its row locked: the park it leaves if this save moves it elsewhere
            # (``reporting.figures`` takes it from here instead of reading it again).
            current._stored_park_id = stored_park
        try:
            current.save()
            party_plan.save(current, user=user)
            flow_plan.save(current, user=user)
        except IntegrityError as error:
            # Validation catches every rule first; this is another save racing this one
            # (e.g. the same new reference), and it must not become a server error. Leaving
            # the block above, the exception rolls back everything this save wrote.
            raise EditConflict from error
    return current, reverted


def _keep_kind_of_symbiosis(agreement, party_plan, flow_plan, *, stored):
    """Left blank, the agreement's kind of symbiosis is the suggested one
    (``agreements.symbiosis_kinds``, from the rows as saved: at most two queries); once it
    changes, or a flow's own kind does, an official has not confirmed it yet
    (``verify_agreement`` confirms it)."""
    if not agreement.symbiosis_kind:
        agreement.symbiosis_kind = suggested_for(
            kind=agreement.kind,
            park_id=agreement.park_id,
            resources=flow_plan.resulting("resource", objects=True),
            flow_ends=zip(
                flow_plan.resulting("provider", objects=True),
                flow_plan.resulting("receiver", objects=True),
                strict=True,
            ),
            signatories=[
                organisation
                for organisation, role in zip(
                    party_plan.resulting("organisation", objects=True),
                    party_plan.resulting("role"),
                    strict=True,
                )
                if role == Party.Role.SIGNATORY
            ],
        )
    flow_kind_changed = any(
        "symbiosis_kind" in values and not _same(row, "symbiosis_kind", values["symbiosis_kind"])
        for row, values in flow_plan.changed
    ) or any(values.get("symbiosis_kind") for values, _ in flow_plan.added)
    if agreement.symbiosis_kind != stored or flow_kind_changed:
        agreement.symbiosis_kind_confirmed_at = None
        agreement.symbiosis_kind_confirmed_by = None


def _check_flow_ends(party_plan, flow_plan):
    """Every flow's provider and receiver are parties of the agreement as it is saved: the rows
    were validated against the same rows (``AgreementRowsFormSet.kept_forms()``), so a flow
    that is not is a caller's error, and nothing is saved."""
    parties = set(party_plan.resulting("organisation"))
    ends = set(flow_plan.resulting("provider")) | set(flow_plan.resulting("receiver"))
    strangers = ends - parties - {None}
    if strangers:
        raise ValueError(
            f"Organisations {sorted(strangers)} are a flow's provider or receiver but not a party "
            "to the agreement"
        )


def _version_number(version):
    try:
        return int(version)
    except (TypeError, ValueError):
        return None


def _assign(obj, name, value):
    """Set a field from a value or, for a relation, an object or its primary key."""
    field = obj._meta.get_field(name)
    if field.is_relation and value is not None and not isinstance(value, models.Model):
        setattr(obj, field.attname, value)
    else:
        setattr(obj, name, value)


def _same(obj, name, value):
    """Whether a stored field already holds ``value``."""
    field = obj._meta.get_field(name)
    if isinstance(value, models.Model):
        value = value.pk
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    return getattr(obj, field.attname) == value


class _RowPlan:
    """What saving a list of rows does to the stored ones: ``removed`` (stored, not listed),
    ``changed`` (listed with other values: each row with the values to set) and ``added`` (the
    values of each new row, and the stored row it replaces, if any), in the order listed.

    A kept row whose ``moving`` field changes is planned as the stored row removed and a new
    one added: then organisations can move between party rows (two rows swapping theirs, a
    removed row's organisation taken by another) without meeting the database's
    one-row-per-organisation rule halfway, and the history shows the party that left.
    """

    def __init__(self, model, stored, rows, *, moving=None):
        self.model = model
        self.changed, self.added = [], []
        listed, kept = set(), set()
        for row in rows:
            values = {name: value for name, value in row.items() if name != "id"}
            pk = model._meta.pk.to_python(row["id"]) if row.get("id") else None
            if pk is None:
                self.added.append((values, None))
                continue
            if pk not in stored or pk in listed:
                raise ValueError(f"{model.__name__} {pk} is not a row of this agreement")
            listed.add(pk)
            old = stored[pk]
            edited = {name for name, value in values.items() if not _same(old, name, value)}
            if moving in edited:
                self.added.append((values, old))
            else:
                kept.add(pk)
                if edited:
                    self.changed.append((old, values))
        self.removed = [row for pk, row in stored.items() if pk not in kept]
        self.kept = [row for pk, row in stored.items() if pk in kept]

    @property
    def changes(self):
        return bool(self.removed or self.changed or self.added)

    def resulting(self, name, *, objects=False):
        """The value of field ``name`` (a primary key, for a relation; with ``objects``, the
        object where the row's values give one) in each row once saved."""
        field = self.model._meta.get_field(name)
        changes = {row.pk: values for row, values in self.changed}
        rows = [(row, changes.get(row.pk, {})) for row in self.kept]
        rows += [(replaced, values) for values, replaced in self.added]
        for old, values in rows:
            if name in values:
                value = values[name]
                if isinstance(value, models.Model):
                    if objects:
                        yield value
                        continue
                    value = value.pk
                yield None if value is None else field.to_python(value)
            else:
                yield None if old is None else getattr(old, field.attname)

    def save(self, agreement, *, user):
        """Removals first, then the kept rows, then the added ones."""
        for row in self.removed:
            row._history_user = user
            row.delete()
        for row, values in self.changed:
            self._write(row, values, user=user)
        for values, replaced in self.added:
            row = self.model(agreement=agreement)
            if replaced is not None:  # what the row's values leave out stays as it was
                for field in self.model._meta.concrete_fields:
                    if not field.primary_key and field.name != "agreement":
                        setattr(row, field.attname, getattr(replaced, field.attname))
            self._write(row, values, user=user)

    @staticmethod
    def _write(row, values, *, user):
        for name, value in values.items():
            _assign(row, name, value)
        row._history_user = user
        row.save()


def attach_document(*, agreement, title, file, is_public=False, original_name="", user):
    """Attach an uploaded document to an agreement. Its content and size are checked
    (``agreements.documents.describe_upload``) and its type and size recorded; the name the
    user gave the file is ``original_name`` (by default the file's own). Returns the document
    and whether a verified agreement went back to draft: a public document changes what the
    public sees, an internal one does not."""
    upload = describe_upload(file)
    with transaction.atomic():
        current = _lock(agreement)
        if not current.is_editable:
            raise TransitionError(DOCUMENTS_AWAIT_VERIFICATION)
        reverted = is_public and _back_to_draft_if_verified(current)
        if reverted:
            current._history_user = user
            current.save()
        document = Document.objects.create(
            agreement=current,
            title=title,
            file=file,
            is_public=is_public,
            original_name=original_name or upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=user,
        )
    agreement.refresh_from_db()
    return document, bool(reverted)


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


@dataclass
class Proposals:
    """Resources and organisations proposed by park staff and not yet confirmed."""

    resources: list
    organisations: list

    def __iter__(self):
        yield from self.resources
        yield from self.organisations

    def __len__(self):
        return len(self.resources) + len(self.organisations)


def proposals_of(agreement):
    """The unconfirmed resources its flows share and organisations its parties are (staff's
    proposals, ``symbiosis.confirmation``): what an official reviews with it. Two queries."""
    return Proposals(
        resources=list(
            Resource.objects.unconfirmed()
            .filter(pk__in=agreement.flows.values("resource_id"))
            .select_related("proposed_by", "proposed_for_park")
        ),
        organisations=list(
            Organisation.objects.unconfirmed()
            .filter(pk__in=agreement.parties.values("organisation_id"))
            .select_related("park", "proposed_by")
        ),
    )


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
        # Its kind of symbiosis, as staff left it, is confirmed by the official verifying it.
        current.symbiosis_kind_confirmed_at = timezone.now()
        current.symbiosis_kind_confirmed_by = user
        _decide(current, user=user, state=ReviewState.VERIFIED, comment=comment)
        # What staff proposed with it is public with it, confirmed by the same official.
        for proposal in proposals_of(current):
            proposal.confirm(by=user)
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
    transaction commits, so that a rolled-back step tells nobody anything. Each is in the
    language its recipient chose for their account, in both when they chose none: one query
    for every recipient's language, one rendering per language."""
    people = {user.pk: user.email for user in recipients if user.email and user != actor}
    if not people:
        return
    context = {
        "agreement": agreement,
        "actor": actor,
        "link": f"{base_url.rstrip('/')}{link}",
    }
    chosen = dict(
        get_user_model()
        .objects.filter(pk__in=people, account_settings__language__in=EMAIL_LANGUAGES)
        .values_list("pk", "account_settings__language")
    )
    by_language = {}
    for pk, address in people.items():
        by_language.setdefault(chosen.get(pk, ""), set()).add(address)
    emails = []
    for language, addresses in sorted(by_language.items()):
        subject, body = (
            render_email(event, context, language)
            if language
            else render_bilingual_email(event, context)
        )
        emails += [(subject, body, address) for address in sorted(addresses)]

    def send():
        messages = [
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            for subject, body, address in emails
        ]
        get_connection().send_messages(messages)

    transaction.on_commit(send)


def render_email(event, context, language):
    """The subject and body of a notification in one language."""
    with translation.override(language):
        subject = render_to_string(f"agreements/email/{event}_subject.txt", context)
        body = render_to_string(f"agreements/email/{event}_body.txt", context).strip()
    return " ".join(subject.split()), body + "\n"


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


# Emission factors

# The decimals a resource keeps its emission factor in (``Resource.emission_factor``).
FACTOR_PLACES = Decimal("0.0001")
# How far a factor restated per the resource's unit may stray from the factor as set, at most,
# by keeping four decimals: one part in 10,000 (138.8889 kg per GJ for 500 kg per MWh).
FACTOR_TOLERANCE = Decimal("0.0001")
# The largest factor a resource keeps (12 digits, four of them decimals).
LARGEST_FACTOR = Decimal("99999999.9999")


def restated_factor(value, unit, into):
    """``value`` kg CO2e per ``unit`` restated per ``into`` (a unit of the same dimension), to the
    decimals a resource keeps (0.681 kg per kWh is 681 kg per MWh)."""
    return units.convert(Decimal(value), into, unit).quantize(FACTOR_PLACES)


def restating_error(value, unit, into):
    """Why ``value`` kg CO2e per ``unit`` cannot be kept per ``into``, or None when it can: the
    units are of two dimensions, or four decimals would change it by more than
    ``FACTOR_TOLERANCE`` (0.00025 kg per kWh for 0.25 kg per MWh)."""
    if not units.convertible(unit, into):
        return _("A factor per %(unit)s cannot apply to a resource measured in %(into)s.") % {
            "unit": units.label(unit),
            "into": units.label(into),
        }
    exact = units.convert(Decimal(value), into, unit)
    if exact > LARGEST_FACTOR:
        return _(
            "Per %(into)s, the unit this resource is measured in, this factor is too large to "
            "be kept: check the value and its unit."
        ) % {"into": units.label(into)}
    if exact and abs(restated_factor(value, unit, into) - exact) > exact * FACTOR_TOLERANCE:
        return _(
            "Per %(into)s, the unit this resource is measured in, this factor needs more than "
            "four decimals: give it per a smaller unit of this resource's dimension."
        ) % {"into": units.label(into)}
    return None


def set_emission_factor(*, resource, value, unit, source, year, by):
    """Give ``resource`` a new emission factor: ``value`` kg CO2e avoided per ``unit`` (a unit of
    the resource's dimension), published by ``source`` in ``year``, set by ``by``. Adds a row to
    the resource's factors (the earlier ones stay as its history) and makes it the current one,
    restated per the resource's unit for the impact figures. Raises ValidationError (by field)
    for a negative value, no source, a year out of range, a unit of another dimension or a
    factor four decimals cannot keep per the resource's unit, and then saves nothing."""
    errors = {}
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError):
        errors["value"] = _("Give the factor as a number.")
    else:
        if not value.is_finite() or value < 0:
            errors["value"] = _("An emission factor cannot be negative.")
        elif value != value.quantize(FACTOR_PLACES) or value > LARGEST_FACTOR:
            errors["value"] = _(
                "Give the factor with at most four decimals, below 100,000,000 kg per unit."
            )
    if unit not in units.Unit.values:
        errors["unit"] = _("Choose a unit from the list.")
    source = (source or "").strip()
    if not source:
        errors["source"] = _("Say where this factor comes from.")
    if year is not None and not FIRST_FACTOR_YEAR <= year <= LAST_FACTOR_YEAR:
        errors["year"] = _("Give a year between %(first)s and %(last)s.") % {
            "first": FIRST_FACTOR_YEAR,
            "last": LAST_FACTOR_YEAR,
        }
    with transaction.atomic():
        # Its unit as it is now, and no other change to its factor in between.
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if not errors.keys() & {"value", "unit"} and (
            problem := restating_error(value, unit, resource.unit)
        ):
            errors["unit"] = problem
        if errors:
            raise ValidationError(errors)
        factor = EmissionFactor.objects.create(
            resource=resource, value=value, unit=unit, source=source, year=year, set_by=by
        )
        resource.emission_factor = restated_factor(value, unit, resource.unit)
        resource.emission_factor_source = source
        resource.current_factor = factor
        resource.save(update_fields=["emission_factor", "emission_factor_source", "current_factor"])
    return factor
