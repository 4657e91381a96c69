from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.forms import NameField

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（.xlsx、.xls 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
        help_text=_(
            "须有姓名、身份证号（码）、核查原因三列；考试、考试年度、市州可省略（取本轮设置）。"
            "标题行、序号列均可保留，上传后可核对并修改各列对应的内容。"
        ),
    )


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: which field it holds, or none."""

    def __init__(self, *args, columns: list[dict], mapping: dict, field_labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = {index: field for field, index in mapping.items()}
        choices = [("", _("（不导入）")), *field_labels.items()]
        self.columns = []
        for index, column in enumerate(columns):
            name = f"column-{index}"
            self.fields[name] = forms.ChoiceField(
                label=column["label"] or _("第 {number} 列").format(number=index + 1),
                choices=choices,
                required=False,
                initial=chosen.get(index, ""),
            )
            self.columns.append((self[name], column["samples"]))

    def mapping(self) -> dict[str, int]:
        """field -> column index; a field chosen twice keeps both, for the service to refuse."""
        result: dict[str, int] = {}
        duplicates = []
        for name, field in self.cleaned_data.items():
            if not field:
                continue
            index = int(name.removeprefix("column-"))
            if field in result:
                duplicates.append(field)
            result.setdefault(field, index)
        if duplicates:
            raise forms.ValidationError(
                _("同一内容只能对应一列：{fields}。").format(fields="、".join(sorted(set(duplicates))))
            )
        return result


class ReportForm(forms.Form):
    name = NameField(label=_("举报人姓名（选填）"), name_label=_("举报人姓名"), required=False, max_length=50)
    contact = forms.CharField(label=_("联系方式"), max_length=100)
    text = forms.CharField(label=_("举报内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class ReportHandleForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结论"),
        choices=[("0", _("举报不属实")), ("1", _("举报属实，移出名单"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SupplementaryRoundForm(forms.Form):
    name = forms.CharField(label=_("补办轮次名称"), max_length=120)
    opens_at = forms.DateTimeField(
        label=_("申报开始时间"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("申报截止时间"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    publication_at = forms.DateTimeField(
        label=_("公示时间"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )


class PublicationTimeForm(forms.Form):
    publication_at = forms.DateTimeField(
        label=_("公示时间"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("到时自动生成并公布通过人员名单；留空则不自动公示。"),
    )


class AssignReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("指派给"), queryset=None, empty_label=_("请选择核查人员"))
    reason = forms.CharField(label=_("指派原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda user: (
            f"{user.city_reviewer.city.name} · {user.get_full_name() or user.username}"
        )


class AdministratorDecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("说明（申请人可见）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]


class ReviewerInviteForm(forms.Form):
    name = NameField(label=_("姓名"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("邀请链接发到这里，由本人设置用户名和密码。"))
    city = forms.ModelChoiceField(label=_("市州"), queryset=None, empty_label=_("请选择"))
    handles_second_checks = forms.BooleanField(
        label=_("可处理不通过复核和申辩"),
        required=False,
        initial=True,
        help_text=_("不通过须由另一名核查人员复核，申辩由未参与原核查的人员处理。"),
    )

    def __init__(self, *args, **kwargs):
        from candidates.models import City

        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.order_by("sort_order", "name")


class ReviewerUpdateForm(forms.Form):
    handles_second_checks = forms.BooleanField(required=False)
    active = forms.BooleanField(required=False)


class MailBookingForm(forms.Form):
    """预约邮寄: the recipient and the address (the region pickers come from the region table)."""

    recipient = NameField(label=_("收件人"), max_length=50)
    phone = forms.CharField(label=_("收件人手机号码"), max_length=11, min_length=11)
    province = forms.ChoiceField(label=_("省（自治区、直辖市）"))
    city = forms.CharField(label=_("市"), max_length=20)
    district = forms.CharField(label=_("区县"), max_length=20)
    address = forms.CharField(label=_("详细地址"), max_length=200, help_text=_("街道、门牌号、单元房号。"))

    def __init__(self, *args, **kwargs):
        from candidates.regions import provinces

        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("请选择")), *((p, p) for p in provinces())]

    def clean(self):
        from candidates.regions import cities_of, districts_of

        cleaned = super().clean()
        province, city, district = cleaned.get("province"), cleaned.get("city"), cleaned.get("district")
        if province and city and city not in cities_of(province):
            self.add_error(
                "city", _("“{city}”不在{province}，请从列表中选择。").format(city=city, province=province)
            )
        elif province and city and district and district not in districts_of(province, city):
            self.add_error(
                "district", _("“{district}”不在{city}，请从列表中选择。").format(district=district, city=city)
            )
        return cleaned


class CertificateCollectForm(forms.Form):
    collected_by = NameField(label=_("领取人姓名"), max_length=50)
    agent = forms.BooleanField(label=_("他人代领（须上传授权委托书）"), required=False)
    authorisation = forms.FileField(label=_("授权委托书扫描件"), required=False)


class SpreadsheetForm(forms.Form):
    file = forms.FileField(
        label=_("文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
