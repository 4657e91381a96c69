"""Which materials an application needs: the one place that encodes the notices' tables.

Seed 000 §三 and seed 002 §五: a normal application needs (一)(二)(三); an
exemption adds (四); an 增项 application needs only (五). Which education proof
(三) is wanted depends on the kind of school and the graduation date.

Everything here is pure: it takes a declaration-like object (an ``Application``
or the self-check form's cleaned data) and returns ``Requirement`` objects. The
candidate's checklist, the self-check page and the submit check all call
``required_materials``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Protocol

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationKind, EducationType

# 告知承诺: what the candidate confirms before the first submission; stored with it, word for
# word, in the audit trail (the same words as the signed form's 本人承诺).
COMMITMENT = (
    "本人已了解报考条件，承诺所填信息及所提供材料真实、完整、有效，符合相应考试报考条件。"
    "如有不实，愿意承担相应责任。"
)
CHSI_CUTOFF = datetime.date(2002, 1, 1)
HUNAN_SECONDARY_CUTOFF = datetime.date(2005, 6, 1)
TECHNICAL_HUNAN_YEARS = range(2005, 2014)  # 2005 to 2013 inclusive
TECHNICAL_NATIONAL_FROM = 2015


@dataclass(frozen=True)
class Requirement:
    code: str
    category: str
    title: str
    description: str

    @property
    def label(self):
        return format_lazy("{}{}", CATEGORY_LABELS[self.category], self.title)


CATEGORY_LABELS = {
    "一": _("（一）"),
    "二": _("（二）"),
    "三": _("（三）"),
    "四": _("（四）"),
    "五": _("（五）"),
    "申辩": _("申辩："),
}


def _req(code: str, category: str, title: str, description: str) -> Requirement:
    return Requirement(code=code, category=category, title=title, description=description)


# How the form gets its stamp: one wording per case, used by the checklist, the page beside
# the form's download and the form's own footer.
STAMP_ON_PAPER = _("打印后本人签名，交所在单位人事（人力资源）部门签名并加盖公章，再扫描上传。")
STAMP_ONLINE = _(
    "打印后本人签名，再扫描上传。您的单位已开通本系统在线初审，单位盖章由单位人事部门在线完成，无须纸质盖章。"
)
FORM_BASICS = _("《资格考试报名表》1份，在表格上方空白处注明本人手机号码。可在本系统下载已预填的报名表。")
APPLICATION_FORM = _req(
    "application_form", "一", _("资格考试报名表"), format_lazy("{} {}", FORM_BASICS, STAMP_ON_PAPER)
)
APPLICATION_FORM_ONLINE = _req(
    "application_form", "一", _("资格考试报名表"), format_lazy("{} {}", FORM_BASICS, STAMP_ONLINE)
)
WORK_YEARS = _req(
    "work_years",
    "二",
    _("工作年限证明"),
    _(
        "从事相关专业工作年限的证明材料，加盖单位公章或人事（人力资源）部门公章。"
        "在多家单位有过工作经历的，须在证明中一并注明。"
    ),
)
EXEMPTION_PROOF = _req(
    "exemption_proof",
    "四",
    _("免试部分科目证明材料"),
    _("符合免考部分科目条件的证明材料，如职称证书、聘书等，以考务文件中的免考条件为准。"),
)
FIRST_QUALIFICATION = _req(
    "first_qualification",
    "五",
    _("第一专业资格证书"),
    _("已经所在单位初审合格的第一专业资格证书（全科合格证书）复印件扫描件。"),
)

EDU_CHSI_RECORD = _req(
    "edu_chsi_record",
    "三",
    _("教育部学历证书电子注册备案表"),
    _("在学信网（www.chsi.com.cn）下载的《教育部学历证书电子注册备案表》，须在有效期内，无须盖章。"),
)
EDU_CHSI_REPORT = _req(
    "edu_chsi_report",
    "三",
    _("学信网学历认证报告"),
    _(
        "在学信网免费申请的学历认证报告，无须盖章。2002年以前取得的学历，"
        "以及2002年以后取得但未在学信网注册的学历，均提供此报告。"
    ),
)
EDU_HUNAN_SECONDARY_QUERY = _req(
    "edu_hunan_secondary_query",
    "三",
    _("湖南省中等职业学校毕业证查询结果"),
    _("在湖南省中等职业学校毕业证查询系统（https://zzxlrz.hnedu.cn）查询认证的结果页面截图或打印件。"),
)
EDU_HUNAN_EDUCATION_REPORT = _req(
    "edu_hunan_education_report",
    "三",
    _("省教育厅学历认证报告"),
    _(
        "湖南省教育厅出具的学历认证报告复印件（办理地点：湖南省大中专学校学生信息咨询与就业指导中心，"
        "电话 0731-82116082）。"
    ),
)
EDU_ENROLMENT_ROSTER = _req(
    "edu_enrolment_roster",
    "三",
    _("录取花名册或毕业生花名册"),
    _(
        "教育行政部门复印的录取花名册或毕业生花名册（加盖存档部门公章并留经办人姓名和办公电话）。"
        "学历认证报告出具后须补充提供。"
    ),
)
EDU_OTHER_PROVINCE_REPORT = _req(
    "edu_other_province_report",
    "三",
    _("学历认证报告（外省中专）"),
    _(
        "外省中专学历的学历认证报告复印件。无法提供学历认证报告的，勾选“无法提供学历认证报告”，"
        "改为提供档案中的毕业生登记表和毕业证书原件扫描件。"
    ),
)
EDU_CSCSE = _req(
    "edu_cscse",
    "三",
    _("国（境）外学历学位认证书"),
    _("教育部留学服务中心（中国留学网 www.cscse.edu.cn）出具的学历学位认证书；港澳台地区学历参照执行。"),
)
EDU_PARTY_SCHOOL = _req(
    "edu_party_school",
    "三",
    _("党校学历证明"),
    _("所在单位查验党校官方网站毕业证书查询页面的结果；网上无法查询的，提供党校出具的学历认证报告。"),
)
EDU_TECHNICAL_HUNAN = _req(
    "edu_technical_hunan",
    "三",
    _("湖南技工院校毕业证书查询结果"),
    _("湖南人力资源社会保障公共服务网技工院校毕业证书查询系统的查验结果页面（2005年至2013年毕业）。"),
)
EDU_TECHNICAL_NATIONAL = _req(
    "edu_technical_national",
    "三",
    _("全国技工院校毕业证书查询结果"),
    _("人力资源社会保障部全国技工院校毕业证书查询系统的查验结果页面（2015年及以后毕业）。"),
)
EDU_TECHNICAL_PROVINCIAL = _req(
    "edu_technical_provincial",
    "三",
    _("技工院校学籍认证查验结果"),
    _(
        "2005年以前或2014年毕业的，提供学籍认证查验结果：考点所在市州人力资源和社会保障局职业能力建设科（处）"
        "出具（2021年度上半年核查公告），或省人力资源社会保障厅职业能力建设处出具（核查补办公告），"
        "以本轮公告为准，可先向所在市州人社局咨询。"
    ),
)
EDU_GRADUATE_FORM = _req(
    "edu_graduate_form",
    "三",
    _("毕业生登记表"),
    _("本人档案中的毕业生登记表扫描件（适用于2002年以前取得的学历或外省学历、无法提供学历认证报告的情形）。"),
)
EDU_DIPLOMA = _req(
    "edu_diploma",
    "三",
    _("毕业证书原件扫描件"),
    _("毕业证书原件的彩色扫描件，与毕业生登记表一并提供。"),
)

APPEAL_EVIDENCE = _req(
    "appeal_evidence",
    "申辩",
    _("申辩材料"),
    _("申辩时提交的新证明材料，如补充的学历、工作年限或职称证明，用以说明核查结论有误。"),
)

ALL_REQUIREMENTS = {
    r.code: r
    for r in (
        APPLICATION_FORM,
        WORK_YEARS,
        EDU_CHSI_RECORD,
        EDU_CHSI_REPORT,
        EDU_HUNAN_SECONDARY_QUERY,
        EDU_HUNAN_EDUCATION_REPORT,
        EDU_ENROLMENT_ROSTER,
        EDU_OTHER_PROVINCE_REPORT,
        EDU_CSCSE,
        EDU_PARTY_SCHOOL,
        EDU_TECHNICAL_HUNAN,
        EDU_TECHNICAL_NATIONAL,
        EDU_TECHNICAL_PROVINCIAL,
        EDU_GRADUATE_FORM,
        EDU_DIPLOMA,
        EXEMPTION_PROOF,
        FIRST_QUALIFICATION,
        APPEAL_EVIDENCE,
    )
}
MATERIAL_KIND_CHOICES = [(r.code, r.label) for r in ALL_REQUIREMENTS.values()]


class Declaration(Protocol):
    application_kind: str
    education_type: str
    graduation_date: datetime.date | None
    chsi_registered: bool
    school_outside_hunan: bool
    certification_report_unavailable: bool
    employer_reviews_online: bool


@dataclass(frozen=True)
class DeclarationFacts:
    """The facts the rules read, for callers without an ``Application`` (the self-check)."""

    application_kind: str
    education_type: str
    graduation_date: datetime.date | None
    chsi_registered: bool = True
    school_outside_hunan: bool = False
    certification_report_unavailable: bool = False
    employer_reviews_online: bool = False


def education_proof_undetermined(declaration: Declaration) -> bool:
    """The education proof cannot be named yet: the kind needs one and no education is given."""
    return declaration.application_kind != ApplicationKind.ADDITION and not declaration.education_type


# The proofs that are a report someone must issue: where one cannot be had for an education
# obtained before 2002 or outside Hunan, the 特别提醒 route applies instead.
REPORTS = {
    "edu_chsi_report",
    "edu_hunan_education_report",
    "edu_enrolment_roster",
    "edu_other_province_report",
    "edu_party_school",
    "edu_technical_provincial",
}


def special_case_possible(declaration: Declaration) -> bool:
    """Seeds 000 and 002, 特别提醒: the education was obtained before 2002 or outside Hunan
    and what it calls for is a report. (A foreign degree is not 外省学历: its proof is the
    CSCSE certificate.)"""
    graduated = declaration.graduation_date
    if graduated is None or declaration.education_type in ("", EducationType.FOREIGN):
        return False
    early = graduated < CHSI_CUTOFF
    elsewhere = (
        declaration.school_outside_hunan or declaration.education_type == EducationType.OTHER_SECONDARY
    )
    return (early or elsewhere) and any(r.code in REPORTS for r in _usual_proof(declaration))


def special_case_applies(declaration: Declaration) -> bool:
    """特别提醒 applies: possible, and the candidate says no report can be had."""
    return declaration.certification_report_unavailable and special_case_possible(declaration)


def education_proof(declaration: Declaration) -> list[Requirement]:
    """The education proof (三) the declaration calls for; empty when undecidable."""
    if special_case_applies(declaration):
        return [EDU_GRADUATE_FORM, EDU_DIPLOMA]
    return _usual_proof(declaration)


def _usual_proof(declaration: Declaration) -> list[Requirement]:
    kind = declaration.education_type
    graduated = declaration.graduation_date
    if not kind or graduated is None:
        return []
    if kind == EducationType.HIGHER:
        if graduated >= CHSI_CUTOFF and declaration.chsi_registered:
            return [EDU_CHSI_RECORD]
        return [EDU_CHSI_REPORT]
    if kind == EducationType.HUNAN_SECONDARY:
        if graduated >= HUNAN_SECONDARY_CUTOFF:
            return [EDU_HUNAN_SECONDARY_QUERY]
        if declaration.certification_report_unavailable:
            return [EDU_ENROLMENT_ROSTER]
        return [EDU_HUNAN_EDUCATION_REPORT]
    if kind == EducationType.OTHER_SECONDARY:
        return [EDU_OTHER_PROVINCE_REPORT]
    if kind == EducationType.FOREIGN:
        return [EDU_CSCSE]
    if kind == EducationType.PARTY_SCHOOL:
        return [EDU_PARTY_SCHOOL]
    if kind == EducationType.TECHNICAL:
        if graduated.year in TECHNICAL_HUNAN_YEARS:
            return [EDU_TECHNICAL_HUNAN]
        if graduated.year >= TECHNICAL_NATIONAL_FROM:
            return [EDU_TECHNICAL_NATIONAL]
        return [EDU_TECHNICAL_PROVINCIAL]
    return []


def required_materials(declaration: Declaration) -> list[Requirement]:
    """The whole checklist for a declaration, in the order of the notices.

    When the employer reviews online, its HR department stamps the form as an attestation
    and issues the work-years proof in the portal, so the candidate uploads only the
    signed form for (一) and nothing for (二).
    """
    if declaration.application_kind == ApplicationKind.ADDITION:
        return [FIRST_QUALIFICATION]
    if declaration.employer_reviews_online:
        items = [APPLICATION_FORM_ONLINE, *education_proof(declaration)]
    else:
        items = [APPLICATION_FORM, WORK_YEARS, *education_proof(declaration)]
    if declaration.application_kind == ApplicationKind.EXEMPTION:
        items.append(EXEMPTION_PROOF)
    return items


def stamp_instruction(declaration: Declaration):
    """What to do with the printed form: stamped on paper, or signed only when the employer
    reviews online."""
    return STAMP_ONLINE if declaration.employer_reviews_online else STAMP_ON_PAPER


def requirement_for(code: str) -> Requirement | None:
    return ALL_REQUIREMENTS.get(code)


def label_for(code: str) -> str:
    requirement = ALL_REQUIREMENTS.get(code)
    return str(requirement.label) if requirement else code
