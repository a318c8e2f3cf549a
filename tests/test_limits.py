"""Input limits are settings: defaults, environment overrides, validation."""
from __future__ import annotations

import pytest

from extract.limits import MIB, Limits


def test_defaults_are_sane():
    limits = Limits()
    assert limits.max_file_bytes == 200 * MIB and limits.max_pages == 2000


def test_environment_overrides():
    limits = Limits.from_env({"JIXIAO_MAX_FILE_MB": "1.5", "JIXIAO_MAX_PAGES": "10"})
    assert (limits.max_file_bytes, limits.max_pages) == (int(1.5 * MIB), 10)
    assert limits.max_unpacked_bytes == Limits().max_unpacked_bytes


@pytest.mark.parametrize("env", [{"JIXIAO_MAX_PAGES": "0"}, {"JIXIAO_MAX_FILE_MB": "lots"}])
def test_a_bad_setting_is_refused_with_its_name(env):
    with pytest.raises(ValueError, match="JIXIAO_MAX_FILE_MB|max_pages"):
        Limits.from_env(env)


def test_file_time_and_worker_memory_are_settings():
    limits = Limits()
    assert limits.file_seconds == 120 and limits.worker_memory_bytes == 1536 * MIB
    assert limits.watched
    limits = Limits.from_env({"JIXIAO_FILE_TIMEOUT": "2.5", "JIXIAO_WORKER_MEMORY_MB": "300"})
    assert (limits.file_seconds, limits.worker_memory_bytes) == (2.5, 300 * MIB)
    off = Limits.from_env({"JIXIAO_FILE_TIMEOUT": "0", "JIXIAO_WORKER_MEMORY_MB": "0"})
    assert not off.watched


@pytest.mark.parametrize("env", [{"JIXIAO_FILE_TIMEOUT": "-1"}, {"JIXIAO_FILE_TIMEOUT": "soon"},
                                 {"JIXIAO_FILE_TIMEOUT": "inf"}])
def test_a_bad_time_limit_is_refused_with_its_name(env):
    with pytest.raises(ValueError, match="JIXIAO_FILE_TIMEOUT"):
        Limits.from_env(env)


def test_limits_read_as_people_write_them():
    from extract.limits import show_bytes, show_seconds

    assert (show_bytes(1536 * MIB), show_bytes(2048 * MIB), show_bytes(300 * MIB)) == (
        "1.5 GB", "2 GB", "300 MB")
    assert (show_seconds(120.0), show_seconds(2.5)) == ("120 s", "2.5 s")
