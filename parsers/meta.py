"""Document-level facts stated in words: organisation, year, scope, verdict, staffing.

Each is read by a pattern that names the fact (评价等级为“优”, 行政编制12人);
a fact the text does not state stays None. Patterns run over TextLines, so a
table row `人员编制\t10` and a sentence `共有编制10个` are read alike.
"""
from __future__ import annotations

import re
from functools import lru_cache
from collections import Counter

from normalize.dates import parse_report_date
from normalize.grades import grade_code
from normalize.numbers import parse_number
from normalize.orgs import (areas_of, complete_org, find_orgs, find_vague_orgs, leading_area, split_org)
from normalize.text import squash_spaces
from parsers.records import Evaluation, Staffing
from parsers.textview import TextLine

NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"
SEP = r"[\s\t]*(?:为|是|共|共计|合计|：|:)?[\s\t]*"

# --- organisation -------------------------------------------------------------------------------

ORG_LABEL = re.compile(r"(?:部门|单位|部门（单位）|部门\(单位\)|预算单位|项目单位|被评价单位|评价对象|实施单位)(?:名称)?[\s\t]*[：:\t][\s\t]*([^\t\s，。]{4,30})")
CLAUSES = re.compile(r"[，。；：、,;:()（）\t“”\"《》\s]+")
ORG_HINT_DEPT = re.compile(r"[局委办心院所厅署站馆会府学校协部联队]")
ORG_HINT_AREA = re.compile(r"[省市区县旗州盟]")
_VAGUE_AREA = re.compile(r"^(全|本|我|该|各|各级|市|县|区|旗|省)(区|县|市|旗|省)?$")


def _usable(name: str) -> bool:
    region, department = split_org(name)
    return bool(region and department) and not _VAGUE_AREA.match(region)


def find_org(title: str | None, lines: list[TextLine], form=None, hints=None) -> str | None:
    """The organisation a document is about.

    In order: the unit a form names (实施单位, 单位名称 …), a labelled name, the
    title, the form's 主管部门, the file's own name, the name the body repeats
    most, and last the publisher the page names (发布机构 / 来源). A name
    printed without its area (区卫生健康局, 市机关事务服务中心, 财政局) is
    completed by the area the title or the publisher gives, when one does.
    """
    titles = [t for t in [title] + list(getattr(hints, "file_titles", []) or []) if t]
    areas = [a for t in titles for a in areas_of(t)]
    publishers = hints.publisher_orgs() if hints is not None else []
    publisher_areas = [a for p in publishers for a in areas_of(p)]

    def complete(name: str | None) -> str | None:
        if not name:
            return None
        if _usable(name):
            return name
        return complete_org(name, publisher_areas) or complete_org(name, areas)

    if form is not None and form.unit:
        name = complete(form.unit)
        if name:
            return name
    for line in lines[:60]:
        m = ORG_LABEL.search(line.text)
        if m:
            names = [n for n in find_orgs(m.group(1)) if _usable(n)]
            if names:
                return names[0]
    if title:
        names = [n for n in find_orgs(squash_spaces(title)) if _usable(n)]
        if names:
            return names[0]
    if form is not None and form.superior:
        name = complete(form.superior)
        if name:
            return name
    for t in titles[1:]:
        names = [n for n in find_orgs(squash_spaces(t)) if _usable(n)]
        if names:
            return names[0]
    counted = _most_named(lines, title)
    if counted:
        return counted
    for t in titles:
        for level, department in find_vague_orgs(squash_spaces(t) + "\n" + _head_text(lines)):
            name = complete_org(level + department, areas)
            if name and department:
                return name
    for p in publishers:
        if _usable(p):
            return p
        zone = leading_area(title or "")
        if zone and not split_org(p)[0]:
            return zone + p  # 文章来源:财政局 under 高新区(江海区)… : the district's 财政局
        name = complete_org(p, areas)
        if name:
            return name
    return None


def _head_text(lines: list[TextLine], n: int = 20) -> str:
    return "\n".join(l.text for l in lines[:n])


_CITED = re.compile(r"《[^》]*》")


@lru_cache(maxsize=16384)  # a template's lines recur in every report made from it
def _names_in_line(text: str) -> tuple[str, ...]:
    """The usable organisation names of a line, in order, cited documents (《…》) left out."""
    # the full pattern is slow: tried only where a clause could hold a name (an
    # area character and a unit character), and the line first
    if not (ORG_HINT_DEPT.search(text) and ORG_HINT_AREA.search(text)):
        return ()
    out = []
    for clause in CLAUSES.split(_CITED.sub("", text)):
        if len(clause) < 4 or not (ORG_HINT_DEPT.search(clause) and ORG_HINT_AREA.search(clause)):
            continue
        out.extend(name for name in find_orgs(squash_spaces(clause)) if _usable(name))
    return tuple(out)


ADDRESSEE = re.compile(r"^[\u4e00-\u9fa5（）()、]{4,40}(?:局|委员会|委|办公室|中心|院|所|厅|办|署|站|馆|会|政府)[：:]?$")


def _most_named(lines: list[TextLine], title: str | None) -> str | None:
    """The name the body repeats most (first named on a tie); not an addressee, not a cited document."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    body_started = False
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not body_started and len(text) > 40:
            body_started = True
        if not body_started and not line.in_table and ADDRESSEE.match(text) and title and text not in title:
            continue  # 主送机关: the office the report is sent to
        for name in _names_in_line(text):
            counts[name] += 1
            first_seen.setdefault(name, i)
    if not counts:
        return None
    return max(counts, key=lambda n: (counts[n], -first_seen[n]))


# --- fiscal year ---------------------------------------------------------------------------------

YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年")
# a year in prose, not the year of a date (2022年12月) nor a cited document (〔2024〕)
YEAR_IN_TEXT = re.compile(r"(?<![\d〔\[])(20\d{2})\s*(?:年度|年(?!\s*\d{1,2}\s*月)|(?=项目|部门|整体))")


def title_year(title: str | None) -> int | None:
    m = YEAR_IN_TITLE.search(squash_spaces(title or ""))
    return int(m.group(1)) if m else None


_CITED_OR_LAST_YEAR = re.compile(r"《[^》]*》|上年度?|上一年度?")


def content_years(lines: list[TextLine], title: str | None = None) -> Counter[int]:
    """How often the body names each year (not dates, not cited documents, not the title)."""
    counts: Counter[int] = Counter()
    title_key = squash_spaces(title or "")
    for line in lines:
        if "20" not in line.text:  # no year of this century on the line
            continue
        if title_key and squash_spaces(line.text) in title_key:
            continue
        text = _CITED_OR_LAST_YEAR.sub("", line.text)
        for m in YEAR_IN_TEXT.finditer(text):
            counts[int(m.group(1))] += 1
    return counts


YEAR_IN_FILE_NAME = re.compile(r"(?<!\d)(20\d{2})(?:\s*年度?|(?=[\u4e00-\u9fa5]))")


def stated_fiscal_year(title: str | None, lines: list[TextLine], file_titles: list[str] | None = None) -> int | None:
    """The year the title (or a `（2024年度）` line under it, or the file's own name) states."""
    if title:
        m = YEAR_IN_TITLE.search(squash_spaces(title))
        if m:
            return int(m.group(1))
    head = [l for l in lines[:8] if not l.in_table]
    for line in head:
        m = re.search(r"[（(]\s*(20\d{2})\s*年度?\s*[)）]", line.text)
        if m:
            return int(m.group(1))
    for name in file_titles or []:
        m = YEAR_IN_FILE_NAME.search(squash_spaces(name))  # 惠州市交通运输局2021部门整体绩效自评报告.pdf
        if m:
            return int(m.group(1))
    return None


# --- scope and project --------------------------------------------------------------------------

PROJECT_NAME = re.compile(r"项目名称[ \t]*[：:\t][ \t]*([^\t\n，。]{2,60})")


PROJECT_TITLE = re.compile(r"项目(?:支出)?(?:绩效|自评|评价)|专项资金(?:绩效|评价)|项目[^，。]{0,12}自评报告|转移支付|(?:经费|资金)[^，。]{0,10}(?:绩效|自评)")
WHOLE_DEPARTMENT = re.compile(r"部门整体|整体支出|部门（单位）整体|部门\(单位\)整体|机关整体")
INTERNAL_ASSIGNMENT = re.compile(r"责任股室|责任科室|责任处室|牵头股室|牵头科室|责任股|牵头领导")


def find_scope(title: str | None, lines: list[TextLine], form=None, doc_type: str | None = None) -> tuple[str | None, str | None]:
    """`project` when a 项目名称 is given or the title is about one project or fund; else the department.

    A 考评细则 / 任务分解 has a scope only when it says so (部门整体, 项目支出) or
    assigns the department's own work to its sections (责任股室); a text of no
    known kind has none unless it says so.
    """
    t = squash_spaces(title or "")
    head = "\n".join(l.text for l in lines[:80])
    text = (title or "") + "\n" + head
    m = PROJECT_NAME.search(text)
    project = form.project if form is not None and form.project else (m.group(1).strip() if m else None)
    whole_department = WHOLE_DEPARTMENT.search(t)
    if doc_type in ("task_breakdown", "other"):
        if PROJECT_TITLE.search(t) and not whole_department:
            return "project", project
        if whole_department or (doc_type == "task_breakdown" and INTERNAL_ASSIGNMENT.search(re.sub(r"\s+", "", head))):
            return "department", None
        return None, None
    if project or (PROJECT_TITLE.search(t) and not whole_department):
        return "project", project
    if not whole_department and not t and re.search(r"项目负责人", head):
        return "project", None  # a form cut above its head: 项目负责人 signs a project's form
    return "department", None


# --- evaluation ----------------------------------------------------------------------------------

# a score is no list number (总分 3.部门整体…) and may follow a `(分)` / `(100分)` unit
TOTAL_SCORE = re.compile(rf"(?:总得分|综合得分|综合评分|自评得分|评价得分|最终得分|绩效得分|自评总分|评价总分|总评分|总分)(?:值)?"
                         rf"(?:[(（]\s*(?:\d+\s*)?分\s*[)）])?{SEP}{NUM}(?!\d)(?!\s*[.、．](?!\d))(?:[\s\t]*分)?(?:[\s\t]+{NUM})?")
GRADE = re.compile(r"(?:评价等级|评价等次|自评等级|自评等次|绩效等级|评定等级|综合评价等级|等级|等次|自评结果|评价结果|绩效评价结果|评价结论|综合评价)[\s\t]*(?:为|是|评定为|认定为|：|:)?[\s\t]*[“\"「]?(优秀|良好|中等|合格|不合格|较差|优|良|中|差)(?:[”\"」]|等|级|$|[，。；\s\t])")
AGENCY_RE = re.compile(r"评价(?:实施)?机构(?:名称)?[\s\t]*[：:\t][\s\t]*([^\t\s，。；]{4,40})")
LEAD_RE = re.compile(r"(?:主评人|评价组组长|评价负责人)(?:（签字）|\(签字\))?[\s\t]*[：:\t][\s\t]*([\u4e00-\u9fa5·]{2,5})(?![\u4e00-\u9fa5])")
LEAD_PROSE = re.compile(r"由(?:[\u4e00-\u9fa5]{0,6}?(?:局长|主任|书记|处长|科长|部长|院长|组长))?([\u4e00-\u9fa5]{2,4})任(?:评价组|自评小组|工作组)?组长")
JOB_TITLE = re.compile(r"(?:副)?(?:局长|主任|书记|处长|科长|部长|院长|组长|站长|所长|队长|股长|主席|县长|区长|市长|旗长|负责人|同志)")
NOT_A_NAME = re.compile(r"年月|月日|签字|签章|盖章|日期")  # a blank signature line: 年  月  日
DATE_NO_DAY_MARK = re.compile(r"(?:填报日期|报告日期|成文日期)[\s\t]*[：:\t][\s\t]*(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)")
DATE_RE = re.compile(r"(?:评价报告时间|报告时间|报告日期|填报日期|成文日期|评价时间|出具日期|日期)[\s\t]*[：:\t][\s\t]*(20\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|20\d{2}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?)")


# The department's own evaluation group is no 评价机构 (评价机构:部门(单位)评价组).
OWN_GROUP = re.compile(r"评价组$|评价小组$|自评组$|自评小组$|工作组$|领导小组$|^(?:本|我)(?:单位|部门|局)|^部门(?:（单位）|\(单位\))?$|自评")


def find_evaluation(lines: list[TextLine], sources: dict | None = None, form=None,
                    date_hint: str | None = None) -> Evaluation | None:
    """The verdict; `sources` gets, for each field found, the line it was read from.

    What the form's fields say (总分 | 100 | 96 | 优, 填报日期) comes first; the
    patterns read the rest. The evaluation is an object as soon as one of its
    fields is printed, a report date alone included (SCHEMA.md).
    """
    ev = Evaluation()
    sources = {} if sources is None else sources
    if form is not None:
        ev.total_score, ev.max_score = form.total_score, form.max_score
        ev.grade_raw, ev.grade = form.grade_raw, form.grade
        ev.date = form.date
        for name, key in (("total_score", "total_score"), ("max_score", "total_score"), ("grade", "grade"),
                          ("grade_raw", "grade"), ("date", "date")):
            if getattr(ev, name) is not None and key in form.sources:
                sources[f"evaluation.{name}"] = form.sources[key]
    scored_by_form = ev.total_score is not None
    for line in lines:
        before = dict(vars(ev))
        _read_evaluation_line(ev, line.text)
        if scored_by_form:
            ev.max_score = before["max_score"]
        for name, value in vars(ev).items():
            if value is not None and before[name] is None:
                sources[f"evaluation.{name}"] = line.prov
    if ev.date is None and date_hint:
        ev.date = date_hint  # 成文日期 the page prints for the document
    return None if ev.is_empty() else ev


def _read_evaluation_line(ev: Evaluation, text: str) -> None:
    """Fill the fields of `ev` that this line states and that are still empty."""
    # each pattern is tried only on lines with a word it cannot match without
    if ev.total_score is None and "分" in text:
        m = TOTAL_SCORE.search(text)
        if m:
            first, second = parse_number(m.group(1)), parse_number(m.group(2)) if m.group(2) else None
            if second is not None and first is not None and first >= second and first in (100.0, 10.0, 1000.0):
                ev.max_score, ev.total_score = first, second  # 总分 | 100 | 98.6
            elif first is not None and first <= 1000:
                ev.total_score = first
    if ev.grade is None and ("等" in text or "结" in text or "综合评价" in text):
        m = GRADE.search(text)
        if m:
            ev.grade_raw, ev.grade = m.group(1), grade_code(m.group(1))
    if ev.agency is None and "机构" in text:
        m = AGENCY_RE.search(text)
        if m and not OWN_GROUP.search(m.group(1)):
            ev.agency = m.group(1)
    if ev.lead is None and ("主评人" in text or "组长" in text or "负责人" in text):
        m = LEAD_RE.search(text) or LEAD_PROSE.search(text)
        if m and not JOB_TITLE.fullmatch(m.group(1)) and not NOT_A_NAME.search(m.group(1)):
            ev.lead = m.group(1)
    if ev.date is None and ("日期" in text or "时间" in text):
        m = DATE_RE.search(text)
        if m:
            ev.date = parse_report_date(m.group(1))
        else:
            m = DATE_NO_DAY_MARK.search(text)
            if m:  # 填报日期:2022 年 5 月 20 (日 lost)
                ev.date = parse_report_date(f"{m.group(1)}年{m.group(2)}月{m.group(3)}日")


# --- staffing ------------------------------------------------------------------------------------

COUNT = rf"{SEP}{NUM}[\s\t]*(?:个|名|人)?"
STAFF_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("authorized_admin", re.compile(rf"行政编制(?:数)?{COUNT}")),
    ("authorized_institution", re.compile(rf"事业编制(?:数)?{COUNT}")),
    ("authorized", re.compile(rf"(?<!行政)(?<!事业)(?<!工勤)(?<!机关)(?:人员编制|编制总数|编制人数|编制数|核定编制|共有编制|编制)(?![情管])(?:人数)?{COUNT}")),
    ("actual", re.compile(rf"(?:实有人数|在编在岗|实有在职人员|在职人员|在编人员|在职人数|在编人数|实有人员"
                          rf"|现有编制人员|现有在编人员|现有在职人员|现有人员|现有干部职工|现有职工)(?:人数)?{COUNT}"
                          rf"|实有{SEP}{NUM}[\s\t]*(?:名|人)")),
    # a count starts where its digits start ((?<![\d.])): else a long digit run is tried from each digit
    ("internal_units", re.compile(rf"(?:内设(?:机构|股室|科室)?{SEP}{NUM}[\s\t]*个|(?<![\d.]){NUM}[\s\t]*个(?:内设机构|股室|科室|职能股室|职能科室|内设股室))")),
    ("subordinate_units", re.compile(rf"(?:(?:直属|下属|所属)(?:事业)?单位(?:数量)?{SEP}{NUM}[\s\t]*(?:个|家|所)|(?<![\d.]){NUM}[\s\t]*个[^，。；\t]{{0,15}}?(?:二级机构|下属单位|二级单位|所属单位)|(?:下属|所属|下设|下辖)(?![^，。；]{{0,12}}(?:股室|科室|内设))[^，。；\t\d]{{0,12}}?{SEP}{NUM}[\s\t]*(?:个|家|所)(?!股室|科室|内设))")),
)


# Words each pattern above cannot match without: a test in C before the pattern,
# which most lines of a report fail
STAFF_WORDS: dict[str, tuple[str, ...]] = {
    "authorized_admin": ("编制",),
    "authorized_institution": ("编制",),
    "authorized": ("编制",),
    "actual": ("实有", "在编", "在职", "现有"),
    "internal_units": ("内设", "股室", "科室"),
    "subordinate_units": ("单位", "二级机构", "下属", "所属", "下设", "下辖"),
}


_ANY_STAFF_WORD = re.compile("|".join(sorted({w for ws in STAFF_WORDS.values() for w in ws})))


def find_staffing(lines: list[TextLine], sources: dict | None = None) -> Staffing | None:
    """Staffing figures; `sources` gets, for each field found, the line it was read from."""
    st = Staffing()
    sources = {} if sources is None else sources
    for line in lines:
        if not _ANY_STAFF_WORD.search(line.text):  # one scan rules out most lines
            continue
        for field, pattern in STAFF_PATTERNS:
            if getattr(st, field) is not None or not any(w in line.text for w in STAFF_WORDS[field]):
                continue
            m = pattern.search(line.text)
            if not m:
                continue
            raw = next(g for g in m.groups() if g)
            value = parse_number(raw)
            if value is not None and value == int(value) and 0 <= value < 100000:
                setattr(st, field, int(value))
                sources[f"staffing.{field}"] = line.prov
    if st.authorized is None and st.authorized_admin is not None and st.authorized_institution is not None:
        # 行政编制8名，事业编制30名 states the total as its two parts
        st.authorized = st.authorized_admin + st.authorized_institution
    return None if st.is_empty() else st


DATE_ONLY = re.compile(r"^(?:20\d{2}|二〇[〇一二三四五六七八九]{2})\s*年\s*[\d〇一二三四五六七八九十]{1,2}\s*月(?:\s*[\d〇一二三四五六七八九十]{1,3}\s*日)?$")
FIRM = re.compile(r"^[\u4e00-\u9fa5（）()]{4,40}(?:有限责任公司|有限公司|会计师事务所|事务所|研究院|咨询中心)$")


def signature_facts(lines: list[TextLine]) -> tuple[str | None, str | None]:
    """(agency, date) from a third-party report's closing signature: the firm's name, then the date."""
    tail = [l.text.strip() for l in lines[-8:] if not l.in_table]
    agency = next((t for t in reversed(tail) if FIRM.match(t)), None)
    date = next((parse_report_date(t) for t in reversed(tail) if DATE_ONLY.match(t)), None)
    return agency, date
