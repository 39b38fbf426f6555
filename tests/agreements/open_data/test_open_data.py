"""The open data package (/data/): what it holds, that it is a valid Data Package, when it is
built again, and what each request costs."""

import csv
import datetime
import gc
import io
import json
import tracemalloc
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from frictionless import validate

from agreements.models import Agreement, ReportedQuantity, ResourceFlow
from agreements.open_data import package
from agreements.open_data.tables import TABLES
from parks.models import Organisation
from tests.factories import (
    make_agreement,
    make_organisation,
    make_park,
    make_reported_quantity,
    make_resource,
)
from tests.symbiosis.test_settings import run_manage, settings_of

pytestmark = pytest.mark.django_db

State = Agreement.ReviewState
FILES = ["datapackage.json", *[table.path for table in TABLES]]


def download(client, name):
    """A file of the package as served: (response, its bytes)."""
    response = client.get(f"/data/{name}")
    assert response.status_code == 200, name
    return response, b"".join(response.streaming_content)


def download_all(client, folder):
    """Every file of the package, saved into ``folder``: their texts by name."""
    folder.mkdir(exist_ok=True)
    texts = {}
    for name in FILES:
        _response, content = download(client, name)
        (folder / name).write_bytes(content)
        texts[name] = content.decode()
    return texts


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def unconfirmed(organisation_or_resource):
    type(organisation_or_resource).objects.filter(pk=organisation_or_resource.pk).update(
        confirmed_at=None
    )
    return organisation_or_resource


@pytest.fixture
def register(demo):
    """The demo and, around a verified agreement, everything that must stay out: drafts,
    submitted and returned agreements, proposals not yet confirmed, figures not accepted."""
    park = demo.park
    secret_company = unconfirmed(make_organisation(name_en="Telltale Unconfirmed Company"))
    secret_resource = unconfirmed(make_resource(name_en="Telltale Unconfirmed Resource"))
    hidden = {}
    for state in [State.DRAFT, State.SUBMITTED, State.RETURNED]:
        hidden[state] = make_agreement(
            park,
            reference=f"TELLTALE-{state.upper()}",
            title_en=f"Telltale {state} agreement",
            review_state=state,
            parties=[secret_company, make_organisation(name_en=f"Telltale {state} partner")],
            flows=[],
        )
        ResourceFlow.objects.create(
            agreement=hidden[state],
            resource=secret_resource,
            provider=secret_company,
            receiver=hidden[state].parties.exclude(organisation=secret_company)[0].organisation,
        )
    framework_draft = hidden[State.DRAFT]
    verified = make_agreement(
        park,
        reference="OPEN-2024-001",
        title_en="Treated wastewater to the cement plant",
        framework=framework_draft,
        amends=demo,
        amendment_kind=Agreement.AmendmentKind.AMENDS,
    )
    flow = verified.flows.get()
    flow.made_from = framework_draft.flows.get()
    flow.save()
    make_reported_quantity(flow, 2024, 1200, notes_en="Accepted figure")
    make_reported_quantity(
        flow, 2023, 999, state=ReportedQuantity.ReviewState.SUBMITTED, notes_en="Telltale pending"
    )
    make_reported_quantity(
        flow, 2022, 998, state=ReportedQuantity.ReviewState.RETURNED, notes_en="Telltale returned"
    )
    undeveloped = make_park(
        name_en="Park with an unconfirmed developer",
        developer=unconfirmed(make_organisation(name_en="Telltale Unconfirmed Developer")),
    )
    return {
        "demo": demo,
        "verified": verified,
        "flow": flow,
        "hidden": hidden,
        "undeveloped": undeveloped,
    }


def test_the_package_validates_against_the_data_package_and_table_schema_specs(
    client, register, tmp_path
):
    """The frictionless library checks the descriptor against the Data Package and Table
    Schema profiles, and every file against its schema: header, types, constraints, primary
    keys unique, foreign keys resolved, sizes and checksums."""
    download_all(client, tmp_path / "package")

    report = validate(str(tmp_path / "package" / "datapackage.json"))

    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])


def test_the_validation_finds_a_foreign_key_that_does_not_resolve(client, register, tmp_path):
    """The check above can fail: a party naming an organisation the package lacks is caught."""
    texts = download_all(client, tmp_path / "package")
    descriptor = json.loads(texts["datapackage.json"])
    broken = texts["parties.csv"]
    lines = broken.split("\r\n")
    cells = lines[1].split(",")
    cells[2] = "987654"  # organisation_id
    lines[1] = ",".join(cells)
    (tmp_path / "package" / "parties.csv").write_text("\r\n".join(lines))
    for resource in descriptor["resources"]:
        resource.pop("hash")
        resource.pop("bytes")
    (tmp_path / "package" / "datapackage.json").write_text(json.dumps(descriptor))

    report = validate(str(tmp_path / "package" / "datapackage.json"))

    assert not report.valid
    assert ["foreign-key"] in report.flatten(["type"])


def test_every_file_describes_the_same_tables_as_the_descriptor(client, register, tmp_path):
    texts = download_all(client, tmp_path / "package")
    descriptor = json.loads(texts["datapackage.json"])

    assert descriptor["profile"] == "tabular-data-package"
    assert [resource["name"] for resource in descriptor["resources"]] == [
        "parks",
        "organisations",
        "resources",
        "agreements",
        "parties",
        "flows",
        "measured_quantities",
    ]
    for resource in descriptor["resources"]:
        header = next(csv.reader(io.StringIO(texts[resource["path"]])))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
        assert resource["bytes"] == len(texts[resource["path"]].encode())
        assert all(field["description"] for field in resource["schema"]["fields"])


def test_no_draft_submitted_or_returned_agreement_nor_unconfirmed_record_is_in_any_file(
    client, register, tmp_path
):
    texts = download_all(client, tmp_path / "package")

    for name, text in texts.items():
        assert "telltale" not in text.lower(), name
    agreements = rows(texts["agreements.csv"])
    hidden_ids = {str(agreement.pk) for agreement in register["hidden"].values()}
    assert {row["reference"] for row in agreements} == {"DEEPC-2023-IUS-01", "OPEN-2024-001"}
    assert not hidden_ids & {row["agreement_id"] for row in rows(texts["parties.csv"])}
    assert not hidden_ids & {row["agreement_id"] for row in rows(texts["flows.csv"])}
    unconfirmed_ids = {str(pk) for pk in Organisation.objects.unconfirmed().values_list("pk")}
    for table, column in [
        ("organisations.csv", "id"),
        ("parties.csv", "organisation_id"),
        ("flows.csv", "provider_id"),
        ("flows.csv", "receiver_id"),
        ("parks.csv", "developer_id"),
    ]:
        assert not unconfirmed_ids & {row[column] for row in rows(texts[table])}, table


def test_references_to_what_is_not_public_are_blank_and_the_rest_are_kept(
    client, register, tmp_path
):
    texts = download_all(client, tmp_path / "package")
    verified = next(
        row for row in rows(texts["agreements.csv"]) if row["reference"] == "OPEN-2024-001"
    )
    flow = next(row for row in rows(texts["flows.csv"]) if row["id"] == str(register["flow"].pk))
    park = next(
        row for row in rows(texts["parks.csv"]) if row["id"] == str(register["undeveloped"].pk)
    )

    assert verified["framework_id"] == ""  # a draft
    assert verified["amends_id"] == str(register["demo"].pk)  # verified
    assert flow["made_from_id"] == ""  # a draft's flow
    assert park["developer_id"] == ""  # not confirmed


def test_only_accepted_measured_quantities_are_in_the_package(client, register, tmp_path):
    texts = download_all(client, tmp_path / "package")

    (figure,) = rows(texts["measured_quantities.csv"])
    assert figure["flow_id"] == str(register["flow"].pk)
    assert (figure["year"], figure["month"], figure["notes_en"]) == ("2024", "", "Accepted figure")
    assert figure["quantity"].startswith("1200")


def test_the_descriptor_names_the_registry_its_build_time_and_the_default_licence(client, register):
    moment = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    with mock.patch("agreements.open_data.package.timezone.now", return_value=moment):
        _response, content = download(client, "datapackage.json")
    descriptor = json.loads(content)

    assert descriptor["name"] == "symbiosis-registry"
    assert descriptor["title"] == "Symbiosis Registry: the verified register"
    assert descriptor["vi"]["title"]  # in Vietnamese beside it
    assert descriptor["created"] == "2026-03-04T05:06:07Z"
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]


def test_the_licence_is_set_by_the_setting(client, register, settings):
    settings.OPEN_DATA_LICENCE = "CC0-1.0"

    _response, content = download(client, "datapackage.json")

    assert json.loads(content)["licenses"][0]["name"] == "CC0-1.0"
    page = client.get("/data/").content.decode()
    assert "Creative Commons Zero v1.0 Universal" in page


def test_the_licence_is_read_from_the_environment_and_an_unknown_one_refused():
    assert settings_of("OPEN_DATA_LICENCE", DJANGO_OPEN_DATA_LICENCE="ODbL-1.0") == ["ODbL-1.0"]

    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_OPEN_DATA_LICENCE="MIT"
    )

    assert result.returncode != 0
    assert "DJANGO_OPEN_DATA_LICENCE='MIT' is not one of: CC-BY-4.0" in result.stderr


@pytest.fixture
def real_cache(settings):
    """A cache that works, so that the content generation moves on after a change."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Committed for real, so that each change moves the content generation on as in production.
@pytest.mark.django_db(transaction=True)
def test_the_package_is_built_again_after_a_change_at_most_once_an_interval(
    client, register, real_cache, settings
):
    settings.OPEN_DATA_REBUILD_MINUTES = 5
    start = datetime.datetime(2026, 3, 4, 8, 0, tzinfo=datetime.UTC)

    def fetch(minutes):
        moment = start + datetime.timedelta(minutes=minutes)
        with mock.patch("agreements.open_data.package.timezone.now", return_value=moment):
            response, content = download(client, "agreements.csv")
        return response["ETag"], content.decode()

    first, text = fetch(0)
    assert "Renamed agreement" not in text
    assert fetch(3)[0] == first  # nothing changed

    verified = register["verified"]
    verified.title_en = "Renamed agreement"
    verified.save()

    held, text = fetch(4)  # changed, but the build is 4 minutes old
    assert held == first
    assert "Renamed agreement" not in text
    rebuilt, text = fetch(5)  # the interval has passed
    assert rebuilt != first
    assert "Renamed agreement" in text
    # Changed again just after that build: not built again before the interval since it.
    verified.title_en = "Renamed again"
    verified.save()
    assert fetch(6)[0] == rebuilt
    assert fetch(9)[0] == rebuilt
    latest, text = fetch(10)
    assert latest != rebuilt
    assert "Renamed again" in text
    assert fetch(60)[0] == latest  # nothing changed since


def test_a_reader_with_the_current_build_is_told_it_has_not_changed(client, register):
    response, _content = download(client, "flows.csv")

    again = client.get("/data/flows.csv", HTTP_IF_NONE_MATCH=response["ETag"])

    assert again.status_code == 304
    assert response["Last-Modified"]


def test_files_are_streamed_from_the_build_without_a_query(
    client, register, django_assert_num_queries
):
    package.make_build()
    for name in FILES:
        with django_assert_num_queries(0):
            response = client.get(f"/data/{name}")
        assert isinstance(response, FileResponse), name
        assert response.streaming
        response.close()
    assert client.get("/data/nothing.csv").status_code == 404


def test_the_page_runs_no_query_once_built(client, register, django_assert_num_queries):
    package.make_build()

    with django_assert_num_queries(0):
        response = client.get("/data/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "datapackage.json" in page
    for table in TABLES:
        assert reverse("open_data:table", kwargs={"name": table.name}) in page


def build_queries():
    with CaptureQueriesContext(connection) as queries:
        package.make_build()
    return len(queries)


def test_a_build_runs_the_same_queries_whatever_the_number_of_rows(register):
    few = build_queries()
    park = make_park()
    for _ in range(15):
        agreement = make_agreement(park)
        make_reported_quantity(agreement.flows.get(), 2024, 10)

    assert build_queries() == few


def build_peak(chunk_size):
    # What earlier tests left for the collector is not the build's: collected before.
    gc.collect()
    tracemalloc.start()
    try:
        with mock.patch.object(package, "CHUNK_SIZE", chunk_size):
            package.make_build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_build_holds_a_chunk_of_rows_at_a_time_not_the_table(register):
    park = make_park()
    parties = [make_organisation(), make_organisation()]
    resource = make_resource()
    for _ in range(40):
        make_agreement(park, parties=parties, flows=[(resource, *parties)] * 5)
    package.make_build()  # what a first build loads once (templates, catalogues) is not counted
    small = build_peak(chunk_size=10)
    for _ in range(160):
        make_agreement(park, parties=parties, flows=[(resource, *parties)] * 5)

    assert build_peak(chunk_size=10) < 1.5 * small


def test_the_page_explains_the_package_in_vietnamese(client, register):
    response = client.get("/data/", HTTP_ACCEPT_LANGUAGE="vi")

    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Dữ liệu mở" in page
    assert "Cách trích dẫn" in page
    assert "Toàn bộ các thỏa thuận đã xác minh" in page
    assert "Các bên tham gia mỗi thỏa thuận đã xác minh" in page  # a table's description


def test_the_footer_links_to_the_open_data(client, demo):
    assert 'href="/data/"' in client.get("/").content.decode()


def test_the_command_builds_only_when_due(register, real_cache):
    output = io.StringIO()
    call_command("build_open_data", stdout=output)
    call_command("build_open_data", stdout=output)  # nothing changed: the same build
    call_command("build_open_data", "--force", stdout=output)

    first, second, forced = output.getvalue().splitlines()
    assert first == second
    assert forced != first


def test_a_build_that_fails_leaves_the_last_one_served(client, register, real_cache, settings):
    first = package.make_build()
    later = first.created + datetime.timedelta(minutes=settings.OPEN_DATA_REBUILD_MINUTES)
    with (
        mock.patch.object(package, "is_due", return_value=True),
        mock.patch.object(package, "make_build", side_effect=OSError("disk full")),
        mock.patch("agreements.open_data.package.timezone.now", return_value=later),
    ):
        response, _content = download(client, "agreements.csv")

    assert response["ETag"] == f'"{first.id}"'


def test_a_process_that_knew_a_deleted_build_serves_the_newest(client, register, real_cache):
    old = package.make_build()
    newer = package.make_build()
    package.make_build()  # the oldest of three is deleted
    assert not package.storage().exists(old.path("flows.csv"))
    assert package.storage().exists(newer.path("flows.csv"))
    with mock.patch.object(package, "latest", side_effect=[old, package.latest(refresh=True)]):
        response, content = download(client, "flows.csv")

    assert response["ETag"] != f'"{old.id}"'
    assert content.startswith(b"id,agreement_id,")
