"""The benchmark's commands: bench_pages lists pages a session can open, bench_cold measures
each one's cold request."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from parks.models import AuthorityMembership
from tests.agreements.sample_data.test_synthetic import generate


def bench_pages():
    out = io.StringIO()
    call_command("bench_pages", stdout=out)
    return json.loads(out.getvalue())


def bench_cold(source, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("bench_cold", source, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_bench_pages_lists_pages_that_answer_for_its_session():
    generate()

    info = bench_pages()

    assert len(info["pages"]) == 9
    assert info["park"].startswith("syn-park-")
    assert info["park_agreements"] > 0
    signed_in = [name for name, _path, signed in info["pages"] if signed]
    assert "dashboard, national official" in signed_in
    for name, path, signed in info["pages"]:
        client = Client()
        if signed:
            client.cookies[info["session_cookie"]] = info["session"]
        response = client.get(path)
        assert response.status_code == 200, name
        assert response.wsgi_request.user.is_authenticated == signed, name
    official = AuthorityMembership.objects.get(user__username="bench-national-official")
    assert official.agency.slug == "syn-agency-0"
    assert not official.user.has_usable_password()


@pytest.mark.django_db
def test_bench_pages_twice_keeps_one_seat_and_opens_another_session():
    generate()

    first, second = bench_pages(), bench_pages()

    assert first["session"] != second["session"]
    assert AuthorityMembership.objects.filter(user__username="bench-national-official").count() == 1


@pytest.mark.django_db
def test_bench_cold_gives_each_page_its_status_and_query_count(tmp_path, monkeypatch):
    generate()
    info = bench_pages()
    listed = tmp_path / "pages.json"
    listed.write_text(json.dumps(info))

    measured = bench_cold(str(listed))

    assert list(measured) == [name for name, _path, _signed in info["pages"]]
    for name, page in measured.items():
        assert page["status"] == 200, name
        assert isinstance(page["queries"], int), name
        assert page["cold_ms"] >= 0, name
        if name != "health":
            assert page["queries"] > 0, name
    assert measured["export CSV of a park, national official"]["bytes"] is None  # streamed
    assert measured["agreement list"]["bytes"] > 0
    # The same pages read from standard input give the same statuses and query counts.
    again = bench_cold("-", stdin=json.dumps(info), monkeypatch=monkeypatch)
    assert {name: (p["status"], p["queries"]) for name, p in again.items()} == {
        name: (p["status"], p["queries"]) for name, p in measured.items()
    }


@pytest.mark.django_db
def test_bench_pages_needs_the_synthetic_registry():
    with pytest.raises(CommandError, match="generate_synthetic"):
        call_command("bench_pages", stdout=io.StringIO())


def test_bench_cold_says_when_it_cannot_read_the_pages(tmp_path):
    broken = tmp_path / "pages.json"
    broken.write_text("not json")

    with pytest.raises(CommandError, match="Cannot read bench_pages' output"):
        call_command("bench_cold", str(broken), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("bench_cold", str(tmp_path / "missing.json"), stdout=io.StringIO())
