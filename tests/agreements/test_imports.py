"""Importing agreements from a spreadsheet in the export's columns (agreements/imports)."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agreements.imports import analysis, reading
from agreements.imports import columns as c
from agreements.models import Agreement, ImportBatch, Party, Resource, ResourceFlow
from agreements.reporting.exports import flow_header
from parks.models import Organisation
from tests.agreements.world import make_world

TODAY = datetime.date(2025, 6, 15)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(db):
    return make_world()


def english_headers():
    with translation.override("en"):
        return flow_header(today=TODAY)


def csv_file(rows, *, headers=None, name="agreements.csv"):
    """A CSV upload of ``rows`` (dicts by English header) in the export's columns."""
    english = english_headers()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers or english)
    for row in rows:
        writer.writerow([row.get(header, "") for header in english])
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode(), "text/csv")


def xlsx_file(rows, name="agreements.xlsx"):
    english = english_headers()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(english)
    for row in rows:
        sheet.append([row.get(header) for header in english])
    output = io.BytesIO()
    book.save(output)
    return SimpleUploadedFile(name, output.getvalue(), XLSX)


def a_row(world, **cells):
    row = {
        "Reference": "IMP-1",
        "Title": "Fire-fighting capacity shared",
        "Park": world.park.name,
        "Kind": "Industrial-urban symbiosis",
        "Signed on": "2023-09-12",
        "Starts on": "2023-09",
        "Parties and roles": "Dinh Vu Industrial Park JSC (Signatory); Công an quận Hải An "
        "(Signatory); Flat Vietnam (Witness)",
        "Provider": "Dinh Vu Industrial Park JSC",
        "Resource": "Fire-fighting capacity",
        "Receiver": "Hai An District Police",
        "Direction": "Mutual",
        "Quantity": "12",
        "Unit": "m³",
        "Period": "per month",
        "Flow number": "1",
    }
    row.update(cells)
    return row


def upload(client, user, file):
    client.force_login(user)
    response = client.post(reverse("agreements:import"), {"file": file})
    return response


def analysed(client, user, file):
    """The batch of ``file``, uploaded and previewed until every row is analysed."""
    response = upload(client, user, file)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    for _visit in range(50):
        response = client.get(batch.get_absolute_url())
        batch.refresh_from_db()
        if batch.is_finished:
            return batch, response
    raise AssertionError("the analysis never finished")


def confirm(client, batch, on_existing="skip"):
    return client.post(
        reverse("agreements:import-confirm", kwargs={"pk": batch.pk}),
        {"on_existing": on_existing},
    )


class TestReading:
    def test_cells_the_export_guarded_come_back_unguarded_and_formulas_stay_text(self, world):
        file = xlsx_file(
            [
                a_row(
                    world,
                    Title="'=1+1 is how the plan was called",
                    Resource='=HYPERLINK("http://evil.example","click")',
                )
            ]
        )

        keys, _ignored, rows = reading.read(file)

        cells = dict(zip(keys, rows[0][1:], strict=True))
        assert cells["Title"] == "=1+1 is how the plan was called"
        assert cells["Resource"] == '=HYPERLINK("http://evil.example","click")'

    def test_a_formula_cell_of_a_workbook_is_imported_as_its_text(self, client, world):
        file = xlsx_file([a_row(world, Title='=HYPERLINK("http://evil.example","click")')])

        batch, _response = analysed(client, world.staff, file)
        confirm(client, batch)

        agreement = Agreement.objects.get(reference="IMP-1")
        assert agreement.title_en == '=HYPERLINK("http://evil.example","click")'

    def test_a_file_over_the_limit_is_refused_naming_the_limit(self, client, world, settings):
        settings.IMPORT_MAX_ROWS = 3
        rows = [a_row(world, Reference=f"IMP-{n}") for n in range(4)]

        response = upload(client, world.staff, csv_file(rows))

        assert response.status_code == 200
        assert "more than 3 rows" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_a_file_that_is_no_spreadsheet_is_refused(self, client, world):
        file = SimpleUploadedFile("x.xlsx", b"%PDF-1.4 not a sheet\x00\x01", "application/pdf")

        response = upload(client, world.staff, file)

        assert "neither an XLSX spreadsheet nor a CSV file" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_headers_and_choices_in_vietnamese_are_read(self, world):
        with translation.override("vi"):
            headers = flow_header(today=TODAY)
            kind = str(Agreement.Kind.INDUSTRIAL_URBAN.label)
        keys = c.header_keys()
        assert c.key_of(headers[0], keys) == "Reference"
        assert c.choice(c.KIND, kind) == Agreement.Kind.INDUSTRIAL_URBAN
        assert c.choice(c.PERIOD, "per month") == ResourceFlow.Period.MONTHLY


class TestPreview:
    def test_a_preview_says_what_each_name_matched_and_writes_nothing(self, client, world):
        batch, response = analysed(client, world.staff, csv_file([a_row(world)]))

        page = response.content.decode()
        assert response.status_code == 200
        assert "New agreement" in page
        # Found by its Vietnamese name, by its English name, or to be proposed.
        assert "Công an quận Hải An: matched Hai An District Police (name in Vietnamese)" in page
        assert "Dinh Vu Industrial Park JSC: matched" in page
        assert batch.state["counts"]["errors"] == 0
        assert not Agreement.objects.exists()

    def test_one_bad_row_writes_nothing_and_is_named_in_vietnamese(self, client, world):
        rows = [
            a_row(world),
            a_row(world, **{"Flow number": "2", "Quantity": "-5", "Direction": "One-way"}),
        ]
        client.force_login(world.staff)
        client.post(reverse("set_language"), {"language": "vi"})

        batch, response = analysed(client, world.staff, csv_file(rows))
        page = response.content.decode()
        response = confirm(client, batch)

        assert not Agreement.objects.exists()
        assert not Organisation.objects.filter(name_vi="Flat Vietnam").exists()
        # Row 3 of the sheet (the header is row 1), the quantity column, the problem: in
        # Vietnamese.
        assert batch.state["counts"]["errors"] == 1
        bad = next(outcome for outcome in batch.outcomes if outcome.get("errors"))
        assert bad["line"] == 3
        # The row's cell is labelled for the stacked rows of a phone, in Vietnamese too.
        with translation.override("vi"):
            row_label = translation.gettext("Row")
        assert f'<th scope="row" data-label="{row_label}">3</th>' in page
        assert "<strong>Số lượng</strong>: Số lượng không được là số âm." in page
        assert response.status_code == 302

    def test_the_park_must_be_one_the_user_imports_into(self, client, world):
        batch, response = analysed(client, world.other_staff, csv_file([a_row(world)]))

        assert batch.state["counts"]["errors"] == 1
        assert "You cannot import agreements into Deep C Industrial Park" in (
            response.content.decode()
        )
        confirm(client, batch)
        assert not Agreement.objects.exists()

    def test_the_official_overseeing_the_park_imports_into_it(self, client, world):
        batch, _response = analysed(client, world.official, csv_file([a_row(world)]))

        assert batch.state["counts"]["errors"] == 0
        confirm(client, batch)
        agreement = Agreement.objects.get(reference="IMP-1")
        assert agreement.park == world.park
        assert agreement.created_by == world.official

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, world):
        for name in ("agreements:import", "agreements:import-template"):
            response = client.get(reverse(name))
            assert response.status_code == 302
            assert reverse("login") in response["Location"]

    def test_someone_elses_batch_is_not_found(self, client, world):
        batch, _response = analysed(client, world.staff, csv_file([a_row(world)]))
        other = make_world_staff(world)
        client.force_login(other)

        assert client.get(batch.get_absolute_url()).status_code == 404
        assert confirm(client, batch).status_code == 404
        assert not Agreement.objects.exists()

    def test_progress_is_shown_while_the_rows_are_analysed(self, client, world, monkeypatch):
        monkeypatch.setattr(analysis, "CHUNK_ROWS", 2)
        rows = [a_row(world, Reference=f"IMP-{n}") for n in range(5)]
        upload(client, world.staff, csv_file(rows))
        batch = ImportBatch.objects.get()

        first = client.get(batch.get_absolute_url())
        second = client.get(batch.get_absolute_url())
        third = client.get(batch.get_absolute_url())

        assert '<meta http-equiv="refresh" content="0">' in first.content.decode()
        assert 'value="2" max="5"' in first.content.decode()
        assert 'value="4" max="5"' in second.content.decode()
        assert "refresh" not in third.content.decode()
        assert "Import preview" in third.content.decode()

    def test_the_rows_with_errors_come_first_then_each_row_in_the_files_order_a_page_at_a_time(
        self, client, world
    ):
        # 60 agreements, rows 2 to 61 of the sheet; rows 20, 40 and 61 name no park.
        rows = [
            a_row(
                world,
                Reference=f"IMP-{n}",
                Park="Nowhere" if n in (18, 38, 59) else world.park.name,
            )
            for n in range(60)
        ]
        batch, _response = analysed(client, world.staff, csv_file(rows))
        expected = [20, 40, 61, *(line for line in range(2, 62) if line not in (20, 40, 61))]

        def lines(page):
            response = client.get(batch.get_absolute_url(), {"page": page})
            return [
                int(line)
                for line in re.findall(
                    r'<th scope="row" data-label="Row">(\d+)<', response.content.decode()
                )
            ]

        assert lines(1) == expected[:50]
        assert lines(2) == expected[50:]
        # As Paginator.get_page reads the number: not a number, the first page; past either
        # end, the last.
        assert lines("two") == lines("") == expected[:50]
        for page in ("3", "99", "0", "-1", "123456789012345678901234567890"):
            assert lines(page) == expected[50:], page

    def test_the_analysed_preview_has_a_fixed_number_of_queries(
        self, client, world, django_assert_num_queries
    ):
        small, _ = analysed(client, world.staff, csv_file([a_row(world)]))
        rows = [a_row(world, Reference=f"IMP-{n}") for n in range(60)]
        large, _ = analysed(client, world.staff, csv_file(rows))

        for batch in (small, large):
            # The session, the user; in the request's transaction (a savepoint, in tests) the
            # user's park and agency memberships (who may import, one query) and the batch.
            with django_assert_num_queries(6):
                assert client.get(batch.get_absolute_url()).status_code == 200


def make_world_staff(world):
    from tests.factories import make_park_staff

    return make_park_staff(world.park, username="second-staff")


class TestConfirm:
    def test_confirming_writes_drafts_with_parties_flows_proposals_and_history(self, client, world):
        batch, _response = analysed(
            client,
            world.staff,
            csv_file(
                [
                    a_row(
                        world,
                        Resource="Rooftop solar electricity",
                        **{"Resource category": "Energy", "Unit": "MWh", "Quantity": "3.5"},
                    )
                ]
            ),
        )

        response = confirm(client, batch)

        assert response.status_code == 302
        assert response["Location"] == reverse("agreements:mine")
        agreement = Agreement.objects.get(reference="IMP-1")
        assert agreement.review_state == Agreement.ReviewState.DRAFT
        assert agreement.created_by == world.staff
        assert agreement.signed_on == datetime.date(2023, 9, 12)
        assert (agreement.starts_on, agreement.starts_on_precision) == (
            datetime.date(2023, 9, 1),
            "month",
        )
        assert sorted(
            (party.organisation_id, party.role) for party in agreement.parties.all()
        ) == sorted(
            [
                (world.provider.pk, Party.Role.SIGNATORY),
                (world.receiver.pk, Party.Role.SIGNATORY),
                (world.witness.pk, Party.Role.WITNESS),
            ]
        )
        flow = agreement.flows.get()
        assert flow.provider == world.provider and flow.receiver == world.receiver
        assert (flow.quantity, flow.unit, flow.period) == (Decimal("3.5"), "MWh", "monthly")
        # The resource missing from the registry, proposed for the park as the form's dialog
        # proposes it: awaiting an official.
        resource = flow.resource
        assert resource.name_en == "Rooftop solar electricity"
        assert resource.category == Resource.Category.ENERGY
        assert not resource.is_confirmed
        assert resource.proposed_for_park == world.park
        assert resource.proposed_by == world.staff
        assert agreement.history.count() == 1
        assert agreement.history.first().history_user == world.staff
        messages = [str(message) for message in get_messages(response.wsgi_request)]
        assert any("1 agreement imported as a draft" in message for message in messages)
        # A batch is confirmed once.
        assert confirm(client, batch).status_code == 302
        assert Agreement.objects.count() == 1

    def test_an_existing_reference_is_skipped_or_updated_as_chosen(self, client, world):
        analysed_batch, _ = analysed(client, world.staff, csv_file([a_row(world)]))
        confirm(client, analysed_batch)
        stored = Agreement.objects.get(reference="IMP-1")
        changed = a_row(world, Title="Renamed in the file", Quantity="20")

        skipped, response = analysed(client, world.staff, csv_file([changed]))
        assert "Already in the registry" in response.content.decode()
        confirm(client, skipped, "skip")
        stored.refresh_from_db()
        assert stored.title_en == "Fire-fighting capacity shared"

        updated, _ = analysed(client, world.staff, csv_file([changed]))
        confirm(client, updated, "update")
        stored.refresh_from_db()
        assert stored.title_en == "Renamed in the file"
        assert stored.flows.get().quantity == Decimal("20")
        assert Agreement.objects.count() == 1

    def test_the_template_has_the_columns_and_an_example_that_imports(self, client, world):
        client.force_login(world.staff)
        response = client.get(reverse("agreements:import-template"))
        content = b"".join(response.streaming_content)
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))

        # The export's columns; "Active on <date>" names the day it is downloaded.
        def dated(headers):
            return [header for header in headers if not header.startswith("Active on")]

        assert dated(rows[0]) == dated(english_headers())
        assert rows[1][0] == "EXAMPLE-2025-001"
        upload_file = SimpleUploadedFile("template.xlsx", content, XLSX)
        batch, _response = analysed(client, world.staff, upload_file)
        assert batch.state["counts"]["errors"] == 0, batch.outcomes


def test_flows_and_parties_are_read_as_the_export_writes_them(db):
    assert analysis.parse_flow("DEEPC-2023-001 #2") == ["DEEPC-2023-001", 2]
    assert analysis.parse_flow("DEEPC-2023-001") is None
    # Cut after each role only (in either language), so a name may hold "; "; a name with no
    # role after the last one is a signatory.
    assert analysis.parse_parties("Công ty A; chi nhánh (Signatory); B (Bên chứng kiến); C") == [
        ("Công ty A; chi nhánh", "signatory"),
        ("B", "witness"),
        ("C", "signatory"),
    ]


class TestSpeed:
    def test_5000_rows_are_analysed_in_under_30_seconds_in_few_queries_a_chunk(
        self, client, world, django_assert_max_num_queries
    ):
        import time

        names = [f"Speed Company {n}" for n in range(80)]
        for name in names[:60]:  # 60 in the registry, 20 to be proposed
            make_organisation_named(name)
        rows = []
        for n in range(1000):
            first, second = names[n % 80], names[(n + 1) % 80]
            for f in range(5):
                rows.append(
                    a_row(
                        world,
                        Reference=f"SPEED-{n:04d}",
                        **{
                            "Parties and roles": f"{first} (Signatory); {second} (Signatory)",
                            "Provider": first,
                            "Receiver": second,
                            "Flow number": str(f + 1),
                            "Resource": f"Speed resource {f}",
                            "Resource category": "Water",
                            "Unit": "m³",
                        },
                    )
                )
        upload(client, world.staff, csv_file(rows))
        batch = ImportBatch.objects.get()
        assert batch.total == 5000

        started = time.monotonic()
        visits = 0
        while not batch.is_finished:
            # A chunk of 500 rows: the parks, the existing references, the names' candidates
            # and the batch, whatever the rows.
            with django_assert_max_num_queries(20):
                client.get(batch.get_absolute_url())
            batch.refresh_from_db()
            visits += 1
        elapsed = time.monotonic() - started

        assert visits == 10
        assert elapsed < 30
        assert batch.state["counts"]["errors"] == 0
        assert batch.state["counts"]["new"] == 1000
        assert batch.state["counts"]["organisations_proposed"] == 20


def make_organisation_named(name):
    from tests.factories import make_organisation

    return make_organisation(name_en=name)


class TestHousekeeping:
    def test_batches_older_than_a_day_are_deleted_on_upload(self, client, world):
        from django.utils import timezone

        old = ImportBatch.objects.create(created_by=world.staff, total=0)
        ImportBatch.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
        )
        recent = ImportBatch.objects.create(created_by=world.other_staff, total=0)

        upload(client, world.staff, csv_file([a_row(world)]))

        assert not ImportBatch.objects.filter(pk=old.pk).exists()
        assert ImportBatch.objects.filter(pk=recent.pk).exists()

    def test_an_import_of_many_rows_analyses_the_tables_it_filled(self, client, world, monkeypatch):
        from agreements.imports import services

        analysed_tables = []
        monkeypatch.setattr(services, "ANALYZE_FROM_ROWS", 2)
        monkeypatch.setattr(
            services, "analyze_on_commit", lambda *models: analysed_tables.extend(models)
        )
        rows = [a_row(world, Reference=f"IMP-{n}") for n in range(2)]
        batch, _ = analysed(client, world.staff, csv_file(rows))

        confirm(client, batch)

        assert Agreement.objects.count() == 2
        assert {model.__name__ for model in analysed_tables} >= {
            "Agreement",
            "Party",
            "ResourceFlow",
        }

    def test_a_chain_to_a_flow_nowhere_is_an_error_of_its_row(self, client, world):
        rows = [a_row(world, **{"Made from flow": "NOWHERE-1 #1"})]

        batch, response = analysed(client, world.staff, csv_file(rows))

        assert batch.state["counts"]["errors"] == 1
        assert "No flow NOWHERE-1 #1 is in this file or in the registry." in (
            response.content.decode()
        )

    def test_an_existing_reference_of_another_park_is_left_as_it_is(self, client, world):
        from tests.factories import make_agreement

        elsewhere = make_agreement(world.other_park, reference="IMP-1", title_en="Theirs")

        batch, response = analysed(client, world.staff, csv_file([a_row(world)]))
        confirm(client, batch, "update")

        assert "it belongs to another park" in response.content.decode()
        elsewhere.refresh_from_db()
        assert elsewhere.title_en == "Theirs"
        assert Agreement.objects.count() == 1
