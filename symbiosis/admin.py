"""The admin's user pages: Django's, with deactivation as the way to remove a person who has
worked in the registry.

Deleting an account sets to null every record of what that person did (``symbiosis.people``):
agreements would read "created by" and "reviewed by" nobody, and the history would lose who
made each change. So an account named on any such record is not deleted here: the delete page
and the "delete selected" action refuse it, say why and offer to deactivate it, which ends its
access (no sign-in, no email, no rights) and keeps its name on the record. An account named on
nothing (opened by mistake, say) is deleted as before.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from symbiosis.people import records_naming

User = get_user_model()

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["deactivate_selected"]

    @admin.action(
        description=_("Deactivate the selected users"),
        permissions=["change"],
    )
    def deactivate_selected(self, request, queryset):
        """Deactivate the selected active accounts, except the admin's own."""
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request,
                _("Your own account stays active: another admin can deactivate it."),
                messages.WARNING,
            )
        users = list(queryset.filter(is_active=True).exclude(pk=request.user.pk))
        for user in users:
            user.is_active = False
            user.save(update_fields=["is_active"])
            self.log_change(request, user, [{"changed": {"fields": ["is_active"]}}])
        if users:
            self.message_user(
                request,
                ngettext(
                    "%(count)d user is deactivated: they can no longer sign in, and their "
                    "name stays on what they did in the registry.",
                    "%(count)d users are deactivated: they can no longer sign in, and their "
                    "names stay on what they did in the registry.",
                    len(users),
                )
                % {"count": len(users)},
                messages.SUCCESS,
            )

    def get_deleted_objects(self, objs, request):
        """Django's list of what deleting ``objs`` deletes, with every account named on the
        registry's record among the protected: then the delete page and the "delete selected"
        action refuse, and say why."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        users = list(objs)
        counts = records_naming(users)
        for user in users:
            if counts.get(user.pk):
                protected.append(
                    ngettext(
                        "%(name)s is named on %(count)d record of the registry (an agreement "
                        "created or reviewed, a document uploaded, a change in the history): "
                        "deactivate the account instead, and the record keeps the name.",
                        "%(name)s is named on %(count)d records of the registry (agreements "
                        "created or reviewed, documents uploaded, changes in the history): "
                        "deactivate the account instead, and the records keep the name.",
                        counts[user.pk],
                    )
                    % {"name": user.get_username(), "count": counts[user.pk]}
                )
        return deleted, model_count, perms_needed, protected
