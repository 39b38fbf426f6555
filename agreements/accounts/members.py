"""The members pages (a park's, by its managers and the officials over it; an agency's, by its
officials and admins: an admin appoints an agency's first official there) and the page an
invitation's link opens.

A members page lists the members, the invitations not yet accepted and the trail of who did
what; its forms post back to it with an ``action``: invite (the default), role, revoke (asked
to confirm first), withdraw. Each redirects back with a message.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from agreements import permissions
from agreements.accounts import invitations
from agreements.accounts.forms import InvitationForm, NewMemberForm, RoleForm
from agreements.accounts.home import use_language
from parks.models import Agency, AuthorityMembership, Park, ParkMembership

TRAIL_LENGTH = 50


class _Members:
    """What differs between a park's members page and an agency's."""

    def __init__(self, *, park=None, agency=None):
        self.park, self.agency = park, agency
        self.target = park or agency

    @property
    def url(self):
        if self.park is not None:
            return reverse("parks:members", kwargs={"slug": self.park.slug})
        return reverse("accounts:agency-members", kwargs={"slug": self.agency.slug})

    def memberships(self):
        if self.park is not None:
            return ParkMembership.objects.filter(park=self.park)
        return AuthorityMembership.objects.filter(agency=self.agency)

    def context(self, request, form=None):
        members = list(self.memberships().select_related("user").order_by("user__username"))
        return {
            "park": self.park,
            "agency": self.agency,
            "target": self.target,
            "members": members,
            "invitations": list(self.target.invitations.pending().select_related("invited_by")),
            "events": list(
                self.target.membership_events.select_related("actor", "member")[:TRAIL_LENGTH]
            ),
            "form": form or self.invitation_form(members=members),
            "roles": ParkMembership.Role.choices,
            "members_url": self.url,
        }

    def invitation_form(self, data=None, *, members):
        return InvitationForm(
            data,
            with_role=self.park is not None,
            already_members=[m.user.email for m in members if m.user.email],
            initial={"language": get_language()},
        )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def park_members(request, slug):
    park = get_object_or_404(Park, slug=slug)
    if not permissions.can_manage_members(request.user, park):
        raise PermissionDenied(
            _("Only the park's managers and the officials over it manage its members.")
        )
    return _members_page(request, _Members(park=park))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agency_members(request, slug):
    agency = get_object_or_404(Agency.objects.all(), slug=slug)
    if not permissions.can_manage_officials(request.user, agency):
        raise PermissionDenied(_("Only the agency's officials and admins manage its officials."))
    return _members_page(request, _Members(agency=agency))


def _members_page(request, page):
    if request.method != "POST":
        return render(request, "accounts/members.html", page.context(request))
    action = request.POST.get("action", "invite")
    if action == "role" and page.park is not None:
        return _change_role(request, page)
    if action == "revoke":
        return _revoke(request, page)
    if action == "withdraw":
        return _withdraw(request, page)
    return _invite(request, page)


def _invite(request, page):
    form = page.invitation_form(
        request.POST, members=list(page.memberships().select_related("user"))
    )
    if not form.is_valid():
        messages.error(request, _("Nobody was invited: correct what is marked below."))
        return render(request, "accounts/members.html", page.context(request, form=form))
    data = form.cleaned_data
    invitations.invite(
        email=data["email"],
        park=page.park,
        agency=page.agency,
        role=data.get("role", ParkMembership.Role.STAFF),
        language=data["language"],
        by=request.user,
        base_url=request.build_absolute_uri("/"),
    )
    messages.success(
        request,
        _("An invitation is on its way to %(email)s; its link works once, for seven days.")
        % {"email": data["email"]},
    )
    return redirect(page.url)


def _membership(request, page):
    return get_object_or_404(
        page.memberships().select_related("user"), pk=request.POST.get("membership") or 0
    )


def _change_role(request, page):
    membership = _membership(request, page)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The role was not changed: choose staff or manager."))
        return redirect(page.url)
    invitations.change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    if hasattr(request.user, "_symbiosis_access"):
        del request.user._symbiosis_access  # their own role may have changed: read it again
    messages.success(
        request,
        _("%(member)s is now %(role)s.")
        % {
            "member": membership.user.email or membership.user,
            "role": membership.get_role_display(),
        },
    )
    if not permissions.can_manage_members(request.user, page.park):
        return redirect(page.park.get_absolute_url())  # a manager who made themselves staff
    return redirect(page.url)


def _revoke(request, page):
    membership = _membership(request, page)
    if request.POST.get("confirmed") != "yes":
        return render(
            request,
            "accounts/revoke_confirm.html",
            {"membership": membership, "target": page.target, "members_url": page.url},
        )
    invitations.revoke(membership=membership, by=request.user)
    messages.success(
        request,
        _("%(member)s no longer has access to %(target)s.")
        % {"member": membership.user.email or membership.user, "target": page.target},
    )
    if membership.user == request.user:
        return redirect("accounts:account")
    return redirect(page.url)


def _withdraw(request, page):
    invitation = get_object_or_404(
        page.target.invitations.all(), pk=request.POST.get("invitation") or 0
    )
    invitations.withdraw(invitation=invitation, by=request.user)
    messages.success(
        request,
        _("The invitation to %(email)s is withdrawn: its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect(page.url)


# The invitation's link


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, token):
    """What the link of an invitation opens: for a new person, a password and a language; for
    the holder of an account with the address invited, signed in, a button to accept."""
    found = invitations.find(token)
    if found is None:
        return _refused(
            request, _("This invitation link is not valid. Check that it is complete."), 404
        )
    problem = invitations.refusal(found)
    if problem:
        return _refused(request, problem, 410)
    account = invitations.account_for(found.email)
    user = request.user
    if user.is_authenticated and (account is None or account.pk != user.pk):
        return _refused(
            request,
            _(
                "This invitation is for %(email)s, and you are signed in as %(name)s. Sign out, "
                "then open the link again."
            )
            % {"email": found.email, "name": user.get_username()},
            403,
        )
    if account is not None and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if account is None:
        _in_the_invitations_language(request, found)
    context = {"invitation": found, "target": found.target}
    if account is not None:
        if request.method == "POST":
            return _accepted(
                request, found, lambda: invitations.accept(invitation=found, user=user)
            )
        return render(request, "accounts/invitation.html", context)
    form = NewMemberForm(
        _new_user(found), request.POST or None, initial={"language": found.language}
    )
    if request.method == "POST" and form.is_valid():

        def create():
            new = invitations.create_account_and_accept(
                invitation=found,
                password=form.cleaned_data["new_password1"],
                language=form.cleaned_data["language"],
            )
            login(request, new, backend="django.contrib.auth.backends.ModelBackend")
            return new

        return _accepted(request, found, create, language=form.cleaned_data["language"])
    if request.method == "POST":
        messages.error(request, _("Your account was not created: correct what is marked below."))
    return render(request, "accounts/invitation.html", {**context, "form": form})


def _in_the_invitations_language(request, found):
    """The page a new person opens from an invitation is in the language its email was written
    in (the inviter chose it), not the browser's, unless the visitor chose one (the language
    switcher's cookie): the email and the page it leads to read alike."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and found.language:
        translation.activate(found.language)
        request.LANGUAGE_CODE = translation.get_language()


def _new_user(found):
    return get_user_model()(username=found.email, email=found.email)


def _accepted(request, found, step, *, language=""):
    try:
        step()
    except invitations.InvitationRefused as refused:
        return _refused(request, str(refused), 410)
    target = found.park.get_absolute_url() if found.park_id else reverse("agreements:dashboard")
    response = use_language(request, redirect(target), language)
    messages.success(
        request,
        _("Welcome: you are now a member of %(target)s.") % {"target": found.target},
    )
    return response


def _refused(request, reason, status):
    return render(request, "accounts/invitation_refused.html", {"reason": reason}, status=status)
