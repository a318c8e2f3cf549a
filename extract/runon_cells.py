"""Run-together table text (PDF previews, OCR'd previews) cut back into cells.

`三级指标分值指标值得分项目目标完整性4一目标明确、内容细化4` lost every cell
border. What the cells say still parts them: header words and level names
(one vocabulary, normalize.columns and normalize.levels), and figures, which
begin where a number begins and end with their unit. Figures glued together
by the lost border are parted where the text itself shows how:
`102370人` before `2370人` is `10` + `2370人` (the weight, then a target the
next cell repeats); `1010` before `是/否` is `10` + `10`; a text printed
twice over (target and result alike) is two cells.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.cellstream import StreamCell
from extract.runon_rules import cut_rule_line, rule_header
from normalize.columns import _VOCABULARY
from normalize.text import fix_ocr_value

LEVEL_WORDS = (
    "产出指标", "效益指标", "满意度指标", "成本指标", "数量指标", "质量指标", "时效指标", "经济效益指标",
    "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标", "社会公众或服务对象满意度指标",
    "项目产出", "项目效益", "项目决策", "项目管理", "项目完成指标", "项目效益指标", "部门决策", "综合管理",
)
END_WORDS = ("总分", "合计", "自评得分", "自评总分")
COMPOUNDS = ("执行率得分", "执行率权重")
# scoring-rule words (完成时间, 工作内容) occur inside indicator names: no cell border in run-on text
TASK_ROLES = ("criterion", "item", "section", "deadline", "lead", "office", "owner", "task_indicator", "task_target")
# words too common inside names to cut run-on text at (项目验收合格率 holds 项目)
GENERIC = ("项目", "金额", "编号")
NATURE_WORDS = ("定量指标", "定性指标", "正向指标", "反向指标")
# 是/否 (a core-indicator column) after a figure, and a % closing a name, are cells of their own
CORE_AFTER_FIGURE = re.compile(r"(?<=[\d%次份篇个人])(是|否)(?=[\u4e00-\u9fff“\"])")
UNIT_AFTER_NAME = re.compile(r"(?<=[\u4e00-\u9fff])%(?=[\u4e00-\u9fff\d]|$)")
PAREN = re.compile(r"^[（(][^()（）]{0,6}[)）]$")
UNIT = r"(?:%|万元|元|个月|人次|万人|平方米|公里|项(?!目)|年(?![度初底中])|[个人次场件户家座处份天月亩组台套篇名所只头辆本期批条块页])"
# a date is one figure: `2021年12月完成`; a digit glued before it is the cell before
DATE = r"20\d{2}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底前|底|前|完成|以前|之前)*"
# a figure is a run of digits and points (glued figures are parted later) with its unit
FIGURE = re.compile(rf"{DATE}|(?:[≥≤><=≧≦═]\s*)?\d(?:[\d.]*\d)?\s*{UNIT}?")
GLUED_DATE = re.compile(r"(?<!\d)(\d{1,2})(?=20\d{2}年\d{1,2}月)")
# an indicator's explanation (绩效标准 / 指标解释) begins 反映…: a cell of its own
EXPLANATION_START = re.compile(r"(?<=[\u4e00-\u9fff])(?=反映)")
# A bound stated in words after a rate's name, before the next name: `成本控制率不超预算水电气…`.
BOUND_TARGET = re.compile(r"(?<=[率度数量])((?:不超过|不超出|不超|不高于|不低于|不少于|不大于|不小于)"
                          r"(?:年度预算|预算|标准|计划|上年|批复数?|规定标准|合同约定))")
PAGE_MARK = re.compile(r"^\s*\d{1,2}\s*、\s*")
PLACEHOLDERS = re.compile(r"指标\s*[0-9Ll]\s*[:：]")
# a header word, a level name, or a form's point label `(10分)` stays with the word before it
POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[)）]|[（(][A-Za-z八/]{1,4}[)）]")
PLACEHOLDER = re.compile(r"^指标\s*[0-9Ll一二三四五六七八九]?\s*[:：]?$")


@lru_cache(maxsize=1)
def _words() -> re.Pattern[str]:
    # compounds of two header words (执行率得分) are read as their parts: run together
    # they cannot be told from the two columns side by side
    words = {w for w, role in _VOCABULARY if w not in COMPOUNDS and w not in GENERIC and role not in TASK_ROLES} \
        | set(LEVEL_WORDS) | set(NATURE_WORDS)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?:{alternation})(?:{POINTS.pattern})?")


@lru_cache(maxsize=1)
def _all_words() -> re.Pattern[str]:
    words = {w for w, role in _VOCABULARY if role not in TASK_ROLES} | set(LEVEL_WORDS)
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def header_word_count(text: str, enough: int = 3) -> int:
    """How many header or level words the text holds (counting stops at `enough`)."""
    n = 0
    for _ in _all_words().finditer(text):
        n += 1
        if n >= enough:
            break
    if n < enough and rule_header(text) is not None:
        return enough  # a scoring-rule header (its words are left out above: they occur in names)
    return n


_BRACKET_NOTE = re.compile(r"[（(][^()（）]{1,20}[)）]")


def looks_run_on(text: str) -> bool:
    """A line holding several header or level words run together (a header, or a long run-on page)."""
    if rule_header(text) is not None:
        return True  # a scoring-rule header run together (extract.runon_rules)
    words = _words().findall(text)
    if len(words) < 4:
        return False
    # a header cell's note in brackets (`指标值(包含数字及文字描述)`, `(万元)`) is no content
    core = _BRACKET_NOTE.sub("", text).replace(" ", "")
    return len(text) >= 60 or sum(len(w) for w in words) >= 0.6 * len(core)


def split_run_on(text: str, line: int) -> list[StreamCell]:
    from normalize.ocr_repair import repair

    # a preview page's chunk number (`2、`) at the line start, empty `指标2:` slots, OCR look-alikes
    # OCR'd figures (`≥IO户`, `9O%`) as figures: a run-on table's text is mostly values
    text = PLACEHOLDERS.sub("", PAGE_MARK.sub("", fix_ocr_value(repair(text))))
    # a scoring-rule table's rows: an item and its rule part by what they say (extract.runon_rules)
    ruled = cut_rule_line(text, line, _split_plain)
    return ruled if ruled is not None else _split_plain(text, line)


def _split_plain(text: str, line: int) -> list[StreamCell]:
    text = GLUED_DATE.sub(r"\1 ", text)
    text = EXPLANATION_START.sub(" ", text)
    text = BOUND_TARGET.sub(r" \1 ", text)
    pieces: list[str] = []
    pos = 0
    for m in _words().finditer(text):
        word = m.group(0)
        if word.endswith("率") and m.start() > pos and re.match(r"[\u4e00-\u9fff]", text[m.start() - 1]):
            continue  # `预算完成率`, `政府采购执行率`: a rate word ending a name is the name's, no border
        if m.start() > pos:
            pieces.extend(_split_figures(text[pos:m.start()]))
        pieces.append(word)
        pos = m.end()
    if pos < len(text):
        pieces.extend(_split_figures(text[pos:]))
    pieces = _attach_parentheticals(_part_glued(q.strip() for p in pieces for q in _split_marks(p).split(" ")))
    pieces = _part_header_from_label(pieces)
    return [StreamCell(text=p, line=line, line_end=line, line_start=k == 0, soft=True, row=line, joiner="")
            for k, p in enumerate(pieces) if p and not PLACEHOLDER.match(p)]


LEADING_UNIT = re.compile(r"^([（(][^()（）]{1,6}[)）])(.+)$")


def _part_header_from_label(pieces: list[str]) -> list[str]:
    """`资金来源 | （万元）金额年度资金总额 | 320.00`: a header's unit belongs to the word before
    it, and a header word (金额) glued to the first row's label (年度资金总额) is parted from it."""
    from parsers.finance_items import item_code

    out: list[str] = []
    for p in pieces:
        m = LEADING_UNIT.match(p)
        if m and out and not FIGURE.fullmatch(out[-1]):
            out[-1] += m.group(1)
            p = m.group(2)
        word = next((w for w in GLUED_HEADER_WORDS if p.startswith(w) and len(p) > len(w)), None)
        if word and item_code(p[len(word):]) is not None:
            out.extend([word, p[len(word):]])
            continue
        out.append(p)
    return out


# header words a money list's first row label may be glued to (its one amount column)
GLUED_HEADER_WORDS = ("金额", "预算数", "资金数", "数额")


def _split_marks(piece: str) -> str:
    return UNIT_AFTER_NAME.sub(" % ", CORE_AFTER_FIGURE.sub(r" \1 ", piece))


def _attach_parentheticals(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for p in pieces:
        if out and PAREN.match(p):
            out[-1] += p
        else:
            out.append(p)
    return out


# Qualitative targets and results (明显提升 | 效果明显): a name, its target and its result run
# together are parted where these end the text before the row's figures.
QUALITATIVE = ("明显提升", "显著提升", "有所提升", "稳步提升", "逐步提升", "持续提升", "不断提升", "明显提高",
               "显著提高", "有所提高", "逐步提高", "明显改善", "持续改善", "有效改善", "逐步改善", "效果明显",
               "效果显著", "成效明显", "成效显著", "作用明显", "达成预期指标", "达成预期", "达到预期", "符合要求",
               "达到要求", "按时完成", "全部完成", "基本完成", "持续发挥", "长期有效", "有效保障", "得到保障")
_QUALITATIVE_END = re.compile("(?:" + "|".join(sorted(QUALITATIVE, key=len, reverse=True)) + ")$")
MIN_NAME = 4


# a one-character grade printed as target and result (资金使用合规性好好: 好 | 好)
DOUBLED_GRADE = re.compile(r"([高好优良中低强])\1$")


def _peel_qualitative(text: str) -> list[str]:
    """`农村供水保障水平明显提升效果明显` -> 农村供水保障水平 | 明显提升 | 效果明显 (at most two values)."""
    d = DOUBLED_GRADE.search(text)
    if d and len(text) - 2 >= MIN_NAME:
        return [text[:-2], d.group(1), d.group(1)]
    tail: list[str] = []
    while len(tail) < 2:
        m = _QUALITATIVE_END.search(text)
        if not m or len(text) - len(m.group(0)) < MIN_NAME:
            break
        tail.insert(0, m.group(0))
        text = text[: m.start()]
    return [text] + tail


def _split_figures(chunk: str) -> list[str]:
    """Text and figures apart: `完整性4一目标明确` -> 完整性 | 4 | 一 | 目标明确."""
    return [q for p in _split_figures_only(chunk) for q in
            (_peel_qualitative(p) if not FIGURE.fullmatch(p) else [p])]


def _split_figures_only(chunk: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for m in FIGURE.finditer(chunk):
        # a figure inside a word (`1-4级`, `2021年度`) is no cell border
        before, after = chunk[m.start() - 1:m.start()], chunk[m.end():m.end() + 1]
        if before in ("-", "~") or after in ("-", "~", "/"):
            continue
        if m.start() > pos:
            out.append(chunk[pos:m.start()])
        out.append(m.group(0))
        pos = m.end()
        # a lone 一/—/- right after a figure is an empty cell's dash
        if chunk[pos:pos + 1] in ("一", "—", "-") and not re.match(r"[一—-][\u4e00-\u9fff]{0,1}[级类]", chunk[pos:pos + 3]):
            out.append("—")
            pos += 1
    if pos < len(chunk):
        out.append(chunk[pos:])
    return out


GLUED_CENTS = re.compile(r"\d+?\.\d{2}")


def _part_figures(p: str) -> list[str]:
    """Figures printed to the cent and run together: `186.40212.75` -> 186.40 | 212.75."""
    if p.count(".") >= 2 and re.fullmatch(r"[\d.]+%?", p):
        parts = GLUED_CENTS.findall(p.rstrip("%"))
        rest = p.rstrip("%")[sum(len(x) for x in parts):]
        if parts and (not rest or re.fullmatch(r"\d+(?:\.\d+)?", rest)):
            out = parts + ([rest] if rest else [])
            if p.endswith("%"):
                out[-1] += "%"
            return [q for x in out for q in _part_percent(x)]
    return _part_percent(p)


def _part_percent(p: str) -> list[str]:
    """`1093.24%`: a rate over 200% is a figure glued before a rate (10 | 93.24%); `0100%`: no
    figure starts with a zero before a digit, so the zero is a cell of its own (0 | 100%)."""
    z = re.fullmatch(r"0([1-9]\d*(?:\.\d+)?%)", p)
    if z:
        return ["0", z.group(1)]
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", p)
    if m and float(m.group(1)) > 200:
        digits = m.group(1)
        for k in (1, 2):
            head, tail = digits[:k], digits[k:]
            if tail and not tail.startswith(("0", ".")) and float(tail) <= 200:
                return [head, tail + "%"]
    return [p]


def _weight_score(p: str) -> list[str] | None:
    for k in (2, 1):
        w, sc = p[:k], p[k:]
        if sc and not sc.startswith("0") or sc in ("0",):
            try:
                if 0 < float(w) <= 100 and float(sc) <= float(w):
                    return [w, sc]
            except ValueError:
                continue
    return None


def _part_glued(pieces) -> list[str]:
    items = [q for p in pieces if p for q in _part_figures(p)]
    out: list[str] = []
    for k, p in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else ""
        if len(p) > 1 and p[0] in "是否" and out and re.fullmatch(r"\d+(?:\.\d+)?%?", out[-1]) \
                and not re.match(r"[是否][则认为有]", p):
            out.append(p[0])  # `22否“三公…`: the core column, then the next row's name
            p = p[1:]
        # `102370人` then `2370人`: a short figure glued to the one the next cell repeats
        if nxt and len(p) > len(nxt) and p.endswith(nxt) and re.fullmatch(r"\d{1,2}", p[:-len(nxt)]):
            out.extend([p[:-len(nxt)], nxt])
            continue
        # `1010` / `22` closing a row: weight and score printed together
        if re.fullmatch(r"\d{2,6}", p) and len(p) % 2 == 0 and p[:len(p) // 2] == p[len(p) // 2:] \
                and not nxt.startswith(("年", "月")) and (nxt[:1] in ("是", "否", "") or not nxt[:1].isdigit()) \
                and float(p[:len(p) // 2]) <= 100:
            out.extend([p[:len(p) // 2], p[len(p) // 2:]])
            continue
        # `108.2` closing a row after a result: weight 10 and score 8.2 (a score is no more than its weight)
        prev = out[-1] if out else ""
        if re.fullmatch(r"\d{3,4}(?:\.\d)?", p) and re.search(r"[%\u4e00-\u9fff]$", prev) \
                and not nxt[:1].isdigit() and not nxt.startswith(("年", "月")):
            split = _weight_score(p)
            if split:
                out.extend(split)
                continue
        # `总分10095.5`: the maximum 100 and the score run together
        if prev in END_WORDS and re.fullmatch(r"100\d{1,2}(?:\.\d+)?", p):
            out.extend(["100", p[3:]])
            continue
        # a text printed twice over: target and result alike
        half = len(p) // 2
        if len(p) >= 8 and len(p) % 2 == 0 and p[:half] == p[half:]:
            out.extend([p[:half], p[half:]])
            continue
        out.append(p)
    return out
