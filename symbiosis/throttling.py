"""Limits on what a visitor can make the registry record or send by trying again: the user name
sign-in throttling records (django-axes), and the password-reset emails sent.

Sign-in failures are counted by django-axes in the database. Password-reset requests are counted
in the cache, per client address (``client_ip``, as sign-in counts them) and per email address,
for an hour from the first: with Redis (``REDIS_URL``) every app process shares the counts; with
the per-process default, each counts its own.
"""

import hashlib
import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache

from symbiosis.client_ip import client_ip

log = logging.getLogger(__name__)

# The longest user name the throttling's table holds (AccessAttempt.username). No account's
# name is as long (User.username holds 150).
_RECORDED_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length

RESET_PERIOD = 60 * 60  # seconds


def attempted_username(request, credentials=None):
    """The user name a sign-in attempt is recorded and counted under (``AXES_USERNAME_CALLABLE``):
    the one typed, cut to the length its table holds, so that an overlong name is one more failed
    sign-in, paused like any other, instead of a database error."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:_RECORDED_USERNAME_LENGTH] if isinstance(username, str) else username


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, sending its email only while neither the client nor the
    email address has asked too often within the hour (``reset_may_be_sent``). Either way the
    visitor is shown the same "check your email" page, as when no account has the address, so the
    answer tells nothing of accounts or of other people's requests."""

    def save(self, *args, request=None, **kwargs):
        if reset_may_be_sent(request, self.cleaned_data["email"]):
            super().save(*args, request=request, **kwargs)


def reset_may_be_sent(request, email):
    """Counts one more reset request from this client and, unless the client is over its
    limit, for this address (whether or not an account has it); whether both are within
    ``PASSWORD_RESET_PER_CLIENT`` and ``PASSWORD_RESET_PER_ADDRESS`` an hour."""
    client = client_ip(request) or "unknown"
    if not _count_within(f"password-reset:client:{client}", settings.PASSWORD_RESET_PER_CLIENT):
        log.warning("Password reset not sent: client %s asked too often within the hour.", client)
        return False
    # The address is kept out of the key (and the log) as a digest: the cache holds no addresses.
    address = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    if not _count_within(f"password-reset:address:{address}", settings.PASSWORD_RESET_PER_ADDRESS):
        log.warning("Password reset not sent: its address was asked for too often.")
        return False
    return True


def _count_within(key, limit):
    """One more under ``key`` (counted for ``RESET_PERIOD`` from the first); whether the count
    is still within ``limit``."""
    cache.add(key, 0, RESET_PERIOD)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls, or a cache that keeps nothing
        count = 1
    return count <= limit
