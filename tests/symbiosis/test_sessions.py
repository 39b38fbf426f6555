"""A session cookie Django could not have set is no session, and costs no query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

# A quoted cookie may write bytes in octal: this one is eight NUL bytes, which PostgreSQL refuses
# in text.
NUL_SESSION = 'sessionid="' + "\\000" * 8 + '"'


def test_a_session_cookie_of_nul_bytes_signs_nobody_in_and_is_not_looked_up(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("agreements:mine"), HTTP_COOKIE=NUL_SESSION)

    assert [query for query in queries if "django_session" in query["sql"]] == []
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_real_session_still_signs_in(client):
    client.force_login(make_user())

    assert client.get(reverse("agreements:mine")).status_code == 200
