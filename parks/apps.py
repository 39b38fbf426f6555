from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "parks"
    verbose_name = _("Parks and organisations")

    def ready(self):
        from parks.models import Agency, Company, Organisation, Park
        from symbiosis.caching import drop_cached_pages_on_change

        # Proxy models send signals under their own name.
        drop_cached_pages_on_change(Organisation, Company, Agency, Park)
