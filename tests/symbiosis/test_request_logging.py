"""A refused request is one line in the log, with who was refused, and no traceback."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from agreements.views.public import HomeView
from tests.agreements.world import make_world
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db


def request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_403_is_logged_as_one_line_naming_the_user_without_a_traceback(client, caplog):
    world = make_world()
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    page = reverse("agreements:update", kwargs={"reference": agreement.reference})
    client.force_login(world.official)  # officials review a park's agreements, never edit them

    with caplog.at_level(logging.INFO):
        response = client.get(page)

    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Forbidden (403): {page} user={world.official.pk}"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(caplog, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(HomeView, "get", broken)

    with caplog.at_level(logging.INFO):
        response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    [record] = request_records(caplog)
    assert record.getMessage() == "Internal Server Error: /"
    assert "RuntimeError: broken" in caplog.text
