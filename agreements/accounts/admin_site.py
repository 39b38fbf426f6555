import functools

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.urls import reverse

from agreements.accounts import two_factor


class TwoFactorAdminSite(admin.AdminSite):
    """The Django admin, open to an admin whose session passed the second factor (the tests
    turn the requirement off: MFA_FOR_ADMINS)."""

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.has_passed(request.user)

    def login(self, request, extra_context=None):
        """One sign-in page for the whole site, with its second step and its throttling."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url)

    def admin_view(self, view, cacheable=False):
        """Every admin page, refusing as a bad request (400) an empty ``_to_field``: Django's
        change page takes it for a field named "" and fails with a server error."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def refusing_an_empty_field(request, *args, **kwargs):
            if request.GET.get(TO_FIELD_VAR) == "":
                raise BadRequest("An empty _to_field.")
            return inner(request, *args, **kwargs)

        return refusing_an_empty_field
