"""The records parsers produce: one DocumentRecord per logical report.

They mirror SCHEMA.md field for field; the database stores them and the
export prints them. Every row carries the Provenance it was read from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from extract.ir import Provenance


@dataclass
class Value:
    """A parsed VALUE: `≥2600人` -> op '>=', value 2600, unit '人'."""

    raw: str
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    text: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Evaluation:
    total_score: float | None = None
    max_score: float | None = None
    grade: str | None = None
    grade_raw: str | None = None
    agency: str | None = None
    lead: str | None = None
    date: str | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in asdict(self).values())


@dataclass
class Staffing:
    authorized: int | None = None
    authorized_admin: int | None = None
    authorized_institution: int | None = None
    actual: int | None = None
    internal_units: int | None = None
    subordinate_units: int | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in asdict(self).values())


@dataclass
class FinanceRow:
    item: str
    label: str
    measure: str
    value: float
    prov: Provenance
    entity: str | None = None


@dataclass
class IndicatorRow:
    name: str
    prov: Provenance
    group: str | None = None
    level1: str | None = None
    level2: str | None = None
    level1_raw: str | None = None
    level2_raw: str | None = None
    target: Value | None = None
    actual: Value | None = None
    weight: float | None = None
    score: float | None = None
    deviation: str | None = None


@dataclass
class TaskRow:
    criterion: str
    prov: Provenance
    section_no: str | None = None
    section: str | None = None
    section_points: float | None = None
    item: str | None = None
    points: float | None = None
    deadline: str | None = None
    lead: str | None = None
    unit: str | None = None
    owner: str | None = None


@dataclass
class ExpenditureRow:
    item: str
    value: float
    prov: Provenance
    entity: str | None = None


@dataclass
class SectionRow:
    kind: str
    heading: str
    text: str
    prov: Provenance


@dataclass
class CheckRow:
    code: str
    message: str
    prov: Provenance


@dataclass
class DocumentRecord:
    doc_type: str
    start: Provenance
    end: Provenance
    title: str | None = None
    org_name: str | None = None
    org_region: str | None = None
    org_department: str | None = None
    fiscal_year: int | None = None
    scope: str | None = None
    project: str | None = None
    evaluation: Evaluation | None = None
    staffing: Staffing | None = None
    finance: list[FinanceRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    expenditures: list[ExpenditureRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    unclaimed: list[tuple[str, Provenance]] = field(default_factory=list)
    content_units: int = 0  # rows and paragraphs that could hold data (coverage's denominator)
    # where each document-level fact was read: "evaluation.total_score" -> (value, place)
    fact_sources: dict[str, tuple[object, Provenance]] = field(default_factory=dict)

    def note_source(self, name: str, value: object, prov: Provenance | None) -> None:
        if value is not None and prov is not None and name not in self.fact_sources:
            self.fact_sources[name] = (value, prov)

    def add_check(self, code: str, message: str, prov: Provenance) -> None:
        self.checks.append(CheckRow(code, message, prov))

