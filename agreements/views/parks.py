"""Officials' pages for the parks they maintain: creating a park, editing it, and its history.

Who may do what is asked of ``agreements.permissions`` (``can_create_park``, ``can_edit_park``,
``can_see_park_history``, ``park_authorities``); a signed-out visitor is sent to sign in, anyone
else who may not gets 403 saying why. Saves go through ``agreements.park_services``.
"""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, UpdateView

from agreements import park_services, permissions
from agreements.history import park_changes
from parks.forms import ParkForm
from parks.models import Park


class ParkAccessMixin(UserPassesTestMixin):
    """A signed-out visitor is sent to sign in and a method the page does not take is refused
    before anything is looked up; then ``allowed(user)`` decides (403 with
    ``permission_denied_message`` otherwise). For a page about one park, ``self.park`` is the
    park of the URL's slug (404 for none)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def test_func(self):
        if "slug" in self.kwargs:
            self.park = get_object_or_404(Park.objects.for_list_page(), slug=self.kwargs["slug"])
        return self.allowed(self.request.user)

    def get_object(self, queryset=None):
        return self.park


class ParkFormMixin:
    template_name = "parks/park_form.html"
    http_method_names = ["get", "post", "head", "options"]
    form_class = ParkForm
    context_object_name = "park"

    def get_form_kwargs(self):
        user = self.request.user
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            # The form writes what was typed on its instance, valid or not; the page's park
            # (its title, its links) stays the stored one.
            kwargs["instance"] = copy.copy(self.object)
        return {
            **kwargs,
            "authorities": permissions.park_authorities(user),
            "authority_required": not permissions.may_leave_park_unmanaged(user),
        }


class ParkCreateView(ParkAccessMixin, ParkFormMixin, CreateView):
    permission_denied_message = gettext_lazy(
        "Only the officials of an agency create the parks it manages."
    )

    def allowed(self, user):
        return permissions.can_create_park(user)

    def form_valid(self, form):
        park = park_services.create_park(by=self.request.user, **form.cleaned_data_for_service())
        messages.success(
            self.request, _("%(park)s is added to the registry.") % {"park": park.name}
        )
        return redirect(park)


class ParkUpdateView(ParkAccessMixin, ParkFormMixin, UpdateView):
    permission_denied_message = gettext_lazy(
        "Only the officials of the park's managing authority, or of a national agency, edit it."
    )

    def allowed(self, user):
        return permissions.can_edit_park(user, self.park)

    def form_valid(self, form):
        park, changed = park_services.update_park(
            park=self.park, by=self.request.user, **form.cleaned_data_for_service()
        )
        if changed:
            messages.success(self.request, _("%(park)s is saved.") % {"park": park.name})
        else:
            messages.info(self.request, _("Nothing was changed in %(park)s.") % {"park": park.name})
        return redirect(park)


class ParkHistoryView(ParkAccessMixin, DetailView):
    """Every change to a park's record, field by field: for its staff, the officials overseeing
    it and admins."""

    template_name = "parks/park_history.html"
    http_method_names = ["get", "head", "options"]
    context_object_name = "park"
    permission_denied_message = gettext_lazy(
        "Only the park's staff and the officials overseeing it see its history."
    )

    def allowed(self, user):
        return permissions.can_see_park_history(user, self.park)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entries=park_changes(self.park),
            can_edit=permissions.can_edit_park(self.request.user, self.park),
            **kwargs,
        )
