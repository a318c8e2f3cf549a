"""One file's documents: split, classify, and run every parser on each.

`parse_file` splits the file into documents, classifies each, and runs every
parser on it; each parser reads only what its kind of content says, so a
self-evaluation form and a narrative report go through the same chain.
What one document of a file lacks (the organisation, the year) and a sibling
states is taken from the sibling: a form often names neither.
"""
from __future__ import annotations

import re

from extract.ir import Block, ExtractedFile, Provenance
from normalize.orgs import split_org, title_unit
from normalize.script import has_pinyin, looks_traditional, strip_pinyin, to_simplified
from parsers.checks import check_document, check_siblings, check_year
from parsers.claims import content_units, unclaimed_text
from parsers.chrome import ChromeHints, strip_chrome
from parsers.doctype import classify
from parsers.form_fields import read_form
from parsers.form_narratives import runon_form_sections
from parsers.finance_table import tables_to_finance
from parsers.indicators import tables_to_indicators
from parsers.prose_indicators import prose_indicators
from parsers.meta import (content_years, find_evaluation, find_org, find_scope, find_staffing, signature_facts,
                          stated_fiscal_year, title_year)
from parsers.prose_money import texts_to_money
from parsers.records import DocumentRecord, Evaluation
from parsers.sections import _is_narrative, form_sections, prose_sections, runin_sections, table_sections
from parsers.segment import DocSpan, blocks_to_spans, span_title
from parsers.runon_tasks import cell_per_line_tasks, runon_tasks
from parsers.tasks import tables_to_tasks
from parsers.textview import blocks_to_lines

TABLE_DOCS = ("self_evaluation_table", "target_table", "task_breakdown", "final_accounts")


def parse_file(extracted: ExtractedFile) -> list[DocumentRecord]:
    simplify_traditional(extracted.blocks)
    blocks, hints = strip_chrome(extracted.blocks)
    spans = blocks_to_spans(blocks or extracted.blocks)
    records, year_guesses = [], []
    for i, span in enumerate(spans):
        rec, guess = span_to_record(span, extracted.name, extracted.format, hints, first=i == 0)
        records.append(rec)
        year_guesses.append(guess)
    texts = [re.sub(r"\s+", "", "\n".join(b.text if b.kind != "table" else " ".join(c.text for c in b.cells())
                                          for b in span.blocks)) for span in spans]
    fill_from_siblings(records, year_guesses, texts)
    for rec in records:
        check_document(rec)
    check_siblings(records)
    return records


FORM_TYPES = frozenset({"self_evaluation_table", "target_table"})


def document_sections(blocks: list[Block], tables: list[Block], title: str | None, doc_type: str) -> list:
    """SECTION rows: a report's from its headings, a form's from its labelled cells.

    The first readers keep all they find (a repeated text once); the fallbacks
    after them add only kinds not found yet. In a form the cell readers go
    first: its labels stand one per line like headings, but a label names the
    cell beside it, not the lines down to the next label.
    """
    if doc_type == "task_breakdown":
        return prose_sections(blocks, title)
    prose = lambda: prose_sections(blocks, title)  # noqa: E731
    cells = lambda: table_sections(tables)  # noqa: E731
    fallbacks = [lambda: form_sections(blocks), lambda: runin_sections(blocks), lambda: runon_form_sections(blocks)]
    if doc_type in FORM_TYPES:
        first, fallbacks = [cells], fallbacks + [prose]
    else:
        first, fallbacks = [prose, cells], fallbacks[:2]  # a report's run-on labels are words of its prose
    out: list = []
    for read in first + fallbacks:
        kinds = {s.kind for s in out} if read in fallbacks else set()
        texts = tuple(s.text for s in out)
        out += [s for s in read() if s.kind not in kinds and not s.text.startswith(texts)]  # a text said once
    return out


def span_to_record(span: DocSpan, file_name: str, fmt: str = "txt", hints: ChromeHints | None = None,
                   first: bool = True) -> tuple[DocumentRecord, int | None]:
    """The document's record, and the year its text names most (used when no year is stated).

    `hints` is what the page chrome said (publisher, file name, 成文日期); the
    file's first document takes them where its own text states nothing.
    """
    blocks = list(span.blocks)
    lines = blocks_to_lines(blocks)
    title = span_title(span, hints, first)
    doc_type = classify(title, lines)
    start, end = _bounds(blocks, file_name, fmt)
    rec = DocumentRecord(doc_type=doc_type, start=start, end=end, title=title)
    form = read_form(lines)
    page = hints if first else None
    org = find_org(title, lines, form, page)
    if org:
        rec.org_name = org
        rec.org_region, rec.org_department = split_org(org)
    else:
        rec.org_region, rec.org_department = title_unit(title)  # 贵池区…考评细则: the area alone
    years = content_years(lines, title)
    rec.fiscal_year = stated_fiscal_year(title, lines, page.file_titles if page else None)
    check_year(rec, title_year(title), years)
    rec.scope, rec.project = find_scope(title, lines, form, doc_type)
    sources: dict = {}
    rec.evaluation = find_evaluation(lines, sources, form, page.written_date if page else None)
    if doc_type == "evaluation_report":
        _sign_off(rec, lines)
    rec.staffing = find_staffing(lines, sources)
    _note_sources(rec, lines, sources, title)

    tables = [b for b in blocks if b.kind == "table"]
    rec.finance = tables_to_finance(tables, pairs_measure="budget" if doc_type == "target_table" else "actual")
    rec.indicators = tables_to_indicators(tables)
    if not rec.indicators and doc_type in ("self_evaluation_report", "evaluation_report", "final_accounts"):
        rec.indicators = prose_indicators(blocks)  # a report that states its indicators in sentences
    rec.tasks = tables_to_tasks(tables)
    if not rec.tasks and doc_type == "task_breakdown":
        # a scoring-rule table run together into prose, or pasted one cell per line
        rec.tasks = runon_tasks(blocks) or cell_per_line_tasks(blocks)
    rec.sections = document_sections(blocks, tables, span.title, doc_type)

    money = texts_to_money(_narrative_texts(blocks), default_measure="budget" if doc_type == "target_table" else "actual")
    known = {(f.entity, f.item, f.measure) for f in rec.finance}
    rec.finance += [f for f in money.finance if (f.entity, f.item, f.measure) not in known]
    rec.expenditures = money.expenditures
    rec.checks += money.checks
    rec.unclaimed = unclaimed_text(blocks, rec, title)
    rec.content_units = content_units(blocks, title)
    return rec, (years.most_common(1)[0][0] if years else None)


def simplify_traditional(blocks: list[Block]) -> None:
    """A report printed in traditional characters is read as simplified, and pinyin glosses
    after characters are taken out (normalize.script)."""
    sample = "".join(b.text if b.kind != "table" else "".join(c.text for c in b.cells()) for b in blocks[:200])
    convert, gloss = looks_traditional(sample), has_pinyin(sample)
    if not convert and not gloss:
        return

    def fix(text: str) -> str:
        text = strip_pinyin(text) if gloss else text
        return to_simplified(text) if convert else text

    for b in blocks:
        if b.kind == "table":
            for c in b.cells():
                c.text = fix(c.text)
        else:
            b.text = fix(b.text)


def _note_sources(rec: DocumentRecord, lines, sources: dict, title: str | None) -> None:
    """Where each document-level fact was read (kept in the database's document_facts)."""
    for name, prov in sources.items():
        group, field = name.split(".")
        rec.note_source(name, getattr(getattr(rec, group), field, None) if getattr(rec, group) else None, prov)

    def first_line_with(text: str | None):
        return next((l.prov for l in lines if text and text in l.text.replace("\t", "")), None)

    rec.note_source("doc_type", rec.doc_type, rec.start)
    rec.note_source("title", title, rec.start if title else None)
    rec.note_source("org.name", rec.org_name, first_line_with(rec.org_name))
    rec.note_source("fiscal_year", rec.fiscal_year, first_line_with(str(rec.fiscal_year)) if rec.fiscal_year else None)
    rec.note_source("project", rec.project, first_line_with(rec.project))


def _sign_off(rec: DocumentRecord, lines) -> None:
    """A third-party report signed at its end: firm name and date, when no label gave them."""
    agency, date = signature_facts(lines)
    if agency is None and date is None:
        return
    if rec.evaluation is None:
        rec.evaluation = Evaluation()
    rec.evaluation.agency = rec.evaluation.agency or agency
    rec.evaluation.date = rec.evaluation.date or date


def _narrative_texts(blocks: list[Block]) -> list[tuple[str, Provenance]]:
    """Sentences that may state amounts: paragraphs, and the prose cells of forms."""
    out = []
    for b in blocks:
        if b.kind != "table":
            out.append((b.text, b.prov))
            continue
        for row in b.rows:
            for cell in row:
                if _is_narrative(cell.text) and len(cell.text) >= 40:
                    out.append((cell.text, cell.prov))
    return out


def _bounds(blocks: list[Block], file_name: str, fmt: str) -> tuple[Provenance, Provenance]:
    first, last = blocks[0], blocks[-1]
    start = Provenance(file=file_name, line=first.prov.line, page=first.prov.page, locator=_locator(first, fmt, first.prov.line))
    end = Provenance(file=file_name, line=last.line_end, page=last.prov.page, locator=_locator(last, fmt, last.line_end))
    return start, end


def _locator(block: Block, fmt: str, line: int | None) -> str | None:
    """Word files count paragraphs and tables, not lines (SCHEMA.md source.start)."""
    if fmt not in ("docx", "doc"):
        return None
    if block.kind == "table" and block.prov.table is not None:
        return f"table:{block.prov.table}"
    return f"para:{line}" if line is not None else None


def fill_from_siblings(records: list[DocumentRecord], year_guesses: list[int | None],
                       texts: list[str] | None = None) -> None:
    """A form that names no organisation or year takes them from the report beside it;
    a form's tail cut from its head takes them only where its own text prints them.

    A year a sibling states in its title beats the year a form's own text
    mentions most (a form's prose names many years); that guess comes next.
    """
    stated = [r.fiscal_year for r in records]

    def printed(i: int, value) -> bool:
        # a document with its own head (a title) is a whole form beside its report; a headless
        # tail cut from an earlier document takes only what its own text prints
        return texts is None or records[i].title is not None or (value is not None and str(value) in texts[i])

    for i, rec in enumerate(records):
        siblings = sorted((j for j in range(len(records)) if j != i), key=lambda j: abs(j - i))
        if not rec.org_name:
            donor = next((records[j] for j in siblings if records[j].org_name and (
                printed(i, records[j].org_name) or records[j].org_region and records[j].org_department
                and printed(i, records[j].org_region[-1] + records[j].org_department))), None)  # 区退役军人事务局
            if donor:
                rec.org_name, rec.org_region, rec.org_department = donor.org_name, donor.org_region, donor.org_department
        if rec.fiscal_year is None:
            year = next((stated[j] for j in siblings if stated[j] is not None), None) \
                or year_guesses[i] or next((year_guesses[j] for j in siblings if year_guesses[j]), None)
            rec.fiscal_year = year if printed(i, year) else None
