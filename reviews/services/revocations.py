"""撤销 (seeds 000, 001): a pass (or a certificate) revoked for fraud found at any later
time. One administrator proposes with the reason and the evidence, another confirms; the
confirmation, in one transaction, moves the application, withdraws the person from the
round's lists on new versions, cancels the certificate (its check page says so at once),
records the integrity record with its bar, and tells the person. Nothing earlier is deleted."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import ApplicationStatus, Event
from candidates.models import Application
from candidates.permissions import is_administrator
from candidates.services.applications import application_transition
from candidates.services.integrity import integrity_record
from reviews.models import Revocation
from verification_portal.shared.audit import audit_record


def revocation_propose(*, application: Application, user, kind: str, reason: str, evidence) -> Revocation:
    if not is_administrator(user):
        raise PermissionDenied
    if application.status != ApplicationStatus.PASSED:
        raise ValidationError(_("只能撤销核查通过的结论。"), code="status")
    if not reason.strip():
        raise ValidationError({"reason": _("请写明查实的事实与理由。")})
    if evidence is None:
        raise ValidationError({"evidence": _("请上传证据材料。")})
    with transaction.atomic():
        if Revocation.objects.filter(application=application, confirmed__isnull=True).exists():
            raise ValidationError(_("该申请已有一项撤销提议待确认。"), code="open")
        revocation = Revocation(
            application=application, kind=kind, reason=reason.strip()[:1000], proposed_by=user
        )
        revocation.evidence.save(f"evidence.{evidence.name.rsplit('.', 1)[-1][:5]}", evidence, save=False)
        revocation.save()
        audit_record(
            actor=user,
            action="revocation.propose",
            target=revocation,
            application=application,
            data={"kind": kind, "reason": revocation.reason},
        )
    return revocation


def revocation_decide(*, revocation: Revocation, user, confirm: bool, note: str = "", now=None) -> Revocation:
    """The second administrator confirms (everything follows, in one transaction) or rejects."""
    from notices.enums import CertificateEvent, CertificateStatus
    from notices.services.certificates import certificate_transition
    from notices.services.publication import pass_list_withdraw

    now = now or timezone.now()
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            Revocation.objects.select_for_update().select_related("application__round").get(pk=revocation.pk)
        )
        if locked.confirmed is not None:
            raise ValidationError(_("该撤销提议已处理。"), code="decided")
        if locked.proposed_by_id == user.pk:
            raise ValidationError(_("撤销须由提议人以外的另一名管理员确认。"), code="same_person")
        locked.confirmed, locked.confirmed_by, locked.decided_at = confirm, user, now
        locked.decision_note = note.strip()[:500]
        locked.save(update_fields=["confirmed", "confirmed_by", "decided_at", "decision_note"])
        audit_record(
            actor=user,
            action="revocation.confirm" if confirm else "revocation.reject",
            target=locked,
            application=locked.application,
            data={"note": locked.decision_note},
        )
        if not confirm:
            return locked
        application = Application.objects.select_related("candidate__user", "round").get(
            pk=locked.application_id
        )
        application_transition(
            application=application,
            event=Event.REVOKE_FOR_FRAUD,
            actor=user,
            reason=locked.reason,
            now=now,
            data={"revocation": locked.pk, "proposed_by": locked.proposed_by_id},
        )
        pass_list_withdraw(application_id=application.pk, round_=application.round, reason=locked.reason)
        for certificate in application.certificates.exclude(status=CertificateStatus.CANCELLED):
            certificate_transition(
                certificate=certificate,
                event=CertificateEvent.CANCEL,
                actor=user,
                data={"revocation": locked.pk},
            )
        integrity_record(
            application=application,
            kind=locked.kind,
            description=locked.reason,
            found_by=f"撤销核查通过，撤销决定 #{locked.pk}",
            actor=user,
            decided_on=timezone.localtime(now).date(),
        )
    return locked
