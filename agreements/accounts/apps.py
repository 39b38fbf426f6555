from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements.accounts"
    label = "accounts"


class TwoFactorAdminConfig(admin_apps.AdminConfig):
    """Django's admin, its site asking admins for their second factor. Listed in
    INSTALLED_APPS instead of django.contrib.admin, so that ``admin.site`` and
    ``@admin.register`` everywhere mean that site."""

    default = False
    default_site = "agreements.accounts.admin_site.TwoFactorAdminSite"
