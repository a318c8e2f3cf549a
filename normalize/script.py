"""Traditional characters read as simplified: 產出指標 is 产出指标 to every parser;
pinyin glosses a page put after characters (绩(jì)效, 绩jì效xiào) taken out.

Reports from Hong Kong-style sources, or re-typed by hand, print traditional
characters; every vocabulary here (levels, headers, labels, items) is written
in simplified ones. A text whose Chinese is noticeably traditional is
converted character by character with OpenCC's t2s tables (the pure-Python
`opencc-python-reimplemented`, loaded only when needed). What is stored is then
the simplified form of what was printed; the file keeps the original.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Common characters that exist only in traditional writing: a cheap first test,
# so that the converter runs on no simplified text at all.
TRADITIONAL_ONLY = frozenset(
    "這個們來時會對說與為國際發經濟開關點體學處應實現項產數質標滿預執續預縣區鎮鄉務機財經費計劃務價"
    "單門員編職責預務環專業業績導讀認證議論設備進運農歷補資額總結構態興響衛醫療護劑級類監樣據張幾")
CJK = re.compile(r"[\u4e00-\u9fff]")
_TRADITIONAL_RE = re.compile("[" + re.escape("".join(sorted(set(TRADITIONAL_ONLY)))) + "]")
THRESHOLD = 0.03  # share of Chinese characters that are traditional-only


def looks_traditional(text: str) -> bool:
    sample = text[:20000]
    if TRADITIONAL_ONLY.isdisjoint(sample):  # most texts: one pass in C, nothing counted
        return False
    trad = len(_TRADITIONAL_RE.findall(sample))
    han = len(CJK.findall(sample))
    return han >= 20 and trad / han >= THRESHOLD


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC  # opencc-python-reimplemented

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Character by character, so that lengths and line breaks stay as printed."""
    if not text:
        return text
    cc = _converter()
    return "".join(cc.convert(ch) if CJK.match(ch) else ch for ch in text)


# A syllable with a tone mark (or ü): glosses after characters, never an English word.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
PINYIN_GLOSS = re.compile(
    rf"(?<=[\u4e00-\u9fff])(?:[(（][a-zü{_TONED} ]*[{_TONED}][a-zü{_TONED} ]*[)）]"
    rf"|[a-zü{_TONED}]*[{_TONED}][a-zü{_TONED}]*(?=[\u4e00-\u9fff]|$|[\s，。,.]))")


def strip_pinyin(text: str) -> str:
    """`绩(jì)效` and `绩jì效xiào` -> 绩效; letters with no tone mark are left alone."""
    return PINYIN_GLOSS.sub("", text) if text else text


def has_pinyin(text: str) -> bool:
    # a gloss has a tone mark: a scan for those in C first, the pattern only then
    return any(c in text for c in _TONED) and bool(PINYIN_GLOSS.search(text))
