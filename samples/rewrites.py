#!/usr/bin/env python3
"""The same reports rewritten the ways pasted text varies, to score a reader's robustness.

    python samples/rewrites.py SRC_DIR OUT_DIR [--only NAME,...]

Writes OUT_DIR/<rewrite>/<file> for every *.txt of SRC_DIR; ingest a folder, export it and
score it against the gold of SRC_DIR (README, "Real excerpts"): a rewrite that changes
nothing a reader should care about must score as the originals do. The page chrome added is
made up here (an invented county's portal); nothing of the sources is kept in the project.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HEAD = ("欢迎访问某某县人民政府门户网站\n首页 > 政务公开 > 财政信息 > 绩效评价\n"
        "索引号：000000000/2024-00001  发布机构：某某县财政局  发布日期：2024-05-06\n"
        "【字体：大 中 小】【打印本页】\n")
FOOT = "\n【打印本页】【关闭窗口】\n主办单位：某某县人民政府办公室  网站标识码：0000000000\n"
_ASCII = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})


def _cut(text: str, width: int = 60) -> str:
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out)


def _traditional(text: str) -> str:
    from opencc import OpenCC  # opencc-python-reimplemented, a dependency

    return OpenCC("s2t").convert(text)


# name -> (rewrite, encoding of the file written)
REWRITES = {
    "double_spaced": (lambda t: t.replace("\n", "\n\n"), "utf-8"),
    "cut_at_60": (_cut, "utf-8"),
    "traditional": (_traditional, "utf-8"),
    "page_chrome": (lambda t: HEAD + t + FOOT, "utf-8"),
    "no_spaces": (lambda t: t.replace(" ", ""), "utf-8"),
    # a bar at both ends: a leading empty cell stays a cell (`|  | b |`), not a border
    "tabs_as_pipes": (lambda t: "\n".join("| " + " | ".join(l.split("\t")) + " |" if "\t" in l else l
                                           for l in t.split("\n")), "utf-8"),
    "crlf": (lambda t: t.replace("\n", "\r\n"), "utf-8"),
    "fullwidth_digits": (lambda t: "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in t), "utf-8"),
    "gb18030": (lambda t: t, "gb18030"),
    "bom": (lambda t: "\ufeff" + t, "utf-8"),
    "ascii_punct": (lambda t: t.translate(_ASCII), "utf-8"),
}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--only", default="", help="comma-separated rewrite names (default: all)")
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(REWRITES)
    unknown = [n for n in names if n not in REWRITES]
    if unknown:
        ap.error(f"unknown rewrite {', '.join(unknown)}; known: {', '.join(REWRITES)}")
    sources = sorted(args.src.glob("*.txt"))
    if not sources:
        ap.error(f"no *.txt in {args.src}")
    for name in names:
        rewrite, encoding = REWRITES[name]
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        for src in sources:
            text = src.read_text(encoding="utf-8")
            (folder / src.name).write_text(rewrite(text), encoding=encoding, errors="replace")
    print(f"{len(names)} rewrites of {len(sources)} files -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
