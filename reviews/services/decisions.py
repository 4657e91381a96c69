"""人工核查 decisions: material verdicts and the decision on the application.

A decision, its audit event and the candidate's message commit together or not at all.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from candidates import rules
from candidates.enums import EVENTS, Event, IntegrityKind
from candidates.models import Application, Material
from candidates.permissions import is_administrator
from candidates.services.applications import application_transition
from candidates.services.integrity import integrity_record
from candidates.services.messages import message_send, phrase
from reviews.enums import AppealOutcome, DecisionKind, FailReason, MaterialReason
from reviews.models import Appeal, Decision, MaterialVerdict
from reviews.permissions import failed_by, is_city_reviewer_for, may_handle
from reviews.selectors import current_verdicts, queue_changed
from verification_portal.shared.audit import audit_record

from .claims import require_claim

# The workflow event each decision fires (its statuses are in candidates.enums.EVENTS).
DECISION_EVENTS: dict[str, str] = {
    DecisionKind.PASS: Event.DECIDE_PASS,
    DecisionKind.FAIL: Event.PROPOSE_FAIL,
    DecisionKind.SUPPLEMENT: Event.REQUEST_SUPPLEMENT,
    DecisionKind.PENDING: Event.MARK_PENDING,
    DecisionKind.FAIL_CONFIRM: Event.CONFIRM_FAIL,
    DecisionKind.FAIL_REJECT: Event.REJECT_FAIL,
    DecisionKind.APPEAL_UPHELD: Event.UPHOLD_APPEAL,
    DecisionKind.APPEAL_OVERTURNED: Event.OVERTURN_APPEAL,
}


def decisions_from(status: str) -> list[str]:
    """The decisions an application in ``status`` may receive."""
    return [kind for kind, event in DECISION_EVENTS.items() if status in EVENTS[event].sources]


def material_verdict_record(
    *,
    material: Material,
    user,
    ok: bool,
    reason: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> MaterialVerdict:
    """Record the verdict on an item as its current files stand."""
    now = now or timezone.now()
    application = material.application
    if not is_city_reviewer_for(user, application):
        raise PermissionDenied
    require_claim(application=application, user=user, now=now)
    if not ok and reason not in MaterialReason.values:
        raise ValidationError(_("请选择材料存在的问题。"), code="reason")
    versions = sorted(material.versions.filter(retired_at__isnull=True).values_list("number", flat=True))
    with transaction.atomic():
        verdict = MaterialVerdict.objects.create(
            material=material,
            reviewer=user,
            ok=ok,
            reason="" if ok else reason,
            note=note.strip(),
            versions=versions,
            created_at=now,
        )
        audit_record(
            actor=user,
            action="review.material_verdict",
            target=verdict,
            application=application,
            data={
                "kind": material.kind,
                "ok": ok,
                "reason": verdict.reason,
                "note": verdict.note,
                "versions": versions,
            },
        )
    return verdict


def _validate(*, application: Application, kind: str, reason_code: str, reason: str, deadline, now) -> list:
    """The rules of each decision; returns the items to reopen for a supplement."""
    reopen: list[Material] = []
    if kind in (DecisionKind.PASS, DecisionKind.SUPPLEMENT):
        required = [r.code for r in application.required_materials()]
        verdicts = current_verdicts(application=application)
        unjudged = [rules.label_for(code) for code in required if code not in verdicts]
        if unjudged:
            raise ValidationError(
                [
                    ValidationError(
                        _("请先对每项材料给出审核意见：{item}").format(item=label), code="verdicts"
                    )
                    for label in unjudged
                ]
            )
        failing = [verdicts[code] for code in required if not verdicts[code].ok]
        if kind == DecisionKind.PASS and failing:
            raise ValidationError(
                _("有材料审核不合格，不能直接通过；请要求补正或作出其他决定。"), code="failing"
            )
        if kind == DecisionKind.SUPPLEMENT:
            if not failing:
                raise ValidationError(
                    _("补正只针对审核不合格的材料；请先标记需要补正的材料。"), code="nothing"
                )
            if deadline is None or deadline <= now:
                raise ValidationError(_("请设定晚于现在的补正截止时间。"), code="deadline")
            reopen = [verdict.material for verdict in failing]
    if kind == DecisionKind.FAIL and reason_code not in FailReason.values:
        raise ValidationError(_("不通过须选择原因。"), code="reason_code")
    needs_reason = kind in (
        DecisionKind.FAIL,
        DecisionKind.PENDING,
        DecisionKind.FAIL_REJECT,
        DecisionKind.APPEAL_UPHELD,
        DecisionKind.APPEAL_OVERTURNED,
        DecisionKind.SUPPLEMENT,
    )
    if needs_reason and not reason:
        raise ValidationError(_("请填写说明，申请人会看到这段文字。"), code="reason")
    return reopen


def application_decide(
    *,
    application: Application,
    user,
    kind: str,
    reason_code: str = "",
    reason: str = "",
    deadline: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Decision:
    """Decide on a claimed application. Refused, changing nothing, when the item is not
    claimed by this reviewer, when somebody else moved it first, or when the rules of
    the decision are not met."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if kind not in DECISION_EVENTS:
        raise ValidationError(_("未知的决定。"), code="kind")
    if not is_city_reviewer_for(user, application):
        raise PermissionDenied
    sources = EVENTS[DECISION_EVENTS[kind]].sources
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != application.status or locked.status not in sources:
            raise ValidationError(
                _("该申请已被他人处理（当前状态：{status}），本次决定未生效。").format(
                    status=locked.get_status_display()
                ),
                code="stale",
            )
        require_claim(application=locked, user=user, now=now)
        if not may_handle(user, locked):
            raise ValidationError(_("不通过的复核和申辩须由另一名核查人员处理。"), code="same_reviewer")
        reopen = _validate(
            application=application,
            kind=kind,
            reason_code=reason_code,
            reason=reason,
            deadline=deadline,
            now=now,
        )
        decision = _record(
            locked=locked,
            application=application,
            user=user,
            kind=kind,
            reason_code=reason_code,
            reason=reason,
            deadline=deadline,
            reopen=reopen,
            now=now,
        )
    return decision


def _record(*, locked, application, user, kind, reason_code, reason, deadline, reopen, now, data=None):
    """The decision row, the move, the reopened items and the candidate's message, in the
    caller's transaction."""
    changes = {"claimed_by": None, "claimed_at": None, "claimed_until": None}
    if kind == DecisionKind.SUPPLEMENT:
        changes["fix_deadline"] = deadline
    decision = Decision.objects.create(
        application=application,
        reviewer=user,
        kind=kind,
        reason_code=reason_code,
        reason=reason,
        deadline=deadline if kind == DecisionKind.SUPPLEMENT else None,
        claimed_at=locked.claimed_at,
        created_at=now,
    )
    application_transition(
        application=application,
        event=DECISION_EVENTS[kind],
        message=_message_context(application=application, kind=kind, deadline=deadline, reopen=reopen),
        actor=user,
        reason=reason,
        now=now,
        changes=changes,
        data={"decision": decision.pk, "kind": kind, "reason_code": reason_code, **(data or {})},
    )
    if reopen:
        Material.objects.filter(pk__in=[m.pk for m in reopen]).update(reopened=True)
    _after(application=application, decision=decision, now=now)
    return decision


# What an administrator may decide when no reviewer can: confirming or rejecting a proposed
# fail, and an appeal.
ADMINISTRATOR_DECISION_KINDS = frozenset(
    {
        DecisionKind.FAIL_CONFIRM,
        DecisionKind.FAIL_REJECT,
        DecisionKind.APPEAL_UPHELD,
        DecisionKind.APPEAL_OVERTURNED,
    }
)


def administrator_decisions_from(status: str) -> list[str]:
    return [kind for kind in decisions_from(status) if kind in ADMINISTRATOR_DECISION_KINDS]


def application_assign(*, application: Application, user, reviewer, reason: str, now=None) -> Application:
    """An administrator assigns a fail confirmation or an appeal to a reviewer, of any city,
    who took no part in the fail (for a city without such a reviewer). Audited; the reviewer
    is told."""
    now = now or timezone.now()
    if not is_administrator(user):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写指派原因。")})
    if getattr(reviewer, "city_reviewer", None) is None:
        raise ValidationError({"reviewer": _("只能指派给核查人员。")})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not administrator_decisions_from(locked.status):
            raise ValidationError(_("只有待复核的不通过和申辩可以指派。"), code="status")
        if reviewer.pk in failed_by(locked):
            raise ValidationError({"reviewer": _("该核查人员参与了不通过的决定，不能处理。")})
        Application.objects.filter(pk=locked.pk).update(
            assigned_reviewer=reviewer, claimed_by=None, claimed_at=None, claimed_until=None
        )
        for city_id in {
            locked.city_id,
            reviewer.city_reviewer.city_id,
        }:  # the item's queue and the assignee's
            queue_changed(city_id=city_id)
        audit_record(
            actor=user,
            action="review.assign",
            target=locked,
            data={"reviewer": reviewer.username, "city": reviewer.city_reviewer.city.name, "reason": reason},
        )
        message_send(
            recipient=reviewer,
            application=locked,
            subject=phrase(gettext_noop("管理员指派您处理一份{status}"), status=locked.get_status_display()),
            body=phrase(
                gettext_noop("{city}的申请 {reference} 需要一名未参与原核查的人员处理：{reason}"),
                city=locked.city.name,
                reference=locked.reference,
                reason=reason,
            ),
        )
    application.refresh_from_db()
    return application


def application_decide_by_administrator(
    *, application: Application, user, kind: str, reason: str, now=None
) -> Decision:
    """An administrator confirms or rejects a proposed fail, or decides an appeal, when no
    reviewer may (audited as the administrator's decision)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not is_administrator(user):
        raise PermissionDenied
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != application.status or kind not in administrator_decisions_from(locked.status):
            raise ValidationError(
                _("该申请当前状态为“{status}”，不能作出这一决定。").format(
                    status=locked.get_status_display()
                ),
                code="stale",
            )
        if user.pk in failed_by(locked):
            raise ValidationError(_("参与了不通过决定的人员不能处理复核和申辩。"), code="same_reviewer")
        reopen = _validate(
            application=locked, kind=kind, reason_code="", reason=reason, deadline=None, now=now
        )
        return _record(
            locked=locked,
            application=application,
            user=user,
            kind=kind,
            reason_code="",
            reason=reason,
            deadline=None,
            reopen=reopen,
            now=now,
            data={"by": "administrator"},
        )


def _message_context(*, application, kind, deadline, reopen) -> dict:
    """What the candidate's message needs besides the reason."""
    if kind == DecisionKind.SUPPLEMENT:
        return {"items": [rules.label_for(m.kind) for m in reopen], "deadline": deadline}
    if kind == DecisionKind.FAIL_CONFIRM:
        proposal = application.decisions.filter(kind=DecisionKind.FAIL).first()
        text = FailReason(proposal.reason_code).label if proposal else ""
        # The candidate reads the proposal's reason, not the confirmation's note.
        return {"reason": f"{text}。{proposal.reason if proposal else ''}"}
    return {}


def _after(*, application: Application, decision: Decision, now) -> None:
    """The appeal record, and the integrity record of a fail for false material once it is
    confirmed, inside the decision's transaction (the message went with the move)."""
    if decision.kind == DecisionKind.FAIL_CONFIRM:
        fail = application.decisions.filter(kind=DecisionKind.FAIL).order_by("-created_at").first()
        if fail is not None and fail.reason_code == FailReason.FALSE_MATERIAL:
            integrity_record(
                application=application,
                kind=IntegrityKind.FALSE_MATERIAL,
                description=fail.reason,
                found_by=f"核查不通过（提供虚假材料），决定 #{fail.pk}，复核 #{decision.pk}",
                actor=decision.reviewer,
                decided_on=timezone.localtime(now).date(),
            )
    if decision.kind in (DecisionKind.APPEAL_UPHELD, DecisionKind.APPEAL_OVERTURNED):
        overturned = decision.kind == DecisionKind.APPEAL_OVERTURNED
        Appeal.objects.filter(application=application, decided_at__isnull=True).update(
            handled_by=decision.reviewer,
            outcome=AppealOutcome.OVERTURNED if overturned else AppealOutcome.UPHELD,
            reason=decision.reason,
            decided_at=now,
        )
