"""Indicator names (free text) to a small canonical vocabulary of concepts,
so that one indicator can be compared across counties and years.

The vocabulary and its synonyms are the reviewed table normalize/concepts.tsv
(concept, Chinese label, rule). A rule is a list of terms; it matches a name
when every term is a run of consecutive jieba tokens of the name. The most
specific rule (most terms, then longest terms) wins; when the best rules name
different concepts the name stays unmapped (None), as does a name no rule
matches: unmapped names stay visible, never forced into a concept.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from normalize.words import segmenter

TABLE = Path(__file__).with_name("concepts.tsv")
_PREFIX = regex.compile(r"^\s*(?:指标\s*\d+|\d+(?:\.\d+)*)\s*[:：、.．]\s*")
_NOISE = regex.compile(r"[\s\p{P}\p{S}]+")


@dataclass(frozen=True)
class Rule:
    concept: str
    label: str
    terms: tuple[str, ...]

    @property
    def text(self) -> str:
        return "+".join(self.terms)

    @property
    def rank(self) -> tuple[int, int]:
        return len(self.terms), sum(map(len, self.terms))


@dataclass(frozen=True)
class Match:
    concept: str | None
    rule: str | None  # the rule that matched, or why the name is unmapped


def load_rules(path: Path = TABLE) -> list[Rule]:
    rules = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise ValueError(f"{path.name}:{n}: want concept<TAB>label<TAB>rule")
        concept, label, rule = (p.strip() for p in parts)
        rules.append(Rule(concept, label, tuple(t.strip() for t in rule.split("+"))))
    return rules


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def labels() -> dict[str, str]:
    """concept -> Chinese label, in table order."""
    return {r.concept: r.label for r in _rules()}


def table_version() -> str:
    return hashlib.sha256(TABLE.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _segmenter():
    # the table's terms are words: kept whole
    return segmenter(tuple(sorted({t for r in _rules() for t in r.terms})))


def clean(name: str) -> str:
    return _NOISE.sub("", _PREFIX.sub("", name or ""))


def tokens(name: str) -> list[str]:
    return [t for t in _segmenter().cut(clean(name)) if t.strip()]


def _has_run(toks: list[str], term: str) -> bool:
    """Is `term` the concatenation of consecutive tokens?"""
    for i in range(len(toks)):
        acc = ""
        for t in toks[i:]:
            acc += t
            if acc == term:
                return True
            if not term.startswith(acc):
                break
    return False


@lru_cache(maxsize=16384)  # the same indicator names recur in every county's form
@lru_cache(maxsize=16384)  # the same indicator names recur in every county's report
def concept_of(name: str) -> Match:
    toks = tokens(name)
    if not toks:
        return Match(None, "empty name")
    joined = "".join(toks)
    # a run of tokens spelling a term is a substring of the name: test that cheap thing first
    hits = [r for r in _rules() if all(t in joined for t in r.terms) and all(_has_run(toks, t) for t in r.terms)]
    if not hits:
        return Match(None, None)
    best = max(r.rank for r in hits)
    top = [r for r in hits if r.rank == best]
    if len({r.concept for r in top}) > 1:
        return Match(None, "ambiguous: " + ", ".join(sorted(f"{r.concept}({r.text})" for r in top)))
    return Match(top[0].concept, top[0].text)
