"""Deadlines, report dates and grades."""
import pytest

from normalize.dates import parse_deadline, parse_report_date
from normalize.grades import grade_code


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024年12月底", "2024-12-31"),
        ("2024年11月底", "2024-11-30"),
        ("2024年7月底", "2024-07-31"),
        ("2024年2月底", "2024-02-29"),
        ("2023年2月底", "2023-02-28"),
        ("2024年6月末", "2024-06-30"),
        ("2024年6月底前", "2024-06-30"),
        ("2024年9月30日", "2024-09-30"),
        ("2024年9月30日前", "2024-09-30"),
        ("2024.6.30", "2024-06-30"),
        ("2024-06-30", "2024-06-30"),
        ("2024年底", "2024-12-31"),
        ("2024年末", "2024-12-31"),
        ("２０２４年１２月底", "2024-12-31"),
        ("2024年12月\n底", "2024-12-31"),
        ("2024年6月", "2024年6月"),
        ("6月底前", "6月底前"),
        ("清明节\n2024年9月30日", "清明节、2024-09-30"),
        ("按规定时间\n节点完成", "按规定时间节点完成"),
        ("持续推进", "持续推进"),
        ("持续跟进", "持续跟进"),
        ("2024年13月底", "2024年13月底"),
        ("", None),
        (" \n ", None),
        (None, None),
    ],
)
def test_parse_deadline(cell, expected):
    assert parse_deadline(cell) == expected


@pytest.mark.parametrize(
    "s, expected",
    [
        ("2022 年 12 月", "2022-12"),
        ("2022年12月5日", "2022-12-05"),
        ("2022.12", "2022-12"),
        ("2024年6月27日", "2024-06-27"),
        ("报告日期：2022年12月", "2022-12"),
        ("二〇二二年十二月", "2022-12"),
        ("年 月 日", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_report_date(s, expected):
    assert parse_report_date(s) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("优", "excellent"), ("优秀", "excellent"), ("A", "excellent"), ("“优”", "excellent"),
        (" 优 秀 ", "excellent"), ("良", "good"), ("良好", "good"), ("B", "good"),
        ("中", "fair"), ("中等", "fair"), ("合格", "fair"), ("一般", "fair"), ("C", "fair"),
        ("差", "poor"), ("不合格", "poor"), ("较差", "poor"), ("D", "poor"),
        ("很好", None), ("", None), (None, None),
    ],
)
def test_grade_code(raw, code):
    assert grade_code(raw) == code
