"""normalize/words.py: jieba's segmentation through rjieba, jieba as fallback."""
import builtins

import pytest

from normalize.words import Segmenter

SENTENCE = "本年度项目资金到位及时，受益资金到位度达到百分之九十以上，政策知晓率稳步提升。"


def _without_rjieba(monkeypatch):
    real_import = builtins.__import__

    def fake(name, *a, **kw):
        if name == "rjieba":
            raise ImportError("no rjieba here")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_rjieba_is_the_backend_when_installed():
    assert Segmenter().backend == "rjieba"


def test_both_backends_cut_the_same_words(monkeypatch):
    fast = Segmenter()
    _without_rjieba(monkeypatch)
    slow = Segmenter()
    assert slow.backend == "jieba"
    assert fast.cut(SENTENCE) == slow.cut(SENTENCE)
    assert fast.cut_for_search(SENTENCE) == slow.cut_for_search(SENTENCE)
    # search mode adds the sub-words of long words
    assert "知晓" in fast.cut_for_search(SENTENCE) and "知晓率" in fast.cut_for_search(SENTENCE)


@pytest.mark.parametrize("fallback", [False, True])
def test_extra_words_are_kept_whole(monkeypatch, fallback):
    if fallback:
        _without_rjieba(monkeypatch)
    plain, extra = Segmenter(), Segmenter(("资金到位",))
    assert "资金到位" not in plain.cut(SENTENCE)
    assert "资金到位" in extra.cut(SENTENCE)
