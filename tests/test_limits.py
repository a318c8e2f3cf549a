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
