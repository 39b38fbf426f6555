"""The forms of two-factor sign-in (a code to confirm enrolment, a code or a recovery code for
the second step of signing in), of inviting members, and of one's account."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.accounts import two_factor
from parks.models import ParkMembership


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
            "autofocus": True,
        }


class EnrolmentForm(forms.Form):
    """The code the authenticator app shows for the secret being enrolled."""

    code = CodeField(
        label=_("Code from your authenticator app"),
        help_text=_("The six digits the app shows now for the Symbiosis Registry."),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not two_factor.confirms(self.device, code):
            raise forms.ValidationError(
                _(
                    "This is not the app's current code. Check that the app has the key shown "
                    "on this page and that your device's clock is right, then type the code "
                    "it shows now."
                ),
                code="wrong",
            )
        return code


class SecondStepForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = CodeField(
        label=_("Code from your authenticator app, or a recovery code"),
        help_text=_("Six digits from the app, or one of the ten recovery codes you saved."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        # Whether a code was checked and refused: a failed sign-in attempt (throttled like a
        # wrong password, by the view).
        self.attempt_failed = False

    def clean_code(self):
        code = two_factor.normalise(self.cleaned_data["code"])
        device = two_factor.device_for(self.user, code)
        if device is not None and (wait := two_factor.seconds_to_wait(device)):
            self.attempt_failed = True
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong codes in a row. Wait %(seconds)d second, then try again.",
                    "Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.",
                    wait,
                )
                % {"seconds": wait},
                code="throttled",
            )
        if device is None or not two_factor.check_code(user=self.user, device=device, code=code):
            self.attempt_failed = True
            raise forms.ValidationError(
                _(
                    "This code is not right. Type the six digits your authenticator app shows "
                    "now, or a recovery code you have not used yet."
                ),
                code="wrong",
            )
        self.device = device
        return code


# Members and accounts


class InvitationForm(forms.Form):
    """Whom to invite to a park (with a role) or an agency, and the email's language."""

    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=ParkMembership.Role.choices)
    language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES
    )

    def __init__(self, *args, with_role=True, already_members=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not with_role:
            del self.fields["role"]
        self.already_members = {address.lower() for address in already_members}

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email.lower() in self.already_members:
            raise forms.ValidationError(
                _("%(email)s is a member already.") % {"email": email}, code="member"
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ParkMembership.Role.choices)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The pages after you sign in, and the emails the registry sends you."),
    )


class NewMemberForm(SetPasswordForm):
    """A person accepting an invitation without an account: their password (Django's
    validators) and their language."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["new_password1", "new_password2", "language"]
