"""Chinese word segmentation, one place for the whole project: jieba's
dictionary and algorithm.

rjieba (bindings to jieba-rs, a port of jieba with the same dictionary and
HMM) is used when it is installed: the same words about 20 times faster,
which is most of what building the search index costs. jieba itself is the
fallback (a platform without rjieba's wheels). The two differ only on runs
of ASCII digits and dashes (jieba-rs keeps 2024-06-11 whole), which the
search index's own tokenizer splits again.

A segmenter is made per set of extra words (the concept table's terms are
kept whole for concept matching, normalize/concepts.py); the plain one serves
the search index and its queries, so that both cut a text the same way.
"""
from __future__ import annotations

from functools import lru_cache


class Segmenter:
    """cut / cut_for_search → lists of words; `backend` says which library."""

    def __init__(self, words: tuple[str, ...] = ()):
        try:
            import rjieba

            self._seg = rjieba.Jieba()
            for w in words:
                self._seg.add_word(w, None, None)
            self._cut, self._search = self._seg.cut, self._seg.cut_for_search
            self.backend = "rjieba"
        except ImportError:
            import jieba

            jieba.setLogLevel(60)
            self._seg = jieba.Tokenizer()
            for w in words:
                self._seg.add_word(w)
            self._cut = lambda s: list(self._seg.cut(s))
            self._search = lambda s: list(self._seg.cut_for_search(s))
            self.backend = "jieba"

    def cut(self, text: str) -> list[str]:
        return self._cut(text)

    def cut_for_search(self, text: str) -> list[str]:
        """Search mode: the sub-words of long words too (知晓率 also as 知晓)."""
        return self._search(text)


@lru_cache(maxsize=4)
def segmenter(words: tuple[str, ...] = ()) -> Segmenter:
    return Segmenter(words)
