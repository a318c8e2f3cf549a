"""Province, city and county of an organisation, from the administrative-division
dataset the `cpca` package ships (cpca/resources/adcodes.csv: 12-digit adcode,
name; 2020 data). Only the CSV is read, through importlib.resources: cpca's
matcher is not imported. Nothing is downloaded.

Matching never guesses: a name is accepted only when it denotes exactly one
division. An ambiguous county name (鼓楼区 is in four cities) is settled only
by a province or city name printed in the organisation name; a renamed county
(孟津县 became 孟津区 in 2021) is found by its stem (孟津) only when exactly
one division has that stem. Anything else stays unknown.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Longest first, so 自治县 is stripped before 县.
_SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "林区", "新区", "地区", "盟",
             "市", "县", "区", "旗", "省", "自治区", "州")
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京 天津 上海 重庆: no city level


@dataclass(frozen=True)
class Region:
    adcode: str
    province: str | None
    city: str | None
    county: str | None
    matched_on: str


def stem(name: str) -> str | None:
    """孟津县 -> 孟津; None when what is left is under two characters (淇县)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@dataclass
class _Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        if self.code[2:] == "0" * 10:
            return "province"
        if self.code[4:] == "0" * 8:
            return "city"
        return "county"


class RegionIndex:
    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, _Division] = {}
        self.by_name: dict[str, list[_Division]] = {}
        self.by_stem: dict[str, list[_Division]] = {}
        for code, name in rows:
            d = _Division(code, name)
            self.by_code[code] = d
            self.by_name.setdefault(name, []).append(d)
            s = stem(name)
            if s:
                self.by_stem.setdefault(s, []).append(d)

    def _name(self, code: str) -> str | None:
        d = self.by_code.get(code)
        return d.name if d else None

    def region(self, d: _Division, matched_on: str) -> Region:
        prov = self._name(d.code[:2] + "0" * 10)
        city = None if d.level == "province" else self._name(d.code[:4] + "0" * 8)
        if city in _PLACEHOLDERS:
            city = None
        if city is None and d.level != "province" and d.code[:2] in _MUNICIPALITIES:
            city = prov  # 直辖市: the municipality is the city
        county = d.name if d.level == "county" else None
        if d.level == "city":
            city = d.name
        return Region(d.code, prov, city, county, matched_on)

    def _narrow(self, cands: list[_Division], context: str) -> list[_Division]:
        """Keep candidates whose province or city name is printed in `context`."""
        if len(cands) <= 1:
            return cands
        kept = []
        for d in cands:
            parents = [self._name(d.code[:2] + "0" * 10), self._name(d.code[:4] + "0" * 8)]
            if any(p and (p in context or (stem(p) and stem(p) in context))
                   for p in parents if p != d.name):
                kept.append(d)
        return kept

    def lookup(self, region: str | None, org_name: str | None = None) -> Region | None:
        """The one division `region` (else a prefix of `org_name`) names, or None."""
        context = f"{org_name or ''} {region or ''}"
        candidates = [region.strip()] if region and region.strip() else []
        if org_name:  # 孟津区退役军人事务局: the longest known name it starts with
            name = org_name.strip()
            for n in range(min(len(name), 12), 1, -1):
                head = name[:n]
                if head in self.by_name or head in self.by_stem:
                    candidates.append(head)
        for text in candidates:
            exact = self._narrow(self.by_name.get(text, []), context)
            if len(exact) == 1:
                return self.region(exact[0], text)
            if exact:
                return None  # ambiguous even in context: unknown, not guessed
            s = stem(text) or (text if len(text) >= 2 else None)
            by_stem = self._narrow(self.by_stem.get(s, []), context) if s else []
            if len(by_stem) == 1:
                return self.region(by_stem[0], text)
            if by_stem:
                return None
        return None


@lru_cache(maxsize=1)
def region_index() -> RegionIndex:
    raw = (resources.files("cpca") / "resources" / "adcodes.csv").read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return RegionIndex([(r["adcode"].strip(), r["name"].strip()) for r in reader
                        if r.get("adcode") and r.get("name")])


def dataset_version() -> str:
    """Identifies the dataset, so derived tables rebuild when it changes."""
    from importlib.metadata import version

    return f"cpca {version('cpca')}"
