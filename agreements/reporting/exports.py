"""The register as files for officials' reports: CSV and XLSX, filtered like the dashboard.

One row per resource flow with its agreement's details (an agreement with no flow yet gets one
row with the flow columns blank, so no agreement is missing from the file); the XLSX adds a
sheet with one row per agreement and a sheet saying what the file holds.

Both formats stream: rows come from ``.iterator()`` over one query with its joins, and the
parties of each agreement from a second query read in the same order beside it, so an export
costs the same few queries for 10 rows or 100,000, and memory does not grow with them. CSV is
generated while it is sent, many rows to a chunk; XLSX is written by openpyxl's write-only
mode into a temporary file that is then sent.

Per row only what differs from row to row is done: rows are tuples (``values_list``), names
come from the database in the reader's language, each column's getter is made once per file,
labels and the words "yes" and "no" are translated once per file.

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
from itertools import islice
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from agreements.impact import (
    annual_quantity,
    annual_tonnes_co2e_avoided,
    as_boolean,
    baseline_expression,
    flows_counted_in_impact,
    in_totals_unit,
    totals_unit,
)
from agreements.models import (
    Agreement,
    AgreementQuerySet,
    Party,
    Resource,
    ResourceFlow,
    SymbiosisKind,
)
from parks.provinces import province_label
from symbiosis.bilingual import picked
from symbiosis.partial_dates import Precision, partial_iso

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 1000  # rows read from the database at a time: what memory an export holds
CSV_ROWS_PER_CHUNK = 200  # rows of CSV sent at a time (some 100 KB)
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


def _is_active(today):
    return as_boolean(AgreementQuerySet.active_condition(today))


@contextmanager
def read_snapshot():
    """One transaction that sees one state of the database (REPEATABLE READ on PostgreSQL):
    the export's two queries, rows and their parties, agree even when changes commit while a
    long file is written. Inside an enclosing transaction (tests) it is a plain savepoint.

    On PostgreSQL the queries are also planned for reading all their rows, not the first tenth
    (the default for the server-side cursors that ``.iterator()`` reads through, which had the
    planner walk the whole register in reference order to find one park's agreements)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; "
                    "SET LOCAL cursor_tuple_fraction = 1"
                )
        yield


def in_snapshot(rows):
    """``rows`` read within ``read_snapshot()``, for a response that streams them later."""
    with read_snapshot():
        yield from rows


def _parties(agreements):
    """(agreement id, organisation's name, role) for every party, in the agreements' order."""
    role_order = Case(
        *[When(role=role, then=Value(index)) for index, role in enumerate(Party.Role)],
        default=Value(len(Party.Role)),
    )
    return (
        Party.objects.filter(agreement__in=agreements.values("pk"))
        .annotate(
            name=picked("organisation__name_en", "organisation__name_vi", "organisation__name_own")
        )
        .order_by("agreement__reference", "agreement_id", role_order, "pk")
        .values_list("agreement_id", "name", "role")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _with_parties(rows, parties):
    """Each row (a tuple, its agreement's id first) with its agreement's parties added at its
    end, as one text: "Organisation (role); ...".

    ``rows`` and ``parties`` come ordered by agreement reference, and every agreement with
    parties has rows, so the parties' agreements are a subsequence of the rows': one pass
    over both suffices (a merge join), whatever their number.
    """
    roles = _labels(Party.Role.choices)
    pending = next(parties, None)
    current, text = None, ""
    for row in rows:
        if row[0] != current:
            current, names = row[0], []
            while pending is not None and pending[0] == current:
                names.append(f"{pending[1]} ({roles[pending[2]]})")
                pending = next(parties, None)
            text = "; ".join(names)
        yield (*row, text)


# The columns: each one's header and value defined together, once, for CSV and XLSX alike.

PARTIES = "parties"  # not selected by the rows' query: the parties' text, added by _with_parties


@dataclass(frozen=True)
class Column:
    """A column: its header, what the rows' query selects for it (``reads``: fields, or names
    of what it ``computes``: (name, expression) pairs) and how its cell is made from a row.

    A row is a tuple; ``cell``, given the places of ``reads`` in it, makes the function from
    a row to the cell, so that a file looks the places up once, not at every row. Without
    ``cell`` the column shows what it reads, as it is read."""

    header: str
    reads: tuple
    cell: Callable | None = None
    computes: tuple = ()

    def getter(self, places):
        """A function from a row to this column's cell (``places``: name -> index in a row)."""
        indexes = [places[name] for name in self.reads]
        return itemgetter(*indexes) if self.cell is None else self.cell(*indexes)


def _read(header, field, shown=None):
    """A column showing one field read from the database, through ``shown`` (its choices'
    labels) when given."""
    if shown is None:
        return Column(header, (field,))

    def cell(index):
        label = shown.get
        return lambda row: label(row[index], "")

    return Column(header, (field,), cell)


def _province(header, field):
    """A column showing a province in the reader's language (``parks.provinces``): "Hai Phong"
    in English, "Hải Phòng" in Vietnamese; one outside Viet Nam as it was typed."""

    def cell(index):
        return lambda row: province_label(row[index])

    return Column(header, (field,), cell)


def _partial_date(header, field):
    """A column showing a date to its precision (``<field>_precision``): the date itself when
    known to the day, else "1972" or "2023-09" (ISO's forms for a year and a month), never an
    invented day."""

    def cell(date_index, precision_index):
        def shown(row):
            day, precision = row[date_index], row[precision_index]
            if day is None or precision == Precision.DAY:
                return day
            return partial_iso(day, precision)

        return shown

    return Column(header, (field, f"{field}_precision"), cell)


def _name(header, prefix, field="name", *, own=False):
    """A column showing ``prefix``'s name (or ``field``) in the reader's language: its
    ``_en`` or ``_vi`` field, or for an organisation (``own``) its name in its own language,
    picked by the database (``symbiosis.bilingual.picked``)."""
    computed = f"{prefix}{field}".replace("__", "_")
    expression = picked(
        f"{prefix}{field}_en", f"{prefix}{field}_vi", f"{prefix}{field}_own" if own else None
    )
    return Column(header, (computed,), computes=((computed, expression),))


def _three_decimals(header, computed):
    """A column showing a figure the rows' query computes with three decimals, as quantities
    are stored, whatever the database returns for it."""

    def cell(index):
        return lambda row: None if (value := row[index]) is None else value.quantize(PRECISION)

    return Column(header, (computed,), cell)


def _choice_cell(choices):
    """A cell showing a value by its choice's label, blank for none."""
    labels = _labels(choices)

    def cell(index):
        return lambda row: labels.get(row[index], "")

    return cell


def _yes_no(header, read):
    """A column saying yes or no (translated once per file) for a truth value."""
    yes, no = _("yes"), _("no")

    def cell(index):
        return lambda row: yes if row[index] else no

    return Column(header, (read,), cell)


def _counted(header):
    """Whether the impact totals count the row's flow: yes or no, blank on the row of an
    agreement with no flow."""
    yes, no = _("yes"), _("no")

    def cell(counted, flow):
        return lambda row: "" if row[flow] is None else yes if row[counted] else no

    return Column(header, ("counted", "flows__pk"), cell)


def _agreement_columns(*, today, before_dates=(), after_active=()):
    """The columns both sheets open with, the agreement's: ``before_dates`` go after "Signed
    on", ``after_active`` after "Active on <date>", then "Parties and roles"."""
    kinds, states = _labels(Agreement.Kind.choices), _labels(Agreement.ReviewState.choices)
    return [
        _read(_("Reference"), "reference"),
        _name(_("Title"), "", "title"),
        _name(_("Park"), "park__"),
        _province(_("Province or city"), "park__province"),
        _read(_("Kind"), "kind", kinds),
        _read(
            _("Kind of symbiosis (Circular 05/2025)"),
            "symbiosis_kind",
            _labels(SymbiosisKind.choices),
        ),
        _yes_no(_("Kind of symbiosis confirmed"), "symbiosis_kind_confirmed_at"),
        _read(_("Review state"), "review_state", states),
        _partial_date(_("Signed on"), "signed_on"),
        *before_dates,
        _partial_date(_("Starts on"), "starts_on"),
        _read(_("Ends on"), "ends_on"),
        _read(_("Terminated on"), "terminated_on"),
        _yes_no(_("Active on %(date)s") % {"date": today.isoformat()}, "active"),
        *after_active,
        Column(_("Parties and roles"), (PARTIES,)),
    ]


def flow_columns(*, today):
    """One row per resource flow: the agreement's columns, then the flow's."""
    categories, units = _labels(Resource.Category.choices), _labels(Resource.Unit.choices)
    directions = _labels(ResourceFlow.Direction.choices)
    periods = _labels(ResourceFlow.Period.choices)
    return [
        *_agreement_columns(today=today),
        _name(_("Provider"), "flows__provider__", own=True),
        _name(_("Resource"), "flows__resource__"),
        _read(_("Resource category"), "flows__resource__category", categories),
        _name(_("Receiver"), "flows__receiver__", own=True),
        _read(_("Direction"), "flows__direction", directions),
        _read(_("Quantity"), "flows__quantity"),
        # The unit the quantity was entered in; the totals' one and the emission factor's below.
        _read(_("Unit"), "flows__unit", units),
        _read(_("Period"), "flows__period", periods),
        _three_decimals(_("Annual quantity"), "annual"),
        _three_decimals(_("Annual quantity in the totals unit"), "annual_in_totals_unit"),
        _read(_("Totals unit"), "totals_unit", units),
        _read(_("Unit of the emission factor"), "flows__resource__unit", units),
        _read(_("Emission factor (kg CO2e avoided per unit)"), "flows__resource__emission_factor"),
        _read(_("Source of the emission factor"), "flows__resource__emission_factor_source"),
        _read(
            _("Year the emission factor was published"),
            "flows__resource__current_factor__year",
        ),
        _three_decimals(_("t CO2e avoided per year"), "co2e"),
        _counted(_("Counted in the impact totals")),
        # How the figure is counted: the flow's kind of symbiosis (its own, else its
        # agreement's), its baseline (agreements.impact) and who claims it.
        Column(
            _("Kind of symbiosis of the flow"),
            ("flow_symbiosis_kind",),
            _choice_cell(SymbiosisKind.choices),
            computes=(
                (
                    "flow_symbiosis_kind",
                    Coalesce(NullIf("flows__symbiosis_kind", Value("")), "symbiosis_kind"),
                ),
            ),
        ),
        Column(
            _("Baseline"),
            ("flow_baseline",),
            computes=(("flow_baseline", baseline_expression("flows__")),),
        ),
        _read(
            _("Avoided emissions claimed by"),
            "flows__claimed_by",
            _labels(ResourceFlow.Claimant.choices),
        ),
        # What links rows to one another, so that a file imported (agreements.imports) keeps
        # its chains and nesting: the flow's number within its agreement (1, 2, ... by the
        # order flows were entered), the flow it is made from as "<reference> #<number>", and
        # the agreements this one is made under or amends, by reference.
        _flow_number(_("Flow number")),
        Column(
            _("Made from flow"),
            ("flows__made_from__agreement__reference", "made_from_number"),
            _made_from_cell,
            computes=(("made_from_number", made_from_number("flows__")),),
        ),
        _read(_("Framework agreement"), "framework__reference"),
        _read(_("Earlier agreement"), "amends__reference"),
        _read(
            _("Relation to the earlier agreement"),
            "amendment_kind",
            _labels(Agreement.AmendmentKind.choices),
        ),
    ]


# Between an agreement's reference and a flow's number in "Made from flow": no reference has
# one (``Agreement.reference``'s validator allows letters, digits, dots, dashes and slashes).
FLOW_MARK = " #"


def flow_label(reference, number):
    """How a file names a flow: "DEEPC-2023-001 #2", its agreement's second flow."""
    return f"{reference}{FLOW_MARK}{number}"


def flow_number(prefix=""):
    """The number of the flow reached through ``prefix`` within its agreement: how many of the
    agreement's flows were entered up to it (by primary key)."""
    return Subquery(
        ResourceFlow.objects.filter(
            agreement_id=OuterRef(f"{prefix}agreement_id"), pk__lte=OuterRef(f"{prefix}pk")
        )
        .order_by()
        .values("agreement_id")
        .annotate(number=Count("pk"))
        .values("number"),
        output_field=IntegerField(),
    )


def made_from_number(prefix=""):
    """The number of the flow the flow reached through ``prefix`` is made from (NULL for none):
    a count of a few rows, asked only of the flows that have one."""
    return Case(
        When(
            **{f"{prefix}made_from__isnull": False},
            then=flow_number(f"{prefix}made_from__"),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def _made_from_cell(reference, number):
    return lambda row: "" if row[reference] is None else flow_label(row[reference], row[number])


def _flow_number(header):
    """The flow's number within its agreement, blank on the row of an agreement with no flow.
    The rows come in each agreement's flows' order, so the number is counted as they pass
    (no query); a file of one category's flows, which leaves some of them out, reads the
    number the database counts (``numbered``)."""

    def cell(agreement, flow, numbered):
        state = {"agreement": None, "number": 0}

        def shown(row):
            if row[flow] is None:
                return None
            if row[numbered] is not None:
                return row[numbered]
            if row[agreement] != state["agreement"]:
                state["agreement"], state["number"] = row[agreement], 0
            state["number"] += 1
            return state["number"]

        return shown

    return Column(header, ("id", "flows__pk", "flow_number"), cell)


def agreement_columns(*, today):
    """One row per agreement: its columns, with its flows counted."""
    return [
        *_agreement_columns(
            today=today,
            # Both languages, as typed: a file for reports keeps what either says.
            before_dates=[
                _read(_("Place signed in Vietnamese"), "signed_at_vi"),
                _read(_("Place signed in English"), "signed_at_en"),
            ],
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
    reads = (name for column in columns for name in column.reads if name != PARTIES)
    return list(dict.fromkeys(["id", *reads]))


def _computes(columns):
    """What the rows' query computes for the columns, by name."""
    return dict(pair for column in columns for pair in column.computes)


def _cells(columns, rows, parties):
    """One list of cells per row of ``rows`` (``values_list(*_reads(columns))``): each
    column's getter is made once, then called on every row."""
    places = {name: index for index, name in enumerate([*_reads(columns), PARTIES])}
    getters = [column.getter(places) for column in columns]
    for row in _with_parties(rows, parties):
        yield [get(row) for get in getters]


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
            **_computes(columns),
            annual=annual_quantity("flows__"),
            annual_in_totals_unit=in_totals_unit(annual_quantity("flows__"), "flows__"),
            totals_unit=totals_unit("flows__"),
            co2e=annual_tonnes_co2e_avoided("flows__"),
            active=_is_active(today),
            # The dashboard's rule (agreements.impact), on the row's flow.
            counted=as_boolean(flows_counted_in_impact(today)),
            # Counted as the rows pass (``_flow_number``), unless some flows are left out.
            flow_number=flow_number("flows__")
            if category
            else Value(None, output_field=IntegerField()),
        )
        .order_by("reference", "pk", "flows__pk")
        .values_list(*_reads(columns))
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
            **_computes(columns),
            flow_count=Count("flows", filter=in_category),
            without_quantity=Count("flows", filter=in_category & Q(flows__quantity__isnull=True)),
            active=_is_active(today),
        )
        .order_by("reference", "pk")
        .values_list(*_reads(columns))
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
                "Each quantity is in the unit it was entered in. The annual quantity in the "
                "totals unit converts it into one unit per dimension, as the dashboard adds them "
                "up: energy in MWh, mass in t, volume in m³, area in m², time in hours; counts "
                "are not converted."
            )
        ],
        [
            _(
                "t CO2e avoided per year = annual quantity, converted into the unit of the "
                "emission factor, x emission factor / 1000, where the resource has an emission "
                "factor."
            )
        ],
        [
            _(
                "The dashboard's impact totals count the flows of verified agreements active on "
                "the export date (the last column)."
            )
        ],
        [
            _(
                "Each exchange (provider, resource, receiver) counts once: where a framework "
                "agreement and a bilateral agreement made under it both record it, only the "
                "bilateral agreement's flow counts, and the framework's row says no in the "
                "last column."
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


# Cells that _csv_cell would write as str() does: numbers and dates. (Numbers are left
# unguarded: quantities and emission factors are never negative, by the constraints
# agreements_resourceflow_quantity_not_negative and agreements_resource_emission_factor_not_
# negative, and a number is no formula anyway.)
_AS_STR = frozenset({int, Decimal, datetime.date})
_TRIGGERS = frozenset(FORMULA_TRIGGERS)


def _csv_line(row, writer):
    """``row`` as one line of CSV, as ``writer.writerow([_csv_cell(cell) for cell in
    row])`` would write it: the CSV export's inner loop, so the common cells (text, numbers,
    dates, nothing) take no call each, and a line with no cell to quote (no comma, quote or
    line break in any) is joined directly, some ten times faster than csv.writer."""
    cells = [
        ("'" + cell if cell[:1] in _TRIGGERS else cell)
        if cell.__class__ is str
        else ""
        if cell is None
        else str(cell)
        if cell.__class__ in _AS_STR
        else _csv_cell(cell)
        for cell in row
    ]
    line = ",".join(cells)
    if (
        line.count(",") == len(cells) - 1
        and '"' not in line
        and "\n" not in line
        and "\r" not in line
    ):
        return line + "\r\n"
    return writer.writerow(cells)


class _Echo:
    """A file-like object that hands back what is written, for csv.writer to return lines."""

    def write(self, value):
        return value


def csv_stream(header, rows, *, byte_order_mark=True):
    """The CSV text, UTF-8 with a byte-order mark so that spreadsheet programs read
    Vietnamese names correctly (without one for files read by programs: the open data
    package): the header alone first (the download starts before the rows' query answers),
    then ``CSV_ROWS_PER_CHUNK`` rows at a time."""
    writer = csv.writer(_Echo())
    mark = "\ufeff" if byte_order_mark else ""
    yield mark + writer.writerow([inert(str(cell)) for cell in header])
    rows = iter(rows)
    while chunk := list(islice(rows, CSV_ROWS_PER_CHUNK)):
        yield "".join([_csv_line(row, writer) for row in chunk])


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
