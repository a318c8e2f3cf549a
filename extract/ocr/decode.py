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
"""
from __future__ import annotations

import numpy as np

SIGNS = "≥≤=<>"
SWAP_RATIO = 0.4
INSERT_MIN = 0.25
MARKS = "、。，：；"
MARK_MIN = 0.2


class Decoder:
    """A drop-in for RapidOCR's CTCLabelDecode: (preds, ...) -> [(text, mean confidence)]."""

    def __init__(self, characters: list[str]):
        self.characters = characters  # index 0 is blank
        self.signs = np.array([i for i, ch in enumerate(characters) if ch in SIGNS], dtype=np.int64)
        self.marks = np.array([i for i, ch in enumerate(characters) if ch in MARKS], dtype=np.int64)
        self.is_digit = np.array([ch.isdigit() and ch.isascii() for ch in characters])
        self.is_cjk = np.array([len(ch) == 1 and "\u4e00" <= ch <= "\u9fff" for ch in characters])

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **_kw) -> list[tuple[str, float]]:
        return [self.decode_one(p) for p in preds]

    def decode_one(self, probs: np.ndarray) -> tuple[str, float]:
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
