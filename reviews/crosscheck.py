"""Cross-checks of what OCR read on an application's pages against its declaration and its
roster entry: per item, each fact read (ID number, name, school, graduation date, employer,
the 备案表's online verification code and its validity) with "match", "differs" or "not
found", the page and the boxes to highlight, and hints that a page is not the document the
item asks for. Pure functions: aids for the reviewer, who decides."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

MATCH, DIFFERS, NOT_FOUND = "match", "differs", "not_found"
OUTCOME_LABELS = {MATCH: _("一致"), DIFFERS: _("不一致"), NOT_FOUND: _("未找到")}

EDUCATION_KINDS = {
    "edu_chsi_record",
    "edu_chsi_report",
    "edu_hunan_secondary_query",
    "edu_hunan_education_report",
    "edu_enrolment_roster",
    "edu_other_province_report",
    "edu_cscse",
    "edu_party_school",
    "edu_technical_hunan",
    "edu_technical_national",
    "edu_technical_provincial",
    "edu_graduate_form",
    "edu_diploma",
}
EMPLOYER_KINDS = {"application_form", "work_years"}
# Words one expects on each kind of document; a readable page with none of them gets a hint.
KEYWORDS = {
    "application_form": ("报名表", "报考", "资格考试", "申请表", "报名"),
    "work_years": ("工作年限", "工作经历", "从事", "证明", "工作"),
    "exemption_proof": ("免试", "证书", "职称", "资格"),
    "first_qualification": ("资格证书", "证书", "资格"),
    **{kind: ("学历", "毕业", "学信", "学籍", "学校", "院校", "教育") for kind in EDUCATION_KINDS},
}
ID_CARD_WORDS = ("公民身份号码", "签发机关", "居民身份证", "有效期限")

ID_PATTERN = re.compile(r"(?<![0-9])([1-9][0-9]{16}[0-9X])(?![0-9X])")
NAME_LABEL = re.compile(
    r"姓\s*名\s*[:：]?\s*([\u4e00-\u9fa5·]{2,4}?)(?=\n|$|[^\u4e00-\u9fa5·]|性别|身份|证件|出生|民族|工作|单位|学历|专业|同志)"
)
SCHOOL_LABEL = re.compile(r"(?:毕业院校|毕业学校|学校名称|院校名称)\s*[:：]?\s*([^\n:：]{2,40})")
EMPLOYER_LABEL = re.compile(r"(?:单位名称|工作单位|用人单位)\s*[:：]?\s*([^\n:：]{2,40})")
# Where a labelled value ends when the next label follows on the same line.
VALUE_ENDS = re.compile(
    r"（盖章）|\(盖章\)|盖章|毕业时间|毕业日期|层次|专业|性别|证件号码|单位地址|联系电话|日期"
)
GRADUATION_LABEL = re.compile(r"毕业(?:日期|时间|年月)\s*[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})")
WORK_START = re.compile(r"(?:自|从|于)\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:起|至今|参加工作|开始|入职|在)")
CHSI_CODE = re.compile(r"(?:在线验证码|验证码)\s*[:：]?\s*([A-Z0-9]{10,20})")
CHSI_VALID = re.compile(
    r"(?:有效期至|验证有效期)\s*[:：]?\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})"
)


@dataclass(frozen=True)
class Facts:
    """What the application says, to compare with what the pages say."""

    name: str
    id_number: str
    school: str = ""
    graduation: datetime.date | None = None
    employer: str = ""
    work_start: datetime.date | None = None
    today: datetime.date = field(default_factory=datetime.date.today)


@dataclass(frozen=True)
class PageReading:
    page_id: int
    number: int  # page number within its file
    version_label: str
    lines: tuple[dict, ...]  # {"text", "box", "score"}
    unreadable: bool = False

    @property
    def text(self) -> str:
        return "\n".join(normalise(line["text"]) for line in self.lines)


FACT_LABELS = {
    "id_number": _("身份证号"),
    "name": _("姓名"),
    "school": _("毕业院校"),
    "graduation": _("毕业时间"),
    "employer": _("工作单位"),
    "work_start": _("参加相关专业工作时间"),
    "chsi_code": _("在线验证码"),
    "chsi_valid": _("在线验证有效期"),
}


@dataclass
class Finding:
    fact: str
    declared: str
    read: str = ""
    outcome: str = NOT_FOUND
    page_id: int | None = None
    page: str = ""
    boxes: list = field(default_factory=list)

    @property
    def label(self):
        return FACT_LABELS[self.fact]

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]

    @property
    def differs(self) -> bool:
        return self.outcome == DIFFERS

    @property
    def matches(self) -> bool:
        return self.outcome == MATCH

    def as_json(self) -> dict:
        return {
            "fact": self.fact,
            "declared": self.declared,
            "read": self.read,
            "outcome": self.outcome,
            "page_id": self.page_id,
            "page": self.page,
            "boxes": self.boxes,
        }


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC), spaces dropped, a lowercase x made upper."""
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("x", "X")


def id_numbers(text: str) -> list[str]:
    """18-character numbers that are ID numbers by the GB 11643 check digit: a certificate
    or order number of 18 digits matches the pattern, only the check digit tells them apart."""
    found = []
    for candidate in ID_PATTERN.findall(normalise(text)):
        if ric.is_valid(candidate) and candidate not in found:
            found.append(candidate)
    return found


def mask(id_number: str) -> str:
    return f"{id_number[:6]}********{id_number[-4:]}" if len(id_number) == 18 else id_number


def _where(pages: list[PageReading], needle: str) -> tuple[PageReading | None, list]:
    """The first page holding ``needle`` and the boxes of its lines that contain it."""
    needle = normalise(needle)
    for page in pages:
        boxes = [line["box"] for line in page.lines if needle and needle in normalise(line["text"])]
        if boxes:
            return page, boxes
        if needle and needle in page.text:
            return page, []
    return None, []


def _found(finding: Finding, pages: list[PageReading], needle: str, read: str, outcome: str) -> Finding:
    page, boxes = _where(pages, needle)
    finding.read, finding.outcome = read, outcome
    if page is not None:
        finding.page_id, finding.page, finding.boxes = page.page_id, page_label(page), boxes
    return finding


def page_label(page: PageReading) -> str:
    return f"{page.version_label} 第 {page.number} 页"


def _check_id(pages: list[PageReading], facts: Facts) -> Finding:
    finding = Finding("id_number", mask(facts.id_number))
    read = [number for page in pages for number in id_numbers(page.text)]
    if facts.id_number in read:
        return _found(finding, pages, facts.id_number, mask(facts.id_number), MATCH)
    if read:
        return _found(finding, pages, read[0], mask(read[0]), DIFFERS)
    return finding


def _check_name(pages: list[PageReading], facts: Facts) -> Finding:
    finding = Finding("name", facts.name)
    name = normalise(facts.name)
    if any(name in page.text for page in pages):
        return _found(finding, pages, name, facts.name, MATCH)
    for page in pages:
        labelled = NAME_LABEL.search(page.text)
        if labelled:
            return _found(finding, pages, labelled.group(1), labelled.group(1), DIFFERS)
    return finding


def _check_labelled(pages, fact, declared, pattern) -> Finding:
    finding = Finding(fact, declared)
    if not declared:
        return finding
    wanted = normalise(declared)
    if any(wanted in page.text for page in pages):
        return _found(finding, pages, wanted, declared, MATCH)
    for page in pages:
        labelled = pattern.search(page.text)
        if labelled:
            value = VALUE_ENDS.split(labelled.group(1))[0].strip("，,。；;")
            if len(value) < 2:
                continue
            # No fuzzy match: 湖南师范大学 and 华南师范大学 differ by one character too. The
            # reviewer sees both strings.
            return _found(finding, pages, value, value, DIFFERS)
    return finding


def _month_forms(date: datetime.date) -> tuple[str, ...]:
    y, m = date.year, date.month
    return (f"{y}年{m}月", f"{y}年{m:02d}月", f"{y}-{m:02d}", f"{y}.{m:02d}", f"{y}.{m}", f"{y}/{m:02d}")


def _check_graduation(pages: list[PageReading], facts: Facts) -> Finding:
    declared = facts.graduation
    finding = Finding("graduation", f"{declared:%Y-%m}" if declared else "")
    if declared is None:
        return finding
    for page in pages:
        labelled = GRADUATION_LABEL.search(page.text)
        if labelled:
            year, month = int(labelled.group(1)), int(labelled.group(2))
            read = f"{year}-{month:02d}"
            outcome = MATCH if (year, month) == (declared.year, declared.month) else DIFFERS
            return _found(finding, pages, labelled.group(0)[-7:], read, outcome)
    for form in _month_forms(declared):
        if any(form in page.text for page in pages):
            return _found(finding, pages, form, f"{declared:%Y-%m}", MATCH)
    return finding


def _check_work_start(pages: list[PageReading], facts: Facts) -> Finding:
    declared = facts.work_start
    finding = Finding("work_start", f"{declared:%Y-%m}" if declared else "")
    if declared is None:
        return finding
    for page in pages:
        found = WORK_START.search(page.text)
        if found:
            year, month = int(found.group(1)), int(found.group(2))
            outcome = MATCH if (year, month) == (declared.year, declared.month) else DIFFERS
            return _found(finding, pages, f"{year}年{found.group(2)}月", f"{year}-{month:02d}", outcome)
    return finding


def _check_chsi(pages: list[PageReading], facts: Facts) -> list[Finding]:
    code = Finding("chsi_code", "")
    validity = Finding("chsi_valid", "")
    for page in pages:
        found = CHSI_CODE.search(page.text)
        if found and not code.read:
            _found(code, pages, found.group(1), found.group(1), MATCH)
        until = CHSI_VALID.search(page.text)
        if until and not validity.read:
            try:
                date = datetime.date(*(int(part) for part in until.groups()))
            except ValueError:
                continue
            outcome = MATCH if date >= facts.today else DIFFERS
            _found(validity, pages, until.group(0)[-6:], f"{date:%Y-%m-%d}", outcome)
    return [code, validity]


def material_findings(kind: str, pages: list[PageReading], facts: Facts) -> list[Finding]:
    readable = [page for page in pages if not page.unreadable]
    if not readable:
        return []
    findings = [_check_id(readable, facts), _check_name(readable, facts)]
    if kind in EDUCATION_KINDS:
        findings.append(_check_labelled(readable, "school", facts.school, SCHOOL_LABEL))
        findings.append(_check_graduation(readable, facts))
    if kind in EMPLOYER_KINDS:
        findings.append(_check_labelled(readable, "employer", facts.employer, EMPLOYER_LABEL))
    if kind == "work_years":
        findings.append(_check_work_start(readable, facts))
    if kind == "edu_chsi_record":
        findings.extend(_check_chsi(readable, facts))
    return findings


def wrong_document_hint(kind: str, pages: list[PageReading], label: str) -> str:
    """A hint when a readable page does not look like the document the item asks for."""
    readable = [page for page in pages if not page.unreadable]
    if not readable:
        return ""
    text = "".join(page.text for page in readable)
    if sum(word in text for word in ID_CARD_WORDS) >= 2:
        return str(_("这里的页面看起来是身份证，不像“{label}”。")).format(label=label)
    words = KEYWORDS.get(kind)
    if words and not any(word in text for word in words):
        return str(_("这里的页面看起来不像“{label}”，请核对是否传错了材料。")).format(label=label)
    return ""


def identity_free(text: str, names: tuple[str, ...] = ()) -> str:
    """The page's text without ID numbers and the given names: what stays the same when one
    person's document is copied and only the name and number changed."""
    text = ID_PATTERN.sub("", normalise(text))
    for name in names:
        if name:
            text = text.replace(normalise(name), "")
    return text


def labelled_names(text: str) -> set[str]:
    return set(NAME_LABEL.findall(normalise(text)))
