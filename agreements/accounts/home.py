"""Each account has a home and a language: where signing in lands a person (without an explicit
``next``), and the language they chose, applied the way Django's ``LocaleMiddleware`` reads it
(the language cookie) whenever they sign in or change it."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from agreements import permissions
from agreements.accounts.models import AccountSettings


def landing_page(user):
    """Admins and officials land on the dashboard at its work list of agreements awaiting
    verification; park staff on "My agreements" (so does anyone else)."""
    if user.is_authenticated and permissions.is_reviewer(user):
        return reverse("agreements:dashboard") + "#awaiting-verification-heading"
    return reverse(settings.LOGIN_REDIRECT_URL)


def saved_language(user):
    """The language the person chose for their account, or "" (one query, kept on the user
    object like the memberships)."""
    if not user.is_authenticated:
        return ""
    try:
        return user.account_settings.language
    except AccountSettings.DoesNotExist:
        return ""


def save_language(*, user, language):
    row, _created = AccountSettings.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    user.account_settings = row


def use_language(request, response, language):
    """This request's remaining output (its messages) and the next pages in ``language``, as
    Django's ``set_language`` view sets it; nothing when the person chose none."""
    if not language:
        return response
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
