""" "My account": the person's language (saved, and applied at once), their password and two-factor
sign-in, and what they are a member of."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from agreements import permissions
from agreements.accounts import two_factor
from agreements.accounts.forms import LanguageForm
from agreements.accounts.home import save_language, saved_language, use_language
from parks.models import AuthorityMembership, ParkMembership


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    user = request.user
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": saved_language(user) or get_language()},
    )
    if request.method == "POST":
        if form.is_valid():
            language = form.cleaned_data["language"]
            save_language(user=user, language=language)
            response = use_language(request, redirect("accounts:account"), language)
            messages.success(request, _("Your language is saved."))
            return response
        messages.error(request, _("Nothing was saved: choose a language."))
    park_memberships = list(
        ParkMembership.objects.filter(user=user).select_related("park").order_by("park__name_en")
    )
    for membership in park_memberships:
        membership.manages = permissions.can_manage_members(user, membership.park)
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "park_memberships": park_memberships,
            "agency_memberships": AuthorityMembership.objects.filter(user=user)
            .select_related("agency")
            .order_by("agency__name_en"),
            "two_factor_on": two_factor.is_enrolled(user),
        },
    )
