"""The address a request came from, for sign-in throttling (django-axes)."""

from django.conf import settings


def client_ip(request):
    """Behind the load balancer (``DJANGO_BEHIND_TLS_PROXY``), the right-most address of
    X-Forwarded-For: the one the load balancer appended, which a client cannot forge (anything
    left of it is the client's own say). Otherwise the connection's address."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
