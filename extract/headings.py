"""Which lines are headings, and at what level, in Chinese official documents.

The numbering conventions of 公文 are fixed: 一、 > （一） > 1. > （1）.
A numbered line is a heading when it is short or does not read as a sentence;
an unnumbered line can be a heading too (titles, 单位概况), which only the
parsers can confirm from what it says, so `plain_heading_candidate` is loose.
"""
from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"
NUMBERED_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^[{CN_NUM}]+\s*[、.．]")),
    (2, re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[)）]")),
    (3, re.compile(r"^\d{1,2}\s*[、.．](?!\d)")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[)）]")),
)
SENTENCE_END = ("。", "；", ";", "，", ",", "：", ":")
PAGE_NUMBER = re.compile(r"^\s*(?:[—\-–－]+\s*\d{1,4}\s*[—\-–－]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


def numbering(line: str) -> tuple[int, str] | None:
    """(level, the number as printed) of a numbered line, else None."""
    s = line.strip()
    for level, pattern in NUMBERED_LEVELS:
        m = pattern.match(s)
        if m:
            return level, m.group(0)
    return None


def heading_level(line: str) -> int | None:
    """The level of a numbered heading line, or None for body text."""
    s = line.strip()
    found = numbering(s)
    if not found or len(s) > 60:
        return None
    level, number = found
    body = s[len(number):].strip()
    if not body:
        return None
    # "1.把准政治方向，党的领导持续加强。全面加强…" is a paragraph with a lead-in.
    if len(s) > 32 and ("。" in s[:-1] or len(s) > 45):
        return None
    if s.endswith(SENTENCE_END[1:]) and len(s) > 25:
        return None
    return level


TABLE_FIGURES = re.compile(r"^\d+(?:\.\d+)?\s+(?:\d|[(（)）])|^\d+(?:\.\d+)?\s*[)）]")


def plain_heading_candidate(line: str) -> bool:
    """A short unnumbered line with no sentence punctuation: maybe a heading."""
    s = line.strip()
    if not s or len(s) > 40 or s.endswith(SENTENCE_END):
        return False
    if "。" in s or "；" in s or TABLE_FIGURES.match(s) or re.search(r"[\u4e00-\u9fff][,，]", s):
        return False  # a sentence's part, or a table row's figures leading its label (`5 5 合理性`)
    han = sum("\u4e00" <= c <= "\u9fff" for c in s)
    return han >= 3 and han >= len(s.replace(" ", "")) * 0.6


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line))


# A line naming a report or form: where a new document starts in a pasted file.
TITLE_WORDS = re.compile(
    r"(绩效评价报告|评价报告|自评报告|自评的报告|评价的报告|绩效报告|自评表|绩效目标表|目标表|批复表|申报表|"
    r"考评细则|考核细则|评分细则|任务分解表|分解表|决算|评价表)"
)


def looks_like_title(line: str) -> bool:
    """A short line whose words name a report or form, not a sentence citing one."""
    s = line.strip()
    if not s or len(s) > 70 or s.endswith(SENTENCE_END):
        return False
    if "《" in s or "印发" in s or s.startswith("附件") or "。" in s:
        return False
    if numbering(s):
        return False
    return bool(TITLE_WORDS.search(s))
