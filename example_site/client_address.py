"""The patient's address behind a load balancer, for the per-address limits (django-ratelimit).

Behind a proxy every request comes from the proxy's own address: the limits would count the whole
hospital as one patient. The proxy appends the address it saw to X-Forwarded-For; only the entries
our own proxies added can be trusted (a client can send the header with anything in it), so the
address is the one TRUSTED_PROXY_HOPS entries from the right (1: one load balancer).
"""

import ipaddress
import os


def forwarded_client_address(request):
    hops = int(os.environ.get("TRUSTED_PROXY_HOPS", "1"))
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) >= hops:
        candidate = entries[-hops]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass  # not an address: fall back to the connection's
    return request.META["REMOTE_ADDR"]
