"""The address a request came from, for sign-in and password-reset throttling (django-axes'
``AXES_CLIENT_IP_CALLABLE``, ``symbiosis/throttling.py``)."""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The connection's address, unless it is one of the load balancers
    (``settings.TRUSTED_PROXIES``): then the right-most address of X-Forwarded-For that is not
    one of them. Each proxy appends the address it saw, so that one was written by the proxy
    nearest the client; anything left of it is the client's own say, and a client reaching the
    app directly has its say ignored altogether.

    Always a valid address, as the throttling's table stores it, or None when the connection
    gives none (a proxy that wrote something else in the header is taken at its own address)."""
    address = _address(request.META.get("REMOTE_ADDR", ""))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while address is not None and _is_trusted_proxy(address) and hops:
        forwarded = _address(hops.pop())
        if forwarded is None:
            break
        address = forwarded
    return str(address) if address is not None else None


def _address(text):
    """An IP address from a header's hop: "203.0.113.5", "203.0.113.5:4711", "[2001:db8::1]:443";
    an IPv4 address mapped into IPv6 as the IPv4 one. None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _is_trusted_proxy(address):
    # An IPv4 address is never in an IPv6 network (ipaddress would compare their bits).
    return any(
        address.version == network.version and address in network
        for network in settings.TRUSTED_PROXIES
    )
