"""The benchmark's commands: bench_pages lists pages a session can open, bench_cold measures
each one's cold request, the floor and the agreement save, bench_save loads a server with
saves."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from agreements.models import Agreement, ImportBatch, Party, ResourceFlow
from agreements.sample_data.management.commands.bench_save import form_fields, save_data
from parks.models import AuthorityMembership, Park, ParkMembership
from tests.agreements.sample_data.test_synthetic import generate

USERS = {
    None: None,
    "national official": "bench-national-official",
    "park officer": "bench-park-officer",
    "park officer, largest park": "bench-large-park-officer",
}
SIGNED_IN_PAGES = {
    "agreement list, signed in (never page-cached)": "national official",
    "agreement list, filtered, national official": "national official",
    "agreement list, searched, national official": "national official",
    "my agreements, park officer": "park officer",
    "new agreement form, park officer": "park officer",
    "edit form, park officer": "park officer",
    "agreement page, its park officer": "park officer",
    "history page, park officer": "park officer",
    "park with network, park officer": "park officer",
    "my account, park officer": "park officer",
    "measured quantities of an agreement, park officer": "park officer",
    "measured quantities to review, national official": "national official",
    "proposals to confirm, national official": "national official",
    "members and invitations of a park, national official": "national official",
    "review page, national official": "national official",
    "dashboard, national official": "national official",
    "dashboard of one park, national official": "national official",
    "export CSV of a park, national official": "national official",
    "park report, national official": "national official",
    "my agreements, park officer, largest park": "park officer, largest park",
    "dashboard of one park, national official, largest park": "national official",
    "export CSV of a park, national official, largest park": "national official",
    "import preview of 1,000 rows, park officer": "park officer",
}
# The pages about one park: on the steady park, and these again on the largest.
LARGEST_PARK_PAGES = {
    "park with network, largest park",
    "my agreements, park officer, largest park",
    "dashboard of one park, national official, largest park",
    "export CSV of a park, national official, largest park",
}


def bench_pages():
    out = io.StringIO()
    call_command("bench_pages", stdout=out)
    return json.loads(out.getvalue())


def bench_cold(source, stdin=None, monkeypatch=None, runs=2, *options):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("bench_cold", source, f"--runs={runs}", *options, stdout=out)
    return json.loads(out.getvalue())


def signed_in(info, session):
    client = Client()
    if session:
        client.cookies[info["session_cookie"]] = info["sessions"][session]
    return client


def edited_agreement(info):
    return Agreement.objects.get(reference=info["save"]["reference"])


@pytest.mark.django_db
def test_with_two_factor_sign_in_required_the_officials_session_has_passed_it(settings):
    """As in production (debug off): the official's session is one that passed the second
    step, so the pages measured are the pages, not the redirect to it."""
    settings.MFA_FOR_OFFICIALS = True
    generate()

    info = bench_pages()

    for name, path, session, _load in info["pages"]:
        if session == "national official":
            response = signed_in(info, session).get(path)
            assert response.status_code == 200, name
            assert response.wsgi_request.user.is_verified(), name


@pytest.mark.django_db
def test_bench_pages_lists_pages_that_answer_for_their_sessions():
    generate()

    info = bench_pages()

    assert info["park"].startswith("syn-park-")
    assert info["park_agreements"] > 0
    assert (info["steady_park"], info["steady_park_agreements"]) == ("syn-park-0", 30)
    assert info["session"] == info["sessions"]["national official"]
    sessions = {name: session for name, _path, session, _load in info["pages"]}
    assert {name: s for name, s in sessions.items() if s} == SIGNED_IN_PAGES
    under_load = [name for name, _path, _session, load in info["pages"] if load]
    assert len(under_load) == 9  # the pages measured under load in every run so far
    assert "dashboard, national official" in under_load
    for name, path, session, _load in info["pages"]:
        response = signed_in(info, session).get(path)
        assert response.status_code == 200, name
        user = response.wsgi_request.user
        assert (user.get_username() if user.is_authenticated else None) == USERS[session], name
    official = AuthorityMembership.objects.get(user__username="bench-national-official")
    assert official.agency.slug == "syn-agency-0"
    assert not official.user.has_usable_password()
    officer = ParkMembership.objects.get(user__username="bench-park-officer")
    assert officer.park.slug == info["steady_park"]
    assert not officer.user.has_usable_password()
    assert (
        ParkMembership.objects.get(user__username="bench-large-park-officer").park.slug
        == info["park"]
    )
    assert info["not_measured"] == []
    # And the whole registry's CSV export, as the national official.
    export = info["export"]
    assert export["session"] == "national official"
    assert (
        signed_in(info, export["session"])
        .get(export["path"])["Content-Type"]
        .startswith("text/csv")
    )


@pytest.mark.django_db
def test_the_pages_about_one_park_are_on_the_steady_park_and_a_few_again_on_the_largest():
    generate()

    info = bench_pages()

    steady, largest = info["steady_park"], info["park"]
    # At this size the steady park is the largest of all: the largest is the largest other one.
    counts = Park.objects.filter(slug__startswith="syn-").annotate(n=Count("agreements"))
    others = counts.exclude(slug=steady)
    assert info["park_agreements"] == max(park.n for park in others) < 30
    assert largest != steady and others.get(slug=largest).n == info["park_agreements"]
    pages = {name: (path, load) for name, path, _session, load in info["pages"]}
    assert pages["park with network"][0] == f"/parks/{steady}/"
    assert pages["dashboard of one park, national official"][0].endswith(f"?park={steady}")
    assert pages["export CSV of a park, national official"][0].endswith(f"?park={steady}")
    assert {name for name in pages if name.endswith(", largest park")} == LARGEST_PARK_PAGES
    for name in LARGEST_PARK_PAGES:
        path, load = pages[name]
        assert not load, name  # cold only
        if name != "my agreements, park officer, largest park":
            assert path == pages[name.removesuffix(", largest park")][0].replace(steady, largest)
    # The largest park's officer sees the largest park's agreements on "My agreements".
    mine = signed_in(info, "park officer, largest park").get("/agreements/mine/")
    assert {agreement.park.slug for agreement in mine.context["agreements"]} == {largest}
    steady_mine = signed_in(info, "park officer").get("/agreements/mine/")
    assert {agreement.park.slug for agreement in steady_mine.context["agreements"]} == {steady}
    assert steady_mine.context["paginator"].count == 30


@pytest.mark.django_db
def test_bench_pages_names_an_editable_agreement_of_the_steady_park_to_save():
    generate()

    save = bench_pages()["save"]

    edited = Agreement.objects.get(reference=save["reference"])
    assert edited.park.slug == "syn-park-0"
    assert edited.is_editable
    assert save["path"] == f"/agreements/{edited.reference}/edit/"
    assert save["session"] == "park officer"
    assert save["path"] == save["load_paths"][0]
    assert len(set(save["load_paths"])) == len(save["load_paths"])
    # Every editable one but the public page's agreement, which no save turns into a draft.
    shown = bench_pages_detail_reference()
    editable = (
        Agreement.objects.filter(park=edited.park, review_state__in=Agreement.EDITABLE_STATES)
        .exclude(reference=shown)
        .annotate(n=Count("parties"))
    )
    assert len(save["load_paths"]) == editable.count()
    assert f"/agreements/{shown}/edit/" not in save["load_paths"]
    # One of the smallest: the same shape at every size.
    assert edited.parties.count() == min(agreement.n for agreement in editable)


def bench_pages_detail_reference():
    info = bench_pages()
    path = next(path for name, path, *_ in info["pages"] if name == "agreement detail")
    return path.strip("/").split("/")[-1]


@pytest.mark.django_db
def test_the_public_agreement_page_is_the_steady_parks_and_no_save_touches_it():
    generate()
    info = bench_pages()

    reference = bench_pages_detail_reference()

    shown = Agreement.objects.get(reference=reference)
    assert shown.park.slug == info["steady_park"]
    assert shown.review_state == Agreement.ReviewState.VERIFIED
    assert f"/agreements/{reference}/edit/" not in info["save"]["load_paths"]


@pytest.mark.django_db
def test_bench_pages_twice_keeps_one_seat_each_and_opens_other_sessions():
    generate()

    first, second = bench_pages(), bench_pages()

    assert first["sessions"].keys() == second["sessions"].keys()
    for session in first["sessions"]:
        assert first["sessions"][session] != second["sessions"][session]
    assert AuthorityMembership.objects.filter(user__username="bench-national-official").count() == 1
    assert ParkMembership.objects.filter(user__username="bench-park-officer").count() == 1
    assert ParkMembership.objects.filter(user__username="bench-large-park-officer").count() == 1


@pytest.mark.django_db
def test_the_save_posts_the_edit_form_back_with_a_new_summary():
    generate()
    info = bench_pages()
    agreement = edited_agreement(info)
    parties, flows = agreement.parties.count(), agreement.flows.count()
    client = signed_in(info, "park officer")
    path = info["save"]["path"]

    data = save_data(client.get(path).content.decode(), tag="one")
    response = client.post(path, data)

    assert response.status_code == 302
    saved = edited_agreement(info)
    assert saved.summary_en == f"{agreement.summary_en} [bench save one]"
    assert saved.version == agreement.version + 1
    assert (saved.parties.count(), saved.flows.count()) == (parties, flows)
    assert saved.title_en == agreement.title_en and saved.starts_on == agreement.starts_on
    # The same post again carries the version it started from: a conflict, nothing saved.
    again = client.post(path, {**data, "summary_en": "Changed again"})
    assert again.status_code == 200
    assert edited_agreement(info).version == saved.version
    # Reopened, the form carries the new version; the new mark replaces the old one.
    data = save_data(client.get(path).content.decode(), tag="two")
    assert data["version"] == str(saved.version)
    assert client.post(path, data).status_code == 302
    assert edited_agreement(info).summary_en == f"{agreement.summary_en} [bench save two]"


def test_form_fields_reads_what_a_browser_would_send():
    html = """
    <form id="other"><input name="elsewhere" value="no"></form>
    <form method="post" id="agreement-form">
      <input type="hidden" name="csrfmiddlewaretoken" value="token">
      <input name="reference" value="A&amp;B">
      <input type="date" name="starts_on" value="2024-01-02">
      <input name="blank">
      <input type="checkbox" name="parties-0-DELETE">
      <input type="checkbox" name="ticked" checked>
      <input type="radio" name="choice" value="a">
      <input type="radio" name="choice" value="b" checked>
      <input type="submit" name="go" value="Save"><input name="off" value="x" disabled>
      <select name="park">
        <option value="">---</option><option value="7" selected>Park</option>
      </select>
      <select name="kind">
        <option value="industrial">Industrial</option><option value="x">X</option>
      </select>
      <select name="many" multiple>
        <option selected> one </option><option value="2" selected>two</option>
      </select>
      <textarea name="summary">
Line one
line two</textarea>
      <template><input name="parties-__prefix__-role" value="signatory"></template>
    </form>
    """

    assert form_fields(html) == {
        "csrfmiddlewaretoken": "token",
        "reference": "A&B",
        "starts_on": "2024-01-02",
        "blank": "",
        "ticked": "on",
        "choice": "b",
        "park": "7",
        "kind": "industrial",
        "many": ["one", "2"],
        "summary": "Line one\nline two",
    }
    with pytest.raises(ValueError, match="no form"):
        form_fields("<form id='else'></form>")


@pytest.mark.django_db
def test_bench_cold_gives_each_page_its_status_and_query_count(tmp_path, monkeypatch):
    generate()
    info = bench_pages()
    listed = tmp_path / "pages.json"
    listed.write_text(json.dumps(info))
    before = edited_agreement(info)

    measured = bench_cold(str(listed), runs=2)

    pages = measured["pages"]
    analysis = "import analysis of 1,000 rows from scratch, park officer"
    assert list(pages) == [
        "agreement save (POST)",
        *(name for name, *_ in info["pages"]),
        analysis,
    ]
    for name, page in pages.items():
        assert page["status"] == (302 if name == "agreement save (POST)" else 200), name
        assert isinstance(page["queries"], int), name
        assert len(page["cold_runs_ms"]) == 2, name
        assert min(page["cold_runs_ms"]) <= page["cold_ms"] <= max(page["cold_runs_ms"]), name
        if name != "health":
            assert page["queries"] > 0, name
    assert pages["export CSV of a park, national official"]["bytes"] is None  # streamed
    assert pages["agreement list"]["bytes"] > 0
    # A park's CSV export (a file) gives its rows: one per flow, one per agreement without any.
    for name, park in [
        ("export CSV of a park, national official", info["steady_park"]),
        ("export CSV of a park, national official, largest park", info["park"]),
    ]:
        in_park = Agreement.objects.filter(park__slug=park)
        rows = ResourceFlow.objects.filter(agreement__in=in_park).count()
        rows += in_park.filter(flows__isnull=True).count()
        assert pages[name]["rows"] == rows > 0, name
    assert "rows" not in pages["agreement list"]
    # The save is measured first (a warm-up and two runs): the history page shows those saves.
    after = edited_agreement(info)
    assert after.version == before.version + 3
    assert after.summary_en.endswith("[bench save cold 3]")
    history = signed_in(info, "park officer").get(f"/agreements/{after.reference}/history/")
    assert "[bench save cold 3]" in history.content.decode()
    # The floor: 25 public agreements (or as many as there are), park, parties and flows.
    floor = measured["floor"]
    assert floor["queries"] == 3
    assert floor["bytes"] > 0 and floor["cold_ms"] > 0
    # --runs times first, then once after the save and after each page.
    assert len(floor["cold_runs_ms"]) == 2 + 1 + len(info["pages"]) + 1
    assert min(floor["cold_runs_ms"]) <= floor["cold_ms"] <= max(floor["cold_runs_ms"])
    # The CSV export of the whole registry: one row per flow, one per agreement without any.
    export = measured["export"]
    flows = ResourceFlow.objects.count()
    without_flows = Agreement.objects.filter(flows__isnull=True).count()
    assert (export["status"], export["rows"]) == (200, flows + without_flows)
    assert len(export["runs_s"]) == 3  # --export-runs' default
    assert export["rows_per_s"] > 0 and export["peak_mib"] > 0 and export["queries"] > 0
    # The import: a preview of 1,000 rows analysed, and the same analysed from scratch, a visit
    # per 500 rows and the last one showing them.
    batch = ImportBatch.objects.get(pk=info["import_analysis"]["batch"])
    assert (batch.total, batch.is_finished) == (1000, True)
    assert batch.state["counts"]["errors"] == 0, [o for o in batch.outcomes if o.get("errors")]
    assert pages[analysis]["requests"] == 2
    assert (
        "Import preview"
        in signed_in(info, "park officer").get(batch.get_absolute_url()).content.decode()
    )
    # The same pages read from standard input give the same statuses and query counts.
    # (The benchmark's rounds but the last do not read the whole registry's export.)
    again = bench_cold("-", json.dumps(info), monkeypatch, 1, "--export-runs=0")
    assert {name: (p["status"], p["queries"]) for name, p in again["pages"].items()} == {
        name: (p["status"], p["queries"]) for name, p in pages.items()
    }
    assert "export" not in again


@pytest.mark.django_db
def test_bench_cold_reads_pages_listed_the_earlier_way(tmp_path):
    """[name, path, signed in] with the official's session alone, and no save."""
    generate()
    info = bench_pages()
    earlier = {
        "session": info["session"],
        "session_cookie": info["session_cookie"],
        "pages": [["dashboard, national official", "/agreements/dashboard/", True]],
    }
    listed = tmp_path / "pages.json"
    listed.write_text(json.dumps(earlier))

    measured = bench_cold(str(listed), runs=1)

    assert list(measured["pages"]) == ["dashboard, national official"]
    assert measured["pages"]["dashboard, national official"]["status"] == 200
    assert "export" not in measured  # not listed then


@pytest.mark.django_db(transaction=True)
def test_bench_save_saves_against_a_server(live_server, tmp_path):
    generate()
    info = bench_pages()
    listed = tmp_path / "pages.json"
    listed.write_text(json.dumps(info))
    before = edited_agreement(info)
    out = io.StringIO()

    call_command(
        "bench_save", str(listed), f"--base-url={live_server.url}", "--seconds=30",
        "--threads=1", "--max-requests=3", stdout=out,
    )  # fmt: skip

    load = json.loads(out.getvalue())
    assert (load["posts"], load["saved"], load["form_again"], load["non_2xx"]) == (3, 3, 0, 0)
    assert 0 < load["p50_ms"] <= load["p99_ms"]
    after = edited_agreement(info)
    assert after.version == before.version + 3
    assert after.summary_en == f"{before.summary_en} [bench save 0.3]"
    assert (Party.objects.filter(agreement=after).count(), after.flows.count()) == (
        before.parties.count(),
        ResourceFlow.objects.filter(agreement=before).count(),
    )


@pytest.mark.django_db
def test_bench_pages_needs_the_synthetic_registry():
    with pytest.raises(CommandError, match="generate_synthetic"):
        call_command("bench_pages", stdout=io.StringIO())


def test_the_bench_commands_say_when_they_cannot_read_the_pages(tmp_path):
    broken = tmp_path / "pages.json"
    broken.write_text("not json")

    for command in ("bench_cold", "bench_save"):
        with pytest.raises(CommandError, match="Cannot read bench_pages' output"):
            call_command(command, str(broken), stdout=io.StringIO())
        with pytest.raises(CommandError, match="Cannot read"):
            call_command(command, str(tmp_path / "missing.json"), stdout=io.StringIO())
