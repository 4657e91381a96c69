from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    REGULAR = "regular", _("人工核查")
    SUPPLEMENTARY = "supplementary", _("人工核查补办")


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


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("无法生成")


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("资格考试报名表")
    RECEIPT = "receipt", _("申报回执")
    WORK_YEARS_PROOF = "work_years_proof", _("工作年限证明（单位出具）")


S = ApplicationStatus

# The application's workflow: every allowed move, and nothing else.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.EMPLOYER_REVIEW, S.CITY_REVIEW}),
    S.EMPLOYER_REVIEW: frozenset({S.CITY_REVIEW, S.EMPLOYER_RETURNED}),
    S.EMPLOYER_RETURNED: frozenset({S.EMPLOYER_REVIEW}),
    S.CITY_REVIEW: frozenset({S.PASSED, S.FAIL_PROPOSED, S.SUPPLEMENT, S.PENDING_CONDITIONS}),
    S.SUPPLEMENT: frozenset({S.CITY_REVIEW}),
    S.PENDING_CONDITIONS: frozenset({S.PASSED, S.FAIL_PROPOSED, S.SUPPLEMENT}),
    S.FAIL_PROPOSED: frozenset({S.FAILED, S.CITY_REVIEW}),
    S.FAILED: frozenset({S.APPEALED}),
    S.APPEALED: frozenset({S.PASSED, S.FAILED}),
    # An upheld report during the objection period (公示期举报属实) voids a pass.
    S.PASSED: frozenset({S.FAILED}),
}
# An administrator releasing an ID number held by the wrong person voids that person's
# applications, whatever their state (the files and the record stay).
ALLOWED_TRANSITIONS = {source: targets | {S.VOID} for source, targets in ALLOWED_TRANSITIONS.items()}
ALLOWED_TRANSITIONS[S.VOID] = frozenset()

# Statuses that wait for a city reviewer.
BACKLOG_STATUSES = (S.CITY_REVIEW, S.PENDING_CONDITIONS, S.FAIL_PROPOSED, S.APPEALED)

# Statuses in which the candidate may still change the declaration and the files.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.EMPLOYER_RETURNED})
