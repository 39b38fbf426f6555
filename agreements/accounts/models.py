"""Accounts: each person's settings (their language), the invitations that give people access to
a park or an agency, and the trail of who invited, admitted, changed or revoked whom.

The writes are in ``agreements/accounts/invitations.py``."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parks.models import Organisation, ParkMembership

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class AccountSettings(models.Model):
    """What a person chose for their account; created the first time they choose (a person
    without a row has chosen nothing: emails to them come in both languages)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_settings",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        verbose_name = _("account settings")
        verbose_name_plural = _("account settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(language="") | Q(language__in=LANGUAGE_CODES),
                name="accounts_accountsettings_language_known",
            ),
        ]

    def __str__(self):
        return str(self.user)


def hash_token(token):
    """What is stored of an invitation's token: its SHA-256, so that the table alone opens no
    invitation (the token is long and random: no salt or slow hash needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted nor withdrawn nor expired: the members pages' "invited" list."""
        return self.filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation by email to become a member of a park (with a role) or an official of an
    agency: one of the two, never both. Its link carries a single-use token, of which only the
    hash is stored; it expires ``VALID_FOR`` after it is sent."""

    VALID_FOR = datetime.timedelta(days=7)

    email = models.EmailField(_("email"))
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("park"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=ParkMembership.Role,
        default=ParkMembership.Role.STAFF,
        help_text=_("In the park; an agency's invitation makes an official."),
    )
    language = models.CharField(
        _("language of the email"), max_length=8, choices=settings.LANGUAGES
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(park__isnull=False, agency__isnull=True)
                | Q(park__isnull=True, agency__isnull=False),
                name="accounts_invitation_park_or_agency",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["staff", "manager"]), name="accounts_invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES),
                name="accounts_invitation_language_known",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="accounts_invitation_expires_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="accounts_invitation_not_accepted_and_withdrawn",
            ),
        ]
        indexes = [
            # The members pages' pending invitations of one park or one agency.
            models.Index(fields=["park", "-created_at"], name="accounts_invitation_park"),
            models.Index(fields=["agency", "-created_at"], name="accounts_invitation_agency"),
        ]

    def __str__(self):
        return f"{self.email} → {self.park or self.agency}"

    @property
    def target(self):
        """The park or the agency the invitation is to."""
        return self.park or self.agency

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())


class MembershipEvent(models.Model):
    """One entry of the members' trail of a park or an agency: who did what to whose access,
    and when. Kept when the membership is gone; names are copied, so the entry still reads
    when an account is deactivated."""

    class Action(models.TextChoices):
        INVITED = "invited", _("invited")
        WITHDRAWN = "withdrawn", _("withdrew the invitation of")
        ACCEPTED = "accepted", _("accepted the invitation")
        ROLE_CHANGED = "role_changed", _("changed the role of")
        REVOKED = "revoked", _("revoked the access of")

    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("park"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership_events",
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership_events",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Whose access: their account once they have one, and always the address invited.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=ParkMembership.Role, blank=True)
    previous_role = models.CharField(
        _("previous role"), max_length=16, choices=ParkMembership.Role, blank=True
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(park__isnull=False, agency__isnull=True)
                | Q(park__isnull=True, agency__isnull=False),
                name="accounts_membershipevent_park_or_agency",
            ),
            models.CheckConstraint(
                condition=Q(
                    action__in=["invited", "withdrawn", "accepted", "role_changed", "revoked"]
                ),
                name="accounts_membershipevent_action_valid",
            ),
        ]
        indexes = [
            # The members pages' trail of one park or one agency, newest first.
            models.Index(fields=["park", "-at"], name="accounts_event_park"),
            models.Index(fields=["agency", "-at"], name="accounts_event_agency"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.email}"
