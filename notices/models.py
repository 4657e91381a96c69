import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models import Application, CandidateProfile, City, VerificationRound
from notices.enums import (
    AttachmentKind,
    CertificateKind,
    CertificateStatus,
    Channel,
    ImportStatus,
    PassListStatus,
    ReissueFileKind,
    ReissueKind,
    ReissueStatus,
    ReminderKind,
    ReportStatus,
)


def notice_upload_to(instance, filename):
    return f"notices/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1][:8]}"


def import_upload_to(instance, filename):
    """A generated name keeping the kind the portal gave the file (xlsx, xls, csv)."""
    extension = (
        filename.rsplit(".", 1)[-1] if filename.rsplit(".", 1)[-1] in ("xlsx", "xls", "csv") else "xlsx"
    )
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def publication_upload_to(instance, filename):
    return f"publications/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1][:8]}"


class Notice(models.Model):
    """公告: published at ``publish_at`` (a notice can be scheduled)."""

    round = models.ForeignKey(
        VerificationRound, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文（Markdown）")
    publish_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = verbose_name_plural = "公告"

    def __str__(self):
        return self.title


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=30, choices=AttachmentKind, default=AttachmentKind.OTHER)
    title = models.CharField("名称", max_length=200)
    file = models.FileField(upload_to=notice_upload_to, max_length=200)
    original_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = verbose_name_plural = "公告附件"

    def __str__(self):
        return self.title


class RosterImport(models.Model):
    """One upload of the official roster (附件1) for a round: validated first, imported on confirmation."""

    round = models.ForeignKey(VerificationRound, on_delete=models.PROTECT, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_upload_to, max_length=200)
    original_name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=20, choices=ImportStatus, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    rejected_file = models.FileField(upload_to=import_upload_to, max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The column mapping, shown to the administrator before validating: the header row
    # found, each column's label and first values, and field -> column index.
    header_row = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # The first refused rows (row number, name, ID number, reason), shown on the page.
    rejected_preview = models.JSONField(default=list, blank=True)
    # Valid rows of people barred by an integrity record (row, name, ID, the record's words):
    # the administrator decides whether they are imported.
    flagged = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "名单导入"

    def __str__(self):
        return f"{self.round} · {self.original_name}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATING)

    @property
    def awaits_mapping(self) -> bool:
        return self.status == ImportStatus.MAPPING

    @property
    def has_result(self) -> bool:
        return self.status in (ImportStatus.VALIDATED, ImportStatus.IMPORTED)

    @property
    def is_imported(self) -> bool:
        return self.status == ImportStatus.IMPORTED

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == ImportStatus.VALIDATED

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class RosterStagingRow(models.Model):
    """A validated row waiting for the administrator's confirmation (filled by COPY).

    Scratch data: plain integer columns with no foreign keys and, on PostgreSQL, an
    UNLOGGED table, because every constraint and WAL record slows the COPY down. The
    values were checked row by row; the roster's own constraints check them again on
    confirmation."""

    roster_import_id = models.BigIntegerField(db_index=True)
    row_number = models.PositiveIntegerField()
    name = models.CharField(max_length=50)
    id_number = models.CharField(max_length=18)
    exam_id = models.BigIntegerField()
    exam_year = models.PositiveSmallIntegerField()
    city_id = models.BigIntegerField()
    reason = models.CharField(max_length=2)
    phone = models.CharField(max_length=11, blank=True, default="")
    level = models.CharField(max_length=20, blank=True, default="", db_default="")
    specialty = models.CharField(max_length=60, blank=True, default="", db_default="")
    score = models.CharField(max_length=60, blank=True, default="", db_default="")
    admission_number = models.CharField(max_length=30, blank=True, default="", db_default="")
    archive_number = models.CharField(max_length=30, blank=True, default="", db_default="")
    addition = models.BooleanField(default=False, db_default=False)

    def __str__(self):
        return f"{self.roster_import_id}:{self.row_number}"


class RosterHeaderAlias(models.Model):
    """A column name an administrator mapped by hand, remembered for the next file: the
    header label (normalised) and the field it means; an empty field means "ignore"."""

    label = models.CharField("列名", max_length=60, unique=True)
    field = models.CharField("对应字段", max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label"]
        verbose_name = verbose_name_plural = "名单列名对应"

    def __str__(self):
        return f"{self.label} → {self.field or '忽略'}"


class PassList(models.Model):
    """公示名单: one version of one of a round's pass lists. The first list is series 1; those
    passed after it was published go on supplementary lists (补充公示, series 2, 3, …), each
    with its own objection period. A new version replaces one of the same series; none is
    deleted."""

    round = models.ForeignKey(VerificationRound, on_delete=models.PROTECT, related_name="pass_lists")
    series = models.PositiveSmallIntegerField("批次", default=1)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=PassListStatus, default=PassListStatus.GENERATING)
    reason = models.CharField("新版本原因", max_length=300, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    xlsx = models.FileField(upload_to=publication_upload_to, max_length=200, blank=True)
    pdf = models.FileField(upload_to=publication_upload_to, max_length=200, blank=True)
    pdf_chunks = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    objection_ends_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "series", "-version"]
        verbose_name = verbose_name_plural = "公示名单"
        constraints = [
            models.UniqueConstraint(fields=["round", "series", "version"], name="pass_list_unique_version")
        ]

    def __str__(self):
        return f"{self.round} {self.series}-v{self.version}"

    @property
    def cache_version(self) -> str:
        """Names this published list in the cache: a public list never changes (a change is a
        new version), and its publication moment tells it from a list a restored database gave
        the same id."""
        return f"{self.pk}:{int(self.published_at.timestamp() * 1_000_000)}"

    @property
    def is_supplementary(self) -> bool:
        return self.series > 1

    @property
    def title(self) -> str:
        from django.utils.translation import gettext as _

        if self.is_supplementary:
            return _("补充公示名单（第 {number} 批）").format(number=self.series - 1)
        return _("通过人员名单")


class PassListEntry(models.Model):
    pass_list = models.ForeignKey(PassList, on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveIntegerField()
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50)
    gender = models.CharField(max_length=4)
    exam = models.CharField(max_length=60)
    employer = models.CharField(max_length=100)
    masked_id = models.CharField(max_length=18)

    class Meta:
        ordering = ["pass_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pass_list", "position"], name="entry_unique_position"),
        ]

    def __str__(self):
        return f"{self.name} ({self.masked_id})"


class Report(models.Model):
    """举报: a report on a listed person during the objection period."""

    pass_list = models.ForeignKey(PassList, on_delete=models.PROTECT, related_name="reports")
    entry = models.ForeignKey(PassListEntry, on_delete=models.PROTECT, related_name="reports")
    # Given to the reporter, who looks up the outcome with it (it names nobody).
    reference = models.CharField("举报编号", max_length=20, unique=True, null=True, blank=True)
    reporter_name = models.CharField("举报人", max_length=50, blank=True)
    reporter_contact = models.CharField("联系方式", max_length=100)
    text = models.TextField("举报内容")
    address_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=ReportStatus, default=ReportStatus.OPEN)
    outcome = models.TextField("处理结果", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["address_hash", "created_at"])]
        verbose_name = verbose_name_plural = "举报"

    def __str__(self):
        return f"{self.entry.name} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN


class ReminderSent(models.Model):
    """What was sent: at most one reminder per person, deadline, offset and channel."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=ReminderKind)
    deadline = models.DateTimeField()
    offset = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel)
    recipient = models.CharField(max_length=254, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒记录"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "deadline", "offset", "channel"], name="reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.user_id} {self.offset} {self.channel}"


class ExportFile(models.Model):
    """A generated administrator export: a round's results for the province, its register of
    issued certificates (登记、制册和存档), or the register of certificates handed over."""

    RESULTS, CERTIFICATES, HANDED_OVER = "results", "certificates", "handed_over"
    round = models.ForeignKey(VerificationRound, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField(max_length=20, default=RESULTS)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    file = models.FileField(upload_to=publication_upload_to, max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.round} export {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_hand_over(self) -> bool:
        return self.kind == self.HANDED_OVER


class DossierExport(models.Model):
    """An investigation export of one candidate's whole file, built by a task."""

    candidate = models.ForeignKey(CandidateProfile, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=publication_upload_to, max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"dossier {self.candidate_id} {self.created_at:%Y-%m-%d %H:%M}"


def certificate_upload_to(instance, filename):
    return f"certificates/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1][:8]}"


class Certificate(models.Model):
    """A certificate issued to a person who passed, once the list they are on is final; the
    holder's details are copied as issued. Never deleted: a cancelled or reissued one keeps
    its row."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="certificates")
    round = models.ForeignKey(VerificationRound, on_delete=models.PROTECT, related_name="certificates")
    # Generated by the portal's pattern, or imported from the province (then empty, 制证中,
    # until the import).
    number = models.CharField("证书编号", max_length=40, unique=True, null=True, blank=True)
    holder_name = models.CharField("持证人", max_length=50)
    holder_id_number = models.CharField("身份证号", max_length=18)
    exam = models.CharField("考试", max_length=60)
    level = models.CharField("级别", max_length=20, blank=True)
    specialty = models.CharField("专业", max_length=60, blank=True)
    authority = models.CharField("发证机关", max_length=100)
    issued_on = models.DateField("签发日期")
    kind = models.CharField("类型", max_length=20, choices=CertificateKind, default=CertificateKind.PAPER)
    status = models.CharField(
        "状态", max_length=20, choices=CertificateStatus, default=CertificateStatus.MAKING
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    booking_closes_at = models.DateTimeField("邮寄预约截止", null=True, blank=True)
    custody_until = models.DateField("代为保管至", null=True, blank=True)
    tracking_number = models.CharField("快递单号", max_length=40, blank=True)
    collected_by = models.CharField("领取人", max_length=50, blank=True)
    collected_by_agent = models.BooleanField("他人代领", default=False)
    authorisation = models.FileField(
        "授权委托书", upload_to=certificate_upload_to, max_length=200, blank=True
    )
    collected_at = models.DateTimeField("领取时间", null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="补发自"
    )
    # The electronic certificate: a signed PDF, its digest, and the code its QR carries.
    pdf = models.FileField("电子证书", upload_to=certificate_upload_to, max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField("验证码", max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "number"]
        verbose_name = verbose_name_plural = "证书"
        indexes = [models.Index(fields=["round", "status"], name="certificate_round_status")]

    def __str__(self):
        return f"{self.number} {self.holder_name}"

    @property
    def collectable(self) -> bool:
        """The bureau may record a pick-up: ready, booked for mail but not sent, or kept."""
        return self.status in (
            CertificateStatus.READY,
            CertificateStatus.MAIL_BOOKED,
            CertificateStatus.IN_CUSTODY,
        )

    @property
    def booking_open(self) -> bool:
        return (
            self.status == CertificateStatus.READY
            and self.booking_closes_at is not None
            and timezone.now() < self.booking_closes_at
        )


class MailBooking(models.Model):
    """预约邮寄 (seed 003): where the candidate wants the certificate sent, postage paid on
    delivery (到付)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="bookings")
    recipient = models.CharField("收件人", max_length=50)
    phone = models.CharField("收件人手机", max_length=11)
    province = models.CharField("省", max_length=20)
    city = models.CharField("市", max_length=20)
    district = models.CharField("区县", max_length=20)
    address = models.CharField("详细地址", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "邮寄预约"

    def __str__(self):
        return f"{self.certificate} → {self.recipient}"

    @property
    def full_address(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.address}"


class ReissueRequest(models.Model):
    """补（换）发 (seed 004): a holder asks for a certificate again; the city reviews it."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="reissue_requests")
    kind = models.CharField("类型", max_length=20, choices=ReissueKind)
    reason = models.CharField("说明", max_length=500)
    status = models.CharField("状态", max_length=20, choices=ReissueStatus, default=ReissueStatus.SUBMITTED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = "补（换）发申请"

    def __str__(self):
        return f"{self.certificate} · {self.get_kind_display()}"


class ReissueFile(models.Model):
    request = models.ForeignKey(ReissueRequest, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=30, choices=ReissueFileKind)
    file = models.FileField(upload_to=certificate_upload_to, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["request", "kind", "pk"]

    def __str__(self):
        return f"{self.request_id}:{self.kind}"


class ApiClient(models.Model):
    """A system of the province's (the national exam system, the certificate platform) that
    calls the API with a bearer token. Only the token's SHA-256 is stored; it is shown once.
    ``scopes`` say what it may do, ``cities`` (or ``all_cities``) where, ``rounds`` (when
    any) which rounds it may push rosters to."""

    name = models.CharField("系统名称", max_length=100)
    token_prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = models.JSONField("权限", default=list)
    all_cities = models.BooleanField("全省", default=False)
    cities = models.ManyToManyField(City, blank=True, related_name="+", verbose_name="市州")
    rounds = models.ManyToManyField(
        VerificationRound, blank=True, related_name="+", verbose_name="可推送名单的轮次"
    )
    per_minute = models.PositiveIntegerField("每分钟调用上限", default=600)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = verbose_name_plural = "接口调用方"

    def __str__(self):
        return self.name
