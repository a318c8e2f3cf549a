"""Analyst tools over the jixiao database: regions, indicator concepts,
derived tables, compare, search, table export and the Datasette server.

Every function takes an Engine (or a Session) opened by db.session.open_db;
the CLI in pipeline.py only maps options to one call each.
"""


class AnalysisError(Exception):
    """A request the analysis layer cannot answer (bad measure, no data, ...);
    the CLI shows it as a one-line error."""
