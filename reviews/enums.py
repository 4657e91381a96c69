from django.db import models
from django.utils.translation import gettext_lazy as _


class EmployerOutcome(models.TextChoices):
    APPROVED = "approved", _("初审通过")
    RETURNED = "returned", _("退回修改")


class EmployerCheck(models.TextChoices):
    """What HR confirmed against the originals before approving."""

    IDENTITY = "identity", _("已核对身份证件原件")
    DIPLOMA = "diploma", _("已核对毕业证书原件")
    EDUCATION_PROOF = "education_proof", _("已查验学历证明（学信网等）")
    WORK_YEARS = "work_years", _("已核实从事相关专业工作年限")


class MaterialReason(models.TextChoices):
    BLURRED = "blurred", _("扫描件模糊不清")
    STAMP_MISSING = "stamp_missing", _("缺少公章或签名")
    RECORD_EXPIRED = "record_expired", _("备案表已过有效期")
    WRONG_DOCUMENT = "wrong_document", _("材料与要求不符")
    NAME_MISMATCH = "name_mismatch", _("材料姓名与申请人不一致")
    INCOMPLETE = "incomplete", _("缺页或内容不完整")
    INCONSISTENT = "inconsistent", _("材料与申报信息不一致")
    OTHER = "other", _("其他")


class FailReason(models.TextChoices):
    """Why a candidate does not meet the entry conditions (不符合报考条件)."""

    EDUCATION = "education", _("学历不符合报考条件")
    WORK_YEARS = "work_years", _("从事相关专业工作年限不足")
    MAJOR = "major", _("专业不符合报考条件")
    FALSE_MATERIAL = "false_material", _("提供虚假材料")
    OTHER = "other", _("其他不符合报考条件的情形")


class DecisionKind(models.TextChoices):
    PASS = "pass", _("核查通过")
    FAIL = "fail", _("不通过（提请复核）")
    FAIL_CONFIRM = "fail_confirm", _("复核：确认不通过")
    FAIL_REJECT = "fail_reject", _("复核：不同意不通过，退回核查")
    SUPPLEMENT = "supplement", _("需补正")
    PENDING = "pending", _("报考条件待核查")
    APPEAL_UPHELD = "appeal_upheld", _("申辩不成立，维持不通过")
    APPEAL_OVERTURNED = "appeal_overturned", _("申辩成立，改为通过")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持不通过")
    OVERTURNED = "overturned", _("改为通过")


class SignalKind(models.TextChoices):
    """Fraud signals across candidates: evidence for a reviewer, never a decision."""

    SAME_FILE = "same_file", _("与他人上传的文件完全相同")
    NEAR_DUPLICATE = "near_duplicate", _("与他人上传的扫描件高度相似")
    SAME_STAMP = "same_stamp", _("同一枚印章图像出现在不同单位的材料中")
    SHARED_PHONE = "shared_phone", _("同一手机号码用于多名考生的报名")
    CROWDED_EMPLOYER = "crowded_employer", _("同一单位申请人数异常多")
