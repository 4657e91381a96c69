"""Facts a reviewer would otherwise work out by hand: age, gender, years of relevant work
up to the round's cut-off date, and a pre-verdict against the eligibility table.

Years of work: the declared periods (month precision; an open period runs to the
cut-off, or to today while the cut-off is still ahead: months not yet worked are not
counted), clipped there and merged where they overlap, counted in days. A
requirement of N years is met when the days reach the length of the N calendar years
that end on the cut-off date: a single period that starts exactly N years before the
day after the cut-off meets it, one starting a day later does not.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from candidates.enums import EducationLevel, EducationType, TechnicalClass

TECHNICAL_EQUIVALENT = {
    TechnicalClass.INTERMEDIATE: EducationLevel.SECONDARY,
    TechnicalClass.ADVANCED: EducationLevel.JUNIOR_COLLEGE,
    TechnicalClass.TECHNICIAN: EducationLevel.BACHELOR,
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive


@dataclass(frozen=True)
class WorkDuration:
    days: int
    years: int
    months: int

    def __str__(self) -> str:
        return _("{years} 年 {months} 个月").format(years=self.years, months=self.months)


@dataclass(frozen=True)
class PreVerdict:
    meets: bool | None  # None: no rule for this exam and education level
    text: str


def _month_start(value: str) -> datetime.date:
    return datetime.date.fromisoformat(f"{value}-01")


def _month_end(value: str) -> datetime.date:
    start = _month_start(value)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def counted_until(cutoff: datetime.date, today: datetime.date | None) -> datetime.date:
    """The last day counted: the cut-off, or today when the cut-off is still ahead."""
    return min(cutoff, today) if today else cutoff


def declared_periods(
    *,
    work_history: list[dict],
    work_start: datetime.date | None,
    cutoff: datetime.date,
    today: datetime.date | None = None,
) -> list[Period]:
    last = counted_until(cutoff, today)
    periods = []
    for row in work_history:
        start = _month_start(row["start"])
        end = _month_end(row["end"]) if row.get("end") else last
        end = min(end, last)
        if start <= end:
            periods.append(Period(start, end))
    if not periods and work_start and work_start <= last:
        periods.append(Period(work_start, last))
    return periods


def merge(periods: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: p.start):
        if merged and period.start <= merged[-1].end + datetime.timedelta(days=1):
            last = merged[-1]
            merged[-1] = Period(last.start, max(last.end, period.end))
        else:
            merged.append(period)
    return merged


def work_duration(periods: list[Period], *, cutoff: datetime.date) -> WorkDuration:
    days = sum((p.end - p.start).days + 1 for p in merge(periods))
    if days == 0:
        return WorkDuration(0, 0, 0)
    # Express the days as the calendar span that ends on the cut-off date.
    span = relativedelta(cutoff + datetime.timedelta(days=1), cutoff - datetime.timedelta(days=days - 1))
    return WorkDuration(days=days, years=span.years, months=span.months)


def required_days(*, years: int, cutoff: datetime.date) -> int:
    return (cutoff - (cutoff - relativedelta(years=years))).days


def effective_level(*, education_level: str, education_type: str, technical_class: str) -> str:
    """技工院校 classes count as 中专, 大专 or 本科 (湘人社发〔2019〕67号)."""
    if education_type == EducationType.TECHNICAL and technical_class in TECHNICAL_EQUIVALENT:
        return TECHNICAL_EQUIVALENT[TechnicalClass(technical_class)]
    return education_level


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return relativedelta(day, birth_date).years


def pre_verdict(
    *,
    level_label: str,
    required_years: int | None,
    duration: WorkDuration,
    cutoff: datetime.date,
    until: datetime.date | None = None,
) -> PreVerdict:
    if required_years is None:
        return PreVerdict(
            None,
            _("{level}：报考条件表中没有该考试该学历的年限要求，请人工判断。申报 {duration}。").format(
                level=level_label, duration=duration
            ),
        )
    meets = duration.days >= required_days(years=required_years, cutoff=cutoff)
    return PreVerdict(
        meets,
        _("{level}，需 {years} 年，申报 {duration}（截至 {cutoff}）：{verdict}").format(
            level=level_label,
            years=required_years,
            duration=duration,
            cutoff=(until or cutoff).isoformat(),
            verdict=_("符合") if meets else _("不足"),
        ),
    )
