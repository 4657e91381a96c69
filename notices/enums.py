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


class CertificateStatus(models.TextChoices):
    MAKING = "making", _("制证中")
    READY = "ready", _("待领取")
    MAIL_BOOKED = "mail_booked", _("已预约邮寄")
    MAILED = "mailed", _("已寄出")
    COLLECTED = "collected", _("已领取")
    IN_CUSTODY = "in_custody", _("代为保管")
    HANDED_OVER = "handed_over", _("已移交")
    CANCELLED = "cancelled", _("已注销")
    REISSUED = "reissued", _("已补发")


class CertificateEvent(models.TextChoices):
    """What can happen to a certificate (``CERTIFICATE_EVENTS``); nothing else moves one."""

    PRODUCE = "produce", _("制证完成")
    BOOK_MAIL = "book_mail", _("预约邮寄")
    CANCEL_BOOKING = "cancel_booking", _("取消邮寄预约")
    MAIL = "mail", _("寄出")
    COLLECT = "collect", _("现场领取")
    TAKE_INTO_CUSTODY = "take_into_custody", _("转为代为保管")
    HAND_OVER = "hand_over", _("登记造册移交")
    CANCEL = "cancel", _("注销")
    REISSUE = "reissue", _("补发")


class CertificateKind(models.TextChoices):
    PAPER = "paper", _("纸质证书")
    ELECTRONIC = "electronic", _("电子证书")


C = CertificateStatus
# The certificate's workflow: one table of events (sources, target), as for applications.
CERTIFICATE_EVENTS = {
    CertificateEvent.PRODUCE: (frozenset({C.MAKING}), C.READY),
    CertificateEvent.BOOK_MAIL: (frozenset({C.READY}), C.MAIL_BOOKED),
    CertificateEvent.CANCEL_BOOKING: (frozenset({C.MAIL_BOOKED}), C.READY),
    CertificateEvent.MAIL: (frozenset({C.MAIL_BOOKED}), C.MAILED),
    CertificateEvent.COLLECT: (frozenset({C.READY, C.MAIL_BOOKED, C.IN_CUSTODY}), C.COLLECTED),
    # Seed 003: unclaimed certificates are kept for five years, then handed over on a register.
    CertificateEvent.TAKE_INTO_CUSTODY: (frozenset({C.READY}), C.IN_CUSTODY),
    CertificateEvent.HAND_OVER: (frozenset({C.IN_CUSTODY}), C.HANDED_OVER),
    CertificateEvent.CANCEL: (frozenset(C) - {C.CANCELLED}, C.CANCELLED),
    CertificateEvent.REISSUE: (frozenset({C.MAILED, C.COLLECTED, C.READY, C.IN_CUSTODY}), C.REISSUED),
}


class ReissueKind(models.TextChoices):
    """补发 (lost) or 换发 (damaged, or entries wrong), seed 004."""

    LOST = "lost", _("遗失补发")
    DAMAGED = "damaged", _("损坏换发")
    WRONG_ENTRIES = "wrong_entries", _("信息有误换发")


class ReissueStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已同意，补（换）发")
    REFUSED = "refused", _("不予补（换）发")


class ReissueFileKind(models.TextChoices):
    LOST_NOTICE = "lost_notice", _("登报遗失声明")
    DAMAGED_CERTIFICATE = "damaged_certificate", _("损坏或有误的证书")
    REGISTRATION_FORM = "registration_form", _("补（换）发登记表")
    ID_COPY = "id_copy", _("身份证复印件")
    PHOTO = "photo", _("近期免冠照片")


class ApiScope(models.TextChoices):
    """What a registered system may do through the API (``notices.api``)."""

    ROUNDS_READ = "rounds:read", _("读取核查轮次")
    ROSTER_WRITE = "roster:write", _("推送核查名单")
    RESULTS_READ = "results:read", _("读取核查结果（含完整身份证号）")
    PASS_LISTS_READ = "pass_lists:read", _("读取公示名单")
    CERTIFICATES_READ = "certificates:read", _("读取证书状态与物流")
