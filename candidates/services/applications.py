"""Writes on applications: start, declare, submit, and the one transition function."""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates import rules
from candidates.enums import (
    EVENTS,
    ApplicationKind,
    ApplicationStatus,
    EducationType,
    Event,
    RosterReason,
    RosterStatus,
    RoundKind,
)
from candidates.identity import identity_verifier
from candidates.models import (
    Application,
    CandidateProfile,
    MaterialNote,
    MaterialVersion,
    Organisation,
    RosterEntry,
)
from candidates.services.notify import EVENT_MESSAGES
from verification_portal.shared.audit import audit_record
from verification_portal.shared.jobs import enqueue_on_commit


class TransitionError(ValidationError):
    """The move is not in the workflow table."""


class StaleApplication(ValidationError):
    """Somebody else changed the application first; nothing was changed."""


# What the candidate declares. The application kind is not among them: the roster sets it.
DECLARATION_FIELDS = (
    "major",
    "education_level",
    "education_type",
    "technical_class",
    "school",
    "school_outside_hunan",
    "graduation_date",
    "chsi_registered",
    "certification_report_unavailable",
    "work_start_date",
    "work_history",
    "professional_title",
)


def _fmt_dt(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def application_start_refusal(
    *,
    entry: RosterEntry,
    now: datetime.datetime,
    failed_exams: set[tuple[int, int]],
    gave_up: set[tuple[int, int]] = frozenset(),
    id_number: str = "",
) -> str | None:
    """Why this roster entry cannot be started now, in the candidate's words; None if it can.

    ``failed_exams`` holds (exam_id, exam_year) pairs the person already failed for not
    meeting the entry conditions: such a person is not accepted again (seed 000, 001).
    ``gave_up`` holds the pairs whose supplementary round the person missed: deemed to have
    given up, no application is accepted any more (seed 003).
    """
    from candidates.services.integrity import bar_refusal, integrity_bar

    barred = integrity_bar(id_number, now.date()) if id_number else None
    if barred is not None:
        return bar_refusal(barred)
    if (entry.exam_id, entry.exam_year) in failed_exams:
        return _("您已参加过{year}年度{exam}考后人工核查，因不符合报考条件未通过，按规定不再受理。").format(
            year=entry.exam_year, exam=entry.exam
        )
    if entry.status == RosterStatus.GAVE_UP or (entry.exam_id, entry.exam_year) in gave_up:
        return _("您未按期参加{year}年度{exam}补充资格核查，视为放弃考试资格，不再受理资格核查申请。").format(
            year=entry.exam_year, exam=entry.exam
        )
    if entry.status == RosterStatus.ABSENT:
        return _("您未在规定时间内参加本轮核查，请关注补办（补充资格核查）公告。")
    state = entry.round.window_state(now)
    if state == "upcoming":
        return _("本轮申报尚未开始，开始时间：{when}。").format(when=_fmt_dt(entry.round.opens_at))
    if state == "closed":
        return _("本轮申报已于 {when} 截止。").format(when=_fmt_dt(entry.round.closes_at))
    return None


def gave_up_exams_for(id_number: str) -> set[tuple[int, int]]:
    return set(
        RosterEntry.objects.filter(id_number=id_number, status=RosterStatus.GAVE_UP).values_list(
            "exam_id", "exam_year"
        )
    )


def failed_exams_for(id_number: str) -> set[tuple[int, int]]:
    return set(
        Application.objects.filter(
            candidate__id_number=id_number, status=ApplicationStatus.FAILED
        ).values_list("roster_entry__exam_id", "roster_entry__exam_year")
    )


def application_start(
    *, candidate: CandidateProfile, entry: RosterEntry, now: datetime.datetime | None = None
) -> Application:
    """Open a draft application for a roster entry naming this candidate."""
    now = now or timezone.now()
    if entry.id_number != candidate.id_number:
        raise PermissionDenied(_("该核查名单记录不属于您。"))
    existing = Application.objects.filter(roster_entry=entry, candidate=candidate).exclude(
        status=ApplicationStatus.VOID
    )
    if existing.exists():
        return existing.get()
    check = identity_verifier().check_start(profile=candidate, entry=entry)
    if not check.ok:
        audit_record(
            actor=candidate.user,
            action="identity.start_refused",
            target=entry,
            data={
                "account_name": candidate.real_name,
                "roster_name": entry.name,
                "account_phone": candidate.phone,
                "phone_verified": candidate.phone_verified_at is not None,
            },
        )
        raise ValidationError(check.refusal, code="identity")
    with transaction.atomic():
        entry = RosterEntry.objects.select_for_update().select_related("round", "exam").get(pk=entry.pk)
        if Application.objects.filter(roster_entry=entry).exclude(status=ApplicationStatus.VOID).exists():
            raise ValidationError(
                _("该核查名单记录已由另一账号申报。如非本人操作，请联系所在市州人社局。"), code="taken"
            )
        refusal = application_start_refusal(
            entry=entry,
            now=now,
            failed_exams=failed_exams_for(candidate.id_number),
            gave_up=gave_up_exams_for(candidate.id_number),
            id_number=candidate.id_number,
        )
        if refusal:
            raise ValidationError(refusal, code="refused")
        application = Application.objects.create(
            candidate=candidate,
            round=entry.round,
            city_id=entry.round.city_id,
            exam_id=entry.exam_id,
            roster_entry=entry,
            status_changed_at=now,
            application_kind=kind_for(entry),
        )
        audit_record(
            actor=candidate.user,
            action="application.start",
            target=application,
            data={
                "roster_entry": entry.pk,
                "round": entry.round_id,
                "exam": entry.exam.code,
                **({"identity_flags": check.flags} if check.flags else {}),
            },
        )
    return application


def kind_for(entry: RosterEntry) -> str:
    """The application kind the roster sets: 增项 by the entry's level (报考级别为“增项”),
    exemption by the reason code; the candidate does not choose it."""
    if entry.addition:
        return ApplicationKind.ADDITION
    if entry.reason == RosterReason.EXEMPTION:
        return ApplicationKind.EXEMPTION
    return ApplicationKind.NORMAL


def _declaration_snapshot(application: Application) -> dict:
    data = {"application_kind": application.application_kind}
    for field in DECLARATION_FIELDS:
        value = getattr(application, field)
        data[field] = value.isoformat() if isinstance(value, datetime.date) else value
    data["employer"] = (
        {"name": application.employer.name, "credit_code": application.employer.credit_code}
        if application.employer_id
        else None
    )
    return data


def declaration_digest(application: Application) -> str:
    snapshot = _declaration_snapshot(application)
    snapshot["candidate"] = [
        application.candidate.real_name,
        application.candidate.id_number,
        application.candidate.phone,
    ]
    raw = json.dumps(snapshot, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def organisation_for(*, name: str, credit_code: str) -> Organisation:
    """The employer with this credit code, created with the given name if unknown."""
    organisation, _created = Organisation.objects.get_or_create(
        credit_code=credit_code, defaults={"name": name.strip()}
    )
    return organisation


def application_declare(*, application: Application, actor, data: dict) -> Application:
    """Save the declaration, whole or one step of it (``data``: some of the declaration fields,
    ``employer_name`` with ``employer_credit_code``, ``work_history``). Only the applicant,
    only while the application is editable. The employer organisation is found or created in
    the same transaction. What is still missing is listed by ``declaration_problems``."""
    if application.candidate.user_id != actor.pk:
        raise PermissionDenied
    if (
        "work_history" in data
        and not data["work_history"]
        and application.application_kind != ApplicationKind.ADDITION
    ):
        raise ValidationError({"work_history": _("请至少填写一段工作经历。")})
    with transaction.atomic():
        employer = (
            organisation_for(name=data["employer_name"], credit_code=data["employer_credit_code"])
            if data.get("employer_credit_code")
            else application.employer
        )
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_editable:
            raise ValidationError(_("申请已提交，申报信息不能再修改。"), code="locked")
        refusal = application_edit_refusal(application=locked)
        if refusal:
            raise ValidationError(refusal, code="closed")
        before = _declaration_snapshot(application)
        for field in DECLARATION_FIELDS:
            if field in data:
                setattr(application, field, data[field])
        if application.education_type != EducationType.TECHNICAL:
            application.technical_class = ""
        if application.graduation_date and application.graduation_date < rules.CHSI_CUTOFF:
            application.chsi_registered = False  # chsi registers degrees from 2002 on
        application.employer = employer
        application.declared_at = timezone.now()
        application.save(update_fields=[*DECLARATION_FIELDS, "employer", "declared_at", "updated_at"])
        after = _declaration_snapshot(application)
        changed = {k: after[k] for k in after if after[k] != before.get(k)}
        audit_record(actor=actor, action="application.declare", target=application, data=changed)
    enqueue_on_commit("candidates.render_document", application_id=application.pk, kind="application_form")
    return application


def declaration_problems(application: Application) -> dict[str, str]:
    """Fields the declaration still lacks before it can be submitted."""
    problems = {}
    if not application.declared_at:
        problems["declaration"] = _("请先填写并保存申报信息。")
        return problems
    if application.application_kind != ApplicationKind.ADDITION:
        required = {
            "employer": _("工作单位"),
            "major": _("所学专业"),
            "education_level": _("学历"),
            "education_type": _("学历类型"),
            "school": _("毕业院校"),
            "graduation_date": _("毕业时间"),
            "work_start_date": _("参加相关专业工作时间"),
        }
        for field, label in required.items():
            if not getattr(application, field if field != "employer" else "employer_id"):
                problems[field] = _("请填写{label}。").format(label=label)
        if application.education_type == EducationType.TECHNICAL and not application.technical_class:
            problems["technical_class"] = _("技工院校学历请选择班级类型。")
        if not application.work_history:
            problems["work_history"] = _("请至少填写一段工作经历。")
    elif not application.employer_id:
        problems["employer"] = _("请填写工作单位。")
    return problems


def missing_materials(application: Application) -> list[rules.Requirement]:
    present = set(
        application.materials.filter(versions__retired_at__isnull=True).values_list("kind", flat=True)
    )
    return [r for r in application.required_materials() if r.code not in present]


def application_transition(
    *,
    application: Application,
    event: str,
    actor,
    reason: str = "",
    changes: dict | None = None,
    data: dict | None = None,
    message: dict | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Fire ``event`` (``candidates.enums.EVENTS``): checks that the application's status may
    undergo it, refuses when somebody else moved it first, moves it to the event's status,
    saves with ``update_fields``, writes the audit event and sends the candidate the event's
    message (``candidates.services.notify.EVENT_MESSAGES``), all in the same transaction.
    ``changes`` are further fields saved with the move; ``message`` what the words need
    besides ``reason`` (a deadline, items)."""
    now = now or timezone.now()
    changes = changes or {}
    move = EVENTS[event]
    to = move.target
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != application.status:
            raise StaleApplication(
                _("该申请的状态已被他人更新为“{status}”，本次操作未生效。").format(
                    status=locked.get_status_display()
                ),
                code="stale",
            )
        if locked.status not in move.sources:
            raise TransitionError(
                _("“{source}”的申请不能{event}。").format(
                    source=locked.get_status_display(), event=Event(event).label
                ),
                code="transition",
            )
        previous = locked.status
        if locked.assigned_reviewer_id is not None:
            changes = {"assigned_reviewer": None, **changes}  # an assignment is for one step
        application.status = to
        application.status_changed_at = now
        for field, value in changes.items():
            setattr(application, field, value)
        application.save(update_fields=["status", "status_changed_at", "updated_at", *changes])
        audit_record(
            actor=actor,
            action="application.transition",
            target=application,
            data={"event": event, "from": previous, "to": to, "reason": reason, **(data or {})},
        )
        notify = EVENT_MESSAGES.get(event)
        if notify is not None:
            notify(application, **{"reason": reason, **(message or {})})
        if to in (ApplicationStatus.PASSED, ApplicationStatus.FAILED):
            # The result notice (核查结果告知书) is ready when the person reads the message.
            enqueue_on_commit(
                "candidates.render_document", application_id=application.pk, kind="result_notice"
            )
    return application


def after_window(entry: RosterEntry) -> str:
    """What comes after a missed window, in the candidate's words."""
    round_ = entry.round
    if round_.kind == RoundKind.SUPPLEMENTARY:
        return _("补充资格核查为当年度最后一次资格核查，逾期未申报视为放弃考试资格，不再受理资格核查申请。")
    later = (
        RosterEntry.objects.filter(round__parent=round_, id_number=entry.id_number, exam_id=entry.exam_id)
        .select_related("round")
        .first()
    )
    if later is not None:
        return _("您已列入补办轮次“{name}”，请在 {opens} 至 {closes} 期间申报。").format(
            name=later.round.name, opens=_fmt_dt(later.round.opens_at), closes=_fmt_dt(later.round.closes_at)
        )
    return _("本次记为未按期参加；如发布补办（补充资格核查）公告，请按公告要求申报。")


def application_edit_refusal(*, application: Application, now: datetime.datetime | None = None) -> str | None:
    """Why the candidate may not change the declaration or the files now, or None: the
    window closed before a first submission, or an employer's return is past its deadline.
    (Other statuses are not editable at all; a supplement reopens single items.)"""
    now = now or timezone.now()
    if application.status == ApplicationStatus.DRAFT and application.round.window_state(now) == "closed":
        return _("本轮申报已于 {when} 截止，申请未提交，申报信息和材料不能再修改或上传。").format(
            when=_fmt_dt(application.round.closes_at)
        ) + after_window(application.roster_entry)
    if application.status == ApplicationStatus.EMPLOYER_RETURNED:
        in_time = (application.fix_deadline is not None and now < application.fix_deadline) or (
            application.round.is_open(now)
        )
        if not in_time:
            return _("修改期限已于 {when} 截止，不能再修改或提交。").format(
                when=_fmt_dt(application.fix_deadline or application.round.closes_at)
            )
    return None


def _window_refusal(round_, now: datetime.datetime) -> str | None:
    state = round_.window_state(now)
    if state == "upcoming":
        return _("申报尚未开始（{when} 开始）。").format(when=_fmt_dt(round_.opens_at))
    if state == "closed":
        return _("申报已于 {when} 截止。").format(when=_fmt_dt(round_.closes_at))
    return None


RESUBMITTABLE = (ApplicationStatus.EMPLOYER_RETURNED, ApplicationStatus.SUPPLEMENT)


NOTE_MAX = 1000


def supplement_problems(*, application: Application, statements: dict[str, str]) -> list[str]:
    """What a supplement (补正) still lacks: every item the reviewer judged wrong needs a new
    file uploaded since the request, or the candidate's statement why none is needed."""
    since = application.status_changed_at
    problems = []
    for material in application.materials.filter(reopened=True):
        fresh = material.versions.filter(retired_at__isnull=True, uploaded_at__gte=since).exists()
        statement = (statements.get(material.kind) or "").strip()
        label = rules.label_for(material.kind)
        if len(statement) > NOTE_MAX:
            problems.append(_("“{item}”的说明不能超过 {limit} 字。").format(item=label, limit=NOTE_MAX))
        elif not fresh and not statement:
            problems.append(_("“{item}”需要补正：请上传新的文件，或说明无需更换的理由。").format(item=label))
    return problems


def application_submit(
    *,
    application: Application,
    actor,
    now: datetime.datetime | None = None,
    statements: dict[str, str] | None = None,
    committed: bool = False,
) -> Application:
    """申报, and resubmission after the employer returned it or a reviewer asked for a
    supplement (补正). ``committed``: the candidate confirmed the 告知承诺 (asked by the
    check-your-answers page before a first submission); its words are kept in the audit.

    A first submission must be inside the window, with the declaration and the checklist
    complete; it goes to the employer's initial review when the employer has HR accounts
    on the portal, otherwise straight to the city, marked as stamped on paper. A
    resubmission must come before its fix deadline (after an employer's return, the open
    window also counts).
    """
    now = now or timezone.now()
    if application.candidate.user_id != actor.pk:
        raise PermissionDenied
    status = application.status
    if status == ApplicationStatus.DRAFT:
        refusal = _window_refusal(application.round, now)
        if refusal:
            raise ValidationError(refusal, code="window")
    elif status in RESUBMITTABLE:
        in_time = application.fix_deadline is not None and now < application.fix_deadline
        if status == ApplicationStatus.EMPLOYER_RETURNED and application.round.is_open(now):
            in_time = True
        if not in_time:
            raise ValidationError(
                _("修改期限已于 {when} 截止，不能再提交。").format(
                    when=_fmt_dt(application.fix_deadline or application.round.closes_at)
                ),
                code="deadline",
            )
    else:
        raise ValidationError(_("该申请已提交，无需重复申报。"), code="submitted")
    problems = declaration_problems(application)
    if problems:
        raise ValidationError(list(problems.values()), code="declaration")
    missing = missing_materials(application)
    if missing:
        raise ValidationError([_("请上传：{item}").format(item=r.label) for r in missing], code="materials")
    statements = {kind: text.strip() for kind, text in (statements or {}).items() if text and text.strip()}
    if status == ApplicationStatus.SUPPLEMENT:
        problems = supplement_problems(application=application, statements=statements)
        if problems:
            raise ValidationError(problems, code="supplement")

    if status == ApplicationStatus.DRAFT:
        online = application.employer_reviews_online
        event = Event.SUBMIT_TO_EMPLOYER if online else Event.SUBMIT_TO_CITY
        changes = {"submitted_at": now, "stamped_on_paper": not online}
    else:
        event = (
            Event.RESUBMIT_TO_EMPLOYER
            if status == ApplicationStatus.EMPLOYER_RETURNED
            else Event.SUBMIT_SUPPLEMENT
        )
        changes = {"fix_deadline": None}
    with transaction.atomic():
        application_transition(
            application=application,
            event=event,
            actor=actor,
            now=now,
            changes=changes,
            data={
                "declaration": _declaration_snapshot(application),
                "materials": material_manifest(application),
                "resubmission": status != ApplicationStatus.DRAFT,
                **({"commitment": rules.COMMITMENT} if committed else {}),
            },
        )
        if status == ApplicationStatus.DRAFT:
            RosterEntry.objects.filter(pk=application.roster_entry_id).update(status=RosterStatus.APPLIED)
        else:
            for material in application.materials.filter(reopened=True, kind__in=list(statements)):
                note = MaterialNote.objects.create(
                    material=material, author=actor, text=statements[material.kind], created_at=now
                )
                audit_record(
                    actor=actor,
                    action="material.note",
                    target=note,
                    application=application,
                    data={"kind": material.kind, "text": note.text},
                )
            application.materials.filter(reopened=True).update(reopened=False)
    if status == ApplicationStatus.DRAFT:
        enqueue_on_commit("candidates.render_document", application_id=application.pk, kind="receipt")
    if settings.PORTAL_OCR:  # the declaration is final now: compare what was read with it
        enqueue_on_commit("reviews.ocr_crosscheck", application_id=application.pk)
    return application


def material_manifest(application: Application) -> list[dict]:
    versions = MaterialVersion.objects.filter(
        material__application=application, retired_at__isnull=True
    ).select_related("material")
    return [
        {
            "kind": v.material.kind,
            "label": rules.label_for(v.material.kind),
            "version": v.number,
            "label_version": v.version_label,
            "sha256": v.sha256,
            "pages": v.page_count,
        }
        for v in versions
    ]
