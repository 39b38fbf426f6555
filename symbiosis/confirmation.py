"""Reference data proposed by park staff and confirmed by officials (organisations in ``parks``,
resources in ``agreements``): who proposed a row, and when and by whom it was confirmed.

A row is public once confirmed (``confirmed_at`` set). Rows are confirmed as they are created
(the field's default) by every way in but one: park staff proposing one from the agreement form,
whose row waits, unconfirmed, for an official (``agreements.permissions.can_confirm``) to confirm
it on its own or by verifying an agreement that uses it (``agreements.services``). Confirming
saves the row, so cached public pages are dropped as for any other change
(``symbiosis.caching``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConfirmationQuerySetMixin:
    def confirmed(self):
        """The rows the public pages may show."""
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        """Proposals awaiting an official."""
        return self.filter(confirmed_at__isnull=True)


class Confirmable(models.Model):
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"), null=True, blank=True, editable=False, default=timezone.now
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def mark_proposed(self, *, by, confirmed):
        """Before a first save: proposed by ``by``, and confirmed at once or left waiting."""
        self.proposed_by = by
        self.confirmed_at = timezone.now() if confirmed else None
        self.confirmed_by = by if confirmed else None

    def confirm(self, *, by):
        """Confirm this row (a no-op when it already is): it shows on the public pages."""
        if self.is_confirmed:
            return False
        self.confirmed_at = timezone.now()
        self.confirmed_by = by
        self.save(update_fields=["confirmed_at", "confirmed_by"])
        return True
