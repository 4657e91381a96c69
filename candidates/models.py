import datetime
import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import rules
from .enums import (
    BACKLOG_STATUSES,
    EDITABLE_STATUSES,
    ApplicationKind,
    ApplicationStatus,
    DocumentKind,
    EducationLevel,
    EducationType,
    ExamHalf,
    Gender,
    IdType,
    IntegrityKind,
    OcrStatus,
    PhoneCodePurpose,
    PreviewStatus,
    RosterReason,
    RosterStatus,
    RoundKind,
    TechnicalClass,
)
from .validators import refuse_hidden_characters


class City(models.Model):
    """A prefecture-level city whose HR bureau verifies the candidates who registered there."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    verification_phone = models.CharField("审核部门电话", max_length=40, blank=True)
    exam_phone = models.CharField("考试部门电话", max_length=40, blank=True)
    notice_url = models.URLField("公告发布网址", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = verbose_name_plural = "市州"

    def __str__(self):
        return self.name


class Exam(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("考试名称", max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "资格考试"

    def __str__(self):
        return self.name


class Organisation(models.Model):
    """An employer; the credit code (统一社会信用代码) identifies it."""

    name = models.CharField("单位名称", max_length=100, validators=[refuse_hidden_characters])
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "单位"
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class EmployerHR(models.Model):
    """A user of an organisation's HR department (单位人事部门), who does the initial review."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employer_hr"
    )
    organisation = models.ForeignKey("Organisation", on_delete=models.PROTECT, related_name="hr_accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位人事账号"

    def __str__(self):
        return f"{self.organisation} · {self.user}"


class VerificationRound(models.Model):
    """One announced verification round (one notice): its city, exams and window."""

    name = models.CharField("名称", max_length=120)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="rounds")
    exams = models.ManyToManyField(Exam, related_name="rounds", verbose_name="考试")
    exam_year = models.PositiveSmallIntegerField("考试年度")
    kind = models.CharField("类型", max_length=20, choices=RoundKind, default=RoundKind.REGULAR)
    exam_half = models.CharField("考试举行于", max_length=10, choices=ExamHalf, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplementary_rounds",
        verbose_name="补办所属轮次",
    )
    opens_at = models.DateTimeField("申报开始时间")
    closes_at = models.DateTimeField("申报截止时间")
    publication_at = models.DateTimeField("公示时间", null=True, blank=True)
    appeal_closes_at = models.DateTimeField(
        "申辩截止时间", null=True, blank=True, help_text="不填则本轮不受理申辩。"
    )
    # No seed states the cut-off for counting years of work: each round says it.
    work_cutoff = models.DateField(
        "工作年限计算截止日期", help_text="工作年限计算到此日为止，向考生和核查人员显示。"
    )
    # Seed 003: results are reported within 15 days of the score release; appeals and the
    # supplementary round finish within two months of it.
    score_released_on = models.DateField(
        "成绩发布日期", null=True, blank=True, help_text="填写后，管理首页显示按成绩发布日期计算的期限。"
    )
    # After the pass (seeds 003, 004): how long candidates may book mail delivery of the
    # certificate, and the exam's end date, from which unclaimed certificates are kept 5 years.
    mail_booking_days = models.PositiveSmallIntegerField("证书邮寄预约天数", default=30)
    electronic_certificates = models.BooleanField(
        "发放电子证书",
        default=False,
        help_text="电子证书带验证码和二维码，并加数字签名；已发电子证书的不再补发纸质证书。",
    )
    exam_ended_on = models.DateField("考试结束日期", null=True, blank=True)
    contact_phones = models.CharField("咨询电话", max_length=200, blank=True)
    contact_address = models.CharField("联系地址", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = verbose_name_plural = "核查轮次"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_window_ordered"
            )
        ]

    def __str__(self):
        return self.name

    def window_state(self, now: datetime.datetime | None = None) -> str:
        """'upcoming', 'open' or 'closed'. The window includes its opening minute and
        ends at the closing time: closes_at 17:00 accepts 16:59:59, refuses 17:00:00."""
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now < self.closes_at:
            return "open"
        return "closed"

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        return self.window_state(now) == "open"

    @property
    def work_cutoff_date(self) -> datetime.date:
        return self.work_cutoff

    @property
    def is_supplementary(self) -> bool:
        """补办: the year's last verification (seed 003)."""
        return self.kind == RoundKind.SUPPLEMENTARY

    def appeals_open(self, now: datetime.datetime | None = None) -> bool:
        return self.appeal_closes_at is not None and (now or timezone.now()) < self.appeal_closes_at


class RosterEntry(models.Model):
    """A person on the official list of who must be verified in a round (附件1)."""

    # Few indexes on purpose: a roster is bulk-loaded 100,000 rows at a time, and every index
    # slows that down. The unique constraint (round, id_number, exam) serves lookups by round.
    round = models.ForeignKey(
        VerificationRound, on_delete=models.PROTECT, related_name="roster", db_index=False
    )
    name = models.CharField("姓名", max_length=50, validators=[refuse_hidden_characters])
    id_number = models.CharField("身份证号", max_length=18)
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="roster_entries", db_index=False)
    exam_year = models.PositiveSmallIntegerField("考试年度")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="roster_entries", db_index=False)
    reason = models.CharField("核查原因", max_length=2, choices=RosterReason)
    # The mobile number the person gave at exam registration, when the roster carries it:
    # the phone verified at the portal's registration is compared with it.
    phone = models.CharField("报名手机号码", max_length=11, blank=True)
    # The exam's own facts, as the roster gives them (seed 001: the city re-checks 专业 and
    # 考试成绩 among others). Text as written: levels and scores vary by exam.
    level = models.CharField("报考级别", max_length=20, blank=True, default="", db_default="")
    specialty = models.CharField("报考专业", max_length=60, blank=True, default="", db_default="")
    score = models.CharField("考试成绩", max_length=60, blank=True, default="", db_default="")
    admission_number = models.CharField("准考证号", max_length=30, blank=True, default="", db_default="")
    archive_number = models.CharField("档案号", max_length=30, blank=True, default="", db_default="")
    # 报考级别为“增项” (seeds 000, 001): the kind of application follows the roster.
    addition = models.BooleanField("增项", default=False, db_default=False)
    status = models.CharField("状态", max_length=20, choices=RosterStatus, default=RosterStatus.EXPECTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "id"]
        verbose_name = verbose_name_plural = "核查名单"
        constraints = [
            models.UniqueConstraint(fields=["round", "id_number", "exam"], name="roster_unique_person_exam")
        ]
        indexes = [models.Index(fields=["id_number"], name="roster_id_number")]

    def __str__(self):
        return f"{self.name}（{self.exam}）"


class CandidateProfile(models.Model):
    """The candidate's identity. Gender and birth date are derived from the ID number.

    An account is active only once its phone is verified by an SMS code. Only verified,
    unreleased accounts hold their ID number and phone exclusively: an account that never
    verified its phone does not block the real person, and an administrator can release an
    ID number held by the wrong person (``released_at``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="candidate")
    real_name = models.CharField("姓名", max_length=50, validators=[refuse_hidden_characters])
    id_type = models.CharField("证件类型", max_length=20, choices=IdType, default=IdType.RESIDENT)
    id_number = models.CharField("身份证号", max_length=18)
    phone = models.CharField("手机号码", max_length=11)
    gender = models.CharField("性别", max_length=1, choices=Gender)
    birth_date = models.DateField("出生日期")
    phone_verified_at = models.DateTimeField("手机号码验证时间", null=True, blank=True)
    released_at = models.DateTimeField("证件号码解除占用时间", null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField("解除占用原因", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考生"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(phone_verified_at__isnull=False, released_at__isnull=True),
                name="candidate_verified_id_number",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(phone_verified_at__isnull=False, released_at__isnull=True),
                name="candidate_verified_phone",
            ),
        ]
        indexes = [models.Index(fields=["id_number"]), models.Index(fields=["phone"])]

    def __str__(self):
        return self.real_name

    @property
    def holds_identity(self) -> bool:
        return self.phone_verified_at is not None and self.released_at is None


class PhoneCode(models.Model):
    """A one-time SMS code: only its keyed hash is stored; 5 minutes, 5 attempts."""

    phone = models.CharField(max_length=11)
    purpose = models.CharField(max_length=20, choices=PhoneCodePurpose)
    code_hash = models.CharField(max_length=64)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone", "created_at"]),
            models.Index(fields=["client_address", "created_at"]),
        ]

    def __str__(self):
        return f"{self.phone} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Application(models.Model):
    """A candidate's verification application in one round, with the declaration."""

    candidate = models.ForeignKey(CandidateProfile, on_delete=models.PROTECT, related_name="applications")
    round = models.ForeignKey(VerificationRound, on_delete=models.PROTECT, related_name="applications")
    # The verifying city (哪里报名哪里审核): the round's city, kept on the row because every
    # reviewer query is scoped by it and the queue is indexed on it.
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="applications")
    # The roster entry's exam, for the same reason: reviewers filter the queue by exam.
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="applications")
    # One live application per roster entry; an application voided when an administrator
    # released an ID number held by the wrong person stays, and the real person starts anew.
    roster_entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        "状态", max_length=30, choices=ApplicationStatus, default=ApplicationStatus.DRAFT
    )
    status_changed_at = models.DateTimeField("状态变更时间", default=timezone.now)

    # The declaration.
    application_kind = models.CharField(
        "申报类型", max_length=20, choices=ApplicationKind, default=ApplicationKind.NORMAL
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="工作单位",
    )
    major = models.CharField("所学专业", max_length=60, blank=True)
    education_level = models.CharField("学历", max_length=20, choices=EducationLevel, blank=True)
    education_type = models.CharField("学历类型", max_length=20, choices=EducationType, blank=True)
    technical_class = models.CharField("技工院校班级", max_length=20, choices=TechnicalClass, blank=True)
    school = models.CharField("毕业院校", max_length=100, blank=True)
    school_outside_hunan = models.BooleanField("毕业院校在湖南省外", default=False)
    graduation_date = models.DateField("毕业时间", null=True, blank=True)
    chsi_registered = models.BooleanField("学历已在学信网注册", default=True)
    certification_report_unavailable = models.BooleanField("无法提供学历认证报告", default=False)
    work_start_date = models.DateField("参加相关专业工作时间", null=True, blank=True)
    work_history = models.JSONField("工作经历", default=list, blank=True)
    professional_title = models.CharField("专业技术职务", max_length=60, blank=True)
    declared_at = models.DateTimeField("申报信息填写时间", null=True, blank=True)

    stamped_on_paper = models.BooleanField("纸质盖章（单位无初审账号）", default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="领取人",
    )
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    claimed_until = models.DateTimeField("领取有效期至", null=True, blank=True)
    fix_deadline = models.DateTimeField("修改（补正）截止时间", null=True, blank=True)
    # A reviewer of another city an administrator assigned to the step at hand (confirming a
    # fail, an appeal) when no reviewer of the city may take it; cleared when the status moves.
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="指派核查人员",
    )
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "核查申请"
        constraints = [
            models.UniqueConstraint(
                fields=["roster_entry"],
                condition=~Q(status=ApplicationStatus.VOID),
                name="application_one_live_per_entry",
            )
        ]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["status", "status_changed_at"]),
            models.Index(fields=["city", "status", "status_changed_at"]),
            models.Index(
                fields=["city", "status_changed_at", "id"],
                condition=Q(status__in=BACKLOG_STATUSES),
                name="application_city_backlog",
            ),
            models.Index(
                fields=["city", "exam", "status_changed_at", "id"],
                condition=Q(status__in=BACKLOG_STATUSES),
                name="application_city_exam_backlog",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} · {self.roster_entry.exam} · {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def reference(self) -> str:
        """The number printed on the receipt and quoted on the phone."""
        return self.reference_for(self.round.exam_year, self.pk)

    @staticmethod
    def reference_for(exam_year: int, pk: int) -> str:
        return f"HC{exam_year}{pk:08d}"

    @property
    def is_revocable(self) -> bool:
        """A pass that fraud found later may revoke (seeds 000, 001)."""
        return self.status == ApplicationStatus.PASSED

    @cached_property
    def employer_reviews_online(self) -> bool:
        """Fixed at submission; before it, whether the employer has HR accounts now."""
        if self.submitted_at:
            return not self.stamped_on_paper
        return bool(self.employer_id) and self.employer.hr_accounts.exists()

    def required_materials(self) -> list[rules.Requirement]:
        return rules.required_materials(self)

    def is_claimed_by_other(self, user, now: datetime.datetime | None = None) -> bool:
        return (
            self.claimed_by_id is not None
            and self.claimed_by_id != user.pk
            and self.claimed_until is not None
            and self.claimed_until > (now or timezone.now())
        )


def material_upload_to(instance, filename):
    """Stored names are generated, never taken from the user."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    today = timezone.localdate()
    return f"materials/{today:%Y/%m}/{uuid.uuid4().hex}.{ext}"


def preview_upload_to(instance, filename):
    today = timezone.localdate()
    return f"previews/{today:%Y/%m}/{uuid.uuid4().hex}.jpg"


def document_upload_to(instance, filename):
    today = timezone.localdate()
    return f"documents/{today:%Y/%m}/{uuid.uuid4().hex}.pdf"


class Material(models.Model):
    """One item of the checklist (e.g. 工作年限证明) of one application."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField("材料", max_length=40, choices=rules.MATERIAL_KIND_CHOICES)
    reopened = models.BooleanField("补正中", default=False, help_text="核查人员要求补正的材料重新开放上传。")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = verbose_name_plural = "材料"
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="material_unique_kind")]

    def __str__(self):
        return self.get_kind_display()


class MaterialVersion(models.Model):
    """One uploaded file of a material. Never overwritten or deleted: a file taken out
    of the current set is retired (``retired_at``), and its bytes stay stored."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="versions")
    # Each file has its own number (verdicts and the audit name files by it); files chosen
    # together in one upload are the parts of one version (``batch``), as the person sees it.
    number = models.PositiveIntegerField("文件序号")
    batch = models.PositiveIntegerField("版本", default=1)
    part = models.PositiveSmallIntegerField("本版第几个文件", default=1)
    parts = models.PositiveSmallIntegerField("本版文件数", default=1)
    file = models.FileField(upload_to=material_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小")
    content_type = models.CharField("类型", max_length=40)
    page_count = models.PositiveIntegerField("页数", default=1)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    retired_at = models.DateTimeField("移除时间", null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    preview = models.FileField(upload_to=preview_upload_to, max_length=200, blank=True)
    preview_status = models.CharField(max_length=10, choices=PreviewStatus, default=PreviewStatus.PENDING)

    class Meta:
        ordering = ["material", "number"]
        verbose_name = verbose_name_plural = "材料文件"
        constraints = [models.UniqueConstraint(fields=["material", "number"], name="version_unique_number")]

    def __str__(self):
        return f"{self.material} v{self.number}"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None

    @property
    def blurred_pages(self) -> list[int]:
        """Numbers of the pages too blurred to read well (warned at once, never refused)."""
        from candidates.quality import is_blurred

        return [page.number for page in self.pages.all() if is_blurred(page.sharpness)]

    @property
    def unreadable_pages(self) -> list[int]:
        """Numbers of the pages on which OCR read nothing."""
        unreadable = []
        for page in self.pages.all():
            try:
                if page.text.is_unreadable:
                    unreadable.append(page.number)
            except PageText.DoesNotExist:
                continue
        return unreadable

    @property
    def version_label(self) -> str:
        """第 2 版, or 第 2 版（1/3） for one of three files uploaded together."""
        from django.utils.translation import gettext

        if self.parts > 1:
            return gettext("第 {batch} 版（{part}/{parts}）").format(
                batch=self.batch, part=self.part, parts=self.parts
            )
        return gettext("第 {batch} 版").format(batch=self.batch)


class MaterialNote(models.Model):
    """The candidate's statement on an item a reviewer asked to fix, when no new file is
    needed (e.g. "the stamp is on page 2 of the existing scan"). Shown to the reviewer."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField("说明", max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["material", "created_at"]
        verbose_name = verbose_name_plural = "补正说明"

    def __str__(self):
        return f"{self.material} · {self.text[:20]}"


class MaterialPage(models.Model):
    """A page of a stored file rendered as an image for the reviewers' viewer."""

    version = models.ForeignKey(MaterialVersion, on_delete=models.PROTECT, related_name="pages")
    number = models.PositiveIntegerField()
    image = models.FileField(upload_to=preview_upload_to, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Fraud signals: a 64-bit perceptual hash cut in four indexed 16-bit bands (two pages
    # within 3 bits share a band: no all-pairs loop), a finer 256-bit hash to confirm a pair,
    # and the hash of a red seal's region when one is found.
    phash = models.BigIntegerField(null=True, blank=True)
    band0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    band1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    band2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    band3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    fine_hash = models.CharField(max_length=64, blank=True)
    stamp_hash = models.BigIntegerField(null=True, blank=True, db_index=True)
    stamp_fine = models.CharField(max_length=64, blank=True)
    # Variance of the Laplacian at 1,200 px wide (``candidates.quality``): low is blurred.
    sharpness = models.FloatField("清晰度", null=True, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="page_unique_number")]

    def __str__(self):
        return f"{self.version} p{self.number}"


class PageText(models.Model):
    """What OCR read on one page image (the one the reviewers' viewer shows, so the boxes
    are in its pixels): each line's text, box and confidence. Written once per page."""

    page = models.OneToOneField(MaterialPage, on_delete=models.PROTECT, related_name="text")
    status = models.CharField(max_length=12, choices=OcrStatus)
    text = models.TextField(blank=True)
    # [{"text": "...", "box": [x0, y0, x1, y1], "score": 0.99}, ...] in reading order.
    lines = models.JSONField(default=list)
    characters = models.PositiveIntegerField(default=0)
    engine = models.CharField(max_length=60)
    seconds = models.FloatField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "识读文字"

    def __str__(self):
        return f"{self.page} · {self.characters}"

    @property
    def is_unreadable(self) -> bool:
        return self.status == OcrStatus.UNREADABLE


class GeneratedDocument(models.Model):
    """A PDF the portal rendered for an application (receipt, pre-filled form)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64)
    source_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "source_digest"], name="document_unique_source"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.application_id}"


class Message(models.Model):
    """A message to a user (the candidate's message list), also sent by email."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_messages"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    # The words as message ids with their values, translated when shown: a message reads in
    # the language of the page it is read on. ``subject``/``body`` keep the words as sent
    # (the mail, and messages from before).
    parts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "站内消息"
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self):
        return self.subject

    @property
    def shown_subject(self) -> str:
        from candidates.services.messages import render_phrases

        return render_phrases([self.parts["subject"]]) if self.parts.get("subject") else self.subject

    @property
    def shown_body(self) -> str:
        from candidates.services.messages import render_phrases

        return render_phrases(self.parts["body"]) if self.parts.get("body") else self.body


class AuditEvent(models.Model):
    """An append-only record of who did what to which object, written in the same
    transaction as the change it records.

    Tamper-evident: every event carries the hash of the one before it (``sequence`` has
    no gaps), so a changed or removed row breaks the chain (``manage.py verify_audit_chain``).
    On PostgreSQL, triggers refuse UPDATE and DELETE on the table."""

    sequence = models.PositiveBigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = verbose_name_plural = "操作记录"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)


class OutboxJob(models.Model):
    """A job the portal means to run, written in the same transaction as the change that
    needs it. Sent to the broker after the commit; if the broker was unreachable, the
    periodic catch-up sends it later. Tasks are idempotent, so a job sent twice has its
    effect once."""

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发任务"
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self):
        return f"{self.task} {self.kwargs}"


class IntegrityRecord(models.Model):
    """诚信档案 (seed 001): what a person did, found by which decision, and the bar that
    follows (seed 004: five years from the decision, other periods configurable). By ID
    number, across rounds and exams. Never deleted."""

    id_number = models.CharField("身份证号", max_length=18, db_index=True)
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("情形", max_length=30, choices=IntegrityKind)
    description = models.CharField("事实", max_length=1000)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="integrity_records"
    )
    found_by = models.CharField("认定依据", max_length=200, help_text="如：核查决定、撤销决定及其编号。")
    decided_on = models.DateField("认定日期")
    bar_years = models.PositiveSmallIntegerField("不得报考年限", default=5)
    bar_until = models.DateField("不得报考至（不含当日）")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = verbose_name_plural = "诚信档案"

    def __str__(self):
        return f"{self.name} · {self.get_kind_display()} · {self.decided_on}"
