"""Limits on what a visitor can make the registry record or send by trying again: the user name
sign-in throttling records (django-axes)."""

from axes.models import AccessAttempt
from django.conf import settings

# The longest user name the throttling's table holds (AccessAttempt.username). No account's
# name is as long (User.username holds 150).
_RECORDED_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request, credentials=None):
    """The user name a sign-in attempt is recorded and counted under (``AXES_USERNAME_CALLABLE``):
    the one typed, cut to the length its table holds, so that an overlong name is one more failed
    sign-in, paused like any other, instead of a database error."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:_RECORDED_USERNAME_LENGTH] if isinstance(username, str) else username
