from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """The verified register as an open Data Package (``/data/``). It reads the register and
    the exports' CSV writer; nothing imports it but the URLs. No models: its builds are files."""

    name = "agreements.open_data"
    label = "open_data"
    verbose_name = _("Open data")
