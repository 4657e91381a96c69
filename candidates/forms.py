import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates import rules
from candidates.enums import ApplicationKind, EducationLevel, EducationType, TechnicalClass
from candidates.models import Application, Exam
from candidates.validators import clean_name, normalise_credit_code, parse_id_number, validate_phone

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y.%m"]


class MonthField(forms.DateField):
    """A year and month (毕业时间 2004-06), stored as the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": _("例如 2004-06")}, format="%Y-%m")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("请按“年-月”填写，例如 2004-06。")})
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class NameField(forms.CharField):
    """A person's or organisation's name: NFKC, inner spaces collapsed, and refused with a
    message when it holds control, bidirectional or zero-width characters."""

    def __init__(self, *, name_label=None, **kwargs):
        self.name_label = name_label or kwargs.get("label") or _("名称")
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return clean_name(value, label=str(self.name_label)) if value else value


def _not_future(value: datetime.date | None, label: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("{label}不能晚于今天。").format(label=label))


class NewPasswordForm(forms.Form):
    """A new password typed twice."""

    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能全是数字，不能与身份证号、姓名相近。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned


class RegistrationForm(NewPasswordForm):
    field_order = ["real_name", "id_number", "phone", "email", "password1", "password2"]
    real_name = NameField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        min_length=18,
        help_text=_(
            "18 位居民身份证号码，末位 X 大小写均可；港澳台居民居住证、外国人永久居留身份证亦可。"
            "性别和出生日期由证件号码自动得出。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "text"}),
        error_messages={"min_length": _("身份证号应为 18 位。"), "max_length": _("身份证号应为 18 位。")},
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("用于接收核查结果通知（选填）。")
    )

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"]).id_number

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        validate_phone(phone)
        return phone


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("身份证号或手机号码"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("账号或密码不正确。考生请用身份证号或手机号码登录。"),
        "inactive": _("该账号已停用，请联系所在市州人社局。"),
        "unverified": _("您的手机号码尚未验证，请输入发送到该号码的验证码。"),
    }

    def confirm_login_allowed(self, user):
        profile = getattr(user, "candidate", None)
        if profile is not None and profile.phone_verified_at is None and profile.released_at is None:
            raise ValidationError(self.error_messages["unverified"], code="unverified")
        super().confirm_login_allowed(user)


SMS_CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "maxlength": 6}
)


class PhoneCodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, widget=SMS_CODE_WIDGET)


class PasswordResetRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("注册时的手机号码"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        validate_phone(phone)
        return phone


class PasswordResetCodeForm(NewPasswordForm):
    code = forms.CharField(label=_("短信验证码"), max_length=6, widget=SMS_CODE_WIDGET)
    field_order = ["code", "password1", "password2"]


class StaffPasswordResetForm(PasswordResetForm):
    """Staff reset by an emailed link; candidates' accounts are reset by SMS code instead."""

    def get_users(self, email):
        return [user for user in super().get_users(email) if getattr(user, "candidate", None) is None]


class IdentityReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("解除占用原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：经本人持身份证件到场核实，该账号系他人冒用身份证号注册。"),
    )


def education_problems(*, education_type, education_level, technical_class) -> dict[str, str]:
    """Education type, level and technical class that contradict each other (the declaration
    and the self-check ask the same): a technical school needs its class, and only it; a
    secondary school is 中专; higher education is 大专 or above."""
    problems = {}
    if education_type == EducationType.TECHNICAL and not technical_class:
        problems["technical_class"] = _("技工院校学历请选择班级类型。")
    elif education_type and education_type != EducationType.TECHNICAL and technical_class:
        problems["technical_class"] = _("只有技工院校学历需要选择班级类型。")
    secondary = education_type in (EducationType.HUNAN_SECONDARY, EducationType.OTHER_SECONDARY)
    if education_level and secondary and education_level != EducationLevel.SECONDARY:
        problems["education_level"] = _("中专学历的学历应选“中专”。")
    if (
        education_level
        and education_type == EducationType.HIGHER
        and education_level == EducationLevel.SECONDARY
    ):
        problems["education_level"] = _("高等教育学历应为大专及以上。")
    return problems


# The declaration in three short steps, each saved on its own.
DECLARATION_STEPS = {
    "employer": ("employer_name", "employer_credit_code", "professional_title"),
    "education": (
        "education_level",
        "education_type",
        "technical_class",
        "school",
        "school_outside_hunan",
        "major",
        "graduation_date",
        "chsi_registered",
        "certification_report_unavailable",
    ),
    "work": ("work_start_date",),
}
STEP_LABELS = {"employer": _("工作单位"), "education": _("学历"), "work": _("工作经历")}


def step_of(problem: str) -> str:
    """The step where a missing part of the declaration (a ``declaration_problems`` key) is filled."""
    if problem in ("employer", "declaration"):
        return "employer"
    if problem in ("work_start_date", "work_history"):
        return "work"
    return "education"


REQUIRED_FOR_DECLARATION = {
    "major",
    "education_level",
    "education_type",
    "school",
    "graduation_date",
    "work_start_date",
}


class DeclarationForm(forms.ModelForm):
    employer_name = NameField(label=_("工作单位名称"), max_length=100)
    employer_credit_code = forms.CharField(
        label=_("工作单位统一社会信用代码"),
        max_length=18,
        help_text=_("18 位，可在单位营业执照或“国家企业信用信息公示系统”查到。"),
    )
    graduation_date = MonthField(label=_("毕业时间"), required=False)
    work_start_date = MonthField(label=_("参加相关专业工作时间"), required=False)

    class Meta:
        model = Application
        fields = [
            "employer_name",
            "employer_credit_code",
            "major",
            "education_level",
            "education_type",
            "technical_class",
            "school",
            "school_outside_hunan",
            "graduation_date",
            "chsi_registered",
            "certification_report_unavailable",
            "work_start_date",
            "professional_title",
        ]
        help_texts = {
            "education_type": _("决定需要提供哪一种学历证明材料。"),
            "technical_class": (
                _("仅技工院校学历填写：中级工班按中专、高级工班按大专、预备技师（技师）班按本科。")
            ),
            "chsi_registered": (
                _("2002 年及以后取得的大专及以上学历，能在学信网查到并下载电子注册备案表的请勾选。")
            ),
            "certification_report_unavailable": _(
                "2002 年以前取得的学历或外省学历确实无法提供学历认证报告的请勾选；"
                "2005 年 6 月前湖南中专学历暂时无法取得认证报告的也请勾选。"
            ),
            "professional_title": _("如：助理工程师、经济师；没有可不填。"),
        }

    def __init__(self, *args, step: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step is not None:
            for name in [name for name in self.fields if name not in DECLARATION_STEPS[step]]:
                del self.fields[name]
        if self.instance.employer_id and "employer_name" in self.fields:
            self.fields["employer_name"].initial = self.instance.employer.name
            self.fields["employer_credit_code"].initial = self.instance.employer.credit_code
        # The marks follow the rules: what an 增项 application needs is only its employer.
        addition = self.instance.application_kind == ApplicationKind.ADDITION
        for name, field in self.fields.items():
            field.required = name in ("employer_name", "employer_credit_code") or (
                name in REQUIRED_FOR_DECLARATION and not addition
            )
            if field.required:
                field.error_messages["required"] = _("请填写{label}。").format(label=field.label)
        if "chsi_registered" in self.fields and not self.is_bound:
            # Only a degree of 2002 or later can be registered at chsi: the default follows.
            graduated = self.instance.graduation_date
            if graduated and graduated < rules.CHSI_CUTOFF:
                self.initial["chsi_registered"] = False

    def clean_employer_credit_code(self):
        return normalise_credit_code(self.cleaned_data["employer_credit_code"])

    def clean_graduation_date(self):
        value = self.cleaned_data.get("graduation_date")
        _not_future(value, _("毕业时间"))
        return value

    def clean_work_start_date(self):
        value = self.cleaned_data.get("work_start_date")
        _not_future(value, _("参加工作时间"))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.instance.application_kind == ApplicationKind.ADDITION:
            return cleaned
        graduated = cleaned.get("graduation_date")
        if "chsi_registered" in cleaned and graduated and graduated < rules.CHSI_CUTOFF:
            cleaned["chsi_registered"] = False  # not registered at chsi before 2002, whatever was ticked
        if "education_type" not in self.fields:
            return self._check_dates(cleaned)
        problems = education_problems(
            education_type=cleaned.get("education_type"),
            education_level=cleaned.get("education_level"),
            technical_class=cleaned.get("technical_class"),
        )
        if cleaned.get("education_type") != EducationType.TECHNICAL:
            problems.pop("technical_class", None)  # left over from another choice: cleared on save
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return self._check_dates(cleaned)

    def _check_dates(self, cleaned):
        graduated, started = cleaned.get("graduation_date"), cleaned.get("work_start_date")
        birth = self.instance.candidate.birth_date if self.instance.candidate_id else None
        if graduated and birth and graduated.year - birth.year < 14:
            self.add_error("graduation_date", _("毕业时间与出生日期不符，请核对。"))
        if started and birth and started.year - birth.year < 16:
            self.add_error("work_start_date", _("参加工作时间早于 16 周岁，请核对。"))
        return cleaned


class WorkPeriodForm(forms.Form):
    start = MonthField(label=_("起始年月"))
    end = MonthField(label=_("截止年月"), required=False, help_text=_("至今可不填"))
    employer = NameField(label=_("工作单位"), max_length=100)
    position = forms.CharField(label=_("从事专业工作（岗位）"), max_length=60)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        _not_future(start, _("起始年月"))
        if end:
            _not_future(end, _("截止年月"))
        if start and end and end < start:
            self.add_error("end", _("截止年月不能早于起始年月。"))
        return cleaned


class BaseWorkPeriodFormSet(forms.BaseFormSet):
    def history(self) -> list[dict]:
        """Every period on the page, changed or not, except the ones marked for removal and
        the blank extra rows."""
        rows = []
        deleted = set(map(id, self.deleted_forms))
        for form in self.forms:
            if id(form) in deleted or not form.cleaned_data:
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "start": data["start"].strftime("%Y-%m"),
                    "end": data["end"].strftime("%Y-%m") if data.get("end") else "",
                    "employer": data["employer"],
                    "position": data["position"],
                }
            )
        return sorted(rows, key=lambda r: r["start"])


WorkPeriodFormSet = forms.formset_factory(
    WorkPeriodForm, formset=BaseWorkPeriodFormSet, extra=2, max_num=12, validate_max=True, can_delete=True
)


def work_history_initial(history: list[dict]) -> list[dict]:
    return [
        {
            "start": datetime.date.fromisoformat(row["start"] + "-01"),
            "end": datetime.date.fromisoformat(row["end"] + "-01") if row.get("end") else None,
            "employer": row["employer"],
            "position": row["position"],
        }
        for row in history
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """Each file checked on its own; a refusal names the file it is about."""
        single = super().clean
        if not data and not self.required:
            return []
        items = data if isinstance(data, (list, tuple)) else [data]
        if not items:
            return [single(None, initial)]
        cleaned, errors = [], []
        for item in items:
            name = getattr(item, "name", "") or ""
            if item is not None and getattr(item, "size", None) == 0:
                errors.append(_("文件“{name}”是空的（0 字节），请重新选择。").format(name=name))
                continue
            try:
                cleaned.append(single(item, initial))
            except ValidationError as error:
                errors.extend(f"{name}：{message}" if name else message for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class MaterialUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("选择文件"),
        help_text=_(
            "PDF、JPG 或 PNG，每个文件不超过 20 MB；多页材料可一次选择多张图片，或上传一个多页 PDF。"
        ),
        error_messages={"required": _("请选择要上传的文件。")},
    )


class SelfCheckForm(forms.Form):
    """The public self-check (个人自审). Its fields are the URL query parameters."""

    kind = forms.ChoiceField(
        label=_("申报类型"), choices=ApplicationKind.choices, initial=ApplicationKind.NORMAL
    )
    education = forms.ChoiceField(
        label=_("学历类型"), choices=[("", _("请选择")), *EducationType.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("学历"), choices=[("", _("请选择")), *EducationLevel.choices], required=False
    )
    technical_class = forms.ChoiceField(
        label=_("技工院校班级"), choices=[("", "—"), *TechnicalClass.choices], required=False
    )
    graduated = MonthField(label=_("毕业时间"), required=False)
    registered = forms.BooleanField(label=_("学历已在学信网注册（能下载电子注册备案表）"), required=False)
    outside_hunan = forms.BooleanField(label=_("毕业院校在湖南省外"), required=False)
    no_report = forms.BooleanField(label=_("无法提供学历认证报告"), required=False)
    exam = forms.ModelChoiceField(
        label=_("报考考试（选填，用于查看工作年限要求）"),
        queryset=Exam.objects.order_by("name"),
        required=False,
        empty_label=_("不选"),
    )
    exam_level = forms.CharField(
        label=_("报考级别（选填）"), max_length=20, required=False, help_text=_("如 初级、中级、一级。")
    )

    def clean(self):
        """The education level as the rules count it: a technical school by its class
        (湘人社发〔2019〕67号); a secondary school is 中专, higher education 大专 or above."""
        cleaned = super().clean()
        problems = education_problems(
            education_type=cleaned.get("education"),
            education_level=cleaned.get("level"),
            technical_class=cleaned.get("technical_class"),
        )
        for role, message in problems.items():
            self.add_error({"education_level": "level"}.get(role, role), message)
        return cleaned

    def counted_level(self) -> str:
        from reviews.eligibility import effective_level

        data = self.cleaned_data
        education = data.get("education") or ""
        level = data.get("level") or ""
        if education in (EducationType.HUNAN_SECONDARY, EducationType.OTHER_SECONDARY):
            level = EducationLevel.SECONDARY
        return effective_level(
            education_level=level, education_type=education, technical_class=data.get("technical_class") or ""
        )

    def declaration(self):
        """The cleaned choices in the shape ``rules.required_materials`` reads."""
        data = self.cleaned_data
        return rules.DeclarationFacts(
            application_kind=data.get("kind") or ApplicationKind.NORMAL,
            education_type=data.get("education") or "",
            graduation_date=data.get("graduated"),
            chsi_registered=bool(data.get("registered")),
            school_outside_hunan=bool(data.get("outside_hunan")),
            certification_report_unavailable=bool(data.get("no_report")),
        )


class CommitmentForm(forms.Form):
    """告知承诺, confirmed on the check-your-answers page before the first submission."""

    commitment = forms.BooleanField(
        label=rules.COMMITMENT,
        error_messages={"required": _("请阅读并勾选承诺后再申报。")},
    )


class SupplementStatementsForm(forms.Form):
    """With 提交补正: for each reopened item, why no new file is needed (optional per item)."""

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[f"statement-{kind}"] = forms.CharField(
                label=rules.label_for(kind), required=False, max_length=1000, widget=forms.Textarea
            )

    def statements(self) -> dict[str, str]:
        return {
            name.removeprefix("statement-"): value
            for name, value in self.cleaned_data.items()
            if value and name.startswith("statement-")
        }
