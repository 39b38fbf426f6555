"""Two-factor sign-in: admins must use it, officials too when the setting is on, park staff may
choose it. After the password, an enrolled user types a code from their authenticator app (or a
recovery code, once); one who must use it and has not enrolled is held to enrolment; the Django
admin opens only to a session that passed it."""

import html
import re
from urllib.parse import quote

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.accounts import two_factor
from tests.factories import (
    current_code,
    make_agency,
    make_official,
    make_park,
    make_park_staff,
    make_two_factor,
    make_user,
    wrong_code,
)

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:two-factor-enrol")
SECOND_STEP = reverse("accounts:two-factor-verify")
CODES = reverse("accounts:two-factor-codes")
OVERVIEW = reverse("accounts:two-factor")
MINE = reverse("agreements:mine")
# Where admins and officials land after signing in (staff land on MINE).
DASHBOARD = reverse("agreements:dashboard")
REVIEW_QUEUE = f"{DASHBOARD}#awaiting-verification-heading"
ADMIN = reverse("admin:index")


@pytest.fixture(autouse=True)
def admins_must_use_two_factor(settings):
    """As in production: admins must use two-factor sign-in (tests/conftest.py turns it off
    for every other test). Officials: each test says."""
    settings.MFA_FOR_ADMINS = True


def make_admin():
    return make_user(is_staff=True, is_superuser=True)


def sign_in(client, user, next_url=None, **extra):
    address = reverse("login") + (f"?next={quote(next_url)}" if next_url else "")
    return client.post(address, {"username": user.username, "password": "correct horse"}, **extra)


def type_code(client, code, next_url="", **extra):
    return client.post(SECOND_STEP, {"code": code, "next": next_url}, **extra)


def to(url, next_url):
    return f"{url}?next={quote(next_url, safe='')}"


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def signed_in(client):
    return "_auth_user_id" in client.session


def enrolment_code(client):
    """The code an authenticator app shows now for the key the enrolment page offers."""
    key = client.session[two_factor.ENROLMENT_KEY]
    return current_code(two_factor.unsaved_authenticator(user=None, key=key))


# Who must use it, and being held to it


def test_an_admin_without_an_app_is_sent_to_enrolment_after_the_password(client):
    response = sign_in(client, make_admin(), follow=True)

    assert response.redirect_chain[-1][0] == to(ENROL, DASHBOARD)
    page = text(response)
    assert "Set up two-factor sign-in" in page
    assert "Your role requires two-factor sign-in: set it up to continue." in page


def test_until_enrolled_a_held_user_opens_nothing_but_enrolment_sign_out_and_the_language(client):
    client.force_login(make_admin())

    for page in [MINE, reverse("agreements:dashboard"), reverse("home"), OVERVIEW, CODES, ADMIN]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == to(ENROL, page)
    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("accounts:two-factor-qr")).status_code == 200
    language = client.post(reverse("set_language"), {"language": "vi", "next": ENROL})
    assert language["Location"] == ENROL
    assert client.post(reverse("logout"))["Location"] == reverse("home")
    assert not signed_in(client)


@pytest.mark.parametrize("setting", [True, False])
def test_officials_must_use_it_only_when_the_setting_is_on(client, settings, setting):
    settings.MFA_FOR_OFFICIALS = setting
    official = make_official(make_agency())

    response = sign_in(client, official, follow=True)

    held = response.redirect_chain[-1][0] == to(ENROL, DASHBOARD)
    assert held is setting
    assert (client.get(reverse("agreements:dashboard")).status_code == 200) is not setting


def test_park_staff_need_not_use_it(client, settings):
    settings.MFA_FOR_OFFICIALS = True
    staff = make_park_staff(make_park())

    response = sign_in(client, staff, follow=True)

    assert response.redirect_chain == [(MINE, 302)]
    assert signed_in(client)


# Enrolment


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_the_apps_code(client):
    admin = make_admin()
    client.force_login(admin)

    page = client.get(to(ENROL, MINE))
    key = client.session[two_factor.ENROLMENT_KEY]
    typed_key = two_factor.key_for_typing(key)
    qr_code = client.get(reverse("accounts:two-factor-qr"))
    response = client.post(
        to(ENROL, MINE), {"code": enrolment_code(client), "next": MINE}, follow=True
    )

    assert f'<img src="{reverse("accounts:two-factor-qr")}"' in page.content.decode()
    assert typed_key in text(page)
    assert qr_code["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr_code["Cache-Control"]
    assert qr_code.content.startswith(b"<svg") and b"style" not in qr_code.content
    assert response.redirect_chain[-1][0] == to(CODES, MINE)
    assert "Two-factor sign-in is on: each sign-in now asks for a code." in text(response)
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed and device.key == key
    # The ten recovery codes, shown this once; then the page says only how many are left.
    shown = re.findall(r"<li class=\"col\">(\w+)</li>", response.content.decode())
    saved = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert len(shown) == 10 and set(shown) == saved
    again = client.get(CODES)
    assert not set(shown) & set(re.findall(r"\w+", text(again)))
    assert "You have 10 unused recovery codes." in text(again)
    # Enrolled, the session counts as verified: every page opens.
    assert client.get(MINE).status_code == 200
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_enrolment_code_is_refused_and_nothing_is_set_up(client):
    admin = make_admin()
    client.force_login(admin)
    client.get(ENROL)
    key = client.session[two_factor.ENROLMENT_KEY]

    response = client.post(
        ENROL, {"code": wrong_code(two_factor.unsaved_authenticator(user=admin, key=key))}
    )

    assert response.status_code == 200
    assert "This is not the app's current code." in text(response)
    assert two_factor.key_for_typing(key) in text(response)
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert client.get(MINE)["Location"] == to(ENROL, MINE)


def test_the_enrolment_code_cannot_be_used_again_to_sign_in(client):
    admin = make_admin()
    client.force_login(admin)
    client.get(ENROL)
    code = enrolment_code(client)
    client.post(ENROL, {"code": code})
    client.post(reverse("logout"))
    sign_in(client, admin)

    response = type_code(client, code)

    assert "This code is not right." in text(response)
    assert not signed_in(client)


# The second step


def test_with_an_app_the_password_alone_does_not_sign_in(client):
    admin = make_admin()
    make_two_factor(admin)

    response = sign_in(client, admin, next_url=ADMIN)

    assert response["Location"] == to(SECOND_STEP, ADMIN)
    assert not signed_in(client)
    assert (
        client.get(ADMIN, follow=True).redirect_chain[-1][0] == f"{reverse('login')}?next={ADMIN}"
    )


def test_a_wrong_code_is_refused_and_the_right_one_signs_in(client):
    admin = make_admin()
    device, _ = make_two_factor(admin)
    sign_in(client, admin, next_url=ADMIN)

    refused = type_code(client, wrong_code(device), ADMIN)
    device.refresh_from_db()
    device.throttle_reset()  # a person takes longer than django-otp's 1-second pause to retype
    accepted = type_code(client, current_code(device), ADMIN)

    assert refused.status_code == 200
    assert "This code is not right." in text(refused)
    assert accepted["Location"] == ADMIN
    assert signed_in(client)
    assert client.get(ADMIN).status_code == 200


def test_a_recovery_code_signs_in_once(client):
    admin = make_admin()
    _, codes = make_two_factor(admin)
    sign_in(client, admin)

    first = type_code(client, codes[0].upper(), follow=True)
    client.post(reverse("logout"))
    sign_in(client, admin)
    second = type_code(client, codes[0])

    assert first.redirect_chain[-1][0] == OVERVIEW
    assert "You signed in with a recovery code" in text(first)
    assert "9 recovery codes are left" in text(first)
    assert "This code is not right." in text(second)
    assert not signed_in(client)


def test_wrong_codes_pause_signing_in_like_wrong_passwords(client, settings):
    admin = make_admin()
    device, codes = make_two_factor(admin)
    sign_in(client, admin)
    # One wrong password first: the two steps share one count.
    client.post(reverse("login"), {"username": admin.username, "password": "typo"})
    sign_in(client, admin)
    answers = []
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        answers.append(type_code(client, wrong_code(device)).status_code)

    locked = type_code(client, codes[0])

    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 2) + [429]
    assert locked.status_code == 429
    assert "Signing in with this user name from this device is paused." in text(locked)
    assert not signed_in(client)


def test_successive_wrong_codes_make_the_app_wait_whatever_the_address(client):
    admin = make_admin()
    device, _ = make_two_factor(admin)
    sign_in(client, admin)
    type_code(client, wrong_code(device))
    # Three more in a row, from addresses all over: django-otp doubles the wait each time.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=4)

    response = type_code(client, current_code(device), REMOTE_ADDR="10.0.0.9")

    assert re.search(
        r"Too many wrong codes in a row\. Wait \d seconds, then try again\.", text(response)
    )
    assert not signed_in(client)


def test_signing_in_as_someone_else_signs_the_first_user_out(client):
    admin, official = make_admin(), make_official(make_agency())
    device, _ = make_two_factor(admin)
    officials_device, _ = make_two_factor(official)
    sign_in(client, admin)
    type_code(client, current_code(device))

    sign_in(client, official)

    assert not signed_in(client)
    assert client.get(MINE)["Location"].startswith(reverse("login"))
    type_code(client, current_code(officials_device))
    assert client.session["_auth_user_id"] == str(official.pk)


def test_the_second_step_without_a_password_sends_to_sign_in(client):
    response = client.get(to(SECOND_STEP, MINE))

    assert response["Location"] == to(reverse("login"), MINE)


def test_the_password_waits_only_so_long_for_its_code(client, settings):
    admin = make_admin()
    device, _ = make_two_factor(admin)
    sign_in(client, admin)
    settings.MFA_PENDING_SECONDS = -1

    response = type_code(client, current_code(device))

    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_a_code_does_not_send_elsewhere(client):
    admin = make_admin()
    device, _ = make_two_factor(admin)
    sign_in(client, admin)

    response = type_code(client, current_code(device), "https://evil.example/")

    assert response["Location"] == REVIEW_QUEUE


# Park staff who choose it


def test_park_staff_may_set_it_up_and_then_sign_in_with_a_code(client):
    staff = make_park_staff(make_park())
    sign_in(client, staff)
    assert client.get(OVERVIEW).status_code == 200
    client.get(ENROL)
    client.post(ENROL, {"code": enrolment_code(client)})
    client.post(reverse("logout"))

    response = sign_in(client, staff)

    assert response["Location"] == SECOND_STEP
    assert not signed_in(client)


def test_park_staff_may_turn_it_off_admins_may_not(client):
    staff, admin = make_park_staff(make_park()), make_admin()
    for user in (staff, admin):
        device, _ = make_two_factor(user)
        sign_in(client, user)
        type_code(client, current_code(device))

        response = client.post(reverse("accounts:two-factor-off"), follow=True)

        assert signed_in(client)
        client.post(reverse("logout"))
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert "Your role requires two-factor sign-in: it cannot be turned off." in text(response)


# Recovery codes


def test_new_recovery_codes_replace_the_old_ones(client):
    admin = make_admin()
    device, old = make_two_factor(admin)
    sign_in(client, admin)
    type_code(client, current_code(device))

    response = client.post(CODES, follow=True)

    new = re.findall(r"<li class=\"col\">(\w+)</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "New recovery codes: the old ones no longer work." in text(response)
    for code, works in [(new[1], True), (old[1], False)]:
        client.post(reverse("logout"))
        sign_in(client, admin)
        type_code(client, code)
        assert signed_in(client) is works


def test_changing_an_app_takes_a_session_that_passed_the_second_factor(client):
    """A voluntary user whose session somehow skipped the second step changes nothing."""
    staff = make_park_staff(make_park())
    make_two_factor(staff)
    client.force_login(staff)

    for page in [ENROL, CODES]:
        assert client.get(page)["Location"] == to(SECOND_STEP, page)
    assert client.post(CODES)["Location"] == to(SECOND_STEP, CODES)
    assert StaticToken.objects.filter(device__user=staff).count() == 10


# The admin


def test_the_admin_refuses_a_session_without_its_second_factor(client):
    admin = make_admin()
    make_two_factor(admin)
    client.force_login(admin)

    response = client.get(ADMIN)
    by_the_site = client.get(reverse("admin:auth_user_changelist"))

    assert response["Location"] == to(SECOND_STEP, ADMIN)
    assert by_the_site["Location"].startswith(SECOND_STEP)


def test_the_admin_site_itself_asks_for_the_second_factor():
    """Behind the middleware, the admin site's own check refuses an unverified admin."""
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    request = RequestFactory().get(ADMIN)
    request.user = make_admin()
    request.user.is_verified = lambda: False

    assert not django_admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert django_admin.site.has_permission(request)


def test_the_admins_sign_in_page_is_the_sites(client):
    response = client.get(reverse("admin:login") + f"?next={ADMIN}")

    assert response["Location"] == f"{reverse('login')}?next={ADMIN}"


def test_an_admin_resets_a_users_two_factor_sign_in(client):
    admin, official = make_admin(), make_official(make_agency())
    device, _ = make_two_factor(admin)
    make_two_factor(official)
    sign_in(client, admin)
    type_code(client, current_code(device))
    users = reverse("admin:auth_user_changelist")

    listed = client.get(users)
    response = client.post(
        users,
        {"action": "reset_two_factor", ACTION_CHECKBOX_NAME: [official.pk]},
        follow=True,
    )

    assert listed.status_code == 200
    assert "two-factor sign-in" in text(listed).lower()
    assert "Two-factor sign-in reset for 1 user" in text(response)
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticDevice.objects.filter(user=official).exists()
    assert TOTPDevice.objects.filter(user=admin).exists()
    entry = LogEntry.objects.get(object_id=str(official.pk))
    assert entry.get_change_message() == "Changed two-factor sign-in."


def test_a_reset_admin_sets_it_up_again_at_the_next_page(client):
    admin = make_admin()
    device, _ = make_two_factor(admin)
    sign_in(client, admin)
    type_code(client, current_code(device))

    two_factor.reset(user=admin)

    assert client.get(MINE)["Location"] == to(ENROL, MINE)


# In Vietnamese


VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def test_enrolment_the_second_step_and_the_recovery_codes_read_in_vietnamese(client):
    from tests.vietnamese import english_words, page_text

    admin = make_admin()
    client.force_login(admin)
    enrolment = client.get(ENROL, **VI)
    client.post(reverse("logout"))
    device, _ = make_two_factor(admin)
    sign_in(client, admin)
    second_step = client.get(SECOND_STEP, **VI)
    refused = type_code(client, wrong_code(device), **VI)
    device.refresh_from_db()
    device.throttle_reset()
    type_code(client, current_code(device))
    overview = client.get(OVERVIEW, **VI)
    codes = client.post(CODES, follow=True, **VI)

    pages = {
        "enrolment": (enrolment, "Thiết lập đăng nhập hai lớp"),
        "second step": (second_step, "Mã từ ứng dụng xác thực, hoặc một mã khôi phục"),
        "wrong code": (refused, "Mã này không đúng."),
        "overview": (overview, "Còn 10 mã khôi phục."),
        "recovery codes": (codes, "Trang này chỉ hiển thị các mã một lần này."),
    }
    for name, (response, words) in pages.items():
        content = response.content.decode()
        assert '<html lang="vi">' in content, name
        assert words in page_text(content), name
        assert english_words(page_text(content)) == [], name


# What it costs


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_verified_session_costs_each_page_one_query_its_device(client, settings):
    official = make_official(make_agency())
    device, _ = make_two_factor(official)
    settings.MFA_FOR_OFFICIALS = False
    client.force_login(official)
    without = count_queries(client, MINE)
    settings.MFA_FOR_OFFICIALS = True
    client.post(reverse("logout"))
    sign_in(client, official)
    type_code(client, current_code(device))

    with_it = count_queries(client, MINE)

    assert with_it == without + 1


def test_the_two_steps_and_enrolment_answer_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    admin = make_admin()
    client.force_login(admin)
    # The session and the user; whether they have an app; the session keeps the new key.
    with django_assert_num_queries(8):
        client.get(ENROL)
    client.post(reverse("logout"))
    make_two_factor(admin)
    sign_in(client, admin)
    # The session; the user waiting; whether they have an app; their failed sign-ins.
    with django_assert_num_queries(6):
        client.get(SECOND_STEP)


def test_an_admin_who_lost_everything_is_reset_from_the_command_line(client):
    from django.core.management import CommandError, call_command

    admin = make_admin()
    make_two_factor(admin)

    call_command("reset_two_factor", admin.username)
    response = sign_in(client, admin, follow=True)

    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert response.redirect_chain[-1][0] == to(ENROL, DASHBOARD)
    with pytest.raises(CommandError, match="No user is named 'nobody'"):
        call_command("reset_two_factor", "nobody")
