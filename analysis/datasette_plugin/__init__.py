"""The Datasette plugin of `jixiao serve`: how cells read, the home and
database pages, and Chinese full-text search in the search box.

* render_cell: money in yuan with thousands separators (45,623,000.00, the
  万元 figure on hover), rates as percent (96.48%), and the stored codes
  (level1, grade, doc_type, ...) with their Chinese labels, the code kept
  beside it because filters and facets use it. Only the page changes: the
  JSON and CSV Datasette serves carry the stored values.
* extra_template_vars + templates/: the home and database pages list the
  views first, then the canned queries, the tables, and the internal tables
  last (hidden, one click away), in the order analysis/serve.py's metadata
  gives them.
* prepare_connection: Datasette's `escape_fts()`, which turns the search box's
  text into an FTS5 query, replaced by one that splits Chinese text into
  words with jieba, as the index was built (analysis/derive.py): 政策知晓率
  is searched as "政策" "知晓率", not as one unknown word.

Loaded only by `jixiao serve` (`python -m analysis.datasette_plugin serve ...`
registers it, then runs Datasette), never into other Datasette instances;
its templates are found by Datasette as the plugin package's `templates/`.
"""
from __future__ import annotations

import re
from functools import lru_cache

from datasette import hookimpl
from markupsafe import Markup, escape

from analysis.datasette_plugin import labels as L


@lru_cache(maxsize=1)
def _concept_labels() -> dict[str, str]:
    from normalize import concepts

    return concepts.labels()


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _money(v: float) -> Markup:
    return Markup('<span class="jixiao-money" title="{}">{}</span>').format(L.wan(v), L.yuan(v))


def _labelled(label: str, code) -> Markup:
    return Markup('{} <small class="jixiao-code" style="color:#777">{}</small>').format(label, code)


def _row_get(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def format_cell(value, column: str, table: str | None, row=None) -> Markup | None:
    """The HTML for one cell, or None for Datasette's own rendering."""
    if value is None:
        return None
    v = _number(value)
    if v is not None:
        if table == "finance" and column == "value":
            measure = _row_get(row, "measure")
            if measure in L.MONEY_MEASURES:
                return _money(v)
            if measure == "rate":
                return Markup(escape(L.percent(v)))
            return None
        if (table == "expenditures" and column == "value") or column in L.MONEY_COLUMNS:
            return _money(v)
        if column in L.RATE_COLUMNS:
            return Markup(escape(L.percent(v)))
    labels = L.labels_for(table, column)
    if labels is not None and value in labels:
        return _labelled(labels[value], value)
    if column == "concept" and isinstance(value, str) and value in _concept_labels():
        return _labelled(_concept_labels()[value], value)
    return None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return format_cell(value, column, table, row)


# ------------------------------------------------------------ search box

_ESCAPE_FTS = re.compile(r'\s+|(".*?")')


def fts_query(query: str | None) -> str:
    """Datasette's escape_fts with Chinese words: every word quoted, all must
    match; a "quoted phrase" is kept as typed. Nothing to search: matches none."""
    from analysis.derive import query_tokens

    query = query or ""
    if query.count('"') % 2:
        query += '"'
    out = []
    for bit in _ESCAPE_FTS.split(query):
        if not bit or bit == '""':
            continue
        if bit.startswith('"'):
            out.append(bit)
        else:
            out.extend('"' + w.replace('"', '""') + '"' for w in query_tokens(bit))
    return " ".join(out) or '""'


@hookimpl(trylast=True)  # after datasette.sql_functions, which registers its own
def prepare_connection(conn, database, datasette):
    conn.create_function("escape_fts", 1, fts_query)


# ------------------------------------------------------------ home and database pages

def _params(sql: str) -> list[str]:
    """The :named parameters of a canned query, in order (as Datasette finds them)."""
    return list(dict.fromkeys(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", sql)))


def _ordered(names, order) -> list[str]:
    """`names` in the metadata's order, the others after, alphabetically."""
    rank = {n: i for i, n in enumerate(order)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


async def database_listing(datasette, name: str, actor=None) -> dict:
    db = datasette.get_database(name)
    meta = datasette.metadata("tables", database=name) or {}
    queries = await datasette.get_canned_queries(name, actor)
    views = await db.view_names()
    tables = await db.table_names()
    hidden = set(await db.hidden_table_names())
    fts = {m["fts_table"] for m in meta.values() if m.get("fts_table")}
    counts = {}
    if not db.is_mutable:  # immutable: Datasette counts once, cheaply
        counts = await db.table_counts(limit=5)

    def entry(t: str) -> dict:
        m = meta.get(t, {})
        return {"name": t, "title": m.get("title") or t, "description": m.get("description"),
                "count": counts.get(t), "search": bool(m.get("fts_table"))}

    return {
        "name": name,
        "views": [entry(v) for v in _ordered(views, meta)],
        "queries": [{"name": q["name"], "title": q.get("title") or q["name"],
                     "description": q.get("description"),
                     "params": q.get("params") or _params(q.get("sql") or "")}
                    for q in queries.values()],
        "tables": [entry(t) for t in _ordered([t for t in tables if t not in hidden], meta)],
        # the FTS index's own tables (search_fts, search_fts_data, ...) are not listed
        "hidden": [entry(t) for t in _ordered([t for t in tables if t in hidden], meta)
                   if not any(t.startswith(f) for f in fts)],
        "search_table": next((t for t in tables if meta.get(t, {}).get("fts_table")), None),
    }


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template not in ("index.html", "database.html"):
        return {}

    async def inner():
        actor = request.actor if request is not None else None
        names = [database] if database else [n for n in datasette.databases if n != "_internal"]
        return {"jixiao_databases": [await database_listing(datasette, n, actor) for n in names]}

    return inner
