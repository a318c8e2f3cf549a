"""jixiao command line: `ingest` reports into a database, `export` it as JSON.

Each command opens the database and calls one library function from db/;
the work and its tests live there, this file only maps options to calls.
"""
from __future__ import annotations

import io
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db import PIPELINE_VERSION
from db.export import export_json
from db.ingest import ingest_paths
from db.session import open_db, session_factory
from extract.errors import InputError

DEFAULT_DB = "sqlite:///jixiao.sqlite"


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
        except InputError as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(f"database: {exc}") from exc
        except ImportError as exc:  # e.g. a --db URL whose driver is not installed
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from exc


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


@cli.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@db_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], db_url: str):
    """Read report files and folders (recursively) into the database.

    Files that cannot be read or parsed are quarantined with the reason and
    the run goes on; the exit code is 1 if any were.
    """
    with database(db_url) as engine:
        summary = ingest_paths(engine, paths, echo=lambda line: click.echo(line, err=True))
    click.echo(summary.line())
    if summary.quarantined:
        ctx.exit(1)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json",
              show_default=True, help="Output format (SCHEMA.md).")
# UTF-8 whatever the locale, stdout included: the output is Chinese text.
# Lazy, so a failing export does not leave an empty file behind.
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True),
              default="-", help="Write to this file instead of stdout.")
def export(db_url: str, fmt: str, output):
    """Print every stored document in the SCHEMA.md shape."""
    with database(db_url) as engine, session_factory(engine)() as session:
        export_json(session, output)


def main():
    cli()


if __name__ == "__main__":
    main()
