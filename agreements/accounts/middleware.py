from django.shortcuts import redirect
from django.urls import reverse

from agreements.accounts import two_factor
from agreements.accounts.views import with_next

# What a user held for the second factor may still open.
OPEN_WHILE_HELD = {
    "logout",
    "set_language",
    "accounts:two-factor-enrol",
    "accounts:two-factor-qr",
    "accounts:two-factor-verify",
}


class TwoFactorMiddleware:
    """A signed-in user who must use two-factor sign-in (``must_use_two_factor``) and whose
    session has not passed it opens no page but the second step (or enrolment, until they have
    an authenticator app), signing out and the language switch: every other page, the Django
    admin's included, sends them there and back afterwards.

    Costs no query for a user who has passed it or need not (the rule reads the user row and
    the memberships every page of theirs reads anyway)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in OPEN_WHILE_HELD:
            return None
        if two_factor.has_passed(user):
            return None
        step = "verify" if two_factor.is_enrolled(user) else "enrol"
        return redirect(with_next(reverse(f"accounts:two-factor-{step}"), request.get_full_path()))
