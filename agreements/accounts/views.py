"""Signing in with a second factor: the sign-in page's two steps, enrolment with its QR code,
recovery codes, and the page where a user sees and changes their two-factor sign-in.

Wrong codes at the second step are failed sign-ins for django-axes, counted with wrong
passwords for the same user name and address: the same limit, the same pause, the same page.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, user_login_failed
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import FormView
from django_otp import login as verified_by
from django_otp.plugins.otp_static.models import StaticDevice

from agreements.accounts import two_factor
from agreements.accounts.forms import EnrolmentForm, SecondStepForm
from agreements.accounts.home import landing_page, saved_language, use_language
from agreements.accounts.qr import qr_code_svg
from agreements.permissions import must_use_two_factor


def safe_next(request):
    """The page to go on to, from ``next``, if it is on this site; else ""."""
    url = request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, ""))
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if allowed else ""


def next_or_home(request):
    """An explicit safe ``next``, else the signed-in user's own landing page."""
    return safe_next(request) or landing_page(request.user)


def with_next(url, next_url):
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


class SignInView(LoginView):
    """The password, the first step. A user with an authenticator app is not signed in yet:
    the second step asks for a code."""

    def get_default_redirect_url(self):
        """Without a ``next``: staff land on "My agreements", officials and admins on the
        dashboard's agreements awaiting verification (``landing_page``)."""
        return landing_page(self.request.user)

    def form_valid(self, form):
        user = form.get_user()
        self.request.session.pop(two_factor.PENDING_KEY, None)
        if not two_factor.is_enrolled(user):
            # Signed in, in the language they chose; one who must use two-factor sign-in is
            # held to enrolment.
            return use_language(self.request, super().form_valid(form), saved_language(user))
        two_factor.await_second_step(self.request, user)
        return redirect(with_next(reverse("accounts:two-factor-verify"), self.get_redirect_url()))


@method_decorator(never_cache, name="dispatch")
class SecondStepView(FormView):
    """The code, the second step: from the authenticator app, or a recovery code (used up)."""

    template_name = "accounts/second_step.html"
    form_class = SecondStepForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return redirect(next_or_home(request))
        self.user = two_factor.user_awaiting_second_step(request)
        if self.user is None:
            return redirect(with_next(reverse("login"), safe_next(request)))
        if not two_factor.is_enrolled(self.user):
            return redirect(with_next(reverse("accounts:two-factor-enrol"), safe_next(request)))
        self.credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, self.credentials):
            return get_lockout_response(request, None, self.credentials)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=safe_next(self.request), **kwargs)

    def get_success_url(self):
        return next_or_home(self.request)

    def form_invalid(self, form):
        if form.attempt_failed:
            # Axes counts it; at the limit its middleware answers with the pause page.
            user_login_failed.send(
                sender=__name__, credentials=self.credentials, request=self.request
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        two_factor.complete_sign_in(self.request, self.user, form.device)
        language = saved_language(self.user)
        if language:
            translation.activate(language)
        return use_language(self.request, self._signed_in(form), language)

    def _signed_in(self, form):
        if isinstance(form.device, StaticDevice):
            left = two_factor.recovery_codes_left(self.user)
            messages.warning(
                self.request,
                ngettext(
                    "You signed in with a recovery code, which now no longer works; %(count)d "
                    "recovery code is left. If you lost your authenticator app, set up a new "
                    "one below.",
                    "You signed in with a recovery code, which now no longer works; %(count)d "
                    "recovery codes are left. If you lost your authenticator app, set up a new "
                    "one below.",
                    left,
                )
                % {"count": left},
            )
            return redirect("accounts:two-factor")
        return super().form_valid(form)


def _verified_if_enrolled(view):
    """Changing an enrolled user's devices takes a session that passed the second factor."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_verified() and two_factor.is_enrolled(request.user):
            return redirect(with_next(reverse("accounts:two-factor-verify"), request.path))
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@login_required
@require_GET
def overview(request):
    """Whether the user signs in with a second factor, and what they can change."""
    device = two_factor.authenticator(request.user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "codes_left": two_factor.recovery_codes_left(request.user) if device else 0,
            "required": must_use_two_factor(request.user),
        },
    )


@method_decorator([never_cache, login_required, _verified_if_enrolled], name="dispatch")
class EnrolmentView(FormView):
    """Set up an authenticator app: scan the QR code or type the key, then confirm with the
    code the app shows. Done again, it replaces the app and the recovery codes."""

    template_name = "accounts/enrol.html"
    form_class = EnrolmentForm

    @cached_property
    def device(self):
        return two_factor.unsaved_authenticator(
            user=self.request.user, key=two_factor.enrolment_key(self.request)
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "device": self.device}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            key=two_factor.key_for_typing(self.device.key),
            replacing=two_factor.is_enrolled(self.request.user),
            required=must_use_two_factor(self.request.user),
            next=safe_next(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        request = self.request
        codes = two_factor.enrol(user=request.user, device=self.device)
        verified_by(request, self.device)
        del request.session[two_factor.ENROLMENT_KEY]
        request.session[two_factor.FRESH_CODES_KEY] = codes
        messages.success(request, _("Two-factor sign-in is on: each sign-in now asks for a code."))
        return redirect(with_next(reverse("accounts:two-factor-codes"), safe_next(request)))


@never_cache
@login_required
@require_GET
def enrolment_qr_code(request):
    """The QR code of the key being enrolled, as an SVG image served from this site."""
    key = request.session.get(two_factor.ENROLMENT_KEY)
    if key is None:
        raise Http404
    device = two_factor.unsaved_authenticator(user=request.user, key=key)
    return HttpResponse(
        qr_code_svg(device.config_url, title=_("QR code to scan with your authenticator app")),
        content_type="image/svg+xml",
    )


@never_cache
@login_required
@_verified_if_enrolled
@require_http_methods(["GET", "HEAD", "POST"])
def recovery_codes(request):
    """New recovery codes, shown once; asked for again, they replace the old ones."""
    if not two_factor.is_enrolled(request.user):
        return redirect("accounts:two-factor")
    if request.method == "POST":
        request.session[two_factor.FRESH_CODES_KEY] = two_factor.replace_recovery_codes(
            user=request.user
        )
        messages.success(request, _("New recovery codes: the old ones no longer work."))
        return redirect("accounts:two-factor-codes")
    codes = request.session.pop(two_factor.FRESH_CODES_KEY, None)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": codes,
            "codes_left": two_factor.recovery_codes_left(request.user),
            "next": next_or_home(request),
        },
    )


@login_required
@_verified_if_enrolled
@require_POST
def turn_off(request):
    """Park staff who chose two-factor sign-in may turn it off; who must use it may not."""
    if must_use_two_factor(request.user):
        messages.error(
            request, _("Your role requires two-factor sign-in: it cannot be turned off.")
        )
    else:
        two_factor.reset(user=request.user)
        messages.success(request, _("Two-factor sign-in is off: you sign in with your password."))
    return redirect("accounts:two-factor")
