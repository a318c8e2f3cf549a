"""CTC decoding of the recogniser's output, with comparison signs rescued at the start of figures.

The recogniser gives, for every column of the line image, a probability for
every character and for "blank". Greedy decoding (the best of each column,
repeats and blanks dropped) is what RapidOCR does; it is kept, with one
addition. In performance targets a figure often starts with a comparison
sign (`≥95%`, `=1个`, `≤5天`); at 150-200 dpi the small `≥` is read as the `2`
it resembles, or lost to blank, while the sign still has much of the
probability in that column. So where a figure starts (a digit not preceded by
a digit or a point), a sign takes the place of the digit when it has at least
SWAP_RATIO of the digit's probability and a digit follows, and a sign is put
before the figure when a blank column just before it gives the sign at least
INSERT_MIN. The sign's own probability is its confidence.

Small CJK punctuation (、。，：；) after a Chinese character is lost to blank
the same way; a blank column giving one of them at least MARK_MIN puts it back.

The reports are printed in simplified characters, and the recogniser knows both
forms of many: on a blurred or low-resolution glyph it splits a character's
probability between its simplified and its traditional form (渑 0.31, 澠 0.20,
涌 0.13; at 115 dpi the traditional form even wins). A traditional form
that is no simplified character too (not in GB 2312: 乾, 著, 於 are kept
apart) has its probability added to its simplified form's (OpenCC t2s) before
the best of each column is taken: the one character wins as one, written the
way the page prints it.
"""
from __future__ import annotations

import numpy as np

SIGNS = "≥≤=<>"
SWAP_RATIO = 0.4
INSERT_MIN = 0.25
MARKS = "、。，：；"
MARK_MIN = 0.2
POOL_MIN = 0.02  # a traditional form with less than this in a column changes nothing there


def traditional_pairs(characters: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(traditional, simplified) indices of the recogniser's characters: traditional forms
    outside GB 2312 whose OpenCC t2s form is another single character it knows."""
    cjk = [(i, ch) for i, ch in enumerate(characters) if len(ch) == 1 and "\u4e00" <= ch <= "\u9fff"]
    try:
        from opencc import OpenCC  # opencc-python-reimplemented, a dependency

        simplified = OpenCC("t2s").convert("\n".join(ch for _, ch in cjk)).split("\n")
    except Exception:  # noqa: BLE001 - without the tables, decoding is plain greedy
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(simplified) != len(cjk):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    index = {ch: i for i, ch in enumerate(characters)}
    trad, simp = [], []
    for (i, ch), s in zip(cjk, simplified):
        if s != ch and len(s) == 1 and s in index and not _in_gb2312(ch):
            trad.append(i)
            simp.append(index[s])
    return np.array(trad, np.int64), np.array(simp, np.int64)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class Decoder:
    """A drop-in for RapidOCR's CTCLabelDecode: (preds, ...) -> [(text, mean confidence)]."""

    def __init__(self, characters: list[str], pool_traditional: bool = True):
        self.characters = characters  # index 0 is blank
        self.trad, self.simp = traditional_pairs(characters) if pool_traditional else (
            np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.signs = np.array([i for i, ch in enumerate(characters) if ch in SIGNS], dtype=np.int64)
        self.marks = np.array([i for i, ch in enumerate(characters) if ch in MARKS], dtype=np.int64)
        self.is_digit = np.array([ch.isdigit() and ch.isascii() for ch in characters])
        self.is_cjk = np.array([len(ch) == 1 and "\u4e00" <= ch <= "\u9fff" for ch in characters])

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **_kw) -> list[tuple[str, float]]:
        return [self.decode_one(p) for p in preds]

    def pooled(self, probs: np.ndarray) -> np.ndarray:
        """Each traditional form's probability added to its simplified form's (and its own
        set to 0), in the columns where a traditional form has any weight."""
        if not len(self.trad):
            return probs
        # a column whose best already holds 97 % cannot be turned by the rest's 3 %
        open_cols = np.nonzero(probs.max(axis=1) < 0.97)[0]
        if not len(open_cols):
            return probs
        part = probs[open_cols][:, self.trad]
        keep = part.max(axis=1) >= POOL_MIN
        cols, part = open_cols[keep], part[keep]
        if not len(cols):
            return probs
        probs = probs.copy()
        np.add.at(probs, (cols[:, None], self.simp[None, :]), part)
        probs[np.ix_(cols, self.trad)] = 0.0
        return probs

    def decode_one(self, probs: np.ndarray) -> tuple[str, float]:
        probs = self.pooled(probs)
        idx = probs.argmax(axis=1)
        best = probs.max(axis=1)
        keep = idx != 0
        keep[1:] &= idx[1:] != idx[:-1]
        # (character index, probability, column) of each decoded character
        out = [(int(idx[t]), float(best[t]), int(t)) for t in np.nonzero(keep)[0]]
        blank = idx == 0
        if len(self.signs):
            out = self._rescue_signs(probs, blank, out)
        if len(self.marks):
            out = self._rescue_marks(probs, blank, out)
        if not out:
            return "", 0.0
        return "".join(self.characters[i] for i, _, _ in out), float(np.mean([p for _, p, _ in out]))

    def _is_digit(self, item) -> bool:
        return bool(self.is_digit[item[0]])

    def _rescue_signs(self, probs, blank, out):
        fixed = []
        for k, (ci, p, t) in enumerate(out):
            prev = out[k - 1] if k else None
            starts_figure = self._is_digit(out[k]) and not (
                prev and (self._is_digit(prev) or self.characters[prev[0]] == "."))
            if starts_figure:
                sign_p = probs[t, self.signs]
                followed = k + 1 < len(out) and self._is_digit(out[k + 1])
                if followed and sign_p.max() >= SWAP_RATIO * p:
                    fixed.append((int(self.signs[sign_p.argmax()]), float(sign_p.max()), t))
                    continue
                lo = prev[2] + 1 if prev else 0
                gap_cols = [c for c in range(lo, t) if blank[c]]
                if gap_cols:
                    gap = probs[gap_cols][:, self.signs]
                    col, which = np.unravel_index(gap.argmax(), gap.shape)
                    if gap[col, which] >= INSERT_MIN:
                        fixed.append((int(self.signs[which]), float(gap[col, which]), gap_cols[col]))
            fixed.append((ci, p, t))
        return fixed

    def _rescue_marks(self, probs, blank, out):
        """A punctuation mark put back after a Chinese character where blank only just won."""
        fixed = []
        for k, item in enumerate(out):
            fixed.append(item)
            if not self.is_cjk[item[0]]:
                continue
            nxt = out[k + 1] if k + 1 < len(out) else None
            if nxt is not None and self.characters[nxt[0]] in MARKS:
                continue  # the mark is there already
            end = nxt[2] if nxt is not None else len(blank)
            gap_cols = [c for c in range(item[2] + 1, end) if blank[c]]
            if not gap_cols:
                continue
            gap = probs[gap_cols][:, self.marks]
            col, which = np.unravel_index(gap.argmax(), gap.shape)
            if gap[col, which] >= MARK_MIN:
                fixed.append((int(self.marks[which]), float(gap[col, which]), gap_cols[col]))
        return fixed
