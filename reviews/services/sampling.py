"""抽查: commit (freeze the decided cases and publish the commitment), draw (with the seed
announced afterwards), second reviewers check, disputes go to an administrator, the result
is published. Everything is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import ApplicationStatus
from candidates.models import Application
from candidates.permissions import is_administrator
from candidates.validators import mask_id_number
from reviews import sampling
from reviews.enums import DecisionKind
from reviews.models import CityReviewer, Decision, SampleCase, SampleDraw
from verification_portal.shared.audit import audit_record

STRATA = {"city": "市州", "exam": "考试", "reviewer": "核查人员", "outcome": "结论"}
DECIDING = [
    DecisionKind.PASS,
    DecisionKind.FAIL,
    DecisionKind.FAIL_CONFIRM,
    DecisionKind.APPEAL_UPHELD,
    DecisionKind.APPEAL_OVERTURNED,
]


def _deciders(application_ids) -> dict[int, set[int]]:
    deciders: dict[int, set[int]] = {}
    for application_id, reviewer_id in Decision.objects.filter(
        application_id__in=application_ids, kind__in=DECIDING
    ).values_list("application_id", "reviewer_id"):
        deciders.setdefault(application_id, set()).add(reviewer_id)
    return deciders


def sample_commit(*, user, rate_percent: int, strata: list[str], seed_rule: str, round_id=None, city_id=None):
    """Freeze the decided cases (passed or failed) in scope, one line each (id and stratum),
    and publish the commitment as a notice: the list's SHA-256, the algorithm, the rate, the
    strata and the rule for the seed."""
    from notices.models import Notice

    if not is_administrator(user):
        raise PermissionDenied
    if not 1 <= rate_percent <= 100 or any(s not in STRATA for s in strata) or not seed_rule.strip():
        raise ValidationError(_("请填写 1–100 的比例、有效的分层和种子规则。"))
    cases = Application.objects.filter(status__in=[ApplicationStatus.PASSED, ApplicationStatus.FAILED])
    if round_id:
        cases = cases.filter(round_id=round_id)
    if city_id:
        cases = cases.filter(city_id=city_id)
    rows = list(cases.order_by("pk").values_list("pk", "city__name", "exam__name", "status"))
    if not rows:
        raise ValidationError(_("范围内没有已作出结论的案件。"))
    deciders = _deciders([row[0] for row in rows])
    lines = []
    for pk, city, exam, status in rows:
        values = {
            "city": city,
            "exam": exam,
            "reviewer": ",".join(map(str, sorted(deciders.get(pk, [])))),
            "outcome": status,
        }
        lines.append(f"{pk},{'|'.join(values[s] for s in strata)}")
    text = "\n".join(lines) + "\n"
    with transaction.atomic():
        draw = SampleDraw.objects.create(
            created_by=user,
            rate_percent=rate_percent,
            strata=strata,
            case_lines=text,
            case_digest=sampling.case_lines_digest(text),
            algorithm=sampling.ALGORITHM,
            seed_rule=seed_rule.strip()[:300],
        )
        Notice.objects.create(
            title=_("抽查承诺（第 {pk} 号）").format(pk=draw.pk),
            body=_(
                "本次抽查对 {n} 件已作出结论的案件，按 {strata} 分层，每层抽取 {rate}%（向上取整）。\n\n"
                "- 冻结案件清单的 SHA-256：`{digest}`\n"
                "- 算法：{algorithm}（每层取 SHA-256(种子:案件号) 最小的若干件）\n"
                "- 种子规则：{rule}\n\n"
                "清单和种子公布后，任何人可用 `manage.py recompute_sample` 复算抽查结果。"
            ).format(
                n=len(rows),
                strata="、".join(STRATA[s] for s in strata) or _("不分层"),
                rate=rate_percent,
                digest=draw.case_digest,
                algorithm=draw.algorithm,
                rule=draw.seed_rule,
            ),
            created_by=user,
        )
        audit_record(
            actor=user,
            action="sample.commit",
            target=draw,
            data={"cases": len(rows), "digest": draw.case_digest, "rate": rate_percent, "strata": strata},
        )
    return draw


def sample_draw(*, draw: SampleDraw, user, seed: str) -> list[SampleCase]:
    """Draw with the announced seed: the sample, and for each case a second reviewer of its
    city allowed to check (双随机), chosen reproducibly, never one who decided it."""
    if not is_administrator(user):
        raise PermissionDenied
    seed = seed.strip()
    if not seed:
        raise ValidationError(_("请填写按规则产生的种子。"))
    with transaction.atomic():
        locked = SampleDraw.objects.select_for_update().get(pk=draw.pk)
        if locked.drawn_at is not None:
            raise ValidationError(_("本次抽查已抽取。"))
        chosen = sampling.select(locked.case_lines, seed=seed, rate_percent=locked.rate_percent)
        applications = Application.objects.in_bulk([case_id for case_id, _stratum in chosen])
        deciders = _deciders(list(applications))
        reviewers: dict[int, list[int]] = {}
        for reviewer in CityReviewer.objects.filter(handles_second_checks=True, user__is_active=True):
            reviewers.setdefault(reviewer.city_id, []).append(reviewer.user_id)
        cases = []
        for case_id, stratum in chosen:
            application = applications[case_id]
            allowed = [
                r for r in reviewers.get(application.city_id, []) if r not in deciders.get(case_id, set())
            ]
            cases.append(
                SampleCase.objects.create(
                    draw=locked,
                    application=application,
                    stratum=stratum,
                    checker_id=sampling.pick_checker(allowed, seed=seed, case_id=case_id),
                )
            )
        locked.seed, locked.drawn_at = seed, timezone.now()
        locked.save(update_fields=["seed", "drawn_at"])
        audit_record(
            actor=user,
            action="sample.draw",
            target=locked,
            data={"seed": seed, "cases": [c.application_id for c in cases]},
        )
    return cases


def sample_check(*, case: SampleCase, user, agrees: bool, note: str = "") -> SampleCase:
    if case.checker_id != user.pk:
        raise PermissionDenied
    if case.checked_at is not None:
        raise ValidationError(_("已提交复查意见。"))
    if not agrees and not note.strip():
        raise ValidationError({"note": _("有异议的请写明理由。")})
    case.agrees, case.note, case.checked_at = agrees, note.strip()[:500], timezone.now()
    case.save(update_fields=["agrees", "note", "checked_at"])
    audit_record(
        actor=user,
        action="sample.check",
        target=case,
        application=case.application,
        data={"agrees": agrees, "note": case.note},
    )
    return case


def sample_resolve(*, case: SampleCase, user, resolution: str) -> SampleCase:
    """An administrator's answer to a dispute (a revocation or a new decision goes by its own way)."""
    if not is_administrator(user):
        raise PermissionDenied
    if case.agrees is not False or not resolution.strip():
        raise ValidationError(_("只处理有异议的案件，并须写明处理意见。"))
    case.resolution, case.resolved_at = resolution.strip()[:500], timezone.now()
    case.save(update_fields=["resolution", "resolved_at"])
    audit_record(
        actor=user,
        action="sample.resolve",
        target=case,
        application=case.application,
        data={"resolution": case.resolution},
    )
    return case


def sample_publish(*, draw: SampleDraw, user):
    """The result as a notice: counts, disputes with masked ID numbers, the seed and the list."""
    from notices.models import Notice

    if not is_administrator(user):
        raise PermissionDenied
    cases = list(draw.cases.select_related("application__candidate"))
    disputed = [c for c in cases if c.agrees is False]
    lines = "\n".join(
        f"- {mask_id_number(c.application.candidate.id_number)}：{c.note}；{c.resolution or _('处理中')}"
        for c in disputed
    )
    notice = Notice.objects.create(
        title=_("抽查结果（第 {pk} 号）").format(pk=draw.pk),
        body=_(
            "种子：`{seed}`（{rule}）。抽查 {n} 件，复查同意 {agreed} 件，"
            "有异议 {disputed} 件，未完成 {open} 件。\n\n{lines}\n\n"
            "冻结清单（SHA-256 `{digest}`）：\n\n```\n{case_lines}```"
        ).format(
            seed=draw.seed,
            rule=draw.seed_rule,
            n=len(cases),
            agreed=sum(1 for c in cases if c.agrees),
            disputed=len(disputed),
            open=sum(1 for c in cases if c.agrees is None),
            lines=lines,
            digest=draw.case_digest,
            case_lines=draw.case_lines,
        ),
        created_by=user,
    )
    audit_record(actor=user, action="sample.publish", target=draw, data={"notice": notice.pk})
    return notice


def checks_for(*, user):
    """The sampled cases waiting for this reviewer."""
    return SampleCase.objects.filter(Q(checker=user), checked_at__isnull=True).select_related(
        "application__candidate", "draw"
    )
