"""Two-factor sign-in in the admin.

django-otp's own device pages are not offered: they show and edit the secrets, and would let
an admin give someone else's account a device of their choosing.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
