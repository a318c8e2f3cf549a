"""jixiao from Python (a notebook, a script): the same pipeline as the CLI.

    import jixiao
    summary = jixiao.ingest(["reports/"], db="jixiao.sqlite")   # the run's summary
    docs = jixiao.read("reports/report.txt")                      # SCHEMA.md documents, no database
    df = jixiao.frame("jixiao.sqlite", "v_department_year")       # a typed pandas DataFrame

`ingest` is `jixiao ingest`; `read` parses in this process and stores nothing;
`frame` reads a view or table and never writes. The work is done by the
modules the CLI uses (db/, parsers/, analysis/); this package only names it.
"""
from __future__ import annotations

from jixiao.api import frame, ingest, read, tables

__all__ = ["ingest", "read", "frame", "tables", "__version__", "PIPELINE_VERSION"]


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jixiao")
    except PackageNotFoundError:  # a checkout that was never installed
        import re
        from pathlib import Path

        try:
            text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
        except OSError:
            return "unknown"
        m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return m.group(1) if m else "unknown"


__version__ = _package_version()

from db import PIPELINE_VERSION  # noqa: E402  (what files.pipeline_version records)
