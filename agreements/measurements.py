"""Measured quantities (``ReportedQuantity``): what was actually shared along a verified
agreement's flows, year by year or month by month, reported by its park's staff and accepted or
returned by the officials over the park.

Each function is keyword-only and runs in one transaction that locks the agreement's row while
it decides, so two figures for one year cannot slip past each other's checks. Bad input raises
``ValidationError`` (by field, in the user's language); a user who may not take the step
``PermissionDenied`` (the views ask ``agreements.permissions`` first). Every committed change
moves the park's kept dashboard figures and the cached pages on (the model signals connected
in ``agreements/apps.py`` and ``agreements/reporting/figures.py``).

The rules:
- a figure is for a flow of a verified agreement of one of the user's parks;
- its unit is of the dimension of the flow's resource (``agreements.units.convertible``);
- its year is not after this year, its month (if any) not after this month;
- a year is reported whole or month by month, never both, and each period once;
- its evidence is a document of the same agreement;
- a new or corrected figure awaits review; an accepted one is public, and a corrected one
  leaves the public pages until it is accepted again.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements import permissions, units
from agreements.models import Agreement, ReportedQuantity

State = ReportedQuantity.ReviewState

NOT_VERIFIED = _(
    "Measured quantities are reported once the agreement is verified: %(reference)s is %(state)s."
)
NOT_YOUR_PARK = _("Only the park's staff report the quantities of its agreements.")
REVIEWED_BY_OVERSEEING_OFFICIALS = _(
    "Only the officials overseeing this park accept or return its measured quantities."
)
YEAR_RANGE = _("Give a year from 1900 to 2100.")
YEAR_AHEAD = _("%(year)s is not over yet: give this year or an earlier one.")
MONTH_RANGE = _("A month is from 1 to 12.")
MONTH_AHEAD = _("That month has not begun yet: give this month or an earlier one.")
NEGATIVE = _("The quantity cannot be negative.")
WRONG_UNIT = _("%(resource)s is measured in %(dimension)s: give the quantity in %(units)s.")
UNKNOWN_UNIT = _("Choose a unit from the list.")
WHOLE_YEAR_TAKEN = _(
    "%(year)s has a figure for the whole year: a year is reported whole or month by month, "
    "not both. Correct the year's figure instead."
)
MONTHS_TAKEN = _(
    "%(year)s is reported month by month: a year is reported whole or month by month, not "
    "both. Correct its months instead."
)
YEAR_TAKEN = _("This flow already has a figure for %(year)s: correct it instead.")
MONTH_TAKEN = _("This flow already has a figure for %(period)s: correct it instead.")
EVIDENCE_ELSEWHERE = _("The evidence must be a document of this agreement.")
NOT_AWAITING_REVIEW = _("The figure for %(period)s is not awaiting review (it is %(state)s).")
NOTHING_CHOSEN = _("Choose at least one figure.")
COMMENT_NEEDED = _("Say what needs correcting before you return it.")


def period_label(year, month):
    """ "2024" for a whole year, "03/2024" for a month of it."""
    return str(year) if month is None else f"{month:02d}/{year}"


def _locked_agreement(flow):
    return Agreement.objects.select_for_update().get(pk=flow.agreement_id)


def _check_reporter(user, agreement):
    if not permissions.works_in_park(user, agreement.park_id):
        raise PermissionDenied(NOT_YOUR_PARK)
    if not agreement.is_public:
        raise ValidationError(
            NOT_VERIFIED
            % {
                "reference": agreement.reference,
                "state": agreement.get_review_state_display().lower(),
            }
        )


def _figure_errors(*, flow, agreement, quantity, unit, evidence):
    """The errors of a figure's quantity, unit and evidence, by field."""
    errors = {}
    if quantity is not None and Decimal(quantity) < 0:
        errors["quantity"] = NEGATIVE
    resource = flow.resource
    if unit not in units.Unit.values:
        errors["unit"] = UNKNOWN_UNIT
    elif not units.convertible(unit, resource.unit):
        errors["unit"] = WRONG_UNIT % {
            "resource": resource,
            "dimension": units.dimension(resource.unit).label,
            "units": ", ".join(
                str(label) for _code, label in units.convertible_units(resource.unit)
            ),
        }
    if evidence is not None and evidence.agreement_id != agreement.pk:
        errors["evidence"] = EVIDENCE_ELSEWHERE
    return errors


def _period_errors(*, flow, year, month, today):
    """The errors of a new figure's year and month, by field: in range, not ahead, and a year
    reported whole or month by month, each period once."""
    if not 1900 <= year <= 2100:
        return {"year": YEAR_RANGE}
    if year > today.year:
        return {"year": YEAR_AHEAD % {"year": year}}
    if month is not None:
        if not 1 <= month <= 12:
            return {"month": MONTH_RANGE}
        if (year, month) > (today.year, today.month):
            return {"month": MONTH_AHEAD}
    taken = set(
        ReportedQuantity.objects.filter(flow=flow, year=year).values_list("month", flat=True)
    )
    if month is None:
        if None in taken:
            return {"year": YEAR_TAKEN % {"year": year}}
        if taken:
            return {"year": MONTHS_TAKEN % {"year": year}}
    else:
        if None in taken:
            return {"month": WHOLE_YEAR_TAKEN % {"year": year}}
        if month in taken:
            return {"month": MONTH_TAKEN % {"period": period_label(year, month)}}
    return {}


def report_quantity(
    *,
    flow,
    year,
    month=None,
    quantity,
    unit,
    source,
    evidence=None,
    notes_en="",
    notes_vi="",
    user,
):
    """A new figure for ``flow`` in ``year`` (or in ``month`` of it), awaiting review."""
    with transaction.atomic():
        agreement = _locked_agreement(flow)
        _check_reporter(user, agreement)
        errors = _period_errors(flow=flow, year=year, month=month, today=timezone.localdate())
        errors.update(
            _figure_errors(
                flow=flow, agreement=agreement, quantity=quantity, unit=unit, evidence=evidence
            )
        )
        if source not in ReportedQuantity.Source.values:
            errors["source"] = _("Choose a source from the list.")
        if errors:
            raise ValidationError(errors)
        figure = ReportedQuantity(
            flow=flow,
            year=year,
            month=month,
            quantity=quantity,
            unit=unit,
            source=source,
            evidence=evidence,
            notes_en=notes_en,
            notes_vi=notes_vi,
            reported_by=user,
            reported_at=timezone.now(),
            review_state=State.SUBMITTED,
        )
        figure._history_user = user  # whoever calls: a page, the admin, a command
        figure.save()
        return figure


def correct_quantity(
    *, reported, quantity, unit, source, evidence=None, notes_en="", notes_vi="", user
):
    """The park's staff correct a figure in any state: it awaits review again (an accepted one
    leaves the public pages until an official accepts it again). Its period stays: a figure
    for another period is a new one; who reported it and when become the corrector and now,
    and the last review is cleared (the history keeps both). Returns the figure and whether it
    had been accepted."""
    with transaction.atomic():
        current = ReportedQuantity.objects.select_related("flow__resource").get(pk=reported.pk)
        agreement = _locked_agreement(current.flow)
        _check_reporter(user, agreement)
        errors = _figure_errors(
            flow=current.flow, agreement=agreement, quantity=quantity, unit=unit, evidence=evidence
        )
        if source not in ReportedQuantity.Source.values:
            errors["source"] = _("Choose a source from the list.")
        if errors:
            raise ValidationError(errors)
        was_accepted = current.review_state == State.ACCEPTED
        current.quantity = quantity
        current.unit = unit
        current.source = source
        current.evidence = evidence
        current.notes_en = notes_en
        current.notes_vi = notes_vi
        current.reported_by = user
        current.reported_at = timezone.now()
        current.review_state = State.SUBMITTED
        current.review_comment = ""
        current.reviewed_by = None
        current.reviewed_at = None
        current._history_user = user
        current.save()
        return current, was_accepted


def _awaiting(pks, user):
    """The figures ``pks``, locked, each checked to await review by ``user``."""
    figures = list(
        ReportedQuantity.objects.select_for_update(of=("self",))
        .select_related("flow__agreement")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    for figure in figures:
        if not permissions.reviews_park(user, figure.flow.agreement.park_id):
            raise PermissionDenied(REVIEWED_BY_OVERSEEING_OFFICIALS)
        if figure.review_state != State.SUBMITTED:
            raise ValidationError(
                NOT_AWAITING_REVIEW
                % {
                    "period": period_label(figure.year, figure.month),
                    "state": figure.get_review_state_display(),
                }
            )
    return figures


def _decide(figure, *, state, comment, user):
    figure.review_state = state
    figure.review_comment = comment
    figure.reviewed_by = user
    figure.reviewed_at = timezone.now()
    figure._history_user = user
    figure.save(update_fields=["review_state", "review_comment", "reviewed_by", "reviewed_at"])


def accept_quantities(*, reported_list, user):
    """An official accepts figures awaiting review: they are public (their agreement being
    verified). All of them or none. Returns how many."""
    pks = [figure.pk for figure in reported_list]
    if not pks:
        raise ValidationError(NOTHING_CHOSEN)
    with transaction.atomic():
        figures = _awaiting(pks, user)
        for figure in figures:
            _decide(figure, state=State.ACCEPTED, comment="", user=user)
    return len(figures)


def return_quantity(*, reported, comment, user):
    """An official returns a figure awaiting review to the park's staff, saying what needs
    correcting."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": COMMENT_NEEDED})
    with transaction.atomic():
        (figure,) = _awaiting([reported.pk], user)
        _decide(figure, state=State.RETURNED, comment=comment, user=user)
    return figure


def awaiting_review(user):
    """The figures awaiting the review of ``user``: those of the agreements of the parks they
    oversee as an official (``permissions.review_scope``), every one for an admin or a
    nationwide official: then the figures awaiting review alone, which their index
    (``reported_state_idx``) finds without reading the other reported figures or their
    flows."""
    figures = ReportedQuantity.objects.filter(review_state=State.SUBMITTED)
    scope = permissions.review_scope(user, "flow__agreement__")
    return figures.none() if scope is None else figures.filter(scope)
