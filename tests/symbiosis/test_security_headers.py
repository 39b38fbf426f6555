"""Every page tells the browser to run no script and apply no style but our own files, and to
turn off the device features the registry never uses: text slipped into a page cannot run or
restyle it. The pages keep to that policy, so nothing on them is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from parks.models import Agency
from tests.factories import make_official, make_park_staff, make_user
from tests.pages import Page


def directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def client_for(user):
    client = Client()
    if user:
        client.force_login(user)
    return client


@pytest.fixture
def people(demo):
    return {
        "visitor": None,
        "staff": make_park_staff(demo.park),
        "official": make_official(Agency.objects.get(slug="heza")),
    }


def _agreement_page(name):
    return lambda demo: reverse(f"agreements:{name}", kwargs={"reference": demo.reference})


OUR_PAGES = {
    # page: (who, its address)
    "home": ("visitor", lambda demo: reverse("home")),
    "agreement list": ("visitor", lambda demo: reverse("agreements:list")),
    "agreement": ("visitor", lambda demo: demo.get_absolute_url()),
    "park": ("visitor", lambda demo: reverse("parks:detail", kwargs={"slug": demo.park.slug})),
    "sign-in": ("visitor", lambda demo: reverse("login")),
    "page not found": ("visitor", lambda demo: "/no-such-page/"),
    "new agreement": ("staff", lambda demo: reverse("agreements:create")),
    "edit form": ("staff", _agreement_page("update")),
    "history": ("staff", _agreement_page("history")),
    "dashboard": ("official", lambda demo: reverse("agreements:dashboard")),
}


@pytest.mark.parametrize("name", OUR_PAGES)
def test_our_pages_run_only_our_own_scripts_and_styles(people, demo, name):
    who, address = OUR_PAGES[name]
    response = client_for(people[who]).get(address(demo))

    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_admin_may_use_inline_styles_but_runs_only_our_scripts(demo):
    """Templates of the admin and of django-simple-history that we do not own write inline
    styles (the history page's paginator); scripts stay as strict as on our pages."""
    client = client_for(make_user(is_staff=True, is_superuser=True))

    for address in [
        reverse("admin:index"),
        reverse("admin:agreements_party_changelist"),
        reverse("admin:agreements_agreement_history", args=[demo.pk]),
    ]:
        response = client.get(address)
        assert response.status_code == 200
        policy = directives(response)
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], address
        assert policy["script-src"] == ["'self'"], address


def test_every_page_turns_off_camera_microphone_geolocation_and_payment(people, demo):
    for who, address in OUR_PAGES.values():
        response = client_for(people[who]).get(address(demo))
        features = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert features[feature] == "()", (address(demo), feature)


def inline_code(page):
    """What the policy would refuse in a page: inline scripts, event handler attributes,
    ``<style>`` blocks and ``style`` attributes (in SVG too)."""
    refused = []
    for element in page.iter():
        # A script of JSON data is never run.
        is_data = element.attrs.get("type") == "application/json"
        if element.tag == "script" and "src" not in element.attrs and not is_data:
            refused.append(element)
        if element.tag == "style" or "style" in element.attrs:
            refused.append(element)
        if any(name.startswith("on") for name in element.attrs):
            refused.append(element)
    return refused


# The pages with markup the policy once refused, and what each draws as SVG.
DRAWINGS = {
    "home": None,  # the language selector in every page's header
    "history": None,  # the table of changes
    "dashboard": "bar-chart",
    "park": "network-diagram",
    "edit form": None,  # with its rows to add and its dialog
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_pages_hold_no_script_or_style_the_policy_would_refuse(people, demo, name):
    who, address = OUR_PAGES[name]
    response = client_for(people[who]).get(address(demo))

    assert response.status_code == 200
    page = Page(response.content)
    if drawing := DRAWINGS[name]:
        assert any(drawing in svg.classes for svg in page.find_all("svg"))
    assert inline_code(page) == []
