from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import ApplicationStatus as S
from candidates.forms import MultipleFileField, NameField
from candidates.models import Exam
from reviews.enums import DecisionKind, EmployerCheck, FailReason, MaterialReason


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("待处理（全部）")),
            (S.CITY_REVIEW, S.CITY_REVIEW.label),
            (S.PENDING_CONDITIONS, S.PENDING_CONDITIONS.label),
            (S.FAIL_PROPOSED, S.FAIL_PROPOSED.label),
            (S.APPEALED, S.APPEALED.label),
            (S.SUPPLEMENT, S.SUPPLEMENT.label),
            (S.PASSED, S.PASSED.label),
            (S.FAILED, S.FAILED.label),
        ],
    )
    exam = forms.ModelChoiceField(
        label=_("考试"), queryset=Exam.objects.all(), required=False, empty_label=_("全部")
    )
    employer = forms.CharField(label=_("单位名称或信用代码"), required=False, max_length=100)
    waiting = forms.ChoiceField(
        label=_("等待时间"),
        required=False,
        choices=[("", _("不限")), ("1", _("超过 1 天")), ("3", _("超过 3 天")), ("7", _("超过 7 天"))],
    )
    q = forms.CharField(
        label=_("查找"),
        required=False,
        max_length=40,
        help_text=_("姓名、身份证号或申请编号（HC 开头），查本市全部状态的申请。"),
    )
    signals = forms.BooleanField(label=_("只看有风险提示的"), required=False)
    ocr = forms.BooleanField(label=_("只看机器识读有不一致的"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("", _("等待最久在前")), ("newest", _("最近变更在前")), ("reference", _("按申请编号"))],
    )


class MaterialVerdictForm(forms.Form):
    ok = forms.TypedChoiceField(
        label=_("审核意见"),
        choices=[("1", _("合格")), ("0", _("不合格"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label=_("问题"), required=False, choices=[("", "—"), *MaterialReason.choices])
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("决定"), choices=DecisionKind.choices, widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(
        label=_("不通过原因"), required=False, choices=[("", "—"), *FailReason.choices]
    )
    reason = forms.CharField(
        label=_("说明（申请人可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    deadline = forms.DateTimeField(
        label=_("补正截止时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["kind"].choices = [(k, label) for k, label in DecisionKind.choices if k in allowed]
        if not self.is_bound:
            self.fields["deadline"].initial = (timezone.localtime() + timezone.timedelta(days=5)).replace(
                hour=17, minute=0, second=0, microsecond=0
            )


class EmployerApproveForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label=_("已核对原件"),
        choices=EmployerCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请逐项确认已核对的原件。")},
    )


class EmployerReturnForm(forms.Form):
    reasons = forms.CharField(
        label=_("退回原因（申请人可见）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": _("退回原因不能超过 %(limit_value)d 字（现有 %(show_value)d 字）。")},
    )


class EmployerBulkForm(EmployerApproveForm):
    applications = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": _("请至少选择一份申请。")}
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(pk, pk) for pk in choices]


class InviteForm(forms.Form):
    name = NameField(label=_("同事姓名"), max_length=50)
    email = forms.EmailField(label=_("同事电子邮箱"))


class InvitationAcceptForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,40}$",
        error_messages={"invalid": _("用户名为 3–40 位字母、数字或 _.@-。")},
    )
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("申辩理由"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    files = MultipleFileField(label=_("新的证明材料（可选）"), required=False)
