"""Registered API clients: tokens made, found, revoked; every call recorded.

A token is ``vp_`` + a 10-character prefix (how it is found) + a 40-character secret; only
the SHA-256 of the whole token is stored, compared in constant time. Tokens are random
(≈ 300 bits), so a plain hash is enough: there is nothing to guess a password from."""

import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import City, VerificationRound
from candidates.permissions import is_administrator
from notices.enums import ApiScope
from notices.models import ApiClient
from verification_portal.shared.audit import audit_record

TOKEN_START = "vp_"
PREFIX_LENGTH = 10


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_client_create(
    *,
    user,
    name: str,
    scopes: list[str],
    cities: list[City] = (),
    all_cities: bool = False,
    rounds: list[VerificationRound] = (),
    per_minute: int = 600,
) -> tuple[ApiClient, str]:
    """Register a client; returns it and its token, which is not kept and cannot be shown
    again."""
    if not is_administrator(user):
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("请填写系统名称。")})
    unknown = set(scopes) - set(ApiScope.values)
    if not scopes or unknown:
        raise ValidationError({"scopes": _("请至少选择一项权限。")})
    if not all_cities and not cities:
        raise ValidationError({"cities": _("请选择市州，或勾选“全省”。")})
    if not 1 <= per_minute <= 100_000:
        raise ValidationError({"per_minute": _("每分钟调用上限应在 1 至 100000 之间。")})
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{TOKEN_START}{prefix}{secrets.token_urlsafe(30)}"
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name[:100],
            token_prefix=prefix,
            token_hash=_digest(token),
            scopes=sorted(set(scopes)),
            all_cities=all_cities,
            per_minute=per_minute,
            created_by=user,
        )
        client.cities.set(cities)
        client.rounds.set(rounds)
        audit_record(
            actor=user,
            action="api.client_created",
            target=client,
            data={
                "name": client.name,
                "scopes": client.scopes,
                "cities": "all" if all_cities else sorted(city.code for city in cities),
                "rounds": sorted(round_.pk for round_ in rounds),
            },
        )
    return client, token


def api_client_revoke(*, user, client: ApiClient) -> ApiClient:
    """The token stops working at once; the client's record and its calls stay."""
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(actor=user, action="api.client_revoked", target=locked, data={"name": locked.name})
    return locked


def api_client_for_token(token: str) -> ApiClient | None:
    """The active client a bearer token belongs to, or None."""
    if not token.startswith(TOKEN_START) or len(token) > 100:
        return None
    prefix = token[len(TOKEN_START) : len(TOKEN_START) + PREFIX_LENGTH]
    client = ApiClient.objects.filter(token_prefix=prefix, revoked_at__isnull=True).first()
    if client is None or not hmac.compare_digest(client.token_hash, _digest(token)):
        return None
    return client


def api_call_record(*, client: ApiClient, operation: str, status: int, records: int, query: str) -> None:
    """Every call a client makes: which operation, what it asked, its answer and how many
    records went in or out."""
    now = timezone.now()
    with transaction.atomic():
        audit_record(
            actor=None,
            action=f"api.{operation}",
            target=client,
            data={"client": client.name, "status": status, "records": records, "query": query[:500]},
        )
        # At most one write a minute for "last used", not one a call.
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
