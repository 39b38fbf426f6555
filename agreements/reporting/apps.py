from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """The officials' reporting: the dashboard, its filters and charts, the exports, and the
    park pages with their symbiosis network. It reads the register (``agreements``); nothing in
    the register imports it. Its one model keeps each park's dashboard figures
    (``figures.py``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from agreements.reporting.figures import connect_signals

        connect_signals()
