from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    REGULAR = "regular", _("人工核查")
    SUPPLEMENTARY = "supplementary", _("人工核查补办")


class ExamHalf(models.TextChoices):
    """When the exam was held: Changsha schedules supplementary rounds by it (seed 002)."""

    FIRST = "first", _("上半年")
    SECOND = "second", _("下半年")


class RosterReason(models.TextChoices):
    """Why a person who passed must be verified by hand (附件1, seed 002)."""

    PLATFORM_FAILED = "1", _("在线服务平台无法核查或核查不通过")
    EXEMPTION = "2", _("符合免试部分科目报考条件")
    NOT_APPLICABLE = "3", _("不适用告知承诺制")
    NOT_CHOSEN = "4", _("未选择告知承诺制方式办理")
    WITHDRAWN = "5", _("撤回承诺申请")
    OTHER = "6", _("存在其他异常情况需人工核查")


class RosterStatus(models.TextChoices):
    EXPECTED = "expected", _("待申报")
    APPLIED = "applied", _("已申报")
    ABSENT = "absent", _("未按期参加")
    # Did not take part in the supplementary round either: the year's last verification (seed 003).
    GAVE_UP = "gave_up", _("视为放弃")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    HMT_RESIDENCE = "hmt_residence", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


class PhoneCodePurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET = "reset", _("重置密码")


class ApplicationKind(models.TextChoices):
    NORMAL = "normal", _("一般申报")
    EXEMPTION = "exemption", _("免试部分科目")
    ADDITION = "addition", _("增项（增设专业）")


class EducationLevel(models.TextChoices):
    SECONDARY = "secondary", _("中专")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class EducationType(models.TextChoices):
    """The kind of school the degree comes from; it decides the education proof."""

    HIGHER = "higher", _("普通高等教育（大专及以上，教育部门学历）")
    HUNAN_SECONDARY = "hunan_secondary", _("湖南省中等职业学校（中专）")
    OTHER_SECONDARY = "other_secondary", _("外省中等职业学校（中专）")
    FOREIGN = "foreign", _("国（境）外及港澳台学历学位")
    PARTY_SCHOOL = "party_school", _("党校学历")
    TECHNICAL = "technical", _("技工院校")


class TechnicalClass(models.TextChoices):
    """技工院校 classes and the education level they count as (湘人社发〔2019〕67号)."""

    INTERMEDIATE = "intermediate", _("中级工班（按中专）")
    ADVANCED = "advanced", _("高级工班（按大专）")
    TECHNICIAN = "technician", _("预备技师（技师）班（按本科）")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    EMPLOYER_REVIEW = "employer_review", _("待单位初审")
    EMPLOYER_RETURNED = "employer_returned", _("单位退回修改")
    CITY_REVIEW = "city_review", _("待人工核查")
    SUPPLEMENT = "supplement", _("需补正")
    PENDING_CONDITIONS = "pending_conditions", _("报考条件待核查")
    FAIL_PROPOSED = "fail_proposed", _("不通过待复核")
    PASSED = "passed", _("核查通过")
    FAILED = "failed", _("核查不通过")
    APPEALED = "appealed", _("申辩处理中")
    VOID = "void", _("已作废（身份冒用）")
    REVOKED = "revoked", _("核查通过已撤销（弄虚作假）")


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("无法生成")


class OcrStatus(models.TextChoices):
    READ = "read", _("已识读")
    UNREADABLE = "unreadable", _("无法识读")
    FAILED = "failed", _("识读失败")


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("资格考试报名表")
    RECEIPT = "receipt", _("申报回执")
    WORK_YEARS_PROOF = "work_years_proof", _("工作年限证明（单位出具）")
    RESULT_NOTICE = "result_notice", _("核查结果告知书")


S = ApplicationStatus


class Event(models.TextChoices):
    """What can happen to an application. Each event names the statuses it may leave and the
    status it reaches (``EVENTS``); nothing else moves an application."""

    SUBMIT_TO_EMPLOYER = "submit_to_employer", _("申报（交单位初审）")
    SUBMIT_TO_CITY = "submit_to_city", _("申报（交市人社局核查）")
    RESUBMIT_TO_EMPLOYER = "resubmit_to_employer", _("修改后重新提交单位初审")
    SUBMIT_SUPPLEMENT = "submit_supplement", _("提交补正")
    EMPLOYER_APPROVE = "employer_approve", _("单位初审通过")
    EMPLOYER_RETURN = "employer_return", _("单位退回修改")
    DECIDE_PASS = "decide_pass", _("核查通过")
    PROPOSE_FAIL = "propose_fail", _("提出不通过")
    REQUEST_SUPPLEMENT = "request_supplement", _("要求补正")
    MARK_PENDING = "mark_pending", _("报考条件待核查")
    CONFIRM_FAIL = "confirm_fail", _("复核确认不通过")
    REJECT_FAIL = "reject_fail", _("复核不同意不通过")
    APPEAL = "appeal", _("提出申辩")
    UPHOLD_APPEAL = "uphold_appeal", _("申辩不成立")
    OVERTURN_APPEAL = "overturn_appeal", _("申辩成立")
    WITHDRAW_AFTER_REPORT = "withdraw_after_report", _("举报属实，移出名单")
    VOID_IDENTITY = "void_identity", _("身份冒用，作废")
    REVOKE_FOR_FRAUD = "revoke_for_fraud", _("查实弄虚作假，撤销通过")


@dataclass(frozen=True)
class Move:
    sources: frozenset
    target: str


# The application's workflow: one table of events, and nothing else.
EVENTS: dict[str, Move] = {
    Event.SUBMIT_TO_EMPLOYER: Move(frozenset({S.DRAFT}), S.EMPLOYER_REVIEW),
    Event.SUBMIT_TO_CITY: Move(frozenset({S.DRAFT}), S.CITY_REVIEW),
    Event.RESUBMIT_TO_EMPLOYER: Move(frozenset({S.EMPLOYER_RETURNED}), S.EMPLOYER_REVIEW),
    Event.SUBMIT_SUPPLEMENT: Move(frozenset({S.SUPPLEMENT}), S.CITY_REVIEW),
    Event.EMPLOYER_APPROVE: Move(frozenset({S.EMPLOYER_REVIEW}), S.CITY_REVIEW),
    Event.EMPLOYER_RETURN: Move(frozenset({S.EMPLOYER_REVIEW}), S.EMPLOYER_RETURNED),
    Event.DECIDE_PASS: Move(frozenset({S.CITY_REVIEW, S.PENDING_CONDITIONS}), S.PASSED),
    Event.PROPOSE_FAIL: Move(frozenset({S.CITY_REVIEW, S.PENDING_CONDITIONS}), S.FAIL_PROPOSED),
    Event.REQUEST_SUPPLEMENT: Move(frozenset({S.CITY_REVIEW, S.PENDING_CONDITIONS}), S.SUPPLEMENT),
    Event.MARK_PENDING: Move(frozenset({S.CITY_REVIEW}), S.PENDING_CONDITIONS),
    Event.CONFIRM_FAIL: Move(frozenset({S.FAIL_PROPOSED}), S.FAILED),
    Event.REJECT_FAIL: Move(frozenset({S.FAIL_PROPOSED}), S.CITY_REVIEW),
    Event.APPEAL: Move(frozenset({S.FAILED}), S.APPEALED),
    Event.UPHOLD_APPEAL: Move(frozenset({S.APPEALED}), S.FAILED),
    Event.OVERTURN_APPEAL: Move(frozenset({S.APPEALED}), S.PASSED),
    # An upheld report during the objection period (公示期举报属实) voids a pass.
    Event.WITHDRAW_AFTER_REPORT: Move(frozenset({S.PASSED}), S.FAILED),
    # An administrator releasing an ID number held by the wrong person voids that person's
    # applications, whatever their state (the files and the record stay).
    Event.VOID_IDENTITY: Move(frozenset(S) - {S.VOID}, S.VOID),
    # Fraud found at any later time (seeds 000, 001) revokes a pass: proposed and confirmed by
    # two administrators; the score is void, the list and the certificate follow.
    Event.REVOKE_FOR_FRAUD: Move(frozenset({S.PASSED}), S.REVOKED),
}


def events_from(status: str) -> list[str]:
    """The events an application in ``status`` may undergo."""
    return [event for event, move in EVENTS.items() if status in move.sources]


# The events a city reviewer fires by deciding (reviews.services.decisions.DECISION_EVENTS).
REVIEWER_EVENTS = frozenset(
    {
        Event.DECIDE_PASS,
        Event.PROPOSE_FAIL,
        Event.REQUEST_SUPPLEMENT,
        Event.MARK_PENDING,
        Event.CONFIRM_FAIL,
        Event.REJECT_FAIL,
        Event.UPHOLD_APPEAL,
        Event.OVERTURN_APPEAL,
    }
)

# Statuses that wait for a city reviewer (the queue, what may be claimed): those a reviewer's
# event may leave, derived from the table.
BACKLOG_STATUSES = tuple(status for status in S if any(status in EVENTS[e].sources for e in REVIEWER_EVENTS))

# Statuses in which the candidate may still change the declaration and the files.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.EMPLOYER_RETURNED})


class IntegrityKind(models.TextChoices):
    """What an integrity record (诚信档案, seed 001) says happened."""

    FALSE_MATERIAL = "false_material", _("提供虚假材料")
    FORGED_SEAL = "forged_seal", _("伪造印章")
    IMPERSONATION = "impersonation", _("他人代考或冒名")
    OTHER = "other", _("其他弄虚作假行为")
