"""The client's address, behind the configured number of trusted proxies.

Each proxy appends the address it received the request from to ``X-Forwarded-For``, so
with ``PORTAL_PROXY_COUNT = N`` trusted proxies in front of the portal the client is the
N-th entry from the right; anything further left was written by the client and is not
trusted. With no proxies (the default) the socket's address is the client. The login
lockout, the report throttle and the SMS code limits all key on this one function.
"""

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.PORTAL_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
