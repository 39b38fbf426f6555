"""Who changed what and when, field by field: an agreement's history with its parties' and
flows', and a park's, read from django-simple-history's records in a fixed number of
queries."""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    Document,
    Merge,
    Party,
    ReportedQuantity,
    Resource,
    ResourceFlow,
)
from parks.models import Organisation, Park
from symbiosis.partial_dates import Precision, format_partial
from symbiosis.people import FORMER_USER, display_name

USER = get_user_model()

# Kept by the history but not worth a line: identifiers and bookkeeping.
HIDDEN_FIELDS = {"id", "agreement", "version", "search_text", "created_at", "updated_at"}
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
EMPTY = "—"


@dataclass
class Change:
    label: str
    old: str
    new: str
    language: str = ""  # of the values, for the page's lang attribute: "en" for title_en


def _language_of(name):
    """The language a field's values are written in, from its name (``title_en``), or ""."""
    suffix = name.rpartition("_")[2]
    return suffix if suffix in {"en", "vi"} else ""


@dataclass
class Entry:
    when: datetime.datetime
    who: object
    subject: str
    action: str
    changes: list = field(default_factory=list)
    row: object = None  # the primary key of the row the entry is about


class _Names:
    """Display names of the rows the records point to, read once for all of them."""

    RELATED = {
        "park": Park,
        "organisation": Organisation,
        "developer": Organisation,
        "managing_authority": Organisation,
        "provider": Organisation,
        "receiver": Organisation,
        "resource": Resource,
        "reviewed_by": USER,
        "created_by": USER,
        "framework": Agreement,
        "amends": Agreement,
        "made_from": ResourceFlow,
        "flow": ResourceFlow,
        "evidence": Document,
        "reported_by": USER,
    }
    # What a name of a row of the model is read with (a flow is named by its ends and resource).
    JOINED = {ResourceFlow: ("provider", "resource", "receiver")}

    def __init__(self, records):
        wanted = {}
        for record in records:
            for name, model in self.RELATED.items():
                pk = getattr(record, f"{name}_id", None)
                if pk is not None:
                    wanted.setdefault(model, set()).add(pk)
        self.names = {
            model: {
                obj.pk: display_name(obj) if model is USER else str(obj)
                for obj in model._default_manager.filter(pk__in=pks).select_related(
                    *self.JOINED.get(model, ())
                )
            }
            for model, pks in wanted.items()
        }

    def related(self, name, pk):
        model = self.RELATED[name]
        names = self.names.get(model, {})
        if pk in names:
            return names[pk]
        # The records keep the key of a row deleted since; a deleted account is a former user.
        return str(FORMER_USER) if model is USER else _("(deleted, #%(pk)s)") % {"pk": pk}


def _display(model, name, value, names, record=None):
    """``value`` of ``name`` as the pages show it; a date with a precision (the signing and
    start dates) to the precision ``record`` gives it, "1972" rather than an invented day."""
    if value is None or value == "":
        return EMPTY
    precision = getattr(record, f"{name}_precision", None) if record is not None else None
    if precision is not None and isinstance(value, datetime.date):
        return format_partial(value, precision)
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.related(name, value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _shown_fields(record):
    return [f for f in record.tracked_fields if f.editable and f.name not in HIDDEN_FIELDS]


def _subject(model, record, names):
    if model is Agreement:
        return str(_("Agreement"))
    if model is Park:
        return str(_("Park"))
    if model is ReportedQuantity:
        return _("Figure for %(period)s") % {
            "period": str(record.year)
            if record.month is None
            else f"{record.month:02d}/{record.year}"
        }
    if model is Party:
        return _("Party: %(organisation)s") % {
            "organisation": names.related("organisation", record.organisation_id)
        }
    return _("Resource flow: %(provider)s → %(resource)s → %(receiver)s") % {
        "provider": names.related("provider", record.provider_id),
        "resource": names.related("resource", record.resource_id),
        "receiver": names.related("receiver", record.receiver_id),
    }


def agreement_changes(agreement):
    """Every change to the agreement, its parties and its flows, newest first."""
    return _changes(
        {
            Agreement: agreement.history.all(),
            Party: Party.history.filter(agreement_id=agreement.pk),
            ResourceFlow: ResourceFlow.history.filter(agreement_id=agreement.pk),
        }
    )


def quantity_changes(flow_ids):
    """Every change to the measured quantities reported for ``flow_ids``, newest first, each
    entry's ``row`` the figure it is about."""
    return _changes({ReportedQuantity: ReportedQuantity.history.filter(flow_id__in=flow_ids)})


def park_changes(park):
    """Every change to the park's own fields (not its agreements'), newest first."""
    return _changes({Park: park.history.all()})


def _changes(histories):
    """The entries of every record of ``histories`` ({model: its records}), newest first."""
    records = {
        model: list(
            history.select_related("history_user").order_by("id", "history_date", "history_id")
        )
        for model, history in histories.items()
    }
    names = _Names(record for model_records in records.values() for record in model_records)
    names.merges = _merges(record for model_records in records.values() for record in model_records)
    entries = []
    for model, model_records in records.items():
        for _pk, versions in groupby(model_records, key=lambda record: record.id):
            previous = None
            for record in versions:
                entry = _entry(model, record, previous, names)
                # A save that changed none of the shown fields (only the version) is noise.
                if entry.changes or record.history_type != "~":
                    entries.append(entry)
                previous = record
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


MERGE_PREFIX = "merge:"  # agreements.merging.MERGE_REASON


def _merges(records):
    """The merges (``agreements.merging``) that wrote some of ``records``, by their key: read
    in one query, and only when a record names one."""
    pks = {
        int(reason.removeprefix(MERGE_PREFIX))
        for record in records
        if (reason := record.history_change_reason or "").startswith(MERGE_PREFIX)
        and reason.removeprefix(MERGE_PREFIX).isdigit()
    }
    if not pks:
        return {}
    return Merge.objects.select_related("kept_organisation", "kept_resource").in_bulk(pks)


def _merge_change(record, merges):
    """The line an entry written by a merge shows: the duplicate's name, then the kept one's."""
    reason = record.history_change_reason or ""
    value = reason.removeprefix(MERGE_PREFIX)
    merge = merges.get(int(value)) if reason.startswith(MERGE_PREFIX) and value.isdigit() else None
    if merge is None:
        return None
    label = (
        _("merged duplicate organisation")
        if merge.kind == Merge.Kind.ORGANISATION
        else _("merged duplicate resource")
    )
    return Change(str(label), merge.duplicate_name, str(merge.kept or EMPTY))


def _entry(model, record, previous, names):
    changes = []
    merge_change = _merge_change(record, getattr(names, "merges", {}))
    if merge_change is not None:
        changes.append(merge_change)
    if record.history_type == "+" or (record.history_type == "~" and previous is None):
        for model_field in _shown_fields(record):
            value = getattr(record, model_field.attname)
            # A date known to the day is the rule: only another precision is worth a line.
            if model_field.name.endswith("_precision") and value == Precision.DAY:
                continue
            if value not in (None, ""):
                changes.append(
                    Change(
                        str(model_field.verbose_name),
                        EMPTY,
                        _display(model, model_field.name, value, names, record),
                        _language_of(model_field.name),
                    )
                )
    elif record.history_type == "~":
        shown = {f.name: f for f in _shown_fields(record)}
        delta = record.diff_against(previous, included_fields=list(shown))
        for change in delta.changes:
            changes.append(
                Change(
                    str(shown[change.field].verbose_name),
                    _display(model, change.field, change.old, names, previous),
                    _display(model, change.field, change.new, names, record),
                    _language_of(change.field),
                )
            )
    return Entry(
        when=record.history_date,
        who=record.history_user,
        subject=_subject(model, record, names),
        action=str(ACTIONS.get(record.history_type, record.history_type)),
        changes=changes,
        row=record.id,
    )
