from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements.models import (
            Agreement,
            Document,
            EmissionFactor,
            Party,
            ReportedQuantity,
            Resource,
            ResourceFlow,
        )
        from agreements.search import keep_linked_copies_true
        from symbiosis.caching import drop_cached_pages_on_change
        from symbiosis.stored_files import erase_files_with_their_rows

        drop_cached_pages_on_change(
            Agreement, Party, ResourceFlow, Document, Resource, EmissionFactor, ReportedQuantity
        )
        keep_linked_copies_true()
        # A deleted document's file is erased, confidential ones above all, and so is a
        # replaced one, once the change commits.
        erase_files_with_their_rows(Document, "file")
