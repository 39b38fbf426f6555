from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements.models import Agreement, Document, Party, Resource, ResourceFlow
        from agreements.search import keep_linked_search_text_true
        from symbiosis.caching import drop_cached_pages_on_change

        drop_cached_pages_on_change(Agreement, Party, ResourceFlow, Document, Resource)
        keep_linked_search_text_true()
