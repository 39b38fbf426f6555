"""The site's icon answers where browsers look for it, and agreement and park pages print
without the site's frame (static/css/page-print.css)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import make_agreement, make_park

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_sent_on_to_the_static_icon_which_exists():
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert re.fullmatch(r"/static/favicon(\.[0-9a-f]+)?\.ico", response["Location"])
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.ico") and finders.find("favicon.svg")


def test_every_page_links_the_svg_icon_and_its_png_fallback():
    page = Client().get("/").content.decode()

    assert re.search(
        r'<link rel="icon" href="/static/favicon[^"]*\.svg" type="image/svg\+xml">', page
    )
    assert re.search(r'<link rel="icon" href="/static/favicon[^"]*\.png" type="image/png"', page)


def test_the_print_stylesheet_is_linked_for_print_on_agreement_and_park_pages():
    park = make_park(name_en="Deep C Industrial Park")
    agreement = make_agreement(park)
    printed = r'<link rel="stylesheet" href="/static/css/page-print[^"]*\.css" media="print">'

    for url in [agreement.get_absolute_url(), park.get_absolute_url()]:
        response = Client().get(url)
        assert response.status_code == 200
        assert re.search(printed, response.content.decode()), url
    assert not re.search(printed, Client().get("/").content.decode())


def test_the_print_stylesheet_hides_the_frame_and_writes_out_document_addresses():
    rules = Path(finders.find("css/page-print.css")).read_text(encoding="utf-8")

    for hidden in ["footer", ".navbar", "form", ".btn"]:
        assert re.search(rf"^{re.escape(hidden)},?$", rules, re.MULTILINE), hidden
    assert "a[download]::after" in rules and "attr(href)" in rules
    assert "break-inside: avoid" in rules
