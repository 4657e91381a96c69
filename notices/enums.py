from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    ROSTER = "roster", _("须人工核查人员名单")
    FORM_TEMPLATE = "form_template", _("资格考试报名表模板")
    WORK_YEARS_TEMPLATE = "work_years_template", _("工作年限证明模板")
    MANUAL = "manual", _("系统操作手册")
    OTHER = "other", _("其他附件")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    MAPPING = "mapping", _("待确认列对应")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("校验完成，待确认")
    IMPORTING = "importing", _("导入中")
    IMPORTED = "imported", _("已导入")
    CANCELLED = "cancelled", _("已放弃")
    FAILED = "failed", _("无法读取")


class PassListStatus(models.TextChoices):
    GENERATING = "generating", _("生成中")
    PUBLISHED = "published", _("公示中")
    FINAL = "final", _("公示期满")
    SUPERSEDED = "superseded", _("已被新版本替代")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("举报属实")
    DISMISSED = "dismissed", _("举报不属实")


class ReminderKind(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("尚未申报")
    EMPLOYER_PENDING = "employer_pending", _("单位初审待办")
    SUPPLEMENT_DUE = "supplement_due", _("补正即将截止")
    CLAIM_STALE = "claim_stale", _("领取即将过期")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
