"""Two-factor sign-in, on django-otp: an authenticator app (a TOTP device) and ten one-time
recovery codes (a static device), both confirmed together at enrolment.

Who must use it is ``agreements.permissions.must_use_two_factor``; anyone else may choose it.
Signing in takes two steps for an enrolled user: the password, after which the session only
remembers who is waiting for the second step (``await_second_step``), then a code, after which
the user is signed in and the session counts as verified (``complete_sign_in``). A user who
must use it and has not enrolled is signed in after the password and held to enrolment by
``accounts.middleware.TwoFactorMiddleware``.

The functions that change devices take keyword arguments and no request (views, the admin and
the demo call them alike); those about a session take the request.
"""

import time
from base64 import b32encode
from binascii import unhexlify

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from agreements.permissions import must_use_two_factor

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"

# Session keys: who waits for the second step; the secret being enrolled; fresh recovery codes
# to show once.
PENDING_KEY = "two_factor_pending"
ENROLMENT_KEY = "two_factor_enrolment_key"
FRESH_CODES_KEY = "two_factor_fresh_codes"


def has_passed(user):
    """Whether this signed-in user may open any page: they need not use a second factor, or
    their session passed it (asked in that order: the rule reads what every signed-in page
    reads anyway)."""
    return not must_use_two_factor(user) or user.is_verified()


def authenticator(user):
    """The user's confirmed authenticator app, or None when they have not enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user):
    """Whether the user has an authenticator app; read once per user object (one request's),
    like the memberships in agreements/permissions.py."""
    if not hasattr(user, "_two_factor_enrolled"):
        user._two_factor_enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return user._two_factor_enrolled


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Codes


def normalise(code):
    """A code as typed, without the spaces, hyphens and capitals people add."""
    return "".join(code.split()).replace("-", "").lower()


def is_authenticator_code(code):
    return len(code) == 6 and code.isdigit()


def device_for(user, code):
    """The device a normalised code is checked against: the authenticator app for six digits,
    the recovery codes otherwise (None when the user has no such device)."""
    model = TOTPDevice if is_authenticator_code(code) else StaticDevice
    return model.objects.filter(user=user, confirmed=True).first()


def seconds_to_wait(device):
    """How long django-otp's throttle keeps this device from checking a code after successive
    wrong ones (doubling from one second), or 0."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return 0
    return max(1, int((details["locked_until"] - timezone.now()).total_seconds() + 0.999))


def check_code(*, user, device, code):
    """Whether ``code`` is right for ``device``; a recovery code is used up, a wrong code counts
    towards the device's throttle (django-otp locks the row while it checks)."""
    return django_otp.verify_token(user, device.persistent_id, code) is not None


def new_key():
    """A new secret for an authenticator app: 20 random bytes, hex-encoded (django-otp's)."""
    return random_hex(20)


def enrolment_key(request):
    """The secret this session is enrolling, the same until enrolment succeeds."""
    key = request.session.get(ENROLMENT_KEY)
    if key is None:
        key = request.session[ENROLMENT_KEY] = new_key()
    return key


def key_for_typing(key):
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def unsaved_authenticator(*, user, key):
    return TOTPDevice(user=user, key=key, name=DEVICE_NAME, confirmed=False)


def confirms(device, code):
    """Whether ``code`` is the current code (give or take the device's tolerance) of a device
    being enrolled; on success the device remembers the code's time step, so that the code
    cannot be used again to sign in, and the app's clock drift, as django-otp does."""
    code = normalise(code)
    if not is_authenticator_code(code):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return False
    device.last_t = totp.t()
    device.drift = totp.drift
    return True


# Changing devices


@transaction.atomic
def enrol(*, user, device):
    """Make ``device`` (confirmed by ``confirms``) the user's authenticator app, replacing any
    earlier one and its recovery codes, and give them new recovery codes. Returns the codes."""
    reset(user=user)
    device.user = user
    device.confirmed = True
    device.save()
    user._two_factor_enrolled = True
    return _new_recovery_codes(user)


@transaction.atomic
def replace_recovery_codes(*, user):
    """New recovery codes for an enrolled user; the old ones stop working. Returns them."""
    StaticDevice.objects.filter(user=user).delete()
    return _new_recovery_codes(user)


def _new_recovery_codes(user):
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def reset(*, user):
    """Forget the user's authenticator app and recovery codes: they sign in with their password
    alone, or enrol again if they must use two-factor sign-in. A session verified by a device
    that is gone no longer counts as verified."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user._two_factor_enrolled = False


# The session


def await_second_step(request, user):
    """The password is right: remember who waits for the second step, without signing in
    (whoever was signed in on this browser is signed out)."""
    if request.user.is_authenticated:
        auth_logout(request)
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "since": time.time(),
    }


def user_awaiting_second_step(request):
    """The user this session is signing in: the signed-in user held for the second step, or the
    one whose password was accepted in the last ``MFA_PENDING_SECONDS``; else None."""
    if request.user.is_authenticated:
        return None if request.user.is_verified() else request.user
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["since"] > settings.MFA_PENDING_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending["hash"]:
        del request.session[PENDING_KEY]
        return None
    return user


def complete_sign_in(request, user, device):
    """The code was right: sign the user in, the session verified by ``device``."""
    pending = request.session.pop(PENDING_KEY, None)
    if not request.user.is_authenticated:
        auth_login(request, user, backend=pending["backend"])
    django_otp.login(request, device)
