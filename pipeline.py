"""jixiao command line: `ingest` reports into a database, `export` it, analyse it.

Each command opens the database and calls one library function from db/;
the work and its tests live there, this file only maps options to calls.
"""
from __future__ import annotations

import io
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from analysis import AnalysisError
from db import PIPELINE_VERSION
from analysis.compare import AGGS, LEVELS
from analysis.compare import chart as draw_chart
from analysis.compare import compare as compare_table
from analysis.compare import write as write_comparison
from analysis.search import hit_lines
from analysis.search import search as search_text
from analysis.serve import serve as serve_datasette
from analysis.tables import ExportUsage, export_tables
from analysis.tables import plan as plan_export
from db.checks_report import CHECK_CODES, check_lines, checks_json, clean_message, known_codes
from db.export import export_json
from db.ingest import RunBusy, RunStopped, default_workers, ingest_paths
from db.session import (NotReadable, lock_is_free_read_only, open_db, reading, session_factory,
                        shown_db)
from db.upgrade import CannotUpgrade
from db.upgrade import upgrade as upgrade_database
from jixiao.progress import Progress, progress_every
from db.status import status_json, status_lines
from extract.errors import InputError

DEFAULT_DB = "sqlite:///jixiao.sqlite"

# Exit codes, for cron: 0 every file ingested or skipped, 1 some files in
# quarantine (the rest ingested), 2 usage error, 3 could not run at all or
# stopped part-way (database unusable, another run holds it, or the run lost
# its lock or its database mid-run).
EXIT_QUARANTINED, EXIT_USAGE, EXIT_CANNOT_RUN = 1, 2, 3


class CannotRun(click.ClickException):
    exit_code = EXIT_CANNOT_RUN


class BadDatabase(click.ClickException):
    """--db names no database a read command can use: one line, exit 2."""
    exit_code = EXIT_USAGE


class JixiaoCommand(click.Command):
    """A command whose line in `jixiao --help` is its docstring's whole first
    sentence, wrapped if long, never cut with "..." (click cuts at 45 columns)."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=10_000)


class JixiaoGroup(click.Group):
    """Turns expected failures (bad input, unusable database) into one-line errors.

    The one place they are caught, so every command reports them alike; any
    other exception is a bug and keeps its traceback.
    """

    command_class = JixiaoCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `jixiao` alone: the help, and exit 0 (click >= 8.2 exits 2)
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()  # `export | head`: the reader left; stop quietly
            ctx.exit(1)
        except (InputError, AnalysisError) as exc:
            raise click.ClickException(str(exc)) from exc
        except NotReadable as exc:  # missing file, older schema, not a jixiao database
            raise BadDatabase(str(exc)) from exc
        except CannotUpgrade as exc:
            raise CannotRun(str(exc)) from exc
        except RunBusy as exc:
            raise CannotRun(f"{exc}; not started (pass --wait SECONDS to wait for it)") from exc
        except RunStopped as exc:  # lock lost or database failed mid-run: already one line
            raise CannotRun(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise CannotRun(f"database: {_first_line(exc)}") from exc
        except ImportError as exc:  # e.g. a --db URL whose driver is not installed
            if (exc.name or "").split(".")[0] in ("psycopg", "psycopg2"):
                raise BadDatabase("--db is a PostgreSQL URL and its driver is not installed: "
                                  "install `jixiao[pg]` (pip install 'jixiao[pg]')") from exc
            raise CannotRun(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _silence_stdout() -> None:
    # Python flushes stdout again at exit, which would raise a second
    # BrokenPipeError; point the descriptor at devnull first.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file descriptor (tests)


def db_option(fn):
    """--db, shared by every command."""
    return click.option(
        "--db", "db_url", default=DEFAULT_DB, show_default=True, envvar="JIXIAO_DB",
        help="SQLAlchemy URL, or a path to an SQLite file.",
    )(fn)


def json_option(fn):
    """--json, for the commands whose output a script reads."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the result as one JSON object instead of lines.")(fn)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=1, default=str))


@contextmanager
def database(url: str) -> Iterator[Engine]:
    engine = open_db(url)
    try:
        yield engine
    finally:
        engine.dispose()  # close SQLite so its WAL is checkpointed


@contextmanager
def read_database(url: str, derived: bool = False) -> Iterator[Engine]:
    """For the read commands: opened read-only, never migrated nor written
    (db/session.py `reading`). `derived`: the command reads the derived tables;
    if they are out of date, say so once on stderr and read them as they are."""
    from analysis.derive import stale_note

    with reading(url) as engine:
        if derived:
            note = stale_note(engine, f"`jixiao upgrade --db {shown_db(url)}` rebuilds them")
            if note:
                click.echo(f"jixiao: {note}", err=True)
        yield engine


def _version() -> str:
    try:
        from jixiao import __version__
    except ImportError:  # an editable install made before the jixiao package existed
        from importlib.metadata import version

        return version("jixiao")
    return __version__


COMPLETION = """\b
Shell completion: add to ~/.bashrc
  eval "$(_JIXIAO_COMPLETE=bash_source jixiao)"
(zsh: zsh_source in ~/.zshrc; fish: fish_source > ~/.config/fish/completions/jixiao.fish)"""


@click.group("jixiao", cls=JixiaoGroup, epilog=COMPLETION,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="jixiao",
                      message=f"%(prog)s %(version)s (pipeline version {PIPELINE_VERSION})")
def cli():
    """Chinese budget-performance reports (绩效) to a database and SCHEMA.md JSON."""


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0, envvar="JIXIAO_WORKERS",
              show_default="0: one per core",
              help="Worker processes that read and parse, each file under "
                   "JIXIAO_FILE_TIMEOUT (120 s) and JIXIAO_WORKER_MEMORY_MB (1536); "
                   "1 with both limits 0 parses in this process.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for another run on the same database before giving up "
                   "(saying on stderr which run it waits for).")
@click.option("--cluster", metavar="ADDRESS", envvar="JIXIAO_CLUSTER", default=None,
              help="Read and parse on a Dask cluster instead of local workers: its scheduler "
                   "(tcp://HOST:8786), or local:N to start N Dask workers on this machine "
                   "(pip install 'jixiao[cluster]'; docs/multi-machine.md). The database is "
                   "written from this process as always; --workers is then unused.")
@click.option("--ship-bytes", is_flag=True,
              help="With --cluster: send each file's bytes to the workers instead of having "
                   "them read its path (chosen by itself when a worker cannot see the path).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], db_url: str, workers: int,
           wait: float, cluster: str | None, ship_bytes: bool):
    """Read report files and folders (recursively) into the database.

    Unchanged files already ingested by this pipeline version are skipped;
    changed ones replace their documents; files gone from a folder are marked
    missing. Files that cannot be read or parsed are quarantined with the
    reason and the run goes on. Exit code: 0 all ingested or skipped, 1 some
    in quarantine, 2 usage error, 3 could not run or stopped part-way (the
    database failed or the run lost its lock; or another run holds it).
    """
    echo = lambda line: click.echo(line, err=True)  # noqa: E731
    if ship_bytes and not cluster:
        raise click.UsageError("--ship-bytes goes with --cluster")
    every = progress_every()
    executor = None
    if cluster:
        from db.cluster import ClusterError, connect  # Dask is imported with --cluster only

        try:
            executor = connect(cluster, ship_bytes=ship_bytes, echo=echo)
        except ClusterError as exc:
            if exc.usage:
                raise click.UsageError(str(exc)) from exc
            raise CannotRun(str(exc)) from exc
    progress = Progress(sys.stderr, every=every)
    with database(db_url) as engine:
        try:
            summary = ingest_paths(engine, paths, echo=progress.echo,
                                   workers=workers or default_workers(), progress=progress,
                                   wait=wait, executor=executor, on_wait=progress.echo)
        finally:
            progress.close()
            if executor is not None:
                executor.close()
    click.echo(summary.line())
    ctx.exit(summary.exit_code)


@cli.command()
@db_option
@click.option("--runs", "n_runs", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the latest runs to show.")
@click.option("--missing", "list_missing", is_flag=True,
              help="List the files found missing, not only their number.")
@json_option
def status(db_url: str, n_runs: int, list_missing: bool, as_json: bool):
    """The last runs, the quarantined files with their reasons, missing files."""
    with read_database(db_url) as engine, session_factory(engine)() as session:
        lock_free = lock_is_free_read_only(engine)
        if as_json:
            echo_json(status_json(session, n_runs, list_missing, lock_free=lock_free))
            return
        for line in status_lines(session, n_runs, list_missing, lock_free=lock_free):
            click.echo(clean_message(line))


@cli.command()
@db_option
@click.option("--code", default=None, metavar="CODE",
              shell_complete=lambda ctx, param, incomplete: [
                  c for c in CHECK_CODES if c.startswith(incomplete)],
              help="Only checks of this code (sum_mismatch, rate_mismatch, …; an unknown "
                   "code lists them).")
@json_option
def checks(db_url: str, code: str | None, as_json: bool):
    """The inconsistencies found in the stored documents, and the text no parser read."""
    with read_database(db_url) as engine, session_factory(engine)() as session:
        if code is not None and code not in (known := known_codes(session)):
            raise click.BadParameter(f"unknown check code {code!r}; the codes: "
                                     + ", ".join(known), param_hint="--code")
        if as_json:
            echo_json(checks_json(session, code))
            return
        for line in check_lines(session, code):
            click.echo(clean_message(line))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json_out", is_flag=True, help="Print the figures as JSON.")
def coverage(paths: tuple[Path, ...], as_json_out: bool):
    """How much of each document the parsers read.

    The files are read in this process and nothing is stored: point it at a
    folder before ingesting it. Documents with the least read come first.
    """
    from analysis.coverage import as_json, coverage as read_coverage, format_table

    rows, failed = read_coverage(list(paths))
    click.echo(as_json(rows, failed) if as_json_out else format_table(rows, failed))


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx", "parquet"]),
              default="json", show_default=True,
              help="json: SCHEMA.md documents; csv/parquet: one file per table and view "
                   "into the directory -o (or one table into -o NAME.csv); xlsx: the "
                   "analyst's workbook (README sheet, views, then tables).")
@click.option("-o", "--output", default="-",
              help="File (json, xlsx, one csv/parquet table) or directory (csv, parquet); "
                   "json, and csv with one --table, default to stdout.")
@click.option("--table", "tables", multiple=True, metavar="NAME",
              help="csv/xlsx/parquet: only this table or view (repeatable).")
@click.option("--all", "include_internal", is_flag=True,
              help="csv/xlsx/parquet: also the pipeline's internal tables (files, runs, "
                   "quarantine, ...), last.")
@click.option("--no-bom", "no_bom", is_flag=True,
              help="csv: no UTF-8 byte-order mark (by default there is one, for Excel).")
@click.option("--include-missing", is_flag=True,
              help="Also export documents of files that runs found gone.")
def export(db_url: str, fmt: str, output: str, tables: tuple[str, ...],
           include_internal: bool, no_bom: bool, include_missing: bool):
    """Print every stored document in the SCHEMA.md shape, or write every table."""
    if (fmt == "json" and (tables or include_internal)) or (no_bom and fmt != "csv"):
        raise click.UsageError("--table and --all are for csv, xlsx and parquet; "
                               "--no-bom for csv")
    if fmt == "json":
        # UTF-8 whatever the locale, stdout included: the output is Chinese text.
        # Lazy, so a failing export does not leave an empty file behind.
        fp = click.File("w", encoding="utf-8", lazy=True).convert(output, None, None)
        with read_database(db_url) as engine, session_factory(engine)() as session:
            export_json(session, fp, include_missing)
            n = _documents_count(session, include_missing) if output != "-" else 0
        if output != "-":
            fp.close()
            click.echo(f"{n} document{'s' if n != 1 else ''} -> {output}")
        return
    try:
        chosen, path, single = plan_export(fmt, output, tables, include_internal)
    except ExportUsage as exc:
        raise click.UsageError(str(exc)) from exc
    with read_database(db_url, derived=True) as engine:
        done = export_tables(engine, fmt, path, tables=chosen, include_missing=include_missing,
                             bom=not no_bom, single=single,
                             stream=sys.stdout.buffer if path is None else None)
    click.echo(f"{len(done)} tables and views, {sum(n for _, n in done)} rows -> "
               + (output if path else "stdout"), err=path is None)


def _documents_count(session, include_missing: bool) -> int:
    """How many documents the JSON export wrote (its one-line summary)."""
    from sqlalchemy import func, select

    from db.models import Document, File

    q = select(func.count(Document.id)).join(File, Document.file_id == File.id)
    if not include_missing:
        q = q.where(File.missing_since.is_(None))
    return session.scalar(q) or 0


def _compare_usage(measure: str, years: str | None, fmt: str, output: Path | None) -> None:
    """What the user typed wrong, before the database is opened: exit 2."""
    from analysis.compare import MEASURES, parse_years
    from normalize import concepts

    if measure.startswith("concept:"):
        if measure.split(":", 1)[1] not in concepts.labels():
            raise click.BadParameter(f"unknown concept {measure.split(':', 1)[1]!r}; known: "
                                     + ", ".join(concepts.labels()), param_hint="MEASURE")
    elif measure not in MEASURES:
        raise click.BadParameter(f"unknown measure {measure!r}; one of "
                                 + ", ".join([*MEASURES, "concept:NAME"]), param_hint="MEASURE")
    try:
        parse_years(years)
    except AnalysisError as exc:
        raise click.BadParameter(str(exc).removeprefix("years: "), param_hint="--years") from exc
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE.xlsx")


def output_option(fn):
    """-o FILE, shared by the analysis commands."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write to this file instead of stdout.")(fn)


@cli.command()
@click.argument("measure", default="execution_rate")
@db_option
@click.option("--by", type=click.Choice(LEVELS), default="county", show_default=True,
              help="Rows: the area level (from the region dataset) or the organisation.")
@click.option("--years", metavar="FROM-TO", help="e.g. 2021-2024, or one year.")
@click.option("--agg", type=click.Choice(AGGS), default="mean", show_default=True,
              help="How departments in one area and year are combined.")
@click.option("--department", help="Only departments whose name contains this text.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "xlsx"]), default="text",
              show_default=True)
@output_option
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path),
              help="Also draw the table as a line chart into this PNG file.")
def compare(measure: str, db_url: str, by: str, years: str | None, agg: str,
            department: str | None, fmt: str, output: Path | None, chart: Path | None):
    """A measure compared across areas and years, as a table or a chart.

    MEASURE: execution_rate (default), budget, actual, score,
    staff_authorized, staff_actual, or concept:NAME (the actual value of the
    indicators of a concept, e.g. concept:beneficiary_satisfaction).
    """
    _compare_usage(measure, years, fmt, output)
    with read_database(db_url, derived=True) as engine:
        table = compare_table(engine, measure, by, years, agg, department)
    write_comparison(table, fmt, output, click.echo)
    if chart:
        draw_chart(table, chart)
        click.echo(f"chart -> {chart}", err=True)


@cli.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
def search(query: str, db_url: str, limit: int, as_json: bool):
    """Full-text search of the narrative sections and indicator names.

    Chinese is split into words with jieba, every word must match and the
    query must occur as a phrase (a phrase broken by a line break in the
    report is found); each hit with its file, line or page, and cell.
    """
    from analysis.derive import query_tokens

    if not query_tokens(query):
        raise click.BadParameter("nothing to search for", param_hint="QUERY")
    with read_database(db_url, derived=True) as engine:
        hits = search_text(engine, query, limit)
    if as_json:
        echo_json({"query": query, "hits": [asdict(h) for h in hits], "count": len(hits)})
        return
    for line in hit_lines(hits):
        click.echo(line)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every network this machine is on "
                   "(read-only all the same).")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option("--open", "open_browser", is_flag=True,
              help="Open the home page in the web browser once the server is up.")
@click.pass_context
def serve(ctx: click.Context, db_url: str, host: str, port: int, open_browser: bool):
    """Browse the database in Datasette, read-only.

    SQLite databases, on http://127.0.0.1:8001 unless --host/--port say
    otherwise: the views first, canned queries for the common questions,
    money and rates formatted, codes with their Chinese labels, full-text
    search in the search box.
    """
    if "://" in db_url and not db_url.split("://", 1)[0].startswith("sqlite"):
        raise click.UsageError("serve needs an SQLite database file (Datasette reads SQLite "
                               "only); compare, search and export read PostgreSQL too")
    with read_database(db_url, derived=True) as engine:
        code = serve_datasette(engine, host=host, port=port, open_browser=open_browser,
                               echo=lambda line: click.echo(line, err=True))
    ctx.exit(code)


@cli.command()
@db_option
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for an ingest run on the same database before giving up.")
def upgrade(db_url: str, wait: float):
    """Migrate an older jixiao's database and rebuild its derived tables.

    Brings the schema to this jixiao's revision and rebuilds the derived
    tables (regions, indicator concepts, search index). The read commands (status, checks, export, compare, search, serve) never
    write, so they refuse an older schema and point here; ingest migrates and
    rebuilds by itself. A database file that does not exist is not created.
    """
    click.echo(upgrade_database(db_url, wait, on_wait=lambda line: click.echo(line, err=True)))


def main():
    cli(prog_name="jixiao")  # also names completion's variable: _JIXIAO_COMPLETE


if __name__ == "__main__":
    main()
