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
from contextlib import contextmanager
from decimal import Decimal

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


def flow_header(*, today):
    return [
        _("Reference"),
        _("Title"),
        _("Park"),
        _("Province or city"),
        _("Kind"),
        _("Review state"),
        _("Signed on"),
        _("Starts on"),
        _("Ends on"),
        _("Terminated on"),
        _("Active on %(date)s") % {"date": today.isoformat()},
        _("Parties and roles"),
        _("Provider"),
        _("Resource"),
        _("Resource category"),
        _("Receiver"),
        _("Direction"),
        _("Quantity"),
        _("Unit"),
        _("Period"),
        _("Annual quantity"),
        _("Emission factor (kg CO2e avoided per unit)"),
        _("t CO2e avoided per year"),
        _("Counted in the impact totals"),
    ]


def flow_rows(agreements, *, category="", today):
    """One list of cell values per resource flow of ``agreements`` (only flows of ``category``
    when given; agreements without a flow get one row with the flow columns empty)."""
    if category:
        # The same join serves the filter and the columns: only this category's flows.
        agreements = agreements.filter(flows__resource__category=category)
    rows = (
        agreements.annotate(
            annual=annual_quantity("flows__"),
            co2e=annual_tonnes_co2e_avoided("flows__"),
            active=_is_active(today),
            # The dashboard's rule (agreements.impact), on the row's agreement.
            counted=as_boolean(agreement_counted_in_impact(today)),
        )
        .order_by("reference", "pk", "flows__pk")
        .values(
            "id",
            "reference",
            "title_en",
            "title_vi",
            "park__name_en",
            "park__name_vi",
            "park__province",
            "kind",
            "review_state",
            "signed_on",
            "starts_on",
            "ends_on",
            "terminated_on",
            "active",
            "flows__pk",
            "flows__provider__name_en",
            "flows__provider__name_vi",
            "flows__resource__name_en",
            "flows__resource__name_vi",
            "flows__resource__category",
            "flows__resource__unit",
            "flows__resource__emission_factor",
            "flows__receiver__name_en",
            "flows__receiver__name_vi",
            "flows__direction",
            "flows__quantity",
            "flows__period",
            "annual",
            "co2e",
            "counted",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    kinds, states = _labels(Agreement.Kind.choices), _labels(Agreement.ReviewState.choices)
    categories, units = _labels(Resource.Category.choices), _labels(Resource.Unit.choices)
    directions = _labels(ResourceFlow.Direction.choices)
    periods = _labels(ResourceFlow.Period.choices)
    for row, parties in _with_parties(rows, _parties(agreements)):
        has_flow = row["flows__pk"] is not None
        yield [
            row["reference"],
            pick(row["title_en"], row["title_vi"]),
            pick(row["park__name_en"], row["park__name_vi"]),
            row["park__province"],
            kinds[row["kind"]],
            states[row["review_state"]],
            row["signed_on"],
            row["starts_on"],
            row["ends_on"],
            row["terminated_on"],
            _yes_no(row["active"]),
            parties,
            pick(row["flows__provider__name_en"], row["flows__provider__name_vi"]),
            pick(row["flows__resource__name_en"], row["flows__resource__name_vi"]),
            categories.get(row["flows__resource__category"], ""),
            pick(row["flows__receiver__name_en"], row["flows__receiver__name_vi"]),
            directions.get(row["flows__direction"], ""),
            row["flows__quantity"],
            units.get(row["flows__resource__unit"], ""),
            periods.get(row["flows__period"], ""),
            _decimal(row["annual"]),
            row["flows__resource__emission_factor"],
            _decimal(row["co2e"]),
            _yes_no(row["counted"]) if has_flow else "",
        ]


def agreement_header(*, today):
    return [
        _("Reference"),
        _("Title"),
        _("Park"),
        _("Province or city"),
        _("Kind"),
        _("Review state"),
        _("Signed on"),
        _("Signed at"),
        _("Starts on"),
        _("Ends on"),
        _("Terminated on"),
        _("Active on %(date)s") % {"date": today.isoformat()},
        _("Submitted at"),
        _("Reviewed at"),
        _("Parties and roles"),
        _("Resource flows"),
        _("Flows with no quantity"),
    ]


def agreement_rows(agreements, *, category="", today):
    """One list of cell values per agreement (its flows counted within ``category``)."""
    in_category = Q(flows__resource__category=category) if category else Q()
    rows = (
        agreements.annotate(
            flow_count=Count("flows", filter=in_category),
            without_quantity=Count("flows", filter=in_category & Q(flows__quantity__isnull=True)),
            active=_is_active(today),
        )
        .order_by("reference", "pk")
        .values(
            "id",
            "reference",
            "title_en",
            "title_vi",
            "park__name_en",
            "park__name_vi",
            "park__province",
            "kind",
            "review_state",
            "signed_on",
            "signed_at",
            "starts_on",
            "ends_on",
            "terminated_on",
            "active",
            "submitted_at",
            "reviewed_at",
            "flow_count",
            "without_quantity",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    kinds, states = _labels(Agreement.Kind.choices), _labels(Agreement.ReviewState.choices)
    for row, parties in _with_parties(rows, _parties(agreements)):
        yield [
            row["reference"],
            pick(row["title_en"], row["title_vi"]),
            pick(row["park__name_en"], row["park__name_vi"]),
            row["park__province"],
            kinds[row["kind"]],
            states[row["review_state"]],
            row["signed_on"],
            row["signed_at"],
            row["starts_on"],
            row["ends_on"],
            row["terminated_on"],
            _yes_no(row["active"]),
            row["submitted_at"],
            row["reviewed_at"],
            parties,
            row["flow_count"],
            row["without_quantity"],
        ]


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
