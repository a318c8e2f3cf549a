"""Opening the database: URL handling, SQLite pragmas, schema migrations, locks.

`open_db` brings any database to the current schema with Alembic
(db/migrations/): an empty database is created from the models and stamped,
a database made before migrations existed is stamped at the first revision
and upgraded, anything else is upgraded. Existing data is never rebuilt.
Only writers open the database so (ingest, `jixiao upgrade`); the read
commands go through `reading` (open_read_only), which never migrates nor
writes and refuses a database whose schema is not this code's (NotReadable).

Two locks keep concurrent processes apart:

* the schema lock, held only while migrating (SQLite: the write lock of a
  `BEGIN IMMEDIATE` transaction, which also makes the DDL atomic;
  PostgreSQL: a transaction-level advisory lock);
* the run lock (`run_lock`), held by an ingest run from start to end
  (SQLite: flock on `<database>-lock`; PostgreSQL: a session advisory lock).
  Both are released by the operating system or the server when the holder
  dies, kill -9 included, so a crashed run never leaves a stale lock.

A PostgreSQL lock lives as long as its connection, which the server can
close under a running run (idle_session_timeout, a pooler, an administrator's
pg_terminate_backend, a restart). So the lock's connection has TCP keepalives
and no idle timeout, and the run checks, inside each write transaction
(`HeldLock.check`), that the lock is still held by that very connection: a
run that lost it stops before it writes again (LockLost).
"""
from __future__ import annotations

import os
import random
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime
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


# libpq connection settings for PostgreSQL, unless the URL sets them: TCP
# keepalives, so a connection left idle (the run lock's, for a whole run) is
# neither dropped by a firewall or NAT on the way nor kept open to a dead
# server; and a bound on connecting, so a run whose server went away ends
# instead of hanging.
PG_CONNECT_ARGS = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                   "keepalives_count": 3, "connect_timeout": 10}


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
        kwargs["connect_args"] = {k: v for k, v in PG_CONNECT_ARGS.items() if k not in u.query}
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
    return open_migrated(url)[0]


def open_migrated(url: str) -> tuple[Engine, str]:
    """open_db, and what `migrate` did ('current', 'created', 'upgraded')."""
    engine = engine_for(url)
    try:
        for attempt in range(20):
            try:
                done = migrate(engine)
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
    return engine, done


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (for summaries)."""
    return sessionmaker(engine, expire_on_commit=False)


# ---------------------------------------------------------------- reading only
# The read commands (status, checks, export, search, compare, serve) open the
# database through `reading`: nothing is migrated, derived or locked, and no
# file is created. SQLite: a `mode=ro` URI, so an ingest may write meanwhile
# (WAL); in a read-only folder (an archive, a shared drive, a read-only
# mount), where SQLite could not create the -shm file that mode=ro needs for
# a WAL database, `immutable=1`: no -wal, -shm or lock file is needed.
# PostgreSQL: every transaction READ ONLY, so a role with SELECT rights only
# can read.


class NotReadable(Exception):
    """A read command cannot use this database as it is: no such file, not a
    jixiao database, or a schema of another revision. str() is the one line
    for the user."""


def shown_db(url: str) -> str:
    """`url` as the user can type it again, password hidden, shell-quoted."""
    import shlex

    shown = url
    if "://" in url:
        u = make_url(url)
        if u.password is not None:
            shown = u.render_as_string(hide_password=True)
    return shlex.quote(shown)


def _sqlite_file(url: str) -> str | None:
    """The file of an SQLite URL; None for other databases and in-memory ones."""
    u = make_url(db_url(url))
    if u.get_backend_name() != "sqlite":
        return None
    if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        return None
    return u.database


def _sqlite_uri(path: str, query: str) -> str:
    from urllib.parse import quote

    return f"file:{quote(os.path.abspath(path))}?{query}"


def _has_wal(path: str) -> bool:
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def _sqlite_read_only_connect(path: str):
    """A read-only connection to the SQLite file `path` (see above)."""
    folder = os.path.dirname(os.path.abspath(path))
    # access() answers EROFS for a read-only mount, root included; a folder a
    # user may not write to (chmod -w) is read-only to that user.
    if os.access(folder, os.W_OK) or _has_wal(path):
        # A read-only folder holding a WAL that is not empty (copied while a
        # run was writing): immutable=1 would ignore the last transactions,
        # mode=ro reads them through the -shm file beside it.
        query = "mode=ro"
    else:
        query = "mode=ro&immutable=1"
    conn = sqlite3.connect(_sqlite_uri(path, query), uri=True, timeout=60,
                           check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the file now
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" in str(exc) and _has_wal(path):
            raise NotReadable(
                f"{path} has a write-ahead log ({os.path.basename(path)}-wal) that cannot be "
                f"read here without its -shm file (a read-only folder): open it once where "
                "it can be written, or copy the -shm file along") from None
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise NotReadable(f"{path} is not an SQLite database: check --db") from None
        raise
    conn.isolation_level = None  # BEGIN from _sqlite_begin: one snapshot per transaction
    conn.execute("PRAGMA query_only=ON")
    return conn


def _pg_read_only(dbapi_conn, _record) -> None:
    with dbapi_conn.cursor() as cur:
        cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_conn.commit()


def schema_state(engine: Engine) -> tuple[str, str | None, set[str]]:
    """(state, revision, tables), reading only. state: 'current' (this code's
    head), 'older' (a revision before it, or tables from before revisions
    existed: revision None), 'newer' (a revision this code does not know),
    'empty' (no tables at all) or 'foreign' (tables, none of them jixiao's)."""
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        rev = current_revision(conn)
        if rev == head_revision():
            return "current", rev, set()
        tables = set(inspect(conn).get_table_names())
    if rev is None:
        if not tables:
            return "empty", None, tables
        return ("older" if {"files", "documents"} <= tables else "foreign"), None, tables
    try:
        known = ScriptDirectory.from_config(_alembic_config()).get_revision(rev) is not None
    except Exception:  # alembic: "No such revision"
        known = False
    return ("older" if known else "newer"), rev, tables


def _check_schema(engine: Engine, url: str) -> None:
    """NotReadable unless the schema is at this code's revision."""
    state, rev, tables = schema_state(engine)
    head = head_revision()
    upgrade = f"run `jixiao upgrade --db {shown_db(url)}` to bring it up to date"
    if engine.dialect.name == "postgresql":
        upgrade += " (as the role that owns its tables)"
    if state == "current":
        return
    if state == "empty":
        raise NotReadable(f"{shown_db(url)} holds no jixiao tables: check --db "
                          "(`jixiao ingest` creates the database)")
    if state == "foreign":
        names = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise NotReadable(f"{shown_db(url)} is not a jixiao database (its tables: {names}): "
                          "check --db")
    if state == "newer":
        raise NotReadable(f"the database was made by a newer jixiao (schema revision {rev}; "
                          f"this one knows up to {head}): install the newer jixiao to read it")
    made = f"schema revision {rev}" if rev else "from before schema revisions"
    raise NotReadable(f"the database was made by an older jixiao ({made}; this one needs "
                      f"revision {head}); {upgrade}")


def open_read_only(url: str) -> Engine:
    """An engine that reads `url` and never writes: no migration, no file
    created. NotReadable when there is no such SQLite file, or the schema is
    not this code's (migrating is `jixiao upgrade`)."""
    path = _sqlite_file(url)
    if path is not None:
        if not os.path.exists(path):
            raise NotReadable(f"no database at {path}: check --db "
                              "(`jixiao ingest` creates one)")
        if os.path.isdir(path):
            raise NotReadable(f"{path} is a folder, not a database file: check --db")
        engine = create_engine(make_url(db_url(url)),
                               creator=lambda: _sqlite_read_only_connect(path))
        event.listen(engine, "begin", _sqlite_begin)
    elif make_url(db_url(url)).get_backend_name() == "sqlite":
        # In memory (empty: refused below), or a file: URI written out by the user,
        # taken as it is, without the pragmas that write.
        engine = create_engine(make_url(db_url(url)))
    else:
        engine = engine_for(url)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _pg_read_only)
    try:
        _check_schema(engine, url)
    except OperationalError as exc:
        engine.dispose()
        u = engine.url
        if engine.dialect.name == "postgresql" and f'database "{u.database}" does not exist' in str(exc):
            raise NotReadable(f"no database {u.database} on the server {u.host or 'localhost'}: "
                              "check --db") from None
        raise
    except BaseException:
        engine.dispose()
        raise
    return engine


def _tidy_sqlite(path: str, had: set[str]) -> None:
    """A mode=ro connection leaves the -wal and -shm files it needed (it may
    not checkpoint); remove them again, as a writer's last connection does,
    when this command made them: a read-write connection that reads nothing
    and closes last checkpoints an empty WAL and deletes both (SQLite does
    nothing of the kind while another connection is open)."""
    made = {s for s in ("-wal", "-shm") if os.path.exists(path + s)} - had
    if not made or not os.access(os.path.dirname(os.path.abspath(path)), os.W_OK):
        return
    try:
        conn = sqlite3.connect(_sqlite_uri(path, "mode=rw"), uri=True, timeout=1)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # busy or not ours to write: the files stay, as harmless as before


@contextmanager
def reading(url: str) -> Iterator[Engine]:
    """open_read_only for the span of a command, leaving the folder as it was."""
    path = _sqlite_file(url)
    had = {s for s in ("-wal", "-shm") if path and os.path.exists(path + s)}
    engine = open_read_only(url)
    try:
        yield engine
    finally:
        engine.dispose()
        if path is not None:
            _tidy_sqlite(path, had)


def lock_is_free_read_only(engine: Engine) -> bool | None:
    """lock_is_free for a read command: SQLite's lock file is opened read-only
    and never created (none there means no run holds it), so a database in a
    read-only folder can tell too."""
    path = _sqlite_lock_path(engine) if engine.dialect.name == "sqlite" else None
    if path is None:
        return lock_is_free(engine)
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


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
# Taken shared by every write transaction of a run, and exclusively for an
# instant by a run that has just got the run lock: a run that lost its lock
# may be in the middle of one transaction (it checked the lock, then lost
# it); the new run waits for that transaction to end before it looks at
# anything, so the two never write at the same time.
PG_WRITE_FENCE = "hashtext('jixiao.write.' || current_schema())"
# pg_locks shows a bigint advisory key as two oids, its high and low 32 bits.
_PG_HOLDER = f"""
SELECT l.pid, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = (({PG_RUN_LOCK}::bigint >> 32) & 4294967295)::oid
  AND l.objid = ({PG_RUN_LOCK}::bigint & 4294967295)::oid"""


class LockLost(Exception):
    """The run lock is no longer held by this run; the message says so in one line."""


def run_lock_holder(conn: Connection | Session) -> tuple[int, datetime] | None:
    """PostgreSQL: (backend pid, backend start) of the connection holding the
    run lock, or None when no one holds it."""
    row = conn.execute(text(_PG_HOLDER)).first()
    return None if row is None else (row[0], row[1])


class HeldLock:
    """The run lock, as held by this process. SQLite: an flock, which only
    this process's exit takes away; nothing to check."""

    def check(self, session: Session) -> None:
        """Call first in every write transaction of the run; raises LockLost."""


class _PgHeldLock(HeldLock):
    def __init__(self, holder: tuple[int, datetime] | None):
        # A backend pid alone could be reused by a later connection; with
        # its start time it names this one connection.
        self.holder = holder

    def check(self, session: Session) -> None:
        session.execute(text(f"SELECT pg_advisory_xact_lock_shared({PG_WRITE_FENCE})"))
        now = run_lock_holder(session)
        if now is not None and now == self.holder:
            return
        why = ("the database closed the connection that held it (idle_session_timeout, "
               "a connection pooler, pg_terminate_backend or a server restart)")
        if now is not None:
            why += f", and another connection (server pid {now[0]}) holds it now"
        raise LockLost(f"this run lost the database's run lock: {why}")


def _pg_keep(conn: Connection) -> None:
    """No server-side idle timeout on the lock's connection: it is idle for
    the whole run by design (idle_session_timeout exists from PostgreSQL 14)."""
    conn.execute(text("SET idle_in_transaction_session_timeout = 0"))
    if conn.dialect.server_version_info >= (14,):
        conn.execute(text("SET idle_session_timeout = 0"))


def lock_is_free(engine: Engine) -> bool | None:
    """Is the run lock free (no ingest running)? Probed by taking it and
    letting go at once; None where there is no lock to probe (in-memory)."""
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql") or (name == "sqlite" and _sqlite_lock_path(engine) is None):
        return None
    try:
        with run_lock(engine, grace=0.0, fence=False):
            return True
    except Busy:
        return False
    except OSError:
        return None  # e.g. a read-only folder: cannot tell


@contextmanager
def run_lock(engine: Engine, wait: float = 0.0, poll: float = 0.5,
             grace: float = LOCK_GRACE, fence: bool = True) -> Iterator[HeldLock]:
    """Hold the database's run lock; raise Busy if not had within `wait`
    seconds (at least `grace`: a `status` may be probing it). Yields the
    HeldLock whose `check` each write transaction of the run calls; `fence`
    False (a probe that writes nothing) skips waiting for the writes of a
    run that lost the lock."""
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
            _pg_keep(conn)
            if fence:
                conn.execute(text(f"SELECT pg_advisory_xact_lock({PG_WRITE_FENCE})"))
            holder = run_lock_holder(conn)
            conn.commit()  # ends the fence's transaction; the session lock stays
            try:
                yield _PgHeldLock(holder)
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
        yield HeldLock()
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
            yield HeldLock()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
