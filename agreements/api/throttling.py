"""How often one client may ask the API: ``settings.API_ANON_RATE``, counted per client address
in the shared cache."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from symbiosis.client_ip import client_ip


class AnonymousClientThrottle(AnonRateThrottle):
    """DRF's throttle of anonymous clients, counting each at the address the load balancer saw
    (``symbiosis.client_ip``: X-Forwarded-For believed from ``TRUSTED_PROXIES`` only, as for
    sign-in throttling), at the rate the settings give when it is asked (DRF's own reads its
    rates once, at import)."""

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        return client_ip(request) or super().get_ident(request)
