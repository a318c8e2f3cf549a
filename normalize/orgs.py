"""Organisation names: 孟津区退役军人事务局 -> region 孟津区 + department 退役军人事务局."""
from __future__ import annotations

import regex

from normalize.text import squash_spaces

# Characters that end prose before a name ("我局是…", "关于…") and never occur in
# the place names these reports print, so a match cannot swallow the sentence.
_NOT_IN_AREA = "的是我了该各与及对经按等之度年为在由从关于局厅署"
_AREA_CHAR = rf"[\p{{Han}}--[{_NOT_IN_AREA}]]"
# 社区/小区/超市 end in 区/市 but are no administrative areas.
_AREA_SUFFIX = r"(?:自治区|自治县|自治旗|省|(?<![社小园景辖库牧山郊矿片街])区|(?<![超城门])市|县|旗|州|盟)"
# A one-character stem (沛县) only right after a non-Han character or another area,
# so prose like "按照县委" or "省市信访" does not read as an area.
_ONE_CHAR_STEM = rf"(?<![\p{{Han}}--[省市区县旗州盟]])[\p{{Han}}--[{_NOT_IN_AREA}省市区县旗州盟]]"
# 县委/区级 are the Party committee and "district-level", not an organisation.
AREA_PART = rf"(?:{_ONE_CHAR_STEM}|{_AREA_CHAR}{{2,8}}?){_AREA_SUFFIX}(?!委(?!员会)|级)"
# 委/办 must not be the start of 委员会/办公室; 会 must not be the 会 of 社会.
_DEPT_SUFFIX = r"(?:委员会|办公室|局|委(?!员会)|中心|院|所|厅|办(?!公室|法)|署|站|馆|(?<!社)会)"

# Verbs that lead into a name in prose ("根据岳阳县财政局"). A match may start
# neither at such a verb nor inside it, so the area begins after it.
_LEAD_VERBS = ("贯彻落实", "根据", "依据", "按照", "依照", "遵照", "建议", "下辖", "所辖", "落实", "贯彻",
               "配合", "协助", "会同", "联合", "组织", "督促", "指导", "报送", "上报", "报请", "邀请",
               "委托", "通过", "召开", "参加", "陪同", "每月向", "由", "经", "对", "在", "与", "及", "为", "是")
_NOT_AT_LEAD = "|".join(
    (rf"(?<={v[:k]}){v[k:]}" if k else v) for v in _LEAD_VERBS for k in range(len(v))
)

ORG_RE = regex.compile(
    rf"(?!{_NOT_AT_LEAD})(?P<region>(?:{AREA_PART})+)(?P<department>\p{{Han}}{{2,14}}?{_DEPT_SUFFIX})",
    regex.V1,
)
_AREA_PART_RE = regex.compile(AREA_PART, regex.V1)


def find_orgs(text: str) -> list[str]:
    """Every organisation name in text, in order of appearance."""
    return [m.group(0) for m in ORG_RE.finditer(text or "")]


def split_org(name: str) -> tuple[str | None, str | None]:
    """(region, department); the lowest administrative level is the region."""
    name = squash_spaces(name or "")
    if not name:
        return None, None
    m = ORG_RE.fullmatch(name)
    if m is None:
        return None, name
    parts = _AREA_PART_RE.findall(m.group("region"))
    return parts[-1], m.group("department")
