from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SymbiosisConfig(AppConfig):
    """The project package as an app, for what every app shares: its template tags
    (pagination) and commands (compile_catalogues). It has no models."""

    name = "symbiosis"
    verbose_name = _("Symbiosis Registry")
