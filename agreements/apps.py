from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements import caching
        from agreements.models import Agreement, Document, Party, Resource, ResourceFlow
        from parks.models import Agency, Company, Organisation, Park

        # Cache invalidation, not a domain step: every write to what pages show, whatever its
        # path (services, admin, commands), makes cached pages and figures stale. Proxy models
        # send signals under their own name.
        shown = (
            Agreement,
            Party,
            ResourceFlow,
            Document,
            Resource,
            Organisation,
            Company,
            Agency,
            Park,
        )
        for model in shown:
            for signal in (post_save, post_delete):
                signal.connect(
                    caching.content_changed, sender=model, dispatch_uid=f"cache-{model.__name__}"
                )
