"""Reads, scoped to what the asking user may see."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates import permissions, rules
from candidates.enums import ApplicationStatus, RosterStatus
from candidates.identity import identity_verifier
from candidates.models import (
    Application,
    Material,
    MaterialPage,
    MaterialVersion,
    Message,
    Organisation,
    RosterEntry,
)
from candidates.services.applications import application_start_refusal, failed_exams_for
from verification_portal.shared.kept import version_changed

# Every candidate's dashboard changes with a roster, a round, an exam, a city or an integrity
# record; each candidate's own with their applications, messages and profile.
DASHBOARDS_VERSION = "dashboards-version"


def dashboard_versions(*, user) -> tuple[str, str]:
    """The version keys a user's kept dashboard is kept under (``kept_page``): it is stale
    once what it shows changes (``candidates.apps`` connects the changes)."""
    return (_dashboard_version_key(user.pk), DASHBOARDS_VERSION)


def _dashboard_version_key(user_id: int) -> str:
    return f"dashboard-version:{user_id}"


def dashboard_changed(*, user_id: int | None) -> None:
    """What is kept of a candidate's dashboard (``dashboard_versions``) is stale: theirs, or with
    ``user_id=None`` everyone's."""
    version_changed(DASHBOARDS_VERSION if user_id is None else _dashboard_version_key(user_id))


def dashboard_kept_seconds(*, options: list, now: datetime.datetime) -> int:
    """How long a rendered dashboard may be served: never past the next opening, closing or
    fix deadline it shows (a start button appears, a countdown ends)."""
    from django.conf import settings

    seconds = settings.PORTAL_DASHBOARD_KEPT_SECONDS
    for option in options:
        moments = [option.entry.round.opens_at, option.entry.round.closes_at]
        if option.application is not None:
            moments.append(option.application.fix_deadline)
        for moment in moments:
            if moment is not None and moment > now:
                seconds = min(seconds, int((moment - now).total_seconds()) + 1)
    return seconds


@dataclass
class RosterOption:
    entry: RosterEntry
    application: Application | None
    refusal: str | None

    @property
    def next_step(self) -> str:
        return next_step_for(self.application) if self.application else ""

    @property
    def status_label(self) -> str:
        return status_label_for(self.application) if self.application else ""


def status_label_for(application: Application, now: datetime.datetime | None = None) -> str:
    """The status as the candidate should read it: a draft whose window closed is not a draft."""
    from candidates.enums import ApplicationStatus as S

    if application.status == S.DRAFT:
        entry_status = application.roster_entry.status
        if entry_status in (RosterStatus.ABSENT, RosterStatus.GAVE_UP):
            return str(RosterStatus(entry_status).label)
        if application.round.window_state(now) == "closed":
            return _("未申报（已截止）")
    return application.get_status_display()


@dataclass(frozen=True)
class FailureNotice:
    reason: str
    appeal: str  # where the appeal stands: open until…, closed on…, none, or in progress


def failure_notice_for(
    application: Application, now: datetime.datetime | None = None
) -> FailureNotice | None:
    """Why a failed application failed, and the appeal route, for the candidate's page."""
    from candidates.enums import ApplicationStatus as S
    from reviews.enums import DecisionKind, FailReason

    if application.status not in (S.FAILED, S.APPEALED):
        return None
    now = now or timezone.now()
    decision = application.decisions.filter(kind=DecisionKind.FAIL).order_by("-created_at").first()
    if decision is not None:
        label = FailReason(decision.reason_code).label if decision.reason_code in FailReason.values else ""
        reason = "：".join(part for part in (str(label), decision.reason) if part)
    else:
        reason = _("公示期间经举报核实，不符合报考条件。")
    upheld = application.decisions.filter(kind=DecisionKind.APPEAL_UPHELD).order_by("-created_at").first()
    round_ = application.round
    if application.status == S.APPEALED:
        appeal = _("您的申辩正在处理，由未参与原核查的核查人员复核。")
    elif upheld is not None:
        appeal = _("申辩已处理：维持不通过。{reason}").format(reason=upheld.reason)
    elif round_.appeal_closes_at is None:
        appeal = _("本轮不受理申辩。如有疑问，请联系{city}人社局。").format(city=round_.city.name)
    elif round_.appeals_open(now):
        appeal = _("如有异议，可在 {when} 前提出申辩。").format(
            when=timezone.localtime(round_.appeal_closes_at).strftime("%Y-%m-%d %H:%M")
        )
    else:
        appeal = _("申辩期已于 {when} 截止。").format(
            when=timezone.localtime(round_.appeal_closes_at).strftime("%Y-%m-%d %H:%M")
        )
    return FailureNotice(reason=reason, appeal=appeal)


def next_step_for(application: Application, now: datetime.datetime | None = None) -> str:
    """The candidate's exact next step, in a sentence: the dashboard and the application's
    page both show this one wording."""
    from candidates.enums import ApplicationStatus as S
    from candidates.services.applications import application_edit_refusal

    now = now or timezone.now()
    refusal = application_edit_refusal(application=application, now=now)
    if refusal:
        return refusal
    deadline = (
        timezone.localtime(application.fix_deadline).strftime("%Y-%m-%d %H:%M")
        if application.fix_deadline
        else ""
    )
    if application.status == S.SUPPLEMENT and application.fix_deadline and application.fix_deadline <= now:
        return _("补正期限已于 {when} 截止。").format(when=deadline)
    steps = {
        S.DRAFT: _("填写申报信息、上传材料扫描件，并在截止时间前点击“申报”。"),
        S.EMPLOYER_REVIEW: _("等待所在单位人事部门初审，无需操作。"),
        S.EMPLOYER_RETURNED: _("单位退回了您的申请：请按消息中的原因修改，并在 {when} 前重新提交。"),
        S.CITY_REVIEW: _("等待市人社局人工核查，无需操作。"),
        S.SUPPLEMENT: _("按要求补正材料：重新上传标注“需补正”的材料，并在 {when} 前点击“提交补正”。"),
        S.PENDING_CONDITIONS: _("报考条件待核查：请保持电话畅通，等待核查人员联系。"),
        S.FAIL_PROPOSED: _("等待另一名核查人员复核，无需操作。"),
        S.PASSED: _("核查通过：请关注公示名单和证书领取公告。"),
        S.FAILED: _("核查未通过：如有异议，可在申辩期内提出申辩。"),
        S.APPEALED: _("申辩处理中：等待另一名核查人员的结论。"),
    }
    return steps.get(application.status, "").format(when=deadline)


@dataclass
class ChecklistItem:
    requirement: rules.Requirement
    versions: list[MaterialVersion] = field(default_factory=list)
    history: list[MaterialVersion] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.versions)


def roster_options_for_candidate(
    *, candidate, now: datetime.datetime | None = None, applications: list[Application] | None = None
) -> list[RosterOption]:
    """Every roster entry naming this candidate, and whether an application can start.
    ``applications``: the candidate's applications when the caller has them already."""
    now = now or timezone.now()
    entries = list(
        RosterEntry.objects.filter(id_number=candidate.id_number)
        .select_related("round__city", "exam")
        .order_by("-round__opens_at", "exam__name")
    )
    if applications is None:
        applications = Application.objects.filter(candidate=candidate).select_related("round", "roster_entry")
    applications = {a.roster_entry_id: a for a in applications if a.status != ApplicationStatus.VOID}
    failed = failed_exams_for(candidate.id_number)
    # The entries above are every entry of this ID number: the missed supplementary rounds
    # (gave_up_exams_for) are among them.
    gave_up = {(e.exam_id, e.exam_year) for e in entries if e.status == RosterStatus.GAVE_UP}
    verifier = identity_verifier()
    options = []
    for entry in entries:
        application = applications.get(entry.pk)
        refusal = (
            None
            if application
            else application_start_refusal(
                entry=entry, now=now, failed_exams=failed, gave_up=gave_up, id_number=candidate.id_number
            )
        )
        if application is None and refusal is None:
            refusal = verifier.check_start(profile=candidate, entry=entry).refusal
        options.append(RosterOption(entry=entry, application=application, refusal=refusal))
    return options


def applications_for_candidate(*, user) -> QuerySet[Application]:
    profile = permissions.candidate_of(user)
    if profile is None:
        return Application.objects.none()
    return Application.objects.filter(candidate=profile).select_related(
        "round__city", "roster_entry__exam", "employer"
    )


def application_for_user(*, user, pk: int) -> Application:
    """The application if this user may see it; 404 otherwise (no hint that it exists)."""
    application = (
        Application.objects.select_related("candidate__user", "round__city", "roster_entry__exam", "employer")
        .filter(pk=pk)
        .first()
    )
    if application is None or not permissions.can_view_application(user, application):
        raise Http404
    return application


def material_version_for_user(*, user, pk: int) -> MaterialVersion:
    version = (
        MaterialVersion.objects.select_related(
            "material__application__candidate", "material__application__round"
        )
        .filter(pk=pk)
        .first()
    )
    if version is None or not permissions.can_view_application(user, version.material.application):
        raise Http404
    return version


def application_checklist(*, application: Application) -> list[ChecklistItem]:
    """The required items with their current files (and retired ones as history)."""
    materials = {
        m.kind: m
        for m in Material.objects.filter(application=application).prefetch_related(
            Prefetch(
                "versions",
                queryset=MaterialVersion.objects.order_by("number").prefetch_related(
                    Prefetch("pages", queryset=MaterialPage.objects.select_related("text"))
                ),
            )
        )
    }
    items = []
    for requirement in application.required_materials():
        material = materials.get(requirement.code)
        versions = list(material.versions.all()) if material else []
        items.append(
            ChecklistItem(
                requirement=requirement,
                versions=[v for v in versions if v.retired_at is None],
                history=[v for v in versions if v.retired_at is not None],
            )
        )
    return items


@dataclass
class TimelineStep:
    label: str
    state: str  # "done", "current", "todo" or "failed"


def messages_for(*, user, application: Application | None = None, limit: int = 30) -> list[Message]:
    queryset = Message.objects.filter(recipient=user)
    if application is not None:
        queryset = queryset.filter(application=application)
    return list(queryset[:limit])


def organisations_matching(*, query: str, limit: int = 10) -> list[dict]:
    """Employers by name fragment or credit-code prefix, for the declaration's picker."""
    query = query.strip()
    if len(query) < 2:
        return []
    matches = Organisation.objects.filter(
        Q(name__icontains=query) | Q(credit_code__startswith=query.upper())
    ).order_by("name")[:limit]
    return [{"name": o.name, "credit_code": o.credit_code} for o in matches]


def application_timeline(*, application: Application, checklist: list[ChecklistItem]) -> list[TimelineStep]:
    """Where the application stands in the flow, for the candidate's timeline."""
    from candidates.enums import ApplicationStatus as S

    declared = bool(application.declared_at)
    uploaded = declared and all(item.complete for item in checklist)
    submitted = application.status != S.DRAFT
    employer_done = application.status not in (S.DRAFT, S.EMPLOYER_REVIEW, S.EMPLOYER_RETURNED)
    decided = application.status in (S.PASSED, S.FAILED)
    done = [declared, uploaded, submitted, employer_done, decided]
    labels = [_("填写申报信息"), _("上传材料扫描件"), _("申报"), _("单位资格初审"), _("人工核查结果")]
    if application.stamped_on_paper:
        labels[3] = _("单位已纸质盖章")
    missed = application.status == S.DRAFT and application.round.window_state() == "closed"
    steps = []
    current_found = False
    for index, (label, is_done) in enumerate(zip(labels, done, strict=True)):
        if index == 4 and application.status == S.FAILED:
            steps.append(TimelineStep(_("核查不通过"), "failed"))
        elif index == 2 and missed:
            steps.append(TimelineStep(status_label_for(application), "failed"))
            current_found = True
        elif is_done:
            steps.append(TimelineStep(label, "done"))
        elif not current_found:
            steps.append(TimelineStep(label, "current"))
            current_found = True
        else:
            steps.append(TimelineStep(label, "todo"))
    return steps


def what_happens_next(*, application: Application) -> list[str]:
    """After the first submission: what follows, with the dates the round sets."""
    from candidates.enums import ApplicationStatus as S

    if application.status not in (S.EMPLOYER_REVIEW, S.CITY_REVIEW, S.PENDING_CONDITIONS, S.FAIL_PROPOSED):
        return []
    round_ = application.round
    steps = []
    if application.status == S.EMPLOYER_REVIEW:
        steps.append(
            _(
                "所在单位人事部门在线初审：核对您的申报信息并出具工作年限证明，通过后自动转市人社局，退回的会告诉您原因和修改期限。"
            )
        )
    steps.append(
        _("{city}人社局人工核查：需要补正的，会以短信和站内消息通知您补正的材料和期限。").format(
            city=round_.city.name
        )
    )
    if round_.publication_at:
        steps.append(
            _("{when} 起公示通过人员名单，可在“公示名单”中查看。").format(
                when=timezone.localtime(round_.publication_at).strftime("%Y-%m-%d")
            )
        )
    if round_.appeal_closes_at:
        steps.append(
            _("未通过的，可在 {when} 前提出申辩。").format(
                when=timezone.localtime(round_.appeal_closes_at).strftime("%Y-%m-%d %H:%M")
            )
        )
    return steps


# What lists rounds to every visitor (the home page): rounds, their exams and cities change it.
ROUNDS_VERSION = "rounds-version"


def rounds_changed() -> None:
    version_changed(ROUNDS_VERSION)


def rounds_on_home_kept_seconds(*, rounds, now: datetime.datetime) -> int:
    """How long the home page may be served as rendered: never past the moment a round it
    shows leaves it (30 days after closing)."""
    from django.conf import settings

    seconds = settings.PORTAL_PUBLIC_KEPT_SECONDS
    for round_ in rounds:
        leaves = round_.closes_at + ROUNDS_ON_HOME_AFTER_CLOSING - now
        seconds = min(seconds, int(leaves.total_seconds()) + 1)
    return max(seconds, 0)


ROUNDS_ON_HOME_AFTER_CLOSING = datetime.timedelta(days=30)


def rounds_on_home(*, now: datetime.datetime):
    """Rounds open, coming, or closed within the last 30 days, for the home page."""
    from candidates.models import VerificationRound

    return (
        VerificationRound.objects.filter(closes_at__gte=now - ROUNDS_ON_HOME_AFTER_CLOSING)
        .select_related("city")
        .prefetch_related("exams")
        .order_by("opens_at")
    )


def pending_profile(*, pk: int | None):
    """The account waiting for its phone to be verified, named by the session."""
    from candidates.models import CandidateProfile

    return CandidateProfile.objects.filter(
        pk=pk or 0, phone_verified_at__isnull=True, released_at__isnull=True
    ).first()


def document_hints(*, application: Application) -> dict[str, str]:
    """Per item, a hint that its pages do not look like the document asked for (from OCR)."""
    from reviews.models import OcrCheck

    check = OcrCheck.objects.filter(application=application).only("items").first()
    if check is None:
        return {}
    return {kind: item["hint"] for kind, item in check.items.items() if item.get("hint")}
