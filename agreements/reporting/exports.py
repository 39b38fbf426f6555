"""The register as files for officials' reports: CSV and XLSX, filtered like the dashboard.

One row per resource flow with its agreement's details (an agreement with no flow yet gets one
row with the flow columns blank, so no agreement is missing from the file); the XLSX adds a
sheet with one row per agreement and a sheet saying what the file holds.

Both formats stream: rows come from ``.iterator()`` over one query with its joins, and the
parties of each agreement from a second query read in the same order beside it, so an export
costs the same few queries for 10 rows or 100,000, and memory does not grow with them. CSV is
generated while it is sent; XLSX is written by openpyxl's write-only mode into a temporary
file that is then sent.

Cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed with
an apostrophe, so a spreadsheet shows them as text instead of running them as formulas
(formula injection, OWASP "CSV Injection").
"""

import csv
import datetime
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from agreements.impact import (
    agreement_counted_in_impact,
    annual_quantity,
    annual_tonnes_co2e_avoided,
    as_boolean,
)
from agreements.models import Agreement, AgreementQuerySet, Party, Resource, ResourceFlow
from symbiosis.bilingual import pick

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
PRECISION = Decimal("0.001")


def inert(value):
    """``value``, made harmless to a spreadsheet if it is text that would start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def file_name(extension, *, today):
    return f"symbiosis-register-{today.isoformat()}.{extension}"


def _labels(choices):
    return {value: str(label) for value, label in choices}


def _yes_no(value):
    return _("yes") if value else _("no")


def _is_active(today):
    return as_boolean(AgreementQuerySet.active_condition(today))


@contextmanager
def read_snapshot():
    """One transaction that sees one state of the database (REPEATABLE READ on PostgreSQL):
    the export's two queries, rows and their parties, agree even when changes commit while a
    long file is written. Inside an enclosing transaction (tests) it is a plain savepoint."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def in_snapshot(rows):
    """``rows`` read within ``read_snapshot()``, for a response that streams them later."""
    with read_snapshot():
        yield from rows


def _parties(agreements):
    """(agreement id, "Organisation (role)") for every party, in the agreements' order."""
    role_order = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(Party.Role)],
        default=Value(len(Party.Role)),
    )
    return (
        Party.objects.filter(agreement__in=agreements.values("pk"))
        .order_by("agreement__reference", "agreement_id", role_order, "pk")
        .values_list("agreement_id", "organisation__name_en", "organisation__name_vi", "role")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _with_parties(rows, parties):
    """Pair each row with its agreement's parties as one text.

    ``rows`` and ``parties`` come ordered by agreement reference, and every agreement with
    parties has rows, so the parties' agreements are a subsequence of the rows': one pass
    over both suffices (a merge join), whatever their number.
    """
    roles = _labels(Party.Role.choices)
    pending = next(parties, None)
    current, text = None, ""
    for row in rows:
        if row["id"] != current:
            current, names = row["id"], []
            while pending is not None and pending[0] == current:
                _agreement, name_en, name_vi, role = pending
                names.append(f"{pick(name_en, name_vi)} ({roles[role]})")
                pending = next(parties, None)
            text = "; ".join(names)
        yield row, text


def _decimal(value):
    """Three decimals, as quantities are stored, whatever the database returns for a sum."""
    return None if value is None else value.quantize(PRECISION)


# The columns: each one's header and value defined together, once, for CSV and XLSX alike.


@dataclass(frozen=True)
class Column:
    header: str
    reads: tuple  # what the rows' query selects for it
    value: Callable  # row (a dict of what was read, with "parties") -> cell


def _read(header, field, shown=None):
    """A column showing one field read from the database, through ``shown`` (its choices'
    labels) when given."""
    if shown is None:
        return Column(header, (field,), itemgetter(field))
    return Column(header, (field,), lambda row: shown.get(row[field], ""))


def _name(header, prefix):
    """A column showing a name in the reader's language: ``prefix``'s name_en or name_vi."""
    english, vietnamese = f"{prefix}name_en", f"{prefix}name_vi"
    return Column(header, (english, vietnamese), lambda row: pick(row[english], row[vietnamese]))


def _agreement_columns(*, today, before_dates=(), after_active=()):
    """The columns both sheets open with, the agreement's: ``before_dates`` go after "Signed
    on", ``after_active`` after "Active on <date>", then "Parties and roles"."""
    kinds, states = _labels(Agreement.Kind.choices), _labels(Agreement.ReviewState.choices)
    return [
        _read(_("Reference"), "reference"),
        Column(
            _("Title"), ("title_en", "title_vi"), lambda row: pick(row["title_en"], row["title_vi"])
        ),
        _name(_("Park"), "park__"),
        _read(_("Province or city"), "park__province"),
        _read(_("Kind"), "kind", kinds),
        _read(_("Review state"), "review_state", states),
        _read(_("Signed on"), "signed_on"),
        *before_dates,
        _read(_("Starts on"), "starts_on"),
        _read(_("Ends on"), "ends_on"),
        _read(_("Terminated on"), "terminated_on"),
        Column(
            _("Active on %(date)s") % {"date": today.isoformat()},
            ("active",),
            lambda row: _yes_no(row["active"]),
        ),
        *after_active,
        Column(_("Parties and roles"), (), itemgetter("parties")),
    ]


def flow_columns(*, today):
    """One row per resource flow: the agreement's columns, then the flow's."""
    categories, units = _labels(Resource.Category.choices), _labels(Resource.Unit.choices)
    directions = _labels(ResourceFlow.Direction.choices)
    periods = _labels(ResourceFlow.Period.choices)
    return [
        *_agreement_columns(today=today),
        _name(_("Provider"), "flows__provider__"),
        _name(_("Resource"), "flows__resource__"),
        _read(_("Resource category"), "flows__resource__category", categories),
        _name(_("Receiver"), "flows__receiver__"),
        _read(_("Direction"), "flows__direction", directions),
        _read(_("Quantity"), "flows__quantity"),
        _read(_("Unit"), "flows__resource__unit", units),
        _read(_("Period"), "flows__period", periods),
        Column(_("Annual quantity"), ("annual",), lambda row: _decimal(row["annual"])),
        _read(_("Emission factor (kg CO2e avoided per unit)"), "flows__resource__emission_factor"),
        Column(_("t CO2e avoided per year"), ("co2e",), lambda row: _decimal(row["co2e"])),
        Column(
            _("Counted in the impact totals"),
            ("counted", "flows__pk"),
            lambda row: _yes_no(row["counted"]) if row["flows__pk"] is not None else "",
        ),
    ]


def agreement_columns(*, today):
    """One row per agreement: its columns, with its flows counted."""
    return [
        *_agreement_columns(
            today=today,
            before_dates=[_read(_("Signed at"), "signed_at")],
            after_active=[
                _read(_("Submitted at"), "submitted_at"),
                _read(_("Reviewed at"), "reviewed_at"),
            ],
        ),
        _read(_("Resource flows"), "flow_count"),
        _read(_("Flows with no quantity"), "without_quantity"),
    ]


def _reads(columns):
    """What the rows' query selects: every column's fields, once each, the agreement's id
    first (the parties are paired by it)."""
    return list(dict.fromkeys(["id", *(field for column in columns for field in column.reads)]))


def _cells(columns, rows, parties):
    for row, text in _with_parties(rows, parties):
        row["parties"] = text
        yield [column.value(row) for column in columns]


def flow_header(*, today):
    return [column.header for column in flow_columns(today=today)]


def flow_rows(agreements, *, category="", today):
    """One list of cell values per resource flow of ``agreements`` (only flows of ``category``
    when given; agreements without a flow get one row with the flow columns empty)."""
    if category:
        # The same join serves the filter and the columns: only this category's flows.
        agreements = agreements.filter(flows__resource__category=category)
    columns = flow_columns(today=today)
    rows = (
        agreements.annotate(
            annual=annual_quantity("flows__"),
            co2e=annual_tonnes_co2e_avoided("flows__"),
            active=_is_active(today),
            # The dashboard's rule (agreements.impact), on the row's agreement.
            counted=as_boolean(agreement_counted_in_impact(today)),
        )
        .order_by("reference", "pk", "flows__pk")
        .values(*_reads(columns))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _cells(columns, rows, _parties(agreements))


def agreement_header(*, today):
    return [column.header for column in agreement_columns(today=today)]


def agreement_rows(agreements, *, category="", today):
    """One list of cell values per agreement (its flows counted within ``category``)."""
    in_category = Q(flows__resource__category=category) if category else Q()
    columns = agreement_columns(today=today)
    rows = (
        agreements.annotate(
            flow_count=Count("flows", filter=in_category),
            without_quantity=Count("flows", filter=in_category & Q(flows__quantity__isnull=True)),
            active=_is_active(today),
        )
        .order_by("reference", "pk")
        .values(*_reads(columns))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _cells(columns, rows, _parties(agreements))


def notes(*, today, filters_text):
    """What the file holds and how its figures are counted: the XLSX "About" sheet."""
    return [
        [_("Symbiosis Registry: register of industrial symbiosis agreements")],
        [_("Exported on"), today],
        [_("Filters"), filters_text or _("none")],
        [],
        [
            _(
                "One row per resource flow; an agreement with no flow yet has one row with the "
                "flow columns empty. A mutual flow is one flow with one quantity."
            )
        ],
        [
            _(
                "Annual quantity: per month x 12, per year x 1; one-off quantities are not "
                "annual and have no annual quantity."
            )
        ],
        [
            _(
                "t CO2e avoided per year = annual quantity x emission factor / 1000, where the "
                "resource has an emission factor."
            )
        ],
        [
            _(
                "The dashboard's impact totals count the flows of verified agreements active on "
                "the export date (the last column)."
            )
        ],
    ]


# Formats


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return inert(str(value))


class _Echo:
    """A file-like object that hands back what is written, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_stream(header, rows):
    """The CSV text, line by line: UTF-8 with a byte-order mark so that spreadsheet programs
    read Vietnamese names correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([inert(str(cell)) for cell in header])
    for row in rows:
        yield writer.writerow([_csv_cell(cell) for cell in row])


def _xlsx_cell(value):
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local time, as shown on the site.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return inert(value)
    return value


def _write_sheet(workbook, title, header, rows, widths=()):
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=inert(str(text)))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])


def xlsx_file(*, flows, agreements, about):
    """A temporary file holding the workbook (flows, agreements, about), rewound to its start.
    ``flows`` and ``agreements`` are (header, rows) pairs; the caller closes the file."""
    workbook = Workbook(write_only=True)
    _write_sheet(
        workbook,
        _("Resource flows"),
        *flows,
        widths=[20, 50, 30, 14, 26, 22, 12, 12, 12, 12, 10, 60, 30, 30, 20, 30],
    )
    _write_sheet(
        workbook,
        _("Agreements"),
        *agreements,
        widths=[20, 50, 30, 14, 26, 22, 12, 16, 12, 12, 12, 10, 18, 18, 60],
    )
    sheet = workbook.create_sheet(title=_("About")[:31])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 60
    for row in about:
        sheet.append([_xlsx_cell(cell) for cell in row])
    # Closed (and so deleted) by the FileResponse that sends it.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output
