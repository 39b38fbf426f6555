"""Signing in and out, changing and resetting a password; failed sign-ins are throttled, and no
answer tells whether an account exists."""

import re
from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

GENERIC_ERROR = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_staff_sign_in_and_land_on_their_agreements(client):
    make_user("deepc-staff")

    response = sign_in(client, "deepc-staff", "correct horse")

    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:mine")


def test_the_sign_in_page_links_to_the_password_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("username", ["deepc-staff", "nobody-by-this-name"])
def test_a_failed_sign_in_gives_the_same_generic_message_whether_or_not_the_account_exists(
    client, username
):
    make_user("deepc-staff")

    response = sign_in(client, username, "wrong password")

    assert response.status_code == 200
    assert GENERIC_ERROR in text(response)


@pytest.mark.parametrize("username", ["deepc-staff", "nobody-by-this-name"])
def test_repeated_failures_pause_sign_in_for_that_name_and_address(client, settings, username):
    make_user("deepc-staff")
    answers = [
        sign_in(client, username, f"guess {attempt}").status_code
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]

    locked = sign_in(client, username, "correct horse")

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    page = text(locked)
    assert (
        "Signing in with this user name from this device is paused. Try again in 15 minutes."
        in page
    )
    assert username not in page


def test_the_pause_is_for_one_name_at_one_address_only(client, settings):
    make_user("deepc-staff")
    make_user("heza-official")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "deepc-staff", f"guess {attempt}")

    colleague = sign_in(client, "heza-official", "correct horse")
    elsewhere = sign_in(client, "deepc-staff", "correct horse", REMOTE_ADDR="10.0.0.9")

    assert colleague.status_code == 302
    assert elsewhere.status_code == 302


def test_behind_the_load_balancer_the_pause_follows_the_address_it_saw(client, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    make_user("heza-official")
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # An attacker's failures, each claiming another address on the left of the header.
        sign_in(
            client,
            "heza-official",
            f"guess {attempt}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.66",
            **balancer,
        )

    official = sign_in(
        client,
        "heza-official",
        "correct horse",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **balancer,
    )
    attacker = sign_in(
        client, "heza-official", "correct horse", HTTP_X_FORWARDED_FOR="203.0.113.66", **balancer
    )

    assert official.status_code == 302
    assert attacker.status_code == 429


def test_a_client_reaching_the_app_directly_cannot_name_another_address(client, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    make_user("heza-official")

    # Twenty guesses straight at the app, each claiming another address in the header.
    answers = [
        sign_in(
            client,
            "heza-official",
            f"guess {attempt}",
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        ).status_code
        for attempt in range(20)
    ]
    right_password = sign_in(
        client,
        "heza-official",
        "correct horse",
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )

    limit = settings.AXES_FAILURE_LIMIT
    assert answers == [200] * (limit - 1) + [429] * (20 - limit + 1)
    assert right_password.status_code == 429


# The admin's own sign-in page sends to this one (agreements/accounts/admin_site.py), which
# asks for the second factor: every sign-in, the admin's included, is throttled here.
@pytest.mark.parametrize("page", ["login"])
def test_an_overlong_user_name_is_one_more_failed_sign_in_and_is_paused_like_any(
    client, settings, page
):
    make_user("deepc-staff")
    overlong = "deepc-staff" + "x" * 300
    answers = [
        client.post(reverse(page), {"username": overlong, "password": f"guess {attempt}"})
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert [answer.status_code for answer in answers] == [200] * (
        settings.AXES_FAILURE_LIMIT - 1
    ) + [429]
    assert "Please enter" in text(answers[0])
    assert "correct username and password" in text(answers[0])
    # Recorded within the column that holds it (PostgreSQL refuses longer; SQLite would not).
    recorded = AccessAttempt.objects.get().username
    assert len(recorded) == AccessAttempt._meta.get_field("username").max_length
    assert overlong.startswith(recorded)
    assert sign_in(client, "deepc-staff", "correct horse").status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(client, settings):
    make_user("deepc-staff")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "deepc-staff", f"guess {attempt}")
    sign_in(client, "deepc-staff", "correct horse")
    client.post(reverse("logout"))

    assert sign_in(client, "deepc-staff", "one more typo").status_code == 200


def test_signing_out_is_a_post_and_returns_home(client):
    client.force_login(make_user())

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_changes_their_password(client):
    user = make_user()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse",
            "new_password1": "battery staple 2024",
            "new_password2": "battery staple 2024",
        },
        follow=True,
    )

    assert "Your password has been changed" in text(response)
    user.refresh_from_db()
    assert user.check_password("battery staple 2024")


def test_a_wrong_old_password_is_refused(client):
    client.force_login(make_user())

    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "x" * 12, "new_password2": "x" * 12},
    )

    assert "Your old password was entered incorrectly" in text(response)


@pytest.mark.parametrize("email", ["deepc-staff@example.org", "nobody@example.org"])
def test_a_reset_request_says_the_same_whether_or_not_the_address_has_an_account(client, email):
    make_user("deepc-staff")

    response = client.post(reverse("password_reset"), {"email": email}, follow=True)

    assert "If an account has this email address, a link to choose a new password" in text(response)
    assert len(mail.outbox) == (1 if email.startswith("deepc") else 0)


@pytest.fixture
def real_cache(settings):
    """Reset requests are counted in the cache: a real one (the tests' default keeps nothing)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def ask_for_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_twenty_reset_requests_for_one_address_send_at_most_a_few_emails(client, real_cache):
    user = make_user("deepc-staff")
    # However the address is written, from however many devices.
    spellings = [user.email, user.email.upper(), f" {user.email} "]
    answers = [
        ask_for_reset(client, spellings[attempt % 3], REMOTE_ADDR=f"192.0.2.{attempt}")
        for attempt in range(20)
    ]

    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3  # PASSWORD_RESET_PER_ADDRESS
    assert {tuple(message.to) for message in mail.outbox} == {(user.email,)}


def test_one_device_asking_for_many_addresses_is_sent_a_few_emails_and_others_are_not_held_up(
    client, real_cache
):
    users = [make_user(f"staff-{number}") for number in range(20)]
    answers = [ask_for_reset(client, user.email, REMOTE_ADDR="203.0.113.66") for user in users]
    from_elsewhere = ask_for_reset(client, users[-1].email, REMOTE_ADDR="198.51.100.7")

    assert {answer["Location"] for answer in answers} == {reverse("password_reset_done")}
    assert from_elsewhere["Location"] == reverse("password_reset_done")
    limit = 10  # PASSWORD_RESET_PER_CLIENT
    assert [message.to for message in mail.outbox] == [
        *([user.email] for user in users[:limit]),
        [users[-1].email],
    ]


def test_behind_the_load_balancer_reset_requests_are_counted_per_client(
    client, settings, real_cache
):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    users = [make_user(f"staff-{number}") for number in range(12)]
    for number, user in enumerate(users[:11]):
        # One device, each time claiming another address on the left of the header.
        ask_for_reset(
            client,
            user.email,
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.66",
        )
    colleague = ask_for_reset(
        client, users[11].email, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert colleague["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 10 + 1  # PASSWORD_RESET_PER_CLIENT, and the colleague's
    assert mail.outbox[-1].to == [users[11].email]


@pytest.mark.parametrize("email", ["deepc-staff@example.org", "nobody@example.org"])
def test_past_the_limit_the_answer_is_still_the_check_your_email_page(client, real_cache, email):
    make_user("deepc-staff")
    for _ in range(5):
        ask_for_reset(client, email)

    response = ask_for_reset(client, email, follow=True)

    assert "If an account has this email address, a link to choose a new password" in text(response)


def test_the_reset_link_sets_a_new_password(client):
    user = make_user("deepc-staff")
    client.post(reverse("password_reset"), {"email": user.email})
    message = mail.outbox[0]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "battery staple 2024", "new_password2": "battery staple 2024"},
        follow=True,
    )

    assert message.subject == "Reset your password for the Symbiosis Registry"
    assert "Your user name is deepc-staff." in message.body
    assert "Your new password is set." in text(response)
    user.refresh_from_db()
    assert user.check_password("battery staple 2024")


def test_a_used_or_forged_reset_link_says_so(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "forged-token"]))

    assert "This link does not work" in text(response)
