"""Organisation names: 孟津区退役军人事务局 -> region 孟津区 + department 退役军人事务局.

The grammar is an area chain (省 > 市/州/盟 > 县/区/旗 > 镇/乡/街道) and a
department ending in a unit word (局, 委员会, 中心, 人民政府, 中学, 政协 …).
A town's own unit gives the town: 池州市贵池区棠溪镇人民政府 -> 棠溪镇 + 人民政府.
A form label (主管部门, 实施单位, 项目名称, 立项依据 …) is never part of a name:
text is cut at those words before names are looked for.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from normalize.text import squash_spaces

# Characters that end prose before a name ("我局是…", "关于…") and never occur in
# the place names these reports print, so a match cannot swallow the sentence.
_NOT_IN_AREA = "的是我了该各与及对经按等之度年为在由从于局厅署"
_AREA_CHAR = rf"[\p{{Han}}--[{_NOT_IN_AREA}]]"
# 社区/小区/超市 end in 区/市 but are no administrative areas.
# 州 ends an area unless a 市/县/区 follows (惠州市 is one area, not 惠州 + 市…);
# 镇/乡/街道 are towns, but 城镇/城乡/乡镇/乡村 are words.
_AREA_SUFFIX = (r"(?:自治区|自治县|自治旗|自治州|省|(?<![社小园景辖库牧山郊矿片街])区|(?<![超城门])市|县|旗|州(?![市县区旗])|盟"
                r"|(?<![城村乡集重])镇(?![村乡])|(?<![城])乡(?![镇村])|街道(?!办事处))")
# A one-character stem (沛县) only right after a non-Han character or another area,
# so prose like "按照县委" or "省市信访" does not read as an area.
_ONE_CHAR_STEM = rf"(?<![\p{{Han}}--[省市区县旗州盟]])[\p{{Han}}--[{_NOT_IN_AREA}省市区县旗州盟]]"
# 县委/区级 are the Party committee and "district-level", not an organisation.
# A one-character stem takes no town suffix (宁乡市 is 宁乡 + 市, not 宁乡 + …), and no
# stem starts with an area word (…市坝塘镇 is 市 + 坝塘镇).
_ONE_CHAR_SUFFIX = r"(?:自治区|自治县|自治旗|自治州|省|(?<![社小园景辖库牧山郊矿片街])区|(?<![超城门])市|县|旗|州(?![市县区旗])|盟)"
_AREA_BARE = rf"(?:{_ONE_CHAR_STEM}{_ONE_CHAR_SUFFIX}|(?![省市区县旗州盟镇乡]){_AREA_CHAR}{{2,8}}?{_AREA_SUFFIX})"
AREA_PART = rf"{_AREA_BARE}(?!委(?!员会)|级)"
# 委/办 must not be the start of 委员会/办公室; 会 must not be the 会 of 社会.
_DEPT_SUFFIX = (r"(?:委员会|办公室|局|委(?!员会)|中心|院|所|厅|办(?!公室|法|事处)|署|(?<!网)站|馆|(?<!社)会"
                r"|政府(?!办)|中学|小学|学校|幼儿园|党校|街道办事处|办事处|(?:武装|人武|组织|宣传|统战|工作)部|大队|支队)")
# Units whose whole name is the unit word: 南县政协, 棠溪镇人民政府, 某县妇联.
_STANDALONE_DEPT = r"(?:人民政府(?!办)|政府(?!办)|政协|妇联|党校|总工会|人大常委会|团委|武装部|人武部)"

# Verbs that lead into a name in prose ("根据岳阳县财政局"). A match may start
# neither at such a verb nor inside it, so the area begins after it.
_LEAD_VERBS = ("欢迎来到", "欢迎访问", "贯彻落实", "根据", "依据", "按照", "依照", "遵照", "建议", "下辖", "所辖", "落实", "贯彻",
               "配合", "协助", "会同", "联合", "组织", "督促", "指导", "报送", "上报", "报请", "邀请",
               "委托", "通过", "召开", "参加", "陪同", "每月向", "由", "经", "对", "在", "与", "及", "为", "是")
_NOT_AT_LEAD = "|".join(
    (rf"(?<={v[:k]}){v[k:]}" if k else v) for v in _LEAD_VERBS for k in range(len(v))
)

ORG_RE = regex.compile(
    rf"(?!{_NOT_AT_LEAD})(?P<region>(?:{AREA_PART})+)(?P<department>\p{{Han}}{{2,14}}?{_DEPT_SUFFIX}|{_STANDALONE_DEPT})",
    regex.V1,
)
_AREA_PART_RE = regex.compile(AREA_PART, regex.V1)
_AREA_BARE_RE = regex.compile(_AREA_BARE, regex.V1)
# A Party body: the area and its 委 (县委组织部, 市委党校, 委员会).
_PARTY_RE = regex.compile(rf"(?:中共|中国共产党)?(?P<areas>(?:{_AREA_BARE})+)(?P<rest>委\p{{Han}}{{0,12}})", regex.V1)


# Form labels: a name never runs across one (续性项目立项依据市… is no name).
FORM_LABELS = regex.compile(
    r"主管部门|实施单位|项目名称|立项依据|项目单位|预算单位|单位名称|填报单位|部门名称|项目属性|项目性质|项目类别"
    r"|审核意见|单位公章|联系电话|联系人|负责人|填报人|填报日期|自评得分|评价机构|评价方式|财政处室|评分|得分|总分"
)


def find_orgs(text: str) -> list[str]:
    """Every organisation name in text, in order of appearance."""
    return list(_find_orgs(text or ""))


@lru_cache(maxsize=16384)  # the name pattern is slow; clauses and table cells recur across reports
def _find_orgs(text: str) -> tuple[str, ...]:
    out = []
    for part in FORM_LABELS.split(text):
        out += [m.group(0) for m in ORG_RE.finditer(part)]
    return tuple(out)


# A unit named without its area (区卫生健康局, 市机关事务服务中心) at the start of a clause.
VAGUE_ORG_RE = regex.compile(
    rf"(?<![\p{{Han}}])(?P<level>[省市州县区旗镇乡])(?P<department>\p{{Han}}{{2,14}}?{_DEPT_SUFFIX})",
    regex.V1,
)


def find_vague_orgs(text: str) -> list[tuple[str, str]]:
    """(level, department) of each unit named by its level only: `市机关事务服务中心` -> (市, 机关事务服务中心)."""
    out = []
    for part in FORM_LABELS.split(text or ""):
        out += [(m.group("level"), m.group("department")) for m in VAGUE_ORG_RE.finditer(part)]
    return out


def areas_of(text: str) -> list[str]:
    """The administrative areas a text names, in order (鄂州市2022年… -> [鄂州市])."""
    return [m.group(0) for m in _AREA_PART_RE.finditer(squash_spaces(text or ""))]


_ZONE_AREA = regex.compile(r"^\p{Han}{0,10}?(?:新区|高新区|开发区|经开区)[(（][^()（）]+?[)）]")


def leading_area(text: str) -> str | None:
    """The area a title opens with, as printed: `高新区(江海区)预算…` -> `高新区(江海区)`."""
    t = squash_spaces(text or "")
    m = _ZONE_AREA.match(t)
    if m:
        return m.group(0)
    m = regex.match(rf"(?:{AREA_PART})+", t, regex.V1)
    return m.group(0) if m else None


_TOWN_UNIT = regex.compile(rf"^(?:街道|社区|乡镇|镇|乡)(?P<department>{_STANDALONE_DEPT}|\p{{Han}}{{0,6}}?{_DEPT_SUFFIX})", regex.V1)


def title_unit(title: str | None) -> tuple[str | None, str | None]:
    """(region, department) a title gives when it names no whole organisation:
    `贵池区双拥合格单位考评细则` -> (贵池区, None); `街道武装部年度…考核细则` -> (None, 武装部)."""
    t = squash_spaces(title or "")
    if not t:
        return None, None
    m = _TOWN_UNIT.match(t)
    if m:
        return None, m.group("department")
    area = leading_area(t)
    if area:
        parts = _AREA_PART_RE.findall(area)
        return (parts[-1] if parts else None), None
    return None, None


def complete_org(partial: str, areas: list[str]) -> str | None:
    """`区卫生健康局` with areas [广元市, 昭化区] -> 昭化区卫生健康局: the area of the same level completes it.

    A name with no area at all (财政局) takes the smallest area given.
    """
    partial = squash_spaces(partial)
    m = VAGUE_ORG_RE.fullmatch(partial)
    if m:
        same = [a for a in areas if a.endswith(m.group("level"))]
        return same[-1] + m.group("department") if same else None
    if regex.fullmatch(rf"\p{{Han}}{{0,14}}?{_DEPT_SUFFIX}", partial, regex.V1) and areas:
        return areas[-1] + partial
    return None


_CODE = regex.compile(r"^[0-9A-Za-z]{2,}\s*[-—_－]\s*")
_FORM_SUFFIX = regex.compile(r"(?:本级|部门|[(（]\s*(?:盖章|公章|签章)\s*[)）])+$")
_PLACEHOLDER = regex.compile(r"^[(（]?\s*(?:盖章|公章|签章|签字)?\s*[)）]?$|^年\s*月\s*日$")
_PARTIAL_RE = regex.compile(rf"^[\p{{Han}}（）()]{{1,30}}?{_DEPT_SUFFIX}$", regex.V1)


def clean_org_value(value: str | None) -> str | None:
    """The unit named in a form cell: `219001-池州市贵池区棠溪镇人民政府` -> the name; codes,
    `本级`/`部门` form suffixes and `(盖章)` dropped; a label, a placeholder or prose -> None.

    A name without its area (`区卫生健康局`) is kept as printed; the caller may complete it.
    """
    s = squash_spaces(value or "")
    s = _CODE.sub("", s)
    if not s or _PLACEHOLDER.match(s):
        return None
    first = FORM_LABELS.split(s)[0]
    head = regex.split(r"[\s,，;；。]", first)[0] if first else ""
    if not head:
        return None
    m = ORG_RE.match(head)
    if m:
        rest = head[m.end():]
        name = m.group(0)
        # 广水市人民政府办公室: the longest unit chain the cell prints
        while True:
            n = regex.match(rf"\p{{Han}}{{0,14}}?{_DEPT_SUFFIX}", rest, regex.V1)
            if not n or _FORM_SUFFIX.fullmatch(rest):
                break
            name, rest = name + n.group(0), rest[n.end():]
        if not rest or _FORM_SUFFIX.fullmatch(rest):
            return name
        return name
    bare = _FORM_SUFFIX.sub("", head)
    if 3 <= len(bare) <= 30 and _PARTIAL_RE.match(bare):
        return bare
    return None


def split_org(name: str) -> tuple[str | None, str | None]:
    """(region, department); the lowest administrative level is the region."""
    name = squash_spaces(name or "")
    if not name:
        return None, None
    if regex.match(r"^(?:中共|中国共产党)\p{Han}", name):
        return split_org(regex.sub(r"^(?:中共|中国共产党)", "", name))  # the Party's body of the area
    zone = regex.fullmatch(r"(?P<zone>\p{Han}{0,10}?(?:新区|高新区|开发区|园区|经开区))[(（](?P<area>[^()（）]+?)[)）](?P<dept>\p{Han}{2,20})", name)
    if zone:
        # 高新区(江海区)财政局: the administrative area in brackets is the region
        parts = _AREA_PART_RE.findall(zone.group("area"))
        if parts:
            return parts[-1], zone.group("dept")
    m = ORG_RE.fullmatch(name)
    if m is None:
        party = _PARTY_RE.fullmatch(name)
        if party:
            # 中共岳阳县委组织部 -> 岳阳县 + 县委组织部; 中国共产党南县委员会 -> 南县 + 委员会
            area = _AREA_BARE_RE.findall(party.group("areas"))[-1]
            rest = party.group("rest")
            return area, rest if rest.startswith("委员会") else area[-1] + rest
        return None, name
    parts = _AREA_PART_RE.findall(m.group("region"))
    return parts[-1], m.group("department")
