"""The database views analysts query: created by migration 0003 on existing
databases and by `db.session.migrate` on new ones (from these same strings),
so SQLite and PostgreSQL get identical views.

Portable SQL only (no ROUND on floats, no IS DISTINCT FROM, no booleans), and
documents of files that runs found gone are left out, as in the JSON export.
A later change to a view ships a migration that drops and re-creates it.
"""
from __future__ import annotations

from sqlalchemy import Connection, text

_LIVE_DOCS = """
  SELECT d.* FROM documents d JOIN files f ON f.id = d.file_id
  WHERE f.missing_since IS NULL"""

# Department-year: the organisation (org_name) and fiscal year of every live
# document, money from its FINANCE rows for the whole department (entity
# null): budget/actual of funds_total, else of expenditure_total. The
# execution rate is actual / budget x 100 when both are known, else the rate
# the report states.
V_DEPARTMENT_YEAR = f"""
CREATE VIEW v_department_year AS
WITH docs AS ({_LIVE_DOCS}
    AND d.org_name IS NOT NULL AND d.fiscal_year IS NOT NULL
),
money AS (
  SELECT docs.org_name, docs.fiscal_year,
    MAX(CASE WHEN fi.item = 'funds_total' AND fi.measure = 'budget' THEN fi.value END) AS fb,
    MAX(CASE WHEN fi.item = 'expenditure_total' AND fi.measure = 'budget' THEN fi.value END) AS eb,
    MAX(CASE WHEN fi.item = 'funds_total' AND fi.measure = 'actual' THEN fi.value END) AS fa,
    MAX(CASE WHEN fi.item = 'expenditure_total' AND fi.measure = 'actual' THEN fi.value END) AS ea,
    MAX(CASE WHEN fi.item = 'funds_total' AND fi.measure = 'rate' THEN fi.value END) AS fr,
    MAX(CASE WHEN fi.item = 'expenditure_total' AND fi.measure = 'rate' THEN fi.value END) AS er
  FROM docs JOIN finance fi ON fi.document_id = docs.id AND fi.entity IS NULL
  GROUP BY docs.org_name, docs.fiscal_year
),
dy AS (
  SELECT docs.org_name, docs.fiscal_year,
    MAX(docs.org_department) AS department, MAX(docs.org_region) AS region,
    MAX(rg.province) AS province, MAX(rg.city) AS city, MAX(rg.county) AS county,
    MAX(docs.eval_total_score) AS score, MAX(docs.eval_max_score) AS max_score,
    MAX(docs.eval_grade) AS grade, MAX(docs.staff_authorized) AS staff_authorized,
    MAX(docs.staff_actual) AS staff_actual, COUNT(*) AS documents
  FROM docs LEFT JOIN org_regions rg ON rg.document_id = docs.id
  GROUP BY docs.org_name, docs.fiscal_year
)
SELECT dy.org_name, dy.department, dy.region, dy.province, dy.city, dy.county,
  dy.fiscal_year,
  COALESCE(m.fb, m.eb) AS budget,
  COALESCE(m.fa, m.ea) AS actual,
  CASE WHEN COALESCE(m.fb, m.eb) > 0 AND COALESCE(m.fa, m.ea) IS NOT NULL
       THEN 100.0 * COALESCE(m.fa, m.ea) / COALESCE(m.fb, m.eb)
       ELSE COALESCE(m.fr, m.er) END AS execution_rate,
  dy.score, dy.max_score, dy.grade, dy.staff_authorized, dy.staff_actual, dy.documents
FROM dy LEFT JOIN money m ON m.org_name = dy.org_name AND m.fiscal_year = dy.fiscal_year
"""

# Indicators with target and actual; target_met is 1/0 when the two numbers
# are comparable (same unit, and an operator says which way is good, or a
# qualitative target equals the result), else null: never guessed.
V_INDICATOR_RESULTS = f"""
CREATE VIEW v_indicator_results AS
SELECT i.id AS indicator_id, d.id AS document_id, d.org_name, d.org_region AS region,
  rg.province, rg.city, rg.county, d.fiscal_year, d.doc_type,
  i.level1, i.level2, i.name, c.concept,
  i.target_raw, i.target_op, i.target_value, i.target_unit,
  i.actual_raw, i.actual_value, i.actual_unit, i.weight, i.score,
  CASE
    WHEN i.target_value IS NOT NULL AND i.actual_value IS NOT NULL
         AND COALESCE(i.target_unit, '') = COALESCE(i.actual_unit, '') THEN
      CASE i.target_op
        WHEN '>=' THEN CASE WHEN i.actual_value >= i.target_value THEN 1 ELSE 0 END
        WHEN '>' THEN CASE WHEN i.actual_value > i.target_value THEN 1 ELSE 0 END
        WHEN '<=' THEN CASE WHEN i.actual_value <= i.target_value THEN 1 ELSE 0 END
        WHEN '<' THEN CASE WHEN i.actual_value < i.target_value THEN 1 ELSE 0 END
        WHEN '=' THEN CASE WHEN i.actual_value = i.target_value THEN 1 ELSE 0 END
        ELSE CASE WHEN i.actual_value = i.target_value THEN 1 END
      END
    WHEN i.target_text IS NOT NULL AND i.actual_text = i.target_text THEN 1
  END AS target_met,
  i.src_file, i.src_line, i.src_cell
FROM indicators i
JOIN ({_LIVE_DOCS}) d ON d.id = i.document_id
LEFT JOIN org_regions rg ON rg.document_id = d.id
LEFT JOIN indicator_concepts c ON c.indicator_id = i.id
"""

V_SPENDING_BY_PURPOSE = f"""
CREATE VIEW v_spending_by_purpose AS
SELECT e.id AS expenditure_id, d.id AS document_id, d.org_name, d.org_region AS region,
  rg.province, rg.city, rg.county, d.fiscal_year, e.entity, e.item AS purpose,
  e.value AS amount_yuan, e.src_file, e.src_line, e.src_cell
FROM expenditures e
JOIN ({_LIVE_DOCS}) d ON d.id = e.document_id
LEFT JOIN org_regions rg ON rg.document_id = d.id
"""

VIEWS = {
    "v_department_year": V_DEPARTMENT_YEAR,
    "v_indicator_results": V_INDICATOR_RESULTS,
    "v_spending_by_purpose": V_SPENDING_BY_PURPOSE,
}

# What each view is for and what its columns mean: used by `serve` metadata.
VIEW_DOCS = {
    "v_department_year": (
        "One row per department and fiscal year",
        {"org_name": "organisation as printed (region + department)",
         "budget": "全年预算数 of funds_total (else expenditure_total), yuan",
         "actual": "全年执行数 of the same item, yuan",
         "execution_rate": "actual / budget x 100; the stated 执行率 when either is unknown",
         "score": "总得分 of the evaluation", "grade": "excellent / good / fair / poor",
         "staff_authorized": "编制数", "staff_actual": "实有人数",
         "documents": "documents about this department-year"}),
    "v_indicator_results": (
        "Indicators with target, actual and whether the target was met",
        {"concept": "canonical concept (normalize/concepts.tsv); null = unmapped",
         "target_met": "1 met, 0 not met, null when target and actual are not comparable"}),
    "v_spending_by_purpose": (
        "Spending by purpose (EXPENDITURE rows)",
        {"purpose": "what the money was spent on, as printed", "amount_yuan": "yuan"}),
}


def create_views(conn: Connection) -> None:
    for sql in VIEWS.values():
        conn.execute(text(sql))


def drop_views(conn: Connection) -> None:
    for name in reversed(list(VIEWS)):
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
