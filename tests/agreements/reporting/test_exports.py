"""The register as CSV and XLSX: the files open, hold the rows the dashboard counts, and
nothing in them runs as a formula."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone, translation

from agreements.models import Agreement, Resource
from agreements.permissions import reviewable_agreements
from agreements.reporting import dashboard, exports
from agreements.reporting.filters import Filters
from tests.agreements.reporting.dashboard_data import TODAY, build_register
from tests.factories import make_agreement, make_organisation, make_park, make_resource

PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB=1+1",
    "\rCR=1+1",
]


@pytest.fixture
def register(db):
    return build_register()


def scope(user, filters=None):
    filters = filters or Filters()
    return filters.agreements(reviewable_agreements(user, Agreement.objects.all()))


def csv_rows(agreements, *, category="", today=TODAY):
    text = "".join(
        exports.csv_stream(
            exports.flow_header(today=today),
            exports.flow_rows(agreements, category=category, today=today),
        )
    )
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def workbook(agreements, *, category="", today=TODAY):
    output = exports.xlsx_file(
        flows=(
            exports.flow_header(today=today),
            exports.flow_rows(agreements, category=category, today=today),
        ),
        agreements=(
            exports.agreement_header(today=today),
            exports.agreement_rows(agreements, category=category, today=today),
        ),
        about=exports.notes(today=today, filters_text=""),
    )
    with output:
        return openpyxl.load_workbook(io.BytesIO(output.read()))


def sheet_rows(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


class TestCsv:
    def test_one_row_per_flow_and_one_for_an_agreement_without_flows(self, register):
        rows = csv_rows(scope(register.heza_official))

        # 14 flows in HEZA's parks, and A8 (a draft with no flow yet) on a row of its own.
        assert len(rows) == 15
        assert [row["Reference"] for row in rows if not row["Resource"]] == ["A8"]

    def test_the_rows_cover_the_agreements_the_dashboard_counts(self, register):
        agreements = scope(register.heza_official)
        figures = dashboard.overview(agreements, today=TODAY)
        rows = csv_rows(agreements)

        assert len({row["Reference"] for row in rows}) == figures["total"] == 10

    def test_the_rows_counted_in_the_impact_totals_add_up_to_the_dashboards(self, register):
        agreements = scope(register.heza_official)
        impact = dashboard.impact(Filters().flows(agreements), today=TODAY)
        counted = [
            row for row in csv_rows(agreements) if row["Counted in the impact totals"] == "yes"
        ]
        water = [row for row in counted if row["Unit"] == "m³" and row["Annual quantity"]]

        assert len(counted) == impact.flows == 9
        assert sum(Decimal(row["Annual quantity"]) for row in water) == Decimal(1500)
        assert sum(
            Decimal(row["t CO2e avoided per year"])
            for row in counted
            if row["t CO2e avoided per year"]
        ) == Decimal("68.75")

    def test_a_row_carries_its_agreement_flow_and_annualised_impact(self, register):
        rows = csv_rows(scope(register.heza_official))
        a1_water = next(row for row in rows if row["Reference"] == "A1" and row["Unit"] == "m³")

        assert a1_water == {
            "Reference": "A1",
            "Title": "Agreement A1",
            "Park": "Alpha Park",
            "Province or city": "Hai Phong",
            "Kind": "Industrial symbiosis between firms",
            # Recorded without one (a test agreement made directly), so never confirmed.
            "Kind of symbiosis (Circular 05/2025)": "",
            "Kind of symbiosis confirmed": "no",
            "Review state": "Verified",
            "Signed on": "2023-03-01",
            "Starts on": "2023-03-01",
            "Ends on": "",
            "Terminated on": "",
            "Active on 2025-06-15": "yes",
            "Parties and roles": "Company 1 (Signatory); Company 2 (Signatory)",
            "Provider": "Company 1",
            "Resource": "Treated wastewater",
            "Resource category": "Water",
            "Receiver": "Company 2",
            "Direction": "One-way",
            "Quantity": "100.000",
            "Unit": "m³",
            "Period": "per month",
            "Annual quantity": "1200.000",
            "Annual quantity in the totals unit": "1200.000",
            "Totals unit": "m³",
            "Unit of the emission factor": "m³",
            "Emission factor (kg CO2e avoided per unit)": "0.5000",
            "Source of the emission factor": "Test factor for water",
            # Recorded before factors had a year (a test resource given its factor directly).
            "Year the emission factor was published": "",
            "t CO2e avoided per year": "0.600",
            "Counted in the impact totals": "yes",
            "Kind of symbiosis of the flow": "",
            "Baseline": "",
            "Avoided emissions claimed by": "",
            # What an import links rows by: its first flow, in no chain, nested in nothing.
            "Flow number": "1",
            "Made from flow": "",
            "Framework agreement": "",
            "Earlier agreement": "",
            "Relation to the earlier agreement": "",
        }

    def test_parties_are_listed_with_their_roles_signatories_first(self, register):
        rows = csv_rows(scope(register.heza_official))

        assert {row["Parties and roles"] for row in rows if row["Reference"] == "A9"} == {
            "Company 2 (Signatory); Company 3 (Signatory); UNIDO (Witness)"
        }

    def test_a_mutual_flow_is_one_row_and_a_one_off_has_no_annual_quantity(self, register):
        rows = csv_rows(scope(register.heza_official))

        mutual = [row for row in rows if row["Direction"] == "Mutual"]
        one_off = next(
            row for row in rows if row["Period"] == "one-off" and row["Reference"] == "A9"
        )
        assert [row["Reference"] for row in mutual] == ["A2"]
        assert (one_off["Quantity"], one_off["Annual quantity"]) == ("500.000", "")

    def test_a_resource_category_filter_keeps_only_that_categorys_flows(self, register):
        filters = Filters(category=Resource.Category.MATERIAL)
        rows = csv_rows(scope(register.heza_official, filters), category=filters.category)

        assert sorted(row["Reference"] for row in rows) == ["A4", "A7", "A9", "A9"]
        assert {row["Resource category"] for row in rows} == {"Material or by-product"}

    def test_other_authorities_agreements_are_not_exported(self, register):
        rows = csv_rows(scope(register.heza_official))

        assert "A10" not in {row["Reference"] for row in rows}
        assert "Gamma Park" not in {row["Park"] for row in rows}


class TestXlsx:
    def test_the_workbook_opens_with_a_sheet_of_flows_one_of_agreements_and_notes(self, register):
        book = workbook(scope(register.heza_official))

        assert book.sheetnames == ["Resource flows", "Agreements", "About"]
        assert len(sheet_rows(book["Resource flows"])) == 15
        assert len(sheet_rows(book["Agreements"])) == 10

    def test_the_agreement_sheet_matches_the_dashboard(self, register):
        agreements = scope(register.heza_official)
        figures = dashboard.overview(agreements, today=TODAY)
        rows = sheet_rows(workbook(agreements)["Agreements"])

        assert len(rows) == figures["total"]
        assert sum(row["Review state"] == "Verified" for row in rows) == figures["verified"]
        assert sum(row["Active on 2025-06-15"] == "yes" for row in rows) == figures["active"]
        a9 = next(row for row in rows if row["Reference"] == "A9")
        assert (a9["Resource flows"], a9["Flows with no quantity"]) == (4, 1)

    def test_dates_and_numbers_are_cells_of_their_type(self, register):
        rows = sheet_rows(workbook(scope(register.heza_official))["Resource flows"])
        a1_water = next(row for row in rows if row["Reference"] == "A1" and row["Unit"] == "m³")
        a7 = next(
            row
            for row in sheet_rows(workbook(scope(register.heza_official))["Agreements"])
            if row["Reference"] == "A7"
        )

        assert a1_water["Signed on"] == datetime.datetime(2023, 3, 1)
        assert a1_water["Annual quantity"] == 1200
        assert a7["Reviewed at"] == datetime.datetime(2025, 6, 10, 9, 0)  # local time


class TestFormulaInjection:
    @pytest.fixture
    def poisoned(self, db):
        provider, receiver = (make_organisation(name_en=payload) for payload in PAYLOADS[1:3])
        agreement = make_agreement(
            make_park(name_en=PAYLOADS[5]),
            reference="EVIL-1",
            title_en=PAYLOADS[0],
            parties=[provider, receiver],
            flows=[(make_resource(name_en=PAYLOADS[3]), provider, receiver)],
            signed_at_en=PAYLOADS[4],
        )
        return Agreement.objects.filter(pk=agreement.pk)

    def test_csv_cells_that_would_start_a_formula_are_prefixed_to_stay_text(self, poisoned):
        (row,) = csv_rows(poisoned)

        assert row["Title"] == "'" + PAYLOADS[0]
        assert row["Provider"] == "'" + PAYLOADS[1]
        assert row["Receiver"] == "'" + PAYLOADS[2]
        assert row["Resource"] == "'" + PAYLOADS[3]
        assert row["Park"] == "'" + PAYLOADS[5]
        # The parties' text starts with the first party's name.
        assert row["Parties and roles"].startswith("'+cmd")

    def test_xlsx_cells_that_would_start_a_formula_are_text_not_formulas(self, poisoned):
        book = workbook(poisoned)
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        texts = [cell for cell in cells if isinstance(cell.value, str)]

        assert not [cell for cell in cells if cell.data_type == "f"]
        for payload in PAYLOADS:
            # (XML turns a carriage return into a line feed: look for what follows it.)
            holding = [cell for cell in texts if payload.strip() in cell.value]
            assert holding, payload
            assert all(cell.value.startswith("'") and cell.data_type == "s" for cell in holding)

    def test_an_ordinary_text_is_left_alone(self):
        assert exports.inert("Deep C") == "Deep C"
        assert exports.inert("") == ""
        assert exports.inert(-5) == -5  # numbers are numbers, not text


def test_file_names_carry_the_date():
    assert exports.file_name("csv", today=datetime.date(2025, 6, 15)) == (
        "symbiosis-register-2025-06-15.csv"
    )


@pytest.mark.django_db
def test_an_empty_register_still_gives_files_with_their_headers():
    rows = csv_rows(Agreement.objects.none())
    book = workbook(Agreement.objects.none())

    assert rows == []
    assert [cell.value for cell in book["Resource flows"][1]][:2] == ["Reference", "Title"]


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_one_state_of_the_database():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes: one reader always sees one state")
    with exports.read_snapshot(), connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
        # And its queries are planned for reading all their rows, as an export does, not the
        # first tenth (the default for the server-side cursors that rows are read through).
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "1"


# The flow columns added after the demo copies were written, at the end of each row.
IMPORT_COLUMNS = (
    "Flow number",
    "Made from flow",
    "Framework agreement",
    "Earlier agreement",
    "Relation to the earlier agreement",
)


def kept_columns(text, expected):
    """``text`` (CSV) with only the first columns, as many as ``expected``'s header has,
    written again as the export writes lines."""
    width = len(next(csv.reader(io.StringIO(expected.decode().removeprefix("\ufeff")))))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert all(len(row) == width + len(IMPORT_COLUMNS) for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row[:width])
    return "\ufeff" + buffer.getvalue()


class TestDemoFiles:
    """The files of the demo register, byte for byte as the export wrote them before it was
    made fast (rows as tuples, names picked by the database, lines joined directly): the
    copies in demo_files/ were written by that earlier export."""

    FILES = Path(__file__).parent / "demo_files"

    @pytest.mark.parametrize("language", ["en", "vi"])
    def test_the_csv_is_unchanged(self, demo, language):
        with translation.override(language):
            text = "".join(
                exports.csv_stream(
                    exports.flow_header(today=TODAY),
                    exports.flow_rows(Agreement.objects.all(), today=TODAY),
                )
            )

        expected = (self.FILES / f"demo-{language}.csv").read_bytes()
        # Titles and names with commas: cells that csv.writer quotes are among them.
        assert ',"' in text
        # The columns added since for imports (flow numbers, chains, nesting) come last: the
        # columns the copies hold are unchanged, byte for byte.
        assert kept_columns(text, expected).encode() == expected

    @pytest.mark.parametrize("language", ["en", "vi"])
    def test_the_workbook_holds_the_same_cells(self, demo, language):
        with translation.override(language):
            book = workbook(Agreement.objects.all())

        cells = {
            sheet.title: [
                [None if value is None else str(value) for value in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in book.worksheets
        }
        expected = json.loads((self.FILES / f"demo-{language}.xlsx.json").read_text())
        flows_sheet = next(iter(expected))
        width = len(expected[flows_sheet][0])
        assert all(len(row) == width + len(IMPORT_COLUMNS) for row in cells[flows_sheet])
        cells[flows_sheet] = [row[:width] for row in cells[flows_sheet]]
        assert cells == expected


class TestCsvLines:
    def written_by_csv_writer(self, header, rows):
        """What the export wrote before its lines were joined directly: csv.writer, one
        cell at a time through the same rules."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([exports.inert(str(cell)) for cell in header])
        for row in rows:
            writer.writerow([exports._csv_cell(cell) for cell in row])
        return "\ufeff" + buffer.getvalue()

    def test_cells_that_need_quoting_or_a_guard_are_written_as_csv_writer_writes_them(self):
        moment = timezone.make_aware(datetime.datetime(2025, 6, 10, 9, 0))
        rows = [
            ["plain", "Công an quận Hải An", None, Decimal("1.500"), datetime.date(2025, 6, 15)],
            ["a, b", 'say "hi"', "two\nlines", "carriage\rreturn", ""],
            ["=1+1", "-2", "@SUM(A1:A2)", "'=already", "=SUM(A1,A2)"],
            [moment, 3, True, Decimal("0.000"), "; (Witness)"],
        ]
        header = ["=Header", "B", "C", "D", "E"]

        text = "".join(exports.csv_stream(header, rows))

        assert text == self.written_by_csv_writer(header, rows)
        lines = text.removeprefix("\ufeff").split("\r\n")
        assert lines[0] == "'=Header,B,C,D,E"
        assert lines[1] == "plain,Công an quận Hải An,,1.500,2025-06-15"
        assert lines[2] == '"a, b","say ""hi""","two\nlines","carriage\rreturn",'
        assert lines[3] == "'=1+1,'-2,'@SUM(A1:A2),'=already,\"'=SUM(A1,A2)\""
        assert lines[4] == "2025-06-10T09:00:00+07:00,3,True,0.000,; (Witness)"

    def test_the_register_is_written_as_csv_writer_writes_it(self, register):
        agreements = scope(register.heza_official)

        text = "".join(
            exports.csv_stream(
                exports.flow_header(today=TODAY), exports.flow_rows(agreements, today=TODAY)
            )
        )

        assert text == self.written_by_csv_writer(
            exports.flow_header(today=TODAY), exports.flow_rows(agreements, today=TODAY)
        )

    def test_the_header_comes_first_alone_then_many_rows_at_a_time(self, register, monkeypatch):
        monkeypatch.setattr(exports, "CSV_ROWS_PER_CHUNK", 4)
        agreements = scope(register.heza_official)

        chunks = list(
            exports.csv_stream(
                exports.flow_header(today=TODAY), exports.flow_rows(agreements, today=TODAY)
            )
        )

        # The download starts with the header, before the rows' query has answered.
        assert chunks[0].startswith("\ufeffReference,Title,")
        assert chunks[0].count("\r\n") == 1
        # Then the 15 rows, whole lines four at a time.
        assert [chunk.count("\r\n") for chunk in chunks[1:]] == [4, 4, 4, 3]
        assert all(chunk.endswith("\r\n") for chunk in chunks)
