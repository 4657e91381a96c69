import datetime

import pytest

from reviews import eligibility

CUTOFF = datetime.date(2025, 12, 31)


def duration(history, *, start=None, cutoff=CUTOFF):
    periods = eligibility.declared_periods(work_history=history, work_start=start, cutoff=cutoff)
    return eligibility.work_duration(periods, cutoff=cutoff)


def verdict(history, years, *, start=None, cutoff=CUTOFF):
    return eligibility.pre_verdict(
        level_label="本科",
        required_years=years,
        duration=duration(history, start=start, cutoff=cutoff),
        cutoff=cutoff,
    )


def test_exactly_the_required_years_meets():
    result = verdict([{"start": "2023-01", "end": ""}], 3)
    assert result.meets is True
    assert result.text == "本科，需 3 年，申报 3 年 0 个月（截至 2025-12-31）：符合"


def test_one_day_short_does_not_meet():
    # Started on 1 January 2023, but the cut-off is the 30 December: one day short of 3 years.
    result = verdict([{"start": "2023-01", "end": ""}], 3, cutoff=datetime.date(2025, 12, 30))
    assert result.meets is False
    assert result.text.endswith("：不足")


def test_work_start_date_when_no_history():
    assert verdict([], 3, start=datetime.date(2023, 1, 1)).meets is True
    assert verdict([], 3, start=datetime.date(2023, 1, 2)).meets is False


def test_periods_are_clipped_at_the_cutoff_and_overlaps_count_once():
    history = [
        {"start": "2018-07", "end": "2020-06"},
        {"start": "2020-01", "end": "2021-12"},  # overlaps the first by six months
        {"start": "2026-01", "end": ""},  # after the cut-off: not counted
    ]
    result = duration(history)
    assert (result.years, result.months) == (3, 6)
    assert result.days == (datetime.date(2021, 12, 31) - datetime.date(2018, 7, 1)).days + 1


def test_gaps_are_not_counted():
    history = [{"start": "2015-01", "end": "2016-12"}, {"start": "2019-01", "end": "2019-12"}]
    assert (duration(history).years, duration(history).months) == (3, 0)


def test_four_years_two_months():
    result = verdict([{"start": "2021-11", "end": ""}], 3)
    assert result.meets is True
    assert "申报 4 年 2 个月" in result.text


def test_no_rule_asks_for_judgement():
    result = eligibility.pre_verdict(
        level_label="大专", required_years=None, duration=duration([]), cutoff=CUTOFF
    )
    assert result.meets is None
    assert "请人工判断" in result.text


@pytest.mark.parametrize(
    ("technical_class", "level"),
    [("intermediate", "secondary"), ("advanced", "junior_college"), ("technician", "bachelor")],
)
def test_technical_school_classes_count_as_levels(technical_class, level):
    assert (
        eligibility.effective_level(
            education_level="", education_type="technical", technical_class=technical_class
        )
        == level
    )


def test_age_on_the_cutoff():
    assert eligibility.age_on(datetime.date(1990, 12, 31), CUTOFF) == 35
    assert eligibility.age_on(datetime.date(1991, 1, 1), CUTOFF) == 34


def test_future_months_of_an_open_period_are_not_counted():
    """The cut-off is ahead (31 December) and today is 3 December: an open period counts to
    today, so a requirement met only by the cut-off is not met yet."""
    today = datetime.date(2025, 12, 3)
    history = [{"start": "2023-01", "end": ""}]
    periods = eligibility.declared_periods(work_history=history, work_start=None, cutoff=CUTOFF, today=today)
    assert periods[-1].end == today
    counted = eligibility.work_duration(periods, cutoff=CUTOFF)
    assert (counted.years, counted.months) == (2, 11)
    result = eligibility.pre_verdict(
        level_label="本科", required_years=3, duration=counted, cutoff=CUTOFF, until=today
    )
    assert result.meets is False and "（截至 2025-12-03）" in result.text
    # After the cut-off, today no longer matters.
    later = eligibility.declared_periods(
        work_history=history, work_start=None, cutoff=CUTOFF, today=datetime.date(2026, 3, 1)
    )
    assert later[-1].end == CUTOFF
    assert (
        eligibility.declared_periods(
            work_history=[], work_start=datetime.date(2025, 12, 20), cutoff=CUTOFF, today=today
        )
        == []
    )
