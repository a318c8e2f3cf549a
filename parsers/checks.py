"""Consistency checks on a parsed document: what an analyst should look at twice.

Each check compares figures the document prints (parts against their total,
a rate against its amounts, a total score against the item scores) and adds a
CHECK row with the place and a sentence saying what disagrees. Nothing is
corrected: the figures stay as printed.

Rounding is allowed for: amounts printed to the cent in yuan are compared to
the cent; amounts printed in 万元 with two decimals may be off by 0.005万 per
part.
"""
from __future__ import annotations

from collections import defaultdict

from parsers.records import DocumentRecord, FinanceRow

# total item -> alternative lists of its parts (the first list that is fully printed is used)
PART_RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "funds_total": (("fiscal_appropriation", "carryover", "government_fund", "other_funds", "fiscal_special_account",
                     "own_funds", "service_income", "operating_income"),),
    "expenditure_total": (("basic", "project"), ("basic", "project", "balance")),
    "basic": (("personnel", "public_use"),),
    "three_public_total": (("reception", "vehicle_operation", "vehicle_purchase", "overseas_travel"),),
    "project": (("project_goods_services", "subsidies_to_individuals"),),
    "project_income": (("project_fiscal_appropriation", "project_other_funds", "project_carryover"),),
}


def _tolerance(values: list[float]) -> float:
    fine = any(round(v * 100) % 10000 for v in values)  # not whole hundreds of yuan: printed to the cent
    per_part = 0.01 if fine else 50.0
    return per_part * len(values) + 0.005


def _money(v: float) -> str:
    return f"{v / 10000:,.6f}".rstrip("0").rstrip(".") + "万元"


def check_document(doc: DocumentRecord) -> None:
    by_key: dict[tuple, FinanceRow] = {(f.entity, f.item, f.measure): f for f in doc.finance}
    _check_parts(doc, by_key)
    _check_sub_units(doc)
    _check_rates(doc, by_key)
    _check_scores(doc)
    _check_staffing(doc)
    if not doc.org_name:
        doc.add_check("org_unknown", "The document names no organisation that could be recognised; org is left empty.", doc.start)


def _check_parts(doc: DocumentRecord, by_key: dict[tuple, FinanceRow]) -> None:
    for (entity, item, measure), total in by_key.items():
        if measure not in ("budget_initial", "budget", "actual") or item not in PART_RULES:
            continue
        best = None  # (|difference|, parts, sum) of the closest reading
        for parts in PART_RULES[item]:
            present = [by_key[(entity, p, measure)] for p in parts if (entity, p, measure) in by_key]
            if len(present) < 2:
                continue
            got = sum(p.value for p in present)
            diff = abs(got - total.value)
            if diff <= _tolerance([total.value] + [p.value for p in present]):
                best = None
                break
            if best is None or diff < best[0]:
                best = (diff, present, got)
        if best is None:
            continue
        _, present, got = best
        if total.prov.table is None and got < total.value:
            continue  # prose names only some parts ("其中…"): a shortfall proves nothing
        names = " + ".join(p.label for p in present)
        who = f"{entity}: " if entity else ""
        doc.add_check("sum_mismatch", f"{who}{total.label} ({measure}) is {_money(total.value)}, but its parts {names} add up to "
                      f"{_money(got)} (difference {_money(got - total.value)}).", total.prov)


def _check_sub_units(doc: DocumentRecord) -> None:
    """The department's row against the sum of its sub-units' rows, item by item."""
    units: dict[tuple, list[FinanceRow]] = defaultdict(list)
    whole: dict[tuple, FinanceRow] = {}
    for f in doc.finance:
        if f.entity is None:
            whole[(f.item, f.measure)] = f
        else:
            units[(f.item, f.measure)].append(f)
    for key, rows in units.items():
        total = whole.get(key)
        if total is None or len(rows) < 2:
            continue
        got = sum(r.value for r in rows)
        if abs(got - total.value) > _tolerance([total.value] + [r.value for r in rows]):
            doc.add_check("sum_mismatch", f"{total.label}: the sub-units ({', '.join(r.entity for r in rows)}) add up to {_money(got)}, "
                          f"the department total is {_money(total.value)} (difference {_money(got - total.value)}).", total.prov)


def _check_rates(doc: DocumentRecord, by_key: dict[tuple, FinanceRow]) -> None:
    for (entity, item, measure), rate in by_key.items():
        if measure != "rate":
            continue
        actual, budget = by_key.get((entity, item, "actual")), by_key.get((entity, item, "budget"))
        if not actual or not budget or not budget.value:
            continue
        computed = actual.value / budget.value * 100
        if abs(computed - rate.value) > 0.5 + 1e-9 and abs(round(computed) - rate.value) > 0.05:
            doc.add_check("rate_mismatch", f"{rate.label}: execution rate printed {rate.value:g}%, but 执行数 ÷ 预算数 = "
                          f"{_money(actual.value)} ÷ {_money(budget.value)} = {computed:.2f}%.", rate.prov)


def _check_scores(doc: DocumentRecord) -> None:
    for ind in doc.indicators:
        if ind.score is not None and ind.weight is not None and ind.score > ind.weight + 1e-9:
            doc.add_check("score_above_weight", f"Indicator “{ind.name}” scores {ind.score:g}, above its weight {ind.weight:g}.", ind.prov)
    ev = doc.evaluation
    scored = [i.score for i in doc.indicators if i.score is not None]
    if ev is None or ev.total_score is None or not scored:
        return
    parts = sum(scored) + sum(f.value for f in doc.finance if f.measure == "score")
    if abs(parts - ev.total_score) > 0.05:
        doc.add_check("score_mismatch", f"The total score is {ev.total_score:g}, but the item scores (indicators and the budget "
                      f"execution row) add up to {parts:g}.", doc.start)


def _check_staffing(doc: DocumentRecord) -> None:
    st = doc.staffing
    if st is None:
        return
    if st.authorized is not None and st.authorized_admin is not None and st.authorized_institution is not None \
            and st.authorized != st.authorized_admin + st.authorized_institution:
        doc.add_check("sum_mismatch", f"编制 {st.authorized} is not 行政编制 {st.authorized_admin} + 事业编制 "
                      f"{st.authorized_institution}.", doc.start)
    if st.authorized is not None and st.actual is not None and st.actual > st.authorized:
        doc.add_check("staff_over_establishment", f"实有人数 {st.actual} exceeds the 编制 of {st.authorized} "
                      "(it may count staff of sub-units or retirees).", doc.start)


def _at(prov) -> str:
    """` (line 12)` / ` (page 3)`, or nothing where the place has no line or page."""
    where = prov.where() if prov is not None else ""
    return f" ({where.replace(':', ' ')})" if where else ""


def check_siblings(records: list[DocumentRecord]) -> None:
    """Documents of one file (a form and its report) that print the same figure differently."""
    for i, a in enumerate(records):
        for b in records[i + 1:]:
            fa = {(f.entity, f.item, f.measure): f for f in a.finance}
            for fb in b.finance:
                other = fa.get((fb.entity, fb.item, fb.measure))
                if other is not None and abs(other.value - fb.value) > 0.005:
                    b.add_check("sibling_mismatch", f"{fb.label} ({fb.measure}) is {_money(fb.value)} here but "
                                f"{_money(other.value)} in the {a.doc_type} of the same file{_at(other.prov)}.", fb.prov)
            for field in ("authorized", "actual"):
                va = getattr(a.staffing, field, None) if a.staffing else None
                vb = getattr(b.staffing, field, None) if b.staffing else None
                if va is not None and vb is not None and va != vb:
                    b.add_check("sibling_mismatch", f"staffing {field} is {vb} here but {va} in the {a.doc_type} "
                                "of the same file.", b.start)


def check_year(doc: DocumentRecord, title_year: int | None, content_years: dict[int, int]) -> None:
    """A title naming a year the body never mentions, while it speaks of another."""
    if title_year is None or not content_years or title_year in content_years:
        return
    common = max(content_years, key=content_years.get)
    if common != title_year and content_years[common] >= 2:
        doc.add_check("year_mismatch", f"The title says {title_year}, but the text never mentions {title_year} and names "
                      f"{common} {content_years[common]} times.", doc.start)
