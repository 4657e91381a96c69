from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.forms import NameField

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("表头：姓名、身份证号、考试、考试年度、市州、核查原因（1–6）。"),
    )


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
