"""Opening the database: URL handling, SQLite pragmas, schema migrations, locks.

`open_db` brings any database to the current schema with Alembic
(db/migrations/): an empty database is created from the models and stamped,
a database made before migrations existed is stamped at the first revision
and upgraded, anything else is upgraded. Existing data is never rebuilt.

Two locks keep concurrent processes apart:

* the schema lock, held only while migrating (SQLite: the write lock of a
  `BEGIN IMMEDIATE` transaction, which also makes the DDL atomic;
  PostgreSQL: a transaction-level advisory lock);
* the run lock (`run_lock`), held by an ingest run from start to end
  (SQLite: flock on `<database>-lock`; PostgreSQL: a session advisory lock).
  Both are released by the operating system or the server when the holder
  dies, kill -9 included, so a crashed run never leaves a stale lock.
"""
from __future__ import annotations

import os
import random
import sqlite3
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.models import Base
from db.views import create_views

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision that matches databases created by create_all before Alembic.
BASELINE_REVISION = "0001"


def db_url(url: str) -> str:
    """A bare filesystem path means an SQLite file; anything with :// is a URL."""
    return url if "://" in url else f"sqlite:///{url}"


def _sqlite_connect(dbapi_conn, _record) -> None:
    # We issue BEGIN ourselves (see _sqlite_begin): pysqlite's own implicit
    # transactions skip DDL, which would make migrations non-atomic.
    dbapi_conn.isolation_level = None
    # SQLite ignores ON DELETE CASCADE unless asked, per connection; WAL lets
    # `export` and `status` read while an `ingest` is writing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    # WAL is a property of the file: set once, by whichever process comes
    # first. Switching needs an exclusive lock, which two processes opening
    # a new database at the same moment can contend for; then retry.
    for attempt in range(100):
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05 + random.random() * 0.1)
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # `BEGIN IMMEDIATE` takes the write lock up front, so a writer never fails
    # half-way with "database is locked" when another connection writes.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


def engine_for(url: str) -> Engine:
    """An engine for `url` (no schema work): psycopg 3 for postgresql://."""
    u = make_url(db_url(url))
    kwargs: dict = {}
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 60}  # wait for a writer, not fail
    elif u.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    engine = create_engine(u, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@lru_cache(maxsize=1)
def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic(conn: Connection, action: str, revision: str) -> None:
    from alembic import command

    cfg = _alembic_config()
    cfg.attributes["connection"] = conn
    try:
        getattr(command, action)(cfg, revision)
    finally:
        cfg.attributes.pop("connection", None)


def migrate(engine: Engine) -> str:
    """Bring the schema to head; return what was done ('current', 'created',
    'upgraded'). Safe to call from several processes at once."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:  # the common case: no lock, one query
            return "current"
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text(
                    "SELECT pg_advisory_xact_lock(hashtext('jixiao.schema.' || current_schema()))"))
            rev = current_revision(conn)  # again: another process may have done it
            if rev == head:
                return "current"
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
            if rev is None and not tables:
                Base.metadata.create_all(conn)
                create_views(conn)  # views are not in the metadata
                _alembic(conn, "stamp", "head")
                return "created"
            if rev is None:  # made by create_all before migrations existed
                _alembic(conn, "stamp", BASELINE_REVISION)
            _alembic(conn, "upgrade", "head")
            return "upgraded"


def open_db(url: str) -> Engine:
    """An engine for `url` with the schema at the current revision."""
    engine = engine_for(url)
    try:
        for attempt in range(20):
            try:
                migrate(engine)
                break
            except OperationalError as exc:
                # SQLite answers "locked" at once, without its busy wait, in
                # a few races on a new file (two first runs at the same
                # moment); the other process finishes in well under a second.
                if "database is locked" not in str(exc) or attempt == 19:
                    raise
                engine.dispose()
                time.sleep(0.1 + random.random() * 0.2)
    except BaseException:
        engine.dispose()
        raise
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (for summaries)."""
    return sessionmaker(engine, expire_on_commit=False)


class Busy(Exception):
    """Another ingest run holds the database."""


# `status` probes the run lock for an instant (lock_is_free); a run starting
# in that instant tries again for this long before it calls the database busy.
LOCK_GRACE = 1.0


def _sqlite_lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # in-memory: no other process can see it
    # Keyed on the real file: a symbolic link to the database (or a folder
    # link on the way) names the same lock, so two names never run at once.
    real = Path(os.path.realpath(database))
    return real.with_name(real.name + "-lock")


PG_RUN_LOCK = "hashtext('jixiao.run.' || current_schema())"


def lock_is_free(engine: Engine) -> bool | None:
    """Is the run lock free (no ingest running)? Probed by taking it and
    letting go at once; None where there is no lock to probe (in-memory)."""
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql") or (name == "sqlite" and _sqlite_lock_path(engine) is None):
        return None
    try:
        with run_lock(engine, grace=0.0):
            return True
    except Busy:
        return False
    except OSError:
        return None  # e.g. a read-only folder: cannot tell


@contextmanager
def run_lock(engine: Engine, wait: float = 0.0, poll: float = 0.5,
             grace: float = LOCK_GRACE) -> Iterator[None]:
    """Hold the database's run lock; raise Busy if not had within `wait`
    seconds (at least `grace`: a `status` may be probing it)."""
    deadline = time.monotonic() + max(wait, grace, 0.0)
    if engine.dialect.name == "postgresql":
        # A session lock on a connection of its own, kept for the whole run;
        # the server drops it when the connection goes, however it goes.
        conn = engine.connect()
        try:
            sql = text(f"SELECT pg_try_advisory_lock({PG_RUN_LOCK})")
            while not conn.execute(sql).scalar():
                conn.rollback()
                if time.monotonic() >= deadline:
                    raise Busy()
                time.sleep(poll)
            conn.commit()
            try:
                yield
            finally:
                try:
                    conn.execute(text(f"SELECT pg_advisory_unlock({PG_RUN_LOCK})"))
                    conn.commit()
                except Exception:
                    pass  # connection lost: the server released the lock already
        finally:
            conn.close()
        return
    path = _sqlite_lock_path(engine) if engine.dialect.name == "sqlite" else None
    if path is None:
        yield
        return
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy() from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
