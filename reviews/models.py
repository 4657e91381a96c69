from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.enums import EducationLevel, IntegrityKind
from candidates.models import Application, City, Exam, Material, Organisation
from reviews.enums import AppealOutcome, DecisionKind, EmployerOutcome, MaterialReason, SignalKind


class CityReviewer(models.Model):
    """A reviewer of a city's HR bureau (市人社局人工核查人员). Sees only that city's items."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="city_reviewer"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="reviewers")
    # A fail is confirmed, and an appeal handled, by a second reviewer: only those the
    # administrator trusts with it.
    handles_second_checks = models.BooleanField("可处理不通过复核和申辩", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查人员"

    def __str__(self):
        return f"{self.city} · {self.user}"


class EligibilityRule(models.Model):
    """Years of relevant work an exam (at a level) requires for an education level, with the
    document and article it comes from (administrator-editable). A rule with an empty
    ``exam_level`` applies to every level of the exam that has no rule of its own."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="eligibility_rules")
    exam_level = models.CharField(
        "报考级别", max_length=20, blank=True, help_text="如 初级、中级、一级；不填则适用于该考试各级别。"
    )
    education_level = models.CharField("学历", max_length=20, choices=EducationLevel)
    required_years = models.PositiveSmallIntegerField("需从事相关专业工作年限")
    related_major_required = models.BooleanField(
        "须相关专业学历", default=False, help_text="报考条件要求所学专业与报考专业相关时勾选。"
    )
    source = models.CharField(
        "依据",
        max_length=200,
        blank=True,
        help_text="文件名称、文号及条款，如：人社部发〔2018〕xx号 第五条。",
    )
    demo = models.BooleanField("演示数据", default=False, help_text="演示数据不是正式报考条件，处处标明。")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["exam", "exam_level", "education_level"]
        verbose_name = verbose_name_plural = "报考条件（工作年限）"
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "exam_level", "education_level"], name="eligibility_unique_level"
            )
        ]

    def __str__(self):
        level = f" · {self.exam_level}" if self.exam_level else ""
        return f"{self.exam}{level} · {self.get_education_level_display()} · {self.required_years} 年"

    @property
    def source_text(self) -> str:
        """Where the figure comes from, as shown beside the pre-verdict."""
        if self.demo:
            return _("演示数据，非正式报考条件")
        return self.source or _("未注明依据，请核对报考条件原文")


class EmployerReview(models.Model):
    """The employer's initial review (单位资格初审) of one submission."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="employer_reviews")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=EmployerOutcome)
    checks = models.JSONField("已核对事项", default=list)
    reasons = models.TextField("退回原因", blank=True)
    fix_deadline = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "单位初审记录"

    def __str__(self):
        return f"{self.application_id} {self.get_outcome_display()}"


class StaffInvitation(models.Model):
    """An invitation to a staff account, accepted once before it expires: an HR user invites
    a colleague of the same organisation, an administrator invites a city's reviewer."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations", null=True, blank=True
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    handles_second_checks = models.BooleanField(default=True)
    email = models.EmailField()
    name = models.CharField(max_length=50)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation or self.city} → {self.email}"

    @property
    def for_reviewer(self) -> bool:
        return self.city_id is not None


class MaterialVerdict(models.Model):
    """A reviewer's verdict on one checklist item, as its files stood at that moment."""

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="verdicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ok = models.BooleanField("合格")
    reason = models.CharField("问题", max_length=30, choices=MaterialReason, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    versions = models.JSONField("所审文件版本", default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["material", "-created_at", "-id"]
        verbose_name = verbose_name_plural = "材料审核意见"

    def __str__(self):
        return f"{self.material} {'✓' if self.ok else '✗'}"


class Decision(models.Model):
    """A reviewer's decision on an application, with its reason. Never changed afterwards."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=DecisionKind)
    reason_code = models.CharField(max_length=30, blank=True)
    reason = models.TextField(blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "核查决定"
        indexes = [models.Index(fields=["reviewer", "created_at"])]

    def __str__(self):
        return f"{self.application_id} {self.get_kind_display()}"


class Appeal(models.Model):
    """申辩: a failed candidate's statement, handled by a reviewer who did not fail them."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    statement = models.TextField("申辩理由")
    submitted_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=AppealOutcome, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = verbose_name_plural = "申辩"

    def __str__(self):
        return f"{self.application_id} 申辩"


def evidence_upload_to(instance, filename):
    import uuid

    return f"revocations/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1][:8]}"


class Revocation(models.Model):
    """撤销: a pass revoked for fraud found later, by two administrators (one proposes with
    the reason and the evidence, another confirms or rejects)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="revocations")
    kind = models.CharField("情形", max_length=30, choices=IntegrityKind)
    reason = models.CharField("事实与理由", max_length=1000)
    evidence = models.FileField("证据", upload_to=evidence_upload_to, max_length=200)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    confirmed = models.BooleanField(null=True)
    decision_note = models.CharField("确认意见", max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = verbose_name_plural = "撤销核查通过"

    def __str__(self):
        return f"{self.application} · {self.get_kind_display()}"


class SampleDraw(models.Model):
    """抽查 (seeds 003, 004): a random second check of decided cases. The case list is frozen
    and its digest published with the rule before the seed is known; anyone with the list and
    the seed can recompute the sample (``manage.py recompute_sample``)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    rate_percent = models.PositiveSmallIntegerField("抽查比例（%）")
    strata = models.JSONField("分层", default=list)
    case_lines = models.TextField("冻结的案件清单")  # "application id,stratum" a line, sorted
    case_digest = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=40, default="sha256-smallest-k/v1")
    seed_rule = models.CharField("种子规则", max_length=300)
    seed = models.CharField("种子", max_length=200, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "抽查"

    def __str__(self):
        return f"抽查 #{self.pk} · {self.rate_percent}%"


class SampleCase(models.Model):
    """One sampled case, its second reviewer (chosen at random, never the deciding one), and
    what they found; a dispute goes to an administrator."""

    draw = models.ForeignKey(SampleDraw, on_delete=models.PROTECT, related_name="cases")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=200)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agrees = models.BooleanField(null=True)
    note = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField("管理员处理意见", max_length=500, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draw", "stratum", "pk"]

    def __str__(self):
        return f"{self.draw_id}:{self.application_id}"


class FraudSignal(models.Model):
    """One signal on an application, with its evidence (and the other application when a
    pair): shown on the review page and as a queue filter, never acted on by itself."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="signals")
    kind = models.CharField(max_length=30, choices=SignalKind)
    other = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    evidence = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "other"], name="signal_unique_pair")
        ]

    def __str__(self):
        return f"{self.application_id} · {self.get_kind_display()}"


class OcrCheck(models.Model):
    """What OCR read on an application's current files, compared with its declaration and
    roster entry (``reviews.crosscheck``), kept so the queue can filter on mismatches.
    Recomputed whenever a page is read or the application is submitted."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="ocr_check")
    mismatches = models.PositiveSmallIntegerField(default=0, db_index=True)
    matches = models.PositiveSmallIntegerField(default=0)
    not_found = models.PositiveSmallIntegerField(default=0)
    pages_read = models.PositiveIntegerField(default=0)
    pages_waiting = models.PositiveIntegerField(default=0)
    pages_unreadable = models.PositiveIntegerField(default=0)
    # {material kind: {"findings": [...], "hint": "..."}}
    items = models.JSONField(default=dict)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "机器识读核对"

    def __str__(self):
        return f"{self.application_id} · {self.mismatches}"
