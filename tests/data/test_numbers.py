"""Numbers written for people (money, percentages, units, local marks) read as amounts: each
case of a first-use pass's export files, which were left out as "id-like" or kept as 364
categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.data.numbers import read_numbers


def _read(values: list[str]) -> tuple[list[float], list[str]]:
    reading = read_numbers(pd.Series(values, dtype=object), np.zeros(len(values), dtype=bool))
    return [None if np.isnan(v) else float(v) for v in reading.values], reading.how()


@pytest.mark.parametrize(
    ("written", "numbers", "said"),
    [
        (["$2,062.87", "$15.00"], [2062.87, 15.0], ["thousands separators dropped", "'$' dropped"]),
        (
            ["€2.062,87", "€15,00"],
            [2062.87, 15.0],
            ["thousands separators dropped", "decimal commas read as points", "'€' dropped"],
        ),
        (
            ["2\u00a0062,87", "3\u00a0000,10"],
            [2062.87, 3000.1],
            ["thousands separators dropped", "decimal commas read as points"],
        ),
        (["2 063 kr", "15 kr"], [2063.0, 15.0], ["thousands separators dropped", "'kr' dropped"]),
        (["51.3%", "48.7 %", "12%"], [51.3, 48.7, 12.0], ["'%' dropped"]),
        (["71.3 kg", "59.6kg"], [71.3, 59.6], ["'kg' dropped"]),
        (
            ["\u2212825", "(1,200)", "1,300"],
            [-825.0, -1200.0, 1300.0],
            ["thousands separators dropped", "(1,200) read as -1200"],
        ),
        (["1.234.567", "2.000"], [1234567.0, 2000.0], ["thousands separators dropped"]),
        (["12,5", "4,0"], [12.5, 4.0], ["decimal commas read as points"]),
        (
            ["4,98,511", "98,511", "12,34,567"],
            [498511.0, 98511.0, 1234567.0],
            ["thousands separators dropped"],
        ),
    ],
)
def test_numbers_written_for_people_are_amounts(written, numbers, said) -> None:
    assert _read(written) == (numbers, said)


def test_a_column_is_read_as_a_whole_not_cell_by_cell() -> None:
    """Mostly thousands (``1,626``): a few ``1,9`` are no numbers there (they read 1.626
    before, and every ``1,626`` with them); codes with a letter each are no units."""
    thousands = _read(["1,626", "956", "2,100", "1,9"])
    assert thousands == ([1626.0, 956.0, 2100.0, None], ["thousands separators dropped"])
    assert _read(["12A", "13B", "14C"]) == ([None, None, None], [])
    assert _read(["123A", "456A"]) == ([None, None], [])  # one capital: a code, not a unit
    assert _read(["20.1°C", "18.5°C"]) == ([20.1, 18.5], ["'°C' dropped"])
    assert _read(["12 kg", "3 lb", "4 kg"]) == ([12.0, None, 4.0], ["'kg' dropped"])
    assert _read(["1.2.3", "2024-03-01", "hello 12"]) == ([None, None, None], [])


def test_a_table_exported_with_money_and_percentages_is_scanned_on_its_amounts() -> None:
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(600, 2))
    label = np.where(2.5 * signal[:, 0] - 2 * signal[:, 1] > 0, "yes", "no")
    wrong = rng.choice(600, 30, replace=False)
    label[wrong] = np.where(label[wrong] == "yes", "no", "yes")
    frame = pd.DataFrame(
        {
            "price": [f"${v:,.2f}" for v in 2000 + 500 * signal[:, 0]],
            "share": [f"{v:.1f}%" for v in 50 + 10 * signal[:, 1]],
            "label": label,
        }
    )
    report = databugs.scan(frame, label="label", jobs=1)
    reasons = {use["column"]: use for use in report.features}
    assert reasons["price"]["used_as"] == reasons["share"]["used_as"] == "numeric"
    assert (
        "'$' dropped" in reasons["price"]["reason"] and "'%' dropped" in reasons["share"]["reason"]
    )
    flagged = set(report.rows.loc[report.rows.is_label_issue, "row"])
    assert len(flagged & set(wrong)) >= 20
    amounts = frame.assign(
        price=(2000 + 500 * signal[:, 0]).round(2), share=(50 + 10 * signal[:, 1]).round(1)
    )
    plain = databugs.scan(amounts, label="label", jobs=1)
    assert flagged == set(plain.rows.loc[plain.rows.is_label_issue, "row"])  # as if typed


def test_dates_written_or_typed_are_scanned_as_the_days_they_are() -> None:
    """A sign-up date carrying the label was 257 categories (or left out as id-like): 0 flags,
    where the same dates as day numbers give 21 right ones."""
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(600, 2))
    label = np.where(2.5 * signal[:, 0] - 2 * signal[:, 1] > 0, "yes", "no")
    wrong = rng.choice(600, 30, replace=False)
    label[wrong] = np.where(label[wrong] == "yes", "no", "yes")
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.round(180 + 60 * signal[:, 0]), unit="D")
    days = (when - pd.Timestamp("1970-01-01")).days.to_numpy()
    frame = pd.DataFrame({"signup": days, "b": signal[:, 1], "label": label})
    plain = databugs.scan(frame, label="label", jobs=1)
    expected = set(plain.rows.loc[plain.rows.is_label_issue, "row"])
    assert len(expected & set(wrong)) >= 15
    for written in (when.strftime("%Y-%m-%d"), when.strftime("%d/%m/%Y"), pd.Series(when)):
        report = databugs.scan(frame.assign(signup=written), label="label", jobs=1)
        (use,) = [use for use in report.features if use["column"] == "signup"]
        assert use["used_as"] == "numeric" and "dates as days since 1970-01-01" in use["reason"]
        assert set(report.rows.loc[report.rows.is_label_issue, "row"]) == expected


def test_yes_and_no_written_many_ways_are_one_answer() -> None:
    """``yes``, ``Y``, ``TRUE``, ``1``, ``True``, ``y`` and their noes were 12 categories, and
    the flags of a table whose label follows the answer were right 58% of the time."""
    written = pd.Series(["yes", "Y", "TRUE", "1", "no", "N", "false", "0", "n/a"])
    from databugs.data.features import text_numbers

    assert np.array_equal(text_numbers(written)[:8], [1, 1, 1, 1, 0, 0, 0, 0])
    assert np.isnan(text_numbers(written)[8])
    assert np.isnan(text_numbers(pd.Series(["Y", "N", "U", "Y"]))).all()  # U: an answer more


def test_a_date_label_is_not_a_number_to_predict() -> None:
    """Read as days, a date label became a regression whose fix wrote ``18782`` over dates."""
    from databugs.data.task import CLASSIFICATION, choose_task

    dates = [str(pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(d))) for d in range(300)]
    choice = choose_task(dates, task="auto", label_sep=";", tag_columns=(), column="y", source="d")
    assert choice.kind == CLASSIFICATION


def test_one_value_from_another_locale_does_not_decide_for_the_column() -> None:
    """One ``1.234,5`` among 300 ``1,000``-style values read them all as 1, 2, 3; one ``2,5``
    among ``4.985``-style values read them as 4985 (and ``fix`` wrote ``2.020,1`` near 5)."""
    from databugs.data.features import text_numbers

    grouped = [f"{n:,}" for n in range(1000, 301000, 1000)]
    assert list(text_numbers(pd.Series([*grouped, "1.234,5"]))[:2]) == [1000.0, 2000.0]
    points = [f"{i % 10}.{i:03d}" for i in range(300)]
    assert text_numbers(pd.Series([*points, "2,5"]))[1] == 1.001
    dollars = [f"${i}.{i % 100:02d}" for i in range(1, 301)]
    assert text_numbers(pd.Series([*dollars, "$1.234,00"]))[0] == 1.01


def test_an_adversarial_pass_on_the_readers() -> None:
    """What a pass of hostile columns found: Excel's Accounting amounts were not read, one
    answer in three cases stayed six categories, ``N`` beside ``T``/``F`` was read as false,
    section numbers and codes were read as dates, and a dotted tie was read month first."""
    from databugs.data.features import text_numbers

    accounting = _read([" $ (1,200.00)", " $ - ", " $ 1,500.25 ", "$(50.00)"])
    assert accounting[0] == [-1200.0, 0.0, 1500.25, -50.0] and "'$' dropped" in accounting[1]
    euros = _read(["1.234,00 €", "-   €", "12,50 €", "(3,00 €)"])  # the zero after, too
    assert euros[0] == [1234.0, 0.0, 12.5, -3.0] and "'€' dropped" in euros[1]
    phones = text_numbers(pd.Series(["092 601 416", "044 123 456", "079 555 010"]))
    assert np.isnan(phones).all()  # no amount is grouped from a leading zero
    assert list(text_numbers(pd.Series(["1 250", "0,250", "2,5"]))) == [1250.0, 0.25, 2.5]
    answers = text_numbers(pd.Series(["TRUE", "True", "true", "FALSE", "False", "false"]))
    assert np.array_equal(answers, [1, 1, 1, 0, 0, 0])
    assert np.isnan(text_numbers(pd.Series(["T", "F", "N", "T"]))).all()
    for codes in (["6.7.7", "1.4.13", "2.3.1"], ["05-13-8744", "01-02-9999", "03-04-7777"]):
        assert np.isnan(text_numbers(pd.Series(codes))).all(), codes
    march = text_numbers(pd.Series(["01.03.2015", "02.03.2015", "03.03.2015"]))
    assert np.array_equal(march, [16495, 16496, 16497])  # 1 March 2015 (day first)
    slashes = text_numbers(pd.Series(["03/01/2015", "03/02/2015"]))
    assert np.array_equal(slashes, [16495, 16496])  # month first with slashes, as before


def _days(day: str) -> float:
    return float((pd.Timestamp(day) - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1))


def test_dates_with_two_digit_years_are_read_in_their_written_format() -> None:
    """pandas infers no format for ``3/14/21 13:05``, so each value was read alone by dateutil
    (200,000 timestamps: 18 s, now under 1 s), which read day-first dates month first where
    the day was 12 or less (``3-4-21``, ``3/4/21`` as 4 March: 36% of 4,321 dates wrong) and
    moved the century with today's date (``75`` was 2075 in 2026). Now the written formats, a
    fixed window of 1969-2068, and a column mixing dates with and without a time read whole."""
    from databugs.data.features import text_numbers

    for sep in "-/":
        written = pd.Series([f"13{sep}3{sep}21", f"3{sep}4{sep}21", f"31{sep}12{sep}99"])
        expected = [_days("2021-03-13"), _days("2021-04-03"), _days("1999-12-31")]
        assert list(text_numbers(written)) == expected, sep
    window = text_numbers(pd.Series(["1/2/75", "12/31/69", "1/2/68", "7/4/00"]))
    assert list(window) == [
        _days(d) for d in ("1975-01-02", "1969-12-31", "2068-01-02", "2000-07-04")
    ]
    mixed = text_numbers(
        pd.Series(["3/14/21 13:05", "3/15/21", "3/16/21 08:30:15", "3/17/21 9:00"])
    )
    assert list(mixed) == [
        _days("2021-03-14 13:05"),
        _days("2021-03-15"),
        _days("2021-03-16 08:30:15"),
        _days("2021-03-17 09:00"),
    ]


def test_dates_mixing_written_forms_read_whole_and_in_their_order() -> None:
    """Found in review: a column of ``3/4/2021`` with a few ``5/6/21`` was no date column
    (the two-digit formats read 3% and the rest was left), nor ISO beside ``5/6/21``; and
    day-first dates whose days are mostly 12 or less were read month first (132 of 180)."""
    from databugs.data.features import text_numbers

    years = [f"{m}/{d}/2021" for m in range(1, 13) for d in range(1, 26)] + ["5/6/21"] * 9
    assert not np.isnan(text_numbers(pd.Series(years))).any()
    iso = [f"2021-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 17)] + ["5/6/21"] * 80
    assert not np.isnan(text_numbers(pd.Series(iso))).any()
    day_first = [(d, m) for m in range(1, 13) for d in range(1, 16)]
    read = text_numbers(pd.Series([f"{d}/{m}/21" for d, m in day_first]))
    assert list(read) == [_days(f"2021-{m:02d}-{d:02d}") for d, m in day_first]
