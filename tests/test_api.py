"""`import jixiao` from a notebook: jixiao.ingest, jixiao.read and jixiao.frame
on the bundled samples (samples/*.txt), and the same three calls in a fresh
virtualenv after `pip install .` of a copy of the checkout.

The fresh-venv test takes about 20 s (a venv, a wheel built, the samples
ingested); JIXIAO_SKIP_INSTALL_TEST=1 skips it for a quick local run. It
downloads nothing when the build tools are at hand: the venv sees this
environment's packages through a .pth file (the dependencies are not
reinstalled), and the wheel is built without isolation when setuptools>=68
and wheel are importable here; otherwise pip's isolated build fetches those
two from the configured index, as any `pip install .` does.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import jixiao
from pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("api") / "reports"
    folder.mkdir()
    for p in SAMPLES:
        shutil.copy(p, folder / p.name)
    return folder


@pytest.fixture(scope="module")
def ingested(samples, tmp_path_factory):
    db = tmp_path_factory.mktemp("apidb") / "j.sqlite"
    summary = jixiao.ingest([samples], db=str(db), workers=1)
    return db, summary


def test_ingest_returns_the_run_summary(samples, ingested):
    db, summary = ingested
    assert db.exists()
    assert summary.found == len(SAMPLES) and summary.new == len(SAMPLES)
    assert summary.quarantined == [] and summary.exit_code == 0
    assert summary.documents >= len(SAMPLES)
    assert summary.line().startswith(f"run {summary.run_id}: {len(SAMPLES)} files:")
    again = jixiao.ingest(samples, db=db, workers=1)  # a path, a Path: both accepted
    assert again.skipped == len(SAMPLES) and again.new == 0


def test_ingest_of_a_missing_path_raises_before_creating_anything(tmp_path):
    with pytest.raises(FileNotFoundError):
        jixiao.ingest(tmp_path / "nope", db=tmp_path / "j.sqlite")
    assert not (tmp_path / "j.sqlite").exists()


def test_read_gives_the_export_documents_without_a_database(samples, ingested, tmp_path,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written anywhere
    one = jixiao.read(samples / "d_csv_rows.txt")
    assert isinstance(one, list) and len(one) == 1
    doc = one[0]
    assert list(doc) == ["source", "doc_type", "title", "org", "fiscal_year", "scope", "project",
                         "evaluation", "staffing", "finance", "indicators", "tasks",
                         "expenditures", "sections", "checks"]  # SCHEMA.md's order
    assert doc["org"] == {"name": "安福县民政局", "region": "安福县", "department": "民政局"}
    assert doc["source"]["file"] == "d_csv_rows.txt" and doc["fiscal_year"] == 2021
    budget = next(f for f in doc["finance"] if (f["item"], f["measure"]) == ("funds_total", "budget"))
    assert budget["value"] == 45623000.0
    assert list(tmp_path.iterdir()) == []
    # A folder: every report in it, exactly what `jixiao export` gives after an ingest.
    db, _ = ingested
    exported = CliRunner().invoke(cli, ["export", "--db", str(db)])
    assert exported.exit_code == 0, exported.output
    assert jixiao.read(samples) == json.loads(exported.stdout)["documents"]
    json.dumps(one, ensure_ascii=False)  # plain JSON types


def test_read_errors_raise_or_skip(tmp_path):
    from extract.errors import InputError

    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(SAMPLES[0], tmp_path / SAMPLES[0].name)
    with pytest.raises(InputError):
        jixiao.read(tmp_path / "empty.txt")
    with pytest.warns(UserWarning, match="empty.txt"):
        docs = jixiao.read(tmp_path, errors="skip")
    assert {d["source"]["file"] for d in docs} == {SAMPLES[0].name}
    with pytest.raises(FileNotFoundError):
        jixiao.read(tmp_path / "nope.txt")


def test_frame_is_typed(ingested):
    db, _ = ingested
    df = jixiao.frame(db, "v_department_year")
    assert isinstance(df, pd.DataFrame) and len(df) >= 5
    assert str(df["fiscal_year"].dtype) == "Int64"
    for col in ("budget", "actual", "execution_rate", "score", "max_score"):
        assert df[col].dtype == "float64", col
    for col in ("staff_authorized", "staff_actual", "documents"):
        assert str(df[col].dtype) == "Int64", col
    row = df[df["org_name"] == "安福县民政局"].iloc[0]
    assert (row["county"], row["fiscal_year"], row["budget"]) == ("安福县", 2021, 45623000.0)
    assert row["execution_rate"] == pytest.approx(4401.85 / 4562.30 * 100)
    # every view: no number left as text or object
    for view in ("v_indicator_results", "v_spending_by_purpose"):
        v = jixiao.frame(db, view)
        assert str(v["fiscal_year"].dtype) == "Int64"
        for col in v.columns:
            if pd.api.types.is_object_dtype(v[col]):
                assert not any(isinstance(x, (int, float)) for x in v[col].dropna()), (view, col)
    # tables typed from the models
    docs = jixiao.frame(db, "documents")
    assert str(docs["fiscal_year"].dtype) == "Int64" and docs["has_evaluation"].dtype == "boolean"
    assert jixiao.tables(db)[:3] == ["v_department_year", "v_indicator_results",
                                     "v_spending_by_purpose"]


def test_frame_reads_only_and_refuses_unknown_names(ingested, tmp_path):
    db, _ = ingested
    before = db.stat().st_mtime_ns
    with pytest.raises(ValueError, match="v_department_year"):
        jixiao.frame(db, "documents; DROP TABLE documents")
    jixiao.frame(db)
    assert db.stat().st_mtime_ns == before
    with pytest.raises(Exception, match="no database"):
        jixiao.frame(tmp_path / "typo.sqlite")
    assert not (tmp_path / "typo.sqlite").exists()


def test_pd_read_sql_on_the_views(ingested):
    """The README's other way: plain pandas on the views."""
    db, _ = ingested
    df = pd.read_sql("SELECT county, fiscal_year, execution_rate FROM v_department_year "
                     "WHERE execution_rate IS NOT NULL", f"sqlite:///{db}")
    assert "安福县" in set(df["county"])


def test_version_names_both():
    from db import PIPELINE_VERSION

    assert jixiao.PIPELINE_VERSION == PIPELINE_VERSION
    assert jixiao.__version__ and jixiao.__version__ != "unknown"


# ------------------------------------------------------------ a fresh venv

def _can_build_here() -> bool:
    try:
        import setuptools
        import wheel  # noqa: F401
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 68


def _copy_checkout(dest: Path) -> Path:
    """What `pip install .` needs, without the checkout's build/ and egg-info
    churn: pyproject, README, pipeline.py and the packages."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", "pipeline.py"):
        shutil.copy(ROOT / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in ("extract", "parsers", "normalize", "db", "analysis", "jixiao"):
        shutil.copytree(ROOT / pkg, dest / pkg, ignore=ignore)
    return dest


@pytest.mark.skipif(bool(os.environ.get("JIXIAO_SKIP_INSTALL_TEST")),
                    reason="JIXIAO_SKIP_INSTALL_TEST is set")
def test_pip_install_in_a_fresh_venv(tmp_path):
    src = _copy_checkout(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies from this environment, not downloaded again; appended
    # after the venv's own site-packages, so the jixiao installed there wins.
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "_jixiao_test_deps.pth").write_text("\n".join(sorted(here)) + "\n")
    cmd = [str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(src)]
    if _can_build_here():
        cmd.insert(-1, "--no-build-isolation")
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr

    work = tmp_path / "work"
    work.mkdir()
    (work / "reports").mkdir()
    for p in SAMPLES:
        shutil.copy(p, work / "reports" / p.name)
    script = textwrap.dedent(f"""
        import json, sys
        import jixiao
        assert jixiao.__file__.startswith({str(venv)!r}), jixiao.__file__
        docs = jixiao.read("reports/d_csv_rows.txt")
        summary = jixiao.ingest(["reports"], db="j.sqlite", workers=1)
        df = jixiao.frame("j.sqlite", "v_department_year")
        import analysis.datasette_plugin as plugin, pathlib
        templates = pathlib.Path(plugin.__file__).parent / "templates" / "index.html"
        print(json.dumps({{"docs": len(docs), "org": docs[0]["org"]["name"],
                          "stored": summary.documents, "failed": len(summary.quarantined),
                          "rows": len(df), "year": str(df["fiscal_year"].dtype),
                          "templates": templates.is_file()}}))
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JIXIAO_DB")}
    r = subprocess.run([str(py), "-c", script], capture_output=True, text=True, cwd=work,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got == {"docs": 1, "org": "安福县民政局", "stored": got["stored"], "failed": 0,
                   "rows": got["rows"], "year": "Int64", "templates": True}
    assert got["stored"] >= len(SAMPLES) and got["rows"] >= 5
    r = subprocess.run([str(venv / "bin" / "jixiao"), "--version"], capture_output=True,
                       text=True, cwd=work, env=env)
    assert r.returncode == 0 and r.stdout.startswith("jixiao 0.") and "pipeline version" in r.stdout
