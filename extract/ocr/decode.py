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
"""
from __future__ import annotations

import numpy as np

SIGNS = "≥≤=<>"
SWAP_RATIO = 0.4
INSERT_MIN = 0.25


class Decoder:
    """A drop-in for RapidOCR's CTCLabelDecode: (preds, ...) -> [(text, mean confidence)]."""

    def __init__(self, characters: list[str]):
        self.characters = characters  # index 0 is blank
        self.signs = np.array([i for i, ch in enumerate(characters) if ch in SIGNS], dtype=np.int64)
        self.is_digit = np.array([ch.isdigit() and ch.isascii() for ch in characters])

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **_kw) -> list[tuple[str, float]]:
        return [self.decode_one(p) for p in preds]

    def decode_one(self, probs: np.ndarray) -> tuple[str, float]:
        idx = probs.argmax(axis=1)
        best = probs.max(axis=1)
        keep = idx != 0
        keep[1:] &= idx[1:] != idx[:-1]
        steps = np.nonzero(keep)[0]
        out: list[tuple[int, float]] = [(int(idx[t]), float(best[t])) for t in steps]
        if len(self.signs):
            out = self._rescue_signs(probs, idx, steps, out)
        if not out:
            return "", 0.0
        return "".join(self.characters[i] for i, _ in out), float(np.mean([p for _, p in out]))

    def _rescue_signs(self, probs, idx, steps, out):
        fixed: list[tuple[int, float]] = []
        for k, (t, (ci, p)) in enumerate(zip(steps, out)):
            starts_figure = (self.is_digit[ci] and (k == 0 or not (self.is_digit[out[k - 1][0]]
                                                                    or self.characters[out[k - 1][0]] == ".")))
            if starts_figure:
                sign_p = probs[t, self.signs]
                s = int(self.signs[sign_p.argmax()])
                followed = k + 1 < len(out) and self.is_digit[out[k + 1][0]]
                if followed and sign_p.max() >= SWAP_RATIO * p:
                    fixed.append((s, float(sign_p.max())))
                    continue
                lo = int(steps[k - 1]) + 1 if k else 0
                gap = probs[lo:t][idx[lo:t] == 0][:, self.signs] if t > lo else np.empty((0, len(self.signs)))
                if gap.size and gap.max() >= INSERT_MIN:
                    col, which = np.unravel_index(gap.argmax(), gap.shape)
                    fixed.append((int(self.signs[which]), float(gap[col, which])))
            fixed.append((ci, p))
        return fixed
