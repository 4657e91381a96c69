"""The operations. Each reads through ``notices.selectors`` or writes through a service,
within the calling client's scope; another city's objects answer 404 as if absent."""

import datetime

from django.conf import settings
from django.utils import timezone
from ninja import Field as F
from ninja import Query, Router, Schema
from ninja.params.functions import Header as HeaderParam
from ninja.params.functions import Path as PathParam
from pydantic import field_validator

from candidates.enums import ApplicationStatus
from candidates.models import Application, City, VerificationRound
from notices import selectors
from notices.api import schemas
from notices.api.base import COMMON, ApiError, Error, city_scope, operation, page_size
from notices.enums import ApiScope, CertificateStatus
from notices.models import Certificate
from reviews.pagination import decode, encode

router = Router()
NOT_FOUND = {**COMMON, 404: Error}


def _round_out(round_: VerificationRound) -> dict:
    return {
        "id": round_.pk,
        "name": round_.name,
        "city": {"code": round_.city.code, "name": round_.city.name},
        "kind": round_.kind,
        "exam_year": round_.exam_year,
        "exams": sorted(exam.code for exam in round_.exams.all()),
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "publication_at": round_.publication_at,
    }


def _round_in_scope(request, round_id: int) -> VerificationRound:
    round_ = selectors.api_rounds(city_ids=city_scope(request.auth)).filter(pk=round_id).first()
    if round_ is None:
        raise ApiError(404, "not_found", "No such round.")
    return round_


@router.get("/rounds", response={200: list[schemas.RoundOut], **COMMON}, tags=["rounds"])
@operation("rounds.list", ApiScope.ROUNDS_READ)
def rounds_list(request):
    """The rounds of the client's cities, newest first."""
    return [_round_out(round_) for round_ in selectors.api_rounds(city_ids=city_scope(request.auth))[:500]]


@router.get("/rounds/{round_id}", response={200: schemas.RoundOut, **NOT_FOUND}, tags=["rounds"])
@operation("rounds.detail", ApiScope.ROUNDS_READ)
def rounds_detail(request, round_id: int = PathParam(..., ge=1, le=2**31 - 1)):
    return _round_out(_round_in_scope(request, round_id))


@router.post(
    "/rounds/{round_id}/roster",
    response={200: schemas.RosterPushResult, **NOT_FOUND, 409: Error},
    tags=["roster"],
)
@operation("roster.push", ApiScope.ROSTER_WRITE)
def roster_push(
    request,
    body: schemas.RosterPush,
    round_id: int = PathParam(..., ge=1, le=2**31 - 1),
    idempotency_key: str | None = HeaderParam(
        None,
        alias="Idempotency-Key",
        max_length=100,
        pattern=schemas.TEXT,
        description="Sent again with the same rows, the first answer is returned; with other rows, 409",
    ),
):
    """Add people to a round's roster (附件1), checked as the Excel import checks them. Rows
    already in the round are counted as unchanged; refused rows come back with their reason."""
    import hashlib
    import json

    from django.core.cache import cache

    from notices.services.roster_import import roster_push as push

    round_ = _round_in_scope(request, round_id)
    allowed_rounds = set(request.auth.rounds.values_list("pk", flat=True))
    if allowed_rounds and round_.pk not in allowed_rounds:
        raise ApiError(403, "forbidden", "This client may not push rosters to this round.")
    rows = [row.dict() for row in body.rows]
    key = idempotency_key or ""
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    cache_key = f"api-push:{request.auth.pk}:{round_.pk}:{hashlib.sha256(key.encode()).hexdigest()}"
    if key:
        earlier = cache.get(cache_key)
        if earlier is not None:
            if earlier["digest"] != digest:
                raise ApiError(409, "conflict", "This Idempotency-Key was used with other rows.")
            return earlier["result"]
    result = push(round_=round_, rows=rows, client=request.auth)
    if key:
        cache.set(cache_key, {"digest": digest, "result": result}, 24 * 3600)
    return result


class OutcomeFilters(Schema):
    round: int | None = F(None, ge=1, le=2**31 - 1)
    city: str | None = F(None, pattern=r"^[A-Za-z0-9_-]{1,20}$", description="City code")
    status: ApplicationStatus | None = None
    changed_since: datetime.datetime | None = None
    cursor: str | None = F(None, pattern=r"^[0-9]{1,16}-[0-9]{1,10}$", description="A next_cursor given out")
    limit: int | None = F(None, ge=1, le=1000)

    @field_validator("changed_since")
    @classmethod
    def plausible_moment(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = timezone.make_aware(value)
        # Before the portal or far ahead mean "everything" and "nothing yet": held to a range
        # the database stores, whatever the offset.
        earliest, latest = (
            datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
            datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
        )
        return min(max(value, earliest), latest)


@router.get("/outcomes", response={200: schemas.OutcomePage, **COMMON}, tags=["outcomes"])
@operation("outcomes.list", ApiScope.RESULTS_READ, query=OutcomeFilters)
def outcomes(request, filters: Query[OutcomeFilters]):
    """Applications' statuses by the time they last changed, oldest first: a page after
    ``cursor``. Also the change feed: poll with the last ``next_cursor``; changes of the last
    few seconds are held back until no commit can still land before them."""
    scope = city_scope(request.auth)
    city_id = None
    if filters.city:
        city_id = City.objects.filter(code=filters.city).values_list("pk", flat=True).first()
        if city_id is None or (scope is not None and city_id not in scope):
            raise ApiError(403, "forbidden", "This client may not read that city.")
    after = None
    if filters.cursor:
        after = decode(filters.cursor, "")
        if after is None:
            raise ApiError(400, "bad_cursor", "The cursor is not one this API gave out.")
    settle = datetime.timedelta(seconds=settings.PORTAL_API_FEED_SETTLE_SECONDS)
    rows = selectors.api_outcomes(
        city_ids=scope,
        round_id=filters.round,
        city_id=city_id,
        status=filters.status or "",
        changed_since=filters.changed_since,
        after=after,
        settled_before=timezone.now() - settle,
        size=page_size(filters.limit),
    )
    labels = dict(ApplicationStatus.choices)
    items = [
        {
            "reference": Application.reference_for(row["round__exam_year"], row["pk"]),
            "application_id": row["pk"],
            "round_id": row["round_id"],
            "city": row["city__code"],
            "exam": row["exam__code"],
            "name": row["candidate__real_name"],
            "id_number": row["candidate__id_number"],
            "status": row["status"],
            "status_label": str(labels[row["status"]]),
            "changed_at": row["status_changed_at"],
        }
        for row in rows
    ]
    next_cursor = encode(rows[-1], "") if rows else filters.cursor
    return {"items": items, "next_cursor": next_cursor}


class PassListFilters(Schema):
    round: int | None = F(None, ge=1, le=2**31 - 1)


@router.get("/pass-lists", response={200: list[schemas.PassListOut], **COMMON}, tags=["pass lists"])
@operation("pass_lists.list", ApiScope.PASS_LISTS_READ, query=PassListFilters)
def pass_lists(request, filters: Query[PassListFilters]):
    """Published lists (公示名单) of the client's cities."""
    return list(selectors.api_pass_lists(city_ids=city_scope(request.auth), round_id=filters.round)[:500])


class EntryFilters(Schema):
    cursor: int | None = F(None, ge=0, le=10_000_000)
    limit: int | None = F(None, ge=1, le=1000)


@router.get(
    "/pass-lists/{pass_list_id}/entries",
    response={200: schemas.PassListEntryPage, **NOT_FOUND},
    tags=["pass lists"],
)
@operation("pass_lists.entries", ApiScope.PASS_LISTS_READ, query=EntryFilters)
def pass_list_entries(
    request, filters: Query[EntryFilters], pass_list_id: int = PathParam(..., ge=1, le=2**31 - 1)
):
    """A list's names in order. ID numbers as published (masked), or in full for a client
    that may read results."""
    pass_list = (
        selectors.api_pass_lists(city_ids=city_scope(request.auth))
        .filter(pk=pass_list_id)
        .select_related("round")
        .first()
    )
    if pass_list is None:
        raise ApiError(404, "not_found", "No such published list.")
    full = ApiScope.RESULTS_READ in request.auth.scopes
    rows = selectors.api_pass_list_entries(
        pass_list=pass_list, after=filters.cursor or 0, size=page_size(filters.limit), full_ids=full
    )
    items = [
        {
            "position": row["position"],
            "name": row["name"],
            "gender": row["gender"],
            "exam": row["exam"],
            "employer": row["employer"],
            "id_number": row["application__candidate__id_number"] if full else row["masked_id"],
        }
        for row in rows
    ]
    return {"items": items, "next_cursor": str(rows[-1]["position"]) if rows else None}


def _certificate_out(certificate: Certificate) -> dict:
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_label": certificate.get_status_display(),
        "holder_name": certificate.holder_name,
        "holder_id_number": certificate.holder_id_number,
        "exam": certificate.exam,
        "level": certificate.level,
        "kind": certificate.kind,
        "issued_on": certificate.issued_on,
        "tracking_number": certificate.tracking_number,
        "collected_at": certificate.collected_at,
        "round_id": certificate.round_id,
    }


class CertificateFilters(Schema):
    round: int | None = F(None, ge=1, le=2**31 - 1)
    status: CertificateStatus | None = None
    cursor: int | None = F(None, ge=0, le=2**31 - 1)
    limit: int | None = F(None, ge=1, le=1000)


@router.get("/certificates", response={200: schemas.CertificatePage, **COMMON}, tags=["certificates"])
@operation("certificates.list", ApiScope.CERTIFICATES_READ, query=CertificateFilters)
def certificates(request, filters: Query[CertificateFilters]):
    """Certificates with their status and tracking, in the order they were made."""
    rows = selectors.api_certificates(
        city_ids=city_scope(request.auth),
        round_id=filters.round,
        status=filters.status or "",
        after=filters.cursor or 0,
        size=page_size(filters.limit),
    )
    return {"items": [_certificate_out(c) for c in rows], "next_cursor": str(rows[-1].pk) if rows else None}


class CheckQuery(Schema):
    number: str = F(..., min_length=1, max_length=40, pattern=schemas.TEXT)
    name: str | None = F(None, max_length=50, pattern=schemas.TEXT)
    code: str | None = F(None, max_length=16, pattern=schemas.TEXT)


@router.get(
    "/certificates/check", response={200: schemas.CertificateCheckOut, **COMMON}, tags=["certificates"]
)
@operation("certificates.check", ApiScope.CERTIFICATES_READ, query=CheckQuery)
def certificate_check(request, query: Query[CheckQuery]):
    """证书核验: a number with the holder's name or the QR's code; the stored electronic
    certificate's digest is checked too."""
    check = selectors.certificate_check(number=query.number, name=query.name or "", code=query.code or "")
    certificate = check.certificate
    scope = city_scope(request.auth)
    if certificate is not None and scope is not None and certificate.round.city_id not in scope:
        return {"result": check.state, "certificate": None}  # valid or not, but not this client's to read
    return {"result": check.state, "certificate": _certificate_out(certificate) if certificate else None}
