"""The key–value head of a form: 项目名称, 主管部门, 实施单位, 自评得分, 填报日期 ….

A form prints each field as a label and its value, and pasted text puts the
value wherever the layout left it: after a colon in the same cell, in the
next cell (cells are tab-joined in TextLines, or cut by `|`), on the next
line, or run together with the next label (`项目名称委托业务项目主管部门219-…`).
The reader cuts every line into pieces at tabs and bars, finds the labels of
its vocabulary in each piece (longest first, spaces between characters
allowed), and takes as value the text up to the next label of the piece; a
label with nothing after it takes the next piece, unless that is a label too.
Each value is then read by what it must be: a name, a date, a score, a grade.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from extract.ir import Provenance
from normalize.dates import parse_report_date
from normalize.grades import grade_code
from normalize.orgs import clean_org_value, find_orgs, split_org
from normalize.text import trie_pattern
from parsers.textview import TextLine


def _spaced(word: str) -> str:
    out = []
    for ch in word:
        if ch in "()（）":
            out.append(r"[(（]" if ch in "(（" else r"[)）]")
        else:
            out.append(re.escape(ch))
    return r"[ \u3000]*".join(out)


# label -> kind; `unit1` beats `unit2` beats `unit3` (实施单位 is the unit a project form is about).
FIELD_LABELS: dict[str, str] = {
    "项目名称": "project",
    "主管部门": "superior", "主管单位": "superior",
    "项目实施单位": "unit1", "实施单位": "unit1",
    "单位名称": "unit2", "填报单位": "unit2", "预算单位": "unit2", "项目单位": "unit2", "被评价单位": "unit2",
    "部门(单位)名称": "unit3", "部门名称": "unit3", "部门(单位)": "unit3",
    "自评得分": "total", "自评总分": "total", "总得分": "total", "综合得分": "total", "评价得分": "total",
    "绩效评价得分": "total", "总分": "total",
    "评价等级": "grade", "自评等级": "grade", "评价等次": "grade", "自评等次": "grade", "绩效等级": "grade",
    "填报日期": "date", "报告日期": "date", "成文日期": "date", "评价报告时间": "date", "报告时间": "date",
}
# Labels with no field of ours: they end the value before them.
STOP_LABELS = (
    "项目负责人及电话", "项目负责人", "财务负责人", "填报人", "部门联系人", "联系人", "联系电话", "联络电话", "项目类别",
    "项目属性", "项目性质", "项目资金", "资金情况", "预算执行情况", "年度资金总额", "年度总体目标", "绩效指标",
    "主管部门编码", "主管部门审核意见", "审核意见", "项目起止时间", "起止时间", "预算编码", "评价方式", "评价机构",
    "财政处室", "财政审核评分", "财政审核", "立项依据", "项目概况", "项目基本情况", "报表编号", "一级指标", "二级指标",
    "三级指标", "年初预算数", "全年预算数", "项目立项", "实施内容", "下属二级预算单位数量", "单位公章", "公章",
)
_SUFFIX = r"(?:[ \u3000]*[(（][ \u3000]*(?:盖章|公章|签章|签字|\d+[ \u3000]*分|分)[ \u3000]*[)）])?"
_LABEL_WORDS = sorted(list(FIELD_LABELS) + list(STOP_LABELS), key=len, reverse=True)
LABEL_RE = re.compile("|".join(f"(?P<l{i}>{_spaced(w)}){_SUFFIX}" for i, w in enumerate(_LABEL_WORDS)))
_PLAIN_SUFFIX = r"(?:[(（](?:盖章|公章|签章|签字|\d+分|分)[)）])?"


def _squash_brackets(s: str) -> str:
    return s.replace("（", "(").replace("）", ")")


_WORD_OF = {_squash_brackets(w): w for w in _LABEL_WORDS}
# the label words as one trie-shaped pattern (common prefixes tried once: 项目(名称|负责人…))
PLAIN_LABEL_RE = re.compile(
    "(?P<w>" + trie_pattern([_squash_brackets(w) for w in _LABEL_WORDS]).replace(r"\(", "[(（]").replace(r"\)", "[)）]")
    + ")" + _PLAIN_SUFFIX)
# `部门` alone is a label only before a colon (部门:临沧市…); elsewhere it is a word.
DEPT_COLON = re.compile(r"(?<![\u4e00-\u9fa5])部门\s*[:：]")
PIECE_SPLIT = re.compile(r"[\t|｜]+")
_ANY_LABEL = re.compile("|".join(re.escape(w).replace(r"\(", "[(（]").replace(r"\)", "[)）]") for w in _LABEL_WORDS) + "|部门")
_SPACES = re.compile(r"[ \u3000]+")
_LABEL_CHARS = re.compile("[" + re.escape("".join(sorted({w[0] for w in _LABEL_WORDS} | {"部"}))) + "]")
VALUE_TRIM = re.compile(r"^[\s:：、,，;；|]+|[\s:：,，;；|]+$")
MAX_RUNON_VALUE = 40

SCORE = re.compile(r"^(?:为|是|共|得)?\s*(\d{1,3}(?:\.\d{1,2})?)(?!\d)(?!\s*[.、．](?!\d))\s*(分)?")
GRADE_WORD = re.compile(r"^[“\"「]?(优秀|良好|中等|合格|不合格|较差|优|良|中|差)[”\"」]?(?:等|级)?$")
GRADE_PREFIX = re.compile(r"^(?:为|是)?[“\"「]?(优秀|良好|中等|不合格|合格|较差|优|良|中|差)(?![\u4e00-\u9fa5])")
MAX_IN_LABEL = re.compile(r"[(（]\s*(\d+)\s*分\s*[)）]")
DATE_DAY_NO_RI = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)")


@dataclass
class FormFields:
    project: str | None = None
    superior: str | None = None  # 主管部门
    units: dict[str, str] = field(default_factory=dict)  # unit1/2/3 -> name as printed; unit4: unlabelled
    total_score: float | None = None
    max_score: float | None = None
    grade_raw: str | None = None
    date: str | None = None
    sources: dict[str, Provenance] = field(default_factory=dict)

    @property
    def unit(self) -> str | None:
        """The unit the form is about: 实施单位, else 单位名称 / 填报单位, else 部门(单位)名称."""
        for kind in ("unit1", "unit2", "unit3", "unit4"):
            if self.units.get(kind):
                return self.units[kind]
        return None

    @property
    def grade(self) -> str | None:
        return grade_code(self.grade_raw) if self.grade_raw else None

    def is_empty(self) -> bool:
        return not (self.project or self.superior or self.units or self.total_score is not None
                    or self.grade_raw or self.date)


@dataclass
class _Piece:
    text: str
    prov: Provenance


def _pieces(lines: list[TextLine]) -> list[_Piece]:
    out = []
    for line in lines:
        for part in PIECE_SPLIT.split(line.text):
            part = part.strip()
            if part:
                out.append(_Piece(part, line.prov))
    return out


@lru_cache(maxsize=16384)
def _labels(text: str) -> list[tuple[str, int, int, str]]:
    """(label word, start, end, the label as printed) in order (cached: pieces repeat, and a
    piece is asked for again as the value of the label before it)."""
    if not _LABEL_CHARS.search(text) or not _ANY_LABEL.search(_SPACES.sub("", text)):
        return []  # no label word at all (spaces aside): most prose and figures, found fast
    found = []
    # matched on the text without its spaces (a plain alternation is many times faster than
    # one that allows a space between every two characters), positions mapped back
    spaced = " " in text or "\u3000" in text
    keep = [i for i, ch in enumerate(text) if ch not in " \u3000"] if spaced else None
    squashed = "".join(text[i] for i in keep) if spaced else text
    for m in PLAIN_LABEL_RE.finditer(squashed):
        word = _WORD_OF[_squash_brackets(m.group("w"))]
        start, end = (keep[m.start()], keep[m.end() - 1] + 1) if spaced else (m.start(), m.end())
        found.append((word, start, end, text[start:end]))
    for m in DEPT_COLON.finditer(text):
        if not any(s <= m.start() < e for _, s, e, _ in found):
            found.append(("部门", m.start(), m.end() - 1, m.group(0)))
    return sorted(found, key=lambda f: f[1])


def _starts_with_label(text: str) -> bool:
    labels = _labels(text)
    return bool(labels) and labels[0][1] == 0


def read_form(lines: list[TextLine], limit: int = 400) -> FormFields:
    """The form fields of the first `limit` lines (the head and the verdict rows of a form)."""
    form = FormFields()
    pieces = _pieces(lines[:limit])
    for i, piece in enumerate(pieces):
        labels = _labels(piece.text)
        for j, (word, start, end, printed) in enumerate(labels):
            kind = FIELD_LABELS.get(word, "unit3" if word == "部门" else None)
            if kind is None:
                continue
            nxt = labels[j + 1][1] if j + 1 < len(labels) else len(piece.text)
            value = VALUE_TRIM.sub("", piece.text[end:nxt])
            following = []
            if not value and j + 1 == len(labels):
                following = [p for p in pieces[i + 1:i + 4]]
                if following and not _starts_with_label(following[0].text):
                    value = following[0].text
                    first_label = _labels(value)
                    if first_label:
                        value = VALUE_TRIM.sub("", value[:first_label[0][1]])
                    following = following[1:]
                else:
                    following = []
            elif j + 1 == len(labels) and len(value) > MAX_RUNON_VALUE:
                value = value[:MAX_RUNON_VALUE * 3]
            if value:
                _take(form, kind, printed, value, following, piece.prov)
            if kind == "superior" and form.superior and "unit4" not in form.units:
                orphan = _orphan_unit(piece.text[end:end + ORPHAN_REACH], form.superior)
                if orphan:
                    form.units["unit4"] = orphan
                    form.sources["unit4"] = piece.prov
    if not form.project:
        form.units.pop("unit4", None)
    return form


ORPHAN_REACH = 80


def _orphan_unit(text: str, superior: str) -> str | None:
    """A unit named in a project form's head right after its 主管部门, under no label we could read
    (`主管部门银川市教育局实施第位自评得分98…银川市第六中学`: OCR lost 实施单位): the implementing unit."""
    for name in find_orgs(text):
        if name != superior and not superior.startswith(name) and split_org(name)[0]:
            return name
    return None


def _take(form: FormFields, kind: str, label: str, value: str, following: list[_Piece], prov: Provenance) -> None:
    if kind == "project":
        if form.project is None:
            name = re.split(r"\s{2,}|\s(?=[\u4e00-\u9fa5]{2,}[:：])", value)[0].strip()
            if 2 <= len(name) <= 60:
                form.project = name
                form.sources["project"] = prov
    elif kind == "superior":
        if form.superior is None:
            name = clean_org_value(value)
            if name:
                form.superior = name
                form.sources["superior"] = prov
    elif kind.startswith("unit"):
        if kind not in form.units:
            name = clean_org_value(value)
            if name:
                form.units[kind] = name
                form.sources[kind] = prov
    elif kind == "total":
        if form.total_score is None:
            _take_score(form, label, value, following, prov)
    elif kind == "grade":
        if form.grade_raw is None:
            m = GRADE_PREFIX.match(value)
            if m:
                form.grade_raw = m.group(1)
                form.sources["grade"] = prov
    elif kind == "date":
        if form.date is None:
            date = _date(value)
            if date:
                form.date = date
                form.sources["date"] = prov


def _take_score(form: FormFields, label: str, value: str, following: list[_Piece], prov: Provenance) -> None:
    m = SCORE.match(value)
    if not m:
        return
    first = float(m.group(1))
    stated_max = MAX_IN_LABEL.search(label)
    rest = [p.text for p in following]
    inline = value[m.end():].strip()
    if inline and SCORE.fullmatch(inline):
        # `总分 100 95.5`: the maximum and the score in one piece (spaces between the cells)
        rest, value = [inline] + rest, m.group(0)
    second = SCORE.fullmatch(rest[0]) if rest else None
    if stated_max:
        form.max_score = float(stated_max.group(1))
        if first > form.max_score:
            return
        form.total_score = first
    elif second and value == m.group(0) and first in (100.0, 10.0, 1000.0) and float(second.group(1)) <= first:
        form.max_score, form.total_score = first, float(second.group(1))  # 总分 | 100 | 96
        rest = rest[1:]
    elif first <= 1000:
        form.total_score = first
    else:
        return
    form.sources["total_score"] = prov
    if form.grade_raw is None and rest:
        g = GRADE_WORD.match(rest[0])
        if g:
            form.grade_raw = g.group(1)  # 总分 | 100 | 96 | 优
            form.sources["grade"] = prov


def _date(value: str) -> str | None:
    m = DATE_DAY_NO_RI.match(value.strip())
    if m:  # 2022 年 5 月 20 (日 lost): still the day
        return parse_report_date(f"{m.group(1)}年{m.group(2)}月{m.group(3)}日")
    head = value.strip()[:20]
    if not re.match(r"^(?:20\d{2}|二[〇零]|[〇零一二三四五六七八九]{4})", head):
        return None
    return parse_report_date(head)
