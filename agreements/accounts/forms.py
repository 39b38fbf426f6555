"""The forms of two-factor sign-in: a code to confirm enrolment, a code (or a recovery code) for
the second step of signing in."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agreements.accounts import two_factor


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
