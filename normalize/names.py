"""Person names (TASK.owner/lead) and responsible units (TASK.unit) from wrapped cells."""
from __future__ import annotations

import re

from normalize.text import squash_spaces

# Common single-character Han surnames. 查, 阿 and 珠 are left out on purpose:
# they open Mongolian names (查汉苏布德, 阿日古那, 珠拉) far more often here.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓吉缪车项连麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗桂全佟应臧闵苟"
    "邬边卞姬师仇栾隋商刁荣巫寇桑郎甄丛仲虞巩明佘池"
)
_SEPARATORS = re.compile(r"[、，,/／;；]+")


def _line_names(line: str) -> list[str]:
    """Names on one line: split on punctuation; spaces split only whole names."""
    names: list[str] = []
    for part in _SEPARATORS.split(line):
        tokens = part.split()
        if not tokens:
            continue
        # "刘 甜" is one name spaced out; "张三 李四" is two.
        if len(tokens) > 1 and all(len(t) >= 2 for t in tokens):
            names.extend(tokens)
        else:
            names.append("".join(tokens))
    return names


def _two_people(first: str, second: str) -> bool:
    return first[0] in SURNAMES and second[0] in SURNAMES and 2 <= len(second) <= 3


def _wrapped_half(lines: list[list[str]], i: int) -> bool:
    """Line i is a single 1- or 2-char name part that the next line completes."""
    if not (len(lines[i]) == 1 and len(lines[i][0]) <= 2 and i + 1 < len(lines)):
        return False
    if len(lines[i][0]) == 1:
        return True  # nobody is called by one character: 赵 / 晓明
    first, nxt = lines[i][0], lines[i + 1][0]
    if _two_people(first, nxt):
        return False
    # "赵慧\n阿日\n古那": 赵慧 is whole when the next line opens a wrapped name itself.
    if first[0] in SURNAMES and nxt[0] not in SURNAMES and len(nxt) == 2 and i + 2 < len(lines):
        return False
    return True


def join_person_names(cell: str | None) -> str | None:
    """`阿日\\n古那` -> `阿日古那`; `李伟春\\n刘 甜` -> `李伟春、刘甜`; blank -> None."""
    if cell is None:
        return None
    # Each line's names; only a line holding a single 2-char name can be a wrapped half.
    lines = [names for names in (_line_names(l.strip()) for l in cell.splitlines()) if names]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _wrapped_half(lines, i):
            nxt = lines[i + 1]
            out.append(lines[i][0] + nxt[0])
            out.extend(nxt[1:])
            i += 2
            continue
        out.extend(lines[i])
        i += 1
    return "、".join(out) or None


_UNIT_END = re.compile(r"(?:股|室|科|中心|办公室|办|队|所|院|站|局|组|部)(?:[（(][^）)]*[)）])?$")


def join_units(cell: str | None) -> str | None:
    """`综合股\\n服务\\n中心` -> `综合股、服务中心`; blank -> None."""
    if cell is None:
        return None
    pieces = [squash_spaces(p) for line in cell.splitlines() for p in _SEPARATORS.split(line)]
    pieces = [p for p in pieces if p]
    units: list[str] = []
    acc = ""
    for i, piece in enumerate(pieces):
        acc += piece
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ""
        # "…办" + "公室" is 办公室 split by the wrap, not a unit ending in 办.
        if _UNIT_END.search(acc) and not (acc.endswith("办") and nxt.startswith("公室")):
            units.append(acc)
            acc = ""
    if acc:
        # A trailing "（牵头）" belongs to the unit before it; other text stands alone.
        if units and acc[0] in "（(":
            units[-1] += acc
        else:
            units.append(acc)
    return "、".join(units) or None
