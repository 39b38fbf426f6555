"""Every name in both languages, and ``name`` in the one the client asks for with
Accept-Language; the answer says its language and that it varies with the header."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FOUNDING = "DEEPC-2023-IUS-01"


def agreement(client, **headers):
    return client.get(reverse("api:agreement-detail", args=[FOUNDING]), **headers)


def test_names_come_in_both_languages_and_in_the_one_asked_for(client, demo):
    vietnamese = agreement(client, HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9,en;q=0.5")
    english = agreement(client, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")

    park_vi, park_en = vietnamese.json()["park"], english.json()["park"]
    assert park_vi["name"] == park_vi["name_vi"] == demo.park.name_vi != demo.park.name_en
    assert park_en["name"] == park_en["name_en"] == demo.park.name_en
    assert (park_vi["name_en"], park_vi["name_vi"]) == (park_en["name_en"], park_en["name_vi"])
    police = next(
        p["organisation"]
        for p in vietnamese.json()["parties"]
        if p["organisation"]["slug"] == "hai-an-district-police"
    )
    assert police["name"] == "Công an quận Hải An" == police["name_vi"]
    assert police["name_en"] == "Hai An District Police"
    assert vietnamese["Content-Language"] == "vi"
    assert english["Content-Language"] == "en"
    for response in (vietnamese, english):
        assert "Accept-Language" in response["Vary"]


def test_without_a_language_asked_for_english_and_a_missing_name_falls_back(client, demo):
    demo.title_vi = ""
    demo.save()

    plain = agreement(client).json()
    vietnamese = agreement(client, HTTP_ACCEPT_LANGUAGE="vi").json()

    assert plain["park"]["name"] == demo.park.name_en
    assert vietnamese["title"] == demo.title_en  # no Vietnamese title: the English one


def test_the_language_cookie_of_the_site_does_not_choose_the_apis(client, demo, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    response = agreement(client, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["park"]["name"] == demo.park.name_en
    assert response["Content-Language"] == "en"


def test_an_error_is_in_the_language_asked_for(client, db):
    response = client.get("/api/v1/parks/no-such-park/", HTTP_ACCEPT_LANGUAGE="vi")
    unreadable = client.get("/api/v1/parks/a%20park/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == unreadable.status_code == 404
    assert response.json() == unreadable.json() == {"detail": "Không tìm thấy."}
