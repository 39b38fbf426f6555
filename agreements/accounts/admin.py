"""Two-factor sign-in in the admin: the users' list (``symbiosis.admin``'s, extended here) shows
who has it, and an action resets it for a user who lost their authenticator app and their
recovery codes.

django-otp's own device pages are not offered: they show and edit the secrets, and would let
an admin give someone else's account a device of their choosing. Resetting is all an admin
needs: the user signs in with their password, then sets up a new app if they must use one.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.accounts import two_factor
from symbiosis.admin import UserAdmin as DeactivatingUserAdmin

User = get_user_model()

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DeactivatingUserAdmin):
    """The user admin of ``symbiosis.admin`` (deactivation, no deleting a person with a
    history), with who has two-factor sign-in and its reset."""

    list_display = [*DeactivatingUserAdmin.list_display, "has_two_factor"]
    actions = [*DeactivatingUserAdmin.actions, "reset_two_factor"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            )
        )

    @admin.display(description=_("two-factor sign-in"), boolean=True, ordering="two_factor")
    def has_two_factor(self, user):
        return user.two_factor

    @admin.action(
        description=_("Reset two-factor sign-in (lost authenticator app and recovery codes)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            two_factor.reset(user=user)
            # Stored untranslated, shown in each reader's language: "Changed two-factor sign-in."
            self.log_change(request, user, [{"changed": {"fields": ["two-factor sign-in"]}}])
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user: they sign in with their password, "
                "then set up a new authenticator app if their role requires one.",
                "Two-factor sign-in reset for %(count)d users: they sign in with their password, "
                "then set up a new authenticator app if their role requires one.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
