"""What keeps each agreement's copies of its parties and flows true, whatever writes them:
services, the admin, commands. ``linked_search_text`` holds the folded names of its parties'
organisations and its flows' resources, ``shared_categories`` its flows' resources' categories.
A search, or a list filtered by category, then reads one row per agreement
(``AgreementQuerySet.search``, ``AgreementQuerySet.sharing``) instead of joining every party and
flow, which is what made searching and counting a large registry slow.

Bulk writes send no signals: they call ``AgreementQuerySet.keep_linked_copies`` on the
agreements they filled (``agreements/sample_data/synthetic.py``)."""

from django.db.models.signals import post_delete, post_save

from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import Organisation


def _row_changed(sender, instance, **kwargs):
    """A party or a flow written or deleted: its agreement's copy."""
    Agreement.objects.filter(pk=instance.agreement_id).keep_linked_copies()


def _organisation_renamed(sender, instance, created=False, **kwargs):
    if not created:  # a new organisation is a party to nothing yet
        parties = Party.objects.filter(organisation=instance).values("agreement_id")
        Agreement.objects.filter(pk__in=parties).keep_linked_copies()


def _resource_changed(sender, instance, created=False, **kwargs):
    """A resource renamed or moved to another category: the copies of the agreements sharing
    it."""
    if not created:
        flows = ResourceFlow.objects.filter(resource=instance).values("agreement_id")
        Agreement.objects.filter(pk__in=flows).keep_linked_copies()


def keep_linked_copies_true():
    for model in (Party, ResourceFlow):
        for signal in (post_save, post_delete):
            signal.connect(_row_changed, sender=model, dispatch_uid=f"search-{model.__name__}")
    post_save.connect(_organisation_renamed, sender=Organisation, dispatch_uid="search-org")
    post_save.connect(_resource_changed, sender=Resource, dispatch_uid="search-resource")
