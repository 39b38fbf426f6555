"""Each account has a home and a language: "My account" (language, password, two-factor
sign-in, memberships), signing in landing each role on its own page in its own language, and
notification emails in the recipient's language when they chose one."""

from urllib.parse import quote

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.accounts.models import AccountSettings
from agreements.models import Agreement
from parks.models import ParkMembership
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_official, make_park_staff

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
MINE = reverse("agreements:mine")
DASHBOARD = reverse("agreements:dashboard")


@pytest.fixture
def world():
    return make_world()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def sign_in(client, user, next_url=None):
    address = reverse("login") + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(address, {"username": user.username, "password": "correct horse"})


def choose(user, language):
    AccountSettings.objects.update_or_create(user=user, defaults={"language": language})


class TestMyAccount:
    def test_it_shows_the_memberships_with_roles_and_the_links(self, world):
        ParkMembership.objects.filter(user=world.staff).update(role=ParkMembership.Role.MANAGER)

        page = signed_in(world.staff).get(ACCOUNT).content.decode()

        assert "Deep C Industrial Park</a> · Manager" in page
        assert reverse("parks:members", kwargs={"slug": world.park.slug}) in page
        assert reverse("password_change") in page
        assert reverse("accounts:two-factor") in page

    def test_an_officials_agencies_are_listed(self, world):
        page = signed_in(world.official).get(ACCOUNT).content.decode()

        assert "Hai Phong Economic Zone Authority · official" in page
        assert reverse("accounts:agency-members", kwargs={"slug": world.agency.slug}) in page

    def test_the_header_links_to_it_for_signed_in_users_only(self, world):
        assert ACCOUNT in signed_in(world.staff).get(MINE).content.decode()
        assert ACCOUNT not in Client().get(reverse("agreements:list")).content.decode()

    def test_saving_a_language_keeps_it_and_the_next_pages_use_it(self, world):
        client = signed_in(world.staff)

        response = client.post(ACCOUNT, {"language": "vi"})

        assert response.status_code == 302
        assert response["Location"] == ACCOUNT
        assert response.cookies["django_language"].value == "vi"
        assert AccountSettings.objects.get(user=world.staff).language == "vi"
        assert '<html lang="vi">' in client.get(ACCOUNT).content.decode()

    def test_an_unknown_language_is_refused_and_nothing_is_saved(self, world):
        response = signed_in(world.staff).post(ACCOUNT, {"language": "xx"})

        assert response.status_code == 200
        assert "Nothing was saved" in response.content.decode()
        assert not AccountSettings.objects.filter(user=world.staff).exists()

    @pytest.mark.parametrize("parks", [1, 5])
    def test_the_page_runs_a_fixed_number_of_queries(self, world, django_assert_num_queries, parks):
        for _number in range(parks - 1):
            park = make_agreement().park
            ParkMembership.objects.create(user=world.staff, park=park)
        client = signed_in(world.staff)
        client.get(ACCOUNT)

        # session, user, savepoint, memberships of both kinds (rights), settings, park
        # memberships (listed), agencies (listed), two-factor device, release
        with django_assert_num_queries(9):
            response = client.get(ACCOUNT)

        assert response.content.decode().count(" · Staff") == parks


class TestSigningInLands:
    def test_staff_on_my_agreements(self, world):
        response = sign_in(Client(), world.staff)

        assert response["Location"] == MINE

    @pytest.mark.parametrize("role", ["official", "national_official", "admin"])
    def test_officials_and_admins_on_the_review_queue_of_the_dashboard(self, world, role):
        response = sign_in(Client(), getattr(world, role))

        assert response["Location"] == f"{DASHBOARD}#awaiting-verification-heading"

    def test_an_explicit_next_still_wins(self, world):
        history = reverse("agreements:resource-list")

        assert sign_in(Client(), world.official, next_url=history)["Location"] == history

    def test_in_the_language_of_the_account(self, world):
        choose(world.staff, "vi")
        client = Client()

        response = sign_in(client, world.staff)

        assert response.cookies["django_language"].value == "vi"
        assert '<html lang="vi">' in client.get(MINE).content.decode()

    def test_an_account_without_a_language_keeps_the_visitors(self, world):
        response = sign_in(Client(), world.staff)

        assert "django_language" not in response.cookies


class TestNotificationLanguage:
    def submit(self, world, capture):
        agreement = make_agreement(
            world.park,
            parties=[world.provider, world.receiver],
            review_state=Agreement.ReviewState.DRAFT,
        )
        with capture(execute=True):
            services.submit_agreement(agreement=agreement, user=world.staff)
        return agreement, {message.to[0]: message for message in mail.outbox}

    def test_each_recipient_in_their_language_and_both_when_they_chose_none(
        self, world, django_capture_on_commit_callbacks
    ):
        choose(world.official, "en")

        agreement, messages = self.submit(world, django_capture_on_commit_callbacks)

        english = messages[world.official.email]
        assert english.subject == f"{agreement.reference} awaits your verification"
        assert "---" not in english.body
        both = messages[world.national_official.email]
        assert both.subject.endswith(f" / {agreement.reference} awaits your verification")
        assert "\n---\n" in both.body

    def test_a_vietnamese_reader_gets_no_english(self, world, django_capture_on_commit_callbacks):
        choose(world.official, "vi")

        agreement, messages = self.submit(world, django_capture_on_commit_callbacks)

        vietnamese = messages[world.official.email]
        assert "awaits your verification" not in vietnamese.subject
        assert agreement.reference in vietnamese.subject
        assert "\n---\n" not in vietnamese.body

    def test_the_cost_does_not_grow_with_the_recipients(
        self, world, django_capture_on_commit_callbacks
    ):
        def queries_to_submit():
            agreement = make_agreement(
                world.park,
                parties=[world.provider, world.receiver],
                review_state=Agreement.ReviewState.DRAFT,
            )
            with (
                CaptureQueriesContext(connection) as queries,
                django_capture_on_commit_callbacks(execute=True),
            ):
                services.submit_agreement(agreement=agreement, user=world.staff)
            return len(queries)

        few = queries_to_submit()
        for number in range(4):
            official = make_official(world.agency)
            choose(official, "vi" if number % 2 else "en")
        make_park_staff(world.park)

        assert queries_to_submit() == few
