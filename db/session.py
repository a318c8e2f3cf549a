"""Opening the database: URL handling, SQLite pragmas, table creation."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.models import Base


def db_url(url: str) -> str:
    """A bare filesystem path means an SQLite file; anything with :// is a URL."""
    return url if "://" in url else f"sqlite:///{url}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # SQLite ignores ON DELETE CASCADE unless asked, per connection; WAL lets
    # `export` read while an `ingest` is writing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def open_db(url: str) -> Engine:
    """An engine for `url` with every table created (idempotent)."""
    engine = create_engine(db_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (for summaries)."""
    return sessionmaker(engine, expire_on_commit=False)
