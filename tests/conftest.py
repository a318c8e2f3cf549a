"""Shared test setup: run from a checkout without installing the package."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- databases
# PostgreSQL tests run against a real server named by JIXIAO_TEST_PG_URL
# (.ci/run installs and starts one); without it they skip, unless
# JIXIAO_REQUIRE_PG is set (CI), where a missing server is a failure.
import os  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

PG_URL = os.environ.get("JIXIAO_TEST_PG_URL")
PG_SKIP_REASON = ("PostgreSQL tests need a server: set JIXIAO_TEST_PG_URL="
                  "postgresql://USER:PASS@HOST/DB (.ci/run installs one and sets it)")


@pytest.fixture
def pg_url_factory():
    """Makes PostgreSQL URLs, each with its tables in a fresh schema that is
    dropped afterwards, so tests never see each other's rows."""
    if not PG_URL:
        if os.environ.get("JIXIAO_REQUIRE_PG"):
            pytest.fail("JIXIAO_REQUIRE_PG is set but JIXIAO_TEST_PG_URL is not")
        pytest.skip(PG_SKIP_REASON)
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from db.session import engine_for

    admin = engine_for(PG_URL)
    schemas: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.begin() as conn:
            # A test that leaked an open transaction fails here, not hangs.
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_url_factory):
    return pg_url_factory()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    """The same test on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'j.sqlite'}"
    return request.getfixturevalue("pg_url")


# A role with SELECT rights only (an analyst's), named by JIXIAO_TEST_PG_RO_URL
# (.ci/run creates jixiao_reader and sets it): tests ingest with the owner's URL
# and read with this one. It needs CONNECT, and SELECT and USAGE on what the
# owner creates later (ALTER DEFAULT PRIVILEGES ... ON TABLES / ON SCHEMAS).
PG_RO_URL = os.environ.get("JIXIAO_TEST_PG_RO_URL")
PG_RO_SKIP_REASON = ("PostgreSQL read-only tests need a role with SELECT rights only: set "
                     "JIXIAO_TEST_PG_RO_URL=postgresql://READER:PASS@HOST/DB (.ci/run creates "
                     "jixiao_reader and sets it)")


@pytest.fixture
def pg_ro_urls(pg_url_factory):
    """(owner URL, reader URL) of one fresh schema: the owner (JIXIAO_TEST_PG_URL)
    ingests, the SELECT-only reader (JIXIAO_TEST_PG_RO_URL) reads the same tables."""
    if not PG_RO_URL:
        if os.environ.get("JIXIAO_REQUIRE_PG"):
            pytest.fail("JIXIAO_REQUIRE_PG is set but JIXIAO_TEST_PG_RO_URL is not")
        pytest.skip(PG_RO_SKIP_REASON)
    from sqlalchemy.engine import make_url

    owner = pg_url_factory()
    search_path = make_url(owner).query["options"]
    reader = make_url(PG_RO_URL).update_query_dict({"options": search_path})
    return owner, reader.render_as_string(hide_password=False)
