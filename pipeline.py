"""jixiao command line: `ingest` reports into a database, `export` it, analyse it.

Each command opens the database and calls one library function from db/;
the work and its tests live there, this file only maps options to calls.
"""
from __future__ import annotations

import io
import os
import sys
import time
from contextlib import contextmanager
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
from analysis.tables import export_tables
from db.checks_report import check_lines
from db.export import export_json
from db.ingest import RunBusy, RunStopped, default_workers, ingest_paths
from db.session import lock_is_free, open_db, session_factory
from db.status import status_lines
from extract.errors import InputError

DEFAULT_DB = "sqlite:///jixiao.sqlite"

# Exit codes, for cron: 0 every file ingested or skipped, 1 some files in
# quarantine (the rest ingested), 2 usage error, 3 could not run at all or
# stopped part-way (database unusable, another run holds it, or the run lost
# its lock or its database mid-run).
EXIT_QUARANTINED, EXIT_USAGE, EXIT_CANNOT_RUN = 1, 2, 3


class CannotRun(click.ClickException):
    exit_code = EXIT_CANNOT_RUN


class JixiaoGroup(click.Group):
    """Turns expected failures (bad input, unusable database) into one-line errors.

    The one place they are caught, so every command reports them alike; any
    other exception is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()  # `export | head`: the reader left; stop quietly
            ctx.exit(1)
        except (InputError, AnalysisError) as exc:
            raise click.ClickException(str(exc)) from exc
        except RunBusy as exc:
            raise CannotRun(f"{exc}; not started (pass --wait SECONDS to wait for it)") from exc
        except RunStopped as exc:  # lock lost or database failed mid-run: already one line
            raise CannotRun(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise CannotRun(f"database: {_first_line(exc)}") from exc
        except ImportError as exc:  # e.g. a --db URL whose driver is not installed
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


@contextmanager
def database(url: str) -> Iterator[Engine]:
    engine = open_db(url)
    try:
        yield engine
    finally:
        engine.dispose()  # close SQLite so its WAL is checkpointed


@click.group(cls=JixiaoGroup)
@click.version_option(PIPELINE_VERSION, message="%(version)s")
def cli():
    """Chinese budget-performance reports (绩效) to a database and SCHEMA.md JSON."""


class Progress:
    """A bar on a terminal; otherwise a plain log line every `every` seconds."""

    def __init__(self, stream, every: float = 10.0):
        self.stream, self.every = stream, every
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.bar = None
        self.t0 = self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            if self.bar is None and total:
                self.bar = click.progressbar(length=total, label="ingest", file=self.stream,
                                             show_pos=True, show_eta=True)
                self.bar.render_progress()
            if self.bar is not None and done:
                self.bar.update(done - self.bar.pos)
            return
        now = time.monotonic()
        if done and (now - self.last >= self.every):
            self.last = now
            rate = done / max(now - self.t0, 1e-9)
            click.echo(f"jixiao: {done}/{total} files read ({100 * done // total}%), "
                       f"{rate:.1f} files/s", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


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
              help="Seconds to wait for another run on the same database before giving up.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], db_url: str, workers: int,
           wait: float):
    """Read report files and folders (recursively) into the database.

    Unchanged files already ingested by this pipeline version are skipped;
    changed ones replace their documents; files gone from a folder are marked
    missing. Files that cannot be read or parsed are quarantined with the
    reason and the run goes on. Exit code: 0 all ingested or skipped, 1 some
    in quarantine, 2 usage error, 3 could not run or stopped part-way (the
    database failed or the run lost its lock; or another run holds it).
    """
    echo = lambda line: click.echo(line, err=True)  # noqa: E731
    progress = Progress(sys.stderr)
    with database(db_url) as engine:
        try:
            summary = ingest_paths(engine, paths, echo=echo, workers=workers or default_workers(),
                                   progress=progress, wait=wait)
        finally:
            progress.close()
    click.echo(summary.line())
    ctx.exit(summary.exit_code)


@cli.command()
@db_option
@click.option("--runs", "n_runs", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the latest runs to show.")
@click.option("--missing", "list_missing", is_flag=True,
              help="List the files found missing, not only their number.")
def status(db_url: str, n_runs: int, list_missing: bool):
    """The last runs, the quarantined files with their reasons, missing files."""
    with database(db_url) as engine, session_factory(engine)() as session:
        for line in status_lines(session, n_runs, list_missing, lock_free=lock_is_free(engine)):
            click.echo(line)


@cli.command()
@db_option
@click.option("--code", default=None, help="Only checks of this code (sum_mismatch, rate_mismatch, …).")
def checks(db_url: str, code: str | None):
    """The inconsistencies found in the stored documents, and the text no parser read."""
    with database(db_url) as engine, session_factory(engine)() as session:
        for line in check_lines(session, code):
            click.echo(line)


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
                   "into the directory -o; xlsx: one sheet per table and view.")
@click.option("-o", "--output", default="-",
              help="File (json, xlsx) or directory (csv, parquet); json defaults to stdout.")
@click.option("--include-missing", is_flag=True,
              help="json: also export documents of files that runs found gone.")
def export(db_url: str, fmt: str, output: str, include_missing: bool):
    """Print every stored document in the SCHEMA.md shape, or write every table."""
    if fmt == "json":
        # UTF-8 whatever the locale, stdout included: the output is Chinese text.
        # Lazy, so a failing export does not leave an empty file behind.
        fp = click.File("w", encoding="utf-8", lazy=True).convert(output, None, None)
        with database(db_url) as engine, session_factory(engine)() as session:
            export_json(session, fp, include_missing)
        if output != "-":
            fp.close()
        return
    if output == "-":
        raise click.UsageError(f"--format {fmt} needs -o "
                               + ("FILE.xlsx" if fmt == "xlsx" else "DIRECTORY"))
    with database(db_url) as engine:
        done = export_tables(engine, fmt, Path(output))
    click.echo(f"{len(done)} tables and views, {sum(n for _, n in done)} rows -> {output}")


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
    """A MEASURE across areas and years: execution_rate (default), budget,
    actual, score, staff_authorized, staff_actual, or concept:NAME (the
    actual value of the indicators of a concept, e.g. concept:beneficiary_satisfaction)."""
    with database(db_url) as engine:
        table = compare_table(engine, measure, by, years, agg, department)
    write_comparison(table, fmt, output, click.echo)
    if chart:
        draw_chart(table, chart)
        click.echo(f"chart -> {chart}", err=True)


@cli.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def search(query: str, db_url: str, limit: int):
    """Full-text search of the narrative sections and indicator names (jieba
    words; a phrase broken by a line break is found), with each hit's place."""
    with database(db_url) as engine:
        hits = search_text(engine, query, limit)
    for line in hit_lines(hits):
        click.echo(line)


@cli.command()
@db_option
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.pass_context
def serve(ctx: click.Context, db_url: str, port: int):
    """Browse the database in Datasette, read-only, on http://127.0.0.1:PORT
    (SQLite databases; canned queries for the common questions)."""
    with database(db_url) as engine:
        code = serve_datasette(engine, port=port)
    ctx.exit(code)


def main():
    cli()


if __name__ == "__main__":
    main()
