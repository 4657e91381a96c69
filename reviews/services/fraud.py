"""Fraud signals across candidates, computed after each upload's pages are fingerprinted:
evidence for the reviewer (the review page, a queue filter), never a decision. Lookups go
through indexed columns (the file's SHA-256, the pHash bands, the seal's hash), so one new
page is checked against every stored page without an all-pairs loop."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from candidates.enums import OcrStatus
from candidates.models import Application, MaterialPage, MaterialVersion, RosterEntry
from reviews.enums import SignalKind
from reviews.models import FraudSignal
from reviews.signals import FINE_BITS, NEAR_BITS, STAMP_FINE_BITS, distance, edited_copy, fine_distance
from verification_portal.shared.audit import audit_record

CANDIDATE_LIMIT = 500  # pages looked at per band match, at most


def _pair(application: Application, other: Application | None, kind: str, evidence: dict) -> bool:
    """Record the signal on both sides of a pair (or on one application). True when new."""
    created = False
    for one, two in (
        ((application, other), (other, application)) if other is not None else ((application, None),)
    ):
        try:
            with transaction.atomic():
                _signal, made = FraudSignal.objects.get_or_create(
                    application=one, kind=kind, other=two, defaults={"evidence": evidence}
                )
        except IntegrityError:
            made = False
        created = created or made
    if created:
        audit_record(
            actor=None,
            action="signal.found",
            target=application,
            application=application,
            data={"kind": kind, "other": other.pk if other else None, **evidence},
        )
    return created


def fraud_signals_for_version(*, version: MaterialVersion) -> int:
    """The signals one uploaded file raises. Idempotent."""
    application = version.material.application
    id_number = application.candidate.id_number
    found = 0
    others = MaterialVersion.objects.filter(sha256=version.sha256).exclude(
        material__application__candidate__id_number=id_number
    )
    for other in others.select_related("material__application")[:50]:
        found += _pair(
            application,
            other.material.application,
            SignalKind.SAME_FILE,
            {"sha256": version.sha256[:16], "file": version.original_name, "other_file": other.original_name},
        )
    for page in version.pages.exclude(phash=None).select_related("text"):
        own_text = _text_of(page)
        candidates = (
            MaterialPage.objects.filter(
                Q(band0=page.band0) | Q(band1=page.band1) | Q(band2=page.band2) | Q(band3=page.band3)
            )
            .exclude(version__material__application__candidate__id_number=id_number)
            .select_related("version__material__application__roster_entry", "text")[:CANDIDATE_LIMIT]
        )
        for other in candidates if own_text != WAITING else ():
            near = distance(page.phash, other.phash)
            if near > NEAR_BITS or version.sha256 == other.version.sha256:
                continue  # not near; or the same file, which is its own signal
            other_application = other.version.material.application
            other_text = _text_of(other)
            if other_text == WAITING:
                continue  # judged when that page is read
            copied = None
            if own_text is not None and other_text is not None:
                # Both pages were read: a pair counts when the people named differ and all
                # else is the same (one template filled in twice differs in more than that).
                names = (application.roster_entry.name, other_application.roster_entry.name)
                copied = edited_copy(own_text, other_text, names)
            if copied is None:
                copied = fine_distance(page.fine_hash, other.fine_hash) <= FINE_BITS
            if copied:
                evidence = {"page": page.number, "other_page": other.number, "bits": near}
                if own_text is not None and other_text is not None:
                    evidence["read"] = "identities differ"
                found += _pair(application, other_application, SignalKind.NEAR_DUPLICATE, evidence)
        if page.stamp_hash is not None:
            for other in (
                MaterialPage.objects.filter(stamp_hash=page.stamp_hash)
                .exclude(version__material__application__candidate__id_number=id_number)
                .select_related("version__material__application")[:CANDIDATE_LIMIT]
            ):
                other_application = other.version.material.application
                same_seal = fine_distance(page.stamp_fine, other.stamp_fine) <= STAMP_FINE_BITS
                if same_seal and other_application.employer_id != application.employer_id:
                    found += _pair(
                        application,
                        other_application,
                        SignalKind.SAME_STAMP,
                        {"page": page.number, "other_page": other.number},
                    )
    return found + application_signals(application=application)


WAITING = "waiting for OCR"


def _text_of(page: MaterialPage) -> str | None:
    """The text read on a page; None when OCR is off or could not read it (the fingerprints
    alone decide); WAITING while OCR is on and the page is not read yet (the check runs
    again once it is, so a pair is never judged without the text it will have)."""
    try:
        text = page.text
    except MaterialPage.text.RelatedObjectDoesNotExist:
        return WAITING if settings.PORTAL_OCR else None
    return text.text if text.status == OcrStatus.READ else None


def application_signals(*, application: Application) -> int:
    """Signals of the person and the employer rather than of a file."""
    found = 0
    phone = application.roster_entry.phone
    if phone:
        sharing = (
            RosterEntry.objects.filter(phone=phone)
            .exclude(id_number=application.candidate.id_number)
            .values_list("id_number", flat=True)
            .distinct()
        )
        for other in Application.objects.filter(candidate__id_number__in=list(sharing[:20])):
            found += _pair(
                application, other, SignalKind.SHARED_PHONE, {"phone": f"{phone[:3]}****{phone[7:]}"}
            )
    if application.employer_id:
        count = Application.objects.filter(
            round_id=application.round_id, employer_id=application.employer_id
        ).aggregate(n=Count("pk"))["n"]
        if count > settings.PORTAL_SIGNAL_EMPLOYER_LIMIT:
            found += _pair(application, None, SignalKind.CROWDED_EMPLOYER, {"applications": count})
    return found
