"""Scoring-rule tables (考评细则, 任务分解表) whose cells ran together, cut back into rows.

Text copied out of a PDF preview loses every cell border:

    序号评分任务评分内容评分标准分值责任股室一环境整治（20分）垃圾清运每日清运一次，…扣1分。10城管股…

Nothing separates an item from its rule, yet each column holds a kind of text
of its own, and the header (found by its words, normalize.columns) says in
which order they stand. A row is read as the header's columns in order, each
either given a cell or left out (a merged 序号 / task is printed once over
its rows, an unscored 得分 is blank), every cell fitting its column:

- 序号: 一、二… or 1、2… counting up through the table (the count settles
  `…。2每月…`: row 2 or a row's points);
- a task: a short name closed by its points, `(20分)` or `(6)`;
- an item: a short phrase, or a sentence closed by 。/) before its points;
- the rule: a sentence with scoring grammar (得X分, 扣X分, 不得分, 得满分);
  where it follows an item with no border, it begins at a word (jieba) that
  opens a rule (每, 未, 完成, 按时…) or restates the item's last word
  (`工作台账台账齐全…`);
- points / score: a figure of at most 100; a deadline: `X月底前`, `2024年12月`;
- an office: a name ending 股/室/办/局/中心…; a person: a few characters.

The best reading of the whole run is found by dynamic programming over the
places a cell can end (punctuation, figures, jieba word ends): linear in the
text (a beam of the best few readings per place), each cell bounded in
length. `split_rule_rows` gives rows of (role, start, end). A line holding
such a header is cut with it (extract.runon_cells: the header's words, then
each row's cells closed by a row mark); the table's re-flow
(extract.reflow_tasks) joins a run-on body again, over one line or many (a
PDF text layer prints a row a line, or wraps a rule), and reads it knowing
the header's columns.
"""
from __future__ import annotations

import bisect
import heapq
import re
from functools import lru_cache

# Roles a scoring-rule header may name (normalize.columns); any other (一级指标, 年度指标值,
# 预算数 …) makes the run of header words an indicator or money table's, read elsewhere.
RULE_ROLES = frozenset(("seq", "section", "item", "criterion", "weight", "score", "deadline", "lead", "office",
                        "owner", "task_indicator", "task_target", "label"))
# a criterion header word holds one of these: the cheap test before the vocabulary is scanned
HEADER_HINT = re.compile(r"标准|细则|办法|方法")
MAX_COLUMNS = 16

PUNCT = "。；;，,、：:！!？?"
SENTENCE_END = "。；;！!？?"
OPENING = "（(《“\"‘["
CLOSING = "）)》”\"’]"
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE = re.compile(r"\d+(?:\.\d+)?")
SEQ_AT = re.compile(r"([一二三四五六七八九十]{1,3}|\d{1,2})([、.．]?)")
CN_DIGITS = {c: k for k, c in enumerate("一二三四五六七八九", 1)}
# a task's points close its name: `(20分)`, `（6）`
SECTION_POINTS = re.compile(r"[（(]\s*\d+(?:\.\d+)?\s*分?\s*[)）]")
SECTION_NUMBER = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")
# what a rule says: points given or taken
SCORING = re.compile(r"[得扣加减计记给]\s*\d*(?:\.\d+)?\s*分|不得分|满分|扣分|加分|不计分|酌情|按比例|比例计|一票否决")
# a scoring verb before its figure: a rule never ends there (`…每次扣` | `1`)
VERB_BEFORE_FIGURE = "得扣加减计记给按超低高于"
# words that open a rule's sentence (its first jieba word, or that word's first character)
OPENER_WORDS = frozenset((
    "完成", "新增", "达到", "实现", "确保", "建立", "制定", "开展", "组织", "落实", "及时", "按时", "按期", "全年",
    "年内", "出现", "发生", "根据", "依据", "有", "无", "没有", "对", "如", "若", "凡是", "经", "被", "获得", "全部",
    "均", "能", "能够", "做到", "坚持", "定期", "上报", "报送", "提供", "召开", "参加", "参与", "落后", "超过",
    "低于", "高于", "不", "不按", "因", "由", "以", "视", "按照", "各", "所有", "全面", "严格", "认真", "积极",
))
OPENER_CHARS = "每未凡按缺少漏迟"
DEADLINE = re.compile(
    r"(?:20\d{2}\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*(?:\d{1,2}\s*日)?|年)"
    r"(?:底前|底|前|以前|之前|中旬|上旬|下旬|末)*|全年|长期|持续推进|持续|常态化|年内|每月|每季度|每半年|每年")
OFFICE_STRONG = re.compile(r"(?:股|室|办|局|科|处|中心|委员会)$")
OFFICE_WEAK = re.compile(r"(?:所|站|队|委|部|组|院|会|馆)$")

MAX_PHRASE = 30  # an item, a task, a name: a few words
MAX_SENTENCE = 400  # a rule (or an item stated as a sentence): characters
MAX_SENTENCES = 6  # and full stops
# leaving a column without a cell: merged cells (序号, task) and an unscored 得分 are often blank,
# the rule never (a row is its rule)
SKIP = {"seq": 0.2, "section": 0.3, "item": 0.8, "weight": 1.0, "score": 0.2, "deadline": 0.5, "lead": 0.4,
        "office": 0.5, "owner": 0.4, "task_indicator": 0.5, "task_target": 0.5}
ROW_COST = 0.5
# what a row may begin with: a 序号 or a task best, an item (merged cells above) well, nothing else
ROW_START = {"seq": 1.0, "section": 0.8, "item": 0.0, "task_indicator": 0.0, "label": 0.0}
LINE_START = 0.5
SUM_BONUS = 1.0  # a task's points the sum of its rows' points: the reading that adds up
BEAM = 3  # readings kept per place and column: linear time
# columns of words: a cell of one holds a Chinese character (`(2011)` alone is no item)
TEXT_ROLES = frozenset(("section", "item", "criterion", "office", "lead", "owner", "task_indicator", "task_target"))
# the end of a form's title: its kind of form (a preview prints it again before the table)
TITLE_END = re.compile(r"(?:细则|办法|分解表|评分表|考核表|考评表|评价表)(?=\S)")


# --- the header -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _vocabulary() -> re.Pattern[str]:
    from normalize.columns import _VOCABULARY

    words = sorted({w for w, _ in _VOCABULARY}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@lru_cache(maxsize=256)
def rule_header(text: str) -> tuple[int, int, tuple[str, ...]] | None:
    """(start, end, header words) of a scoring-rule header run together inside `text`: three or
    more header words side by side, one naming the rule column, none an indicator's or money's."""
    if not HEADER_HINT.search(text):
        return None
    from normalize.columns import column_role

    run: list[re.Match] = []
    for m in _vocabulary().finditer(text):
        # a header names each column once, and no more than a table has
        if run and (m.start() != run[-1].end() or m.group(0) in {r.group(0) for r in run}
                    or len(run) >= MAX_COLUMNS):
            found = _accept(run, column_role)
            if found:
                return found
            run = []
        run.append(m)
    return _accept(run, column_role) if run else None


def _accept(run: list[re.Match], column_role) -> tuple[int, int, tuple[str, ...]] | None:
    words = [m.group(0) for m in run]
    roles = [column_role(w) for w in words]
    if len(words) < 3 or any(r is None or r.role not in RULE_ROLES for r in roles):
        return None
    if "criterion" not in {r.role for r in roles}:
        return None
    return run[0].start(), run[-1].end(), tuple(words)


def header_roles(words: tuple[str, ...]) -> list[str]:
    from extract.reflow_tasks import task_columns
    from normalize.columns import column_role

    return task_columns([column_role(w).role for w in words])


# --- the text's landmarks -----------------------------------------------------------------------------

class _Text:
    """Where cells can end in `text`: word ends (jieba), figures, punctuation, line starts; and
    what a span holds, counted once (prefix sums), so that a cell's fit costs no scan."""

    def __init__(self, text: str, line_starts: frozenset[int]):
        from normalize.words import segmenter

        self.s = text
        n = self.n = len(text)
        self.line_starts = line_starts
        pos, words = 0, {}
        for w in segmenter().cut(text):
            words[pos] = pos + len(w)
            pos += len(w)
        self.word_end = words  # a word's start -> its end
        # jieba glues a 序号 to the word before it (农业股二 | 产业): a numeral may begin a cell
        numerals = {k for k, ch in enumerate(text) if ch in "一二三四五六七八九十" and k}
        self.bounds = sorted(set(words.values()) | {0} | set(line_starts) | numerals)
        self.figures = {m.start(): m for m in FIGURE.finditer(text)}
        self.figure_starts = sorted(self.figures)
        self.sentence_ends = [k + 1 for k, ch in enumerate(text) if ch in SENTENCE_END]
        self.points = {m.start(): m.end() for m in SECTION_POINTS.finditer(text)}
        # the first character at or after k that ends a phrase (punctuation, a figure, a bracket)
        stop = [n] * (n + 1)
        for k in range(n - 1, -1, -1):
            ch = text[k]
            stop[k] = k if (ch in PUNCT or ch.isdigit() or ch in OPENING or ch in CLOSING) else stop[k + 1]
        self.stop = stop
        cjk = [bool(CJK.match(ch)) for ch in text]
        self.cjk_before = [0] * (n + 1)  # CJK characters before k
        for k, c in enumerate(cjk):
            self.cjk_before[k + 1] = self.cjk_before[k] + c
        # a visible border at k: not inside a run of characters
        self.borders = [k <= 0 or k >= n or k in line_starts or not (cjk[k - 1] and cjk[k]) for k in range(n + 1)]
        # a full stop then a row's number (`。2`, not a sub-rule's `；2、`): a row border
        self.stops_before = [0] * (n + 1)
        for k in range(n):
            hit = text[k] in SENTENCE_END and k + 1 < n and text[k + 1].isdigit() \
                and not (k + 2 < n and text[k + 2] in "、.．")
            self.stops_before[k + 1] = self.stops_before[k] + hit
        self.scoring = [(m.start(), m.end()) for m in SCORING.finditer(text)]
        self.scoring_starts = [a for a, _ in self.scoring]

    def border(self, k: int) -> bool:
        return self.borders[k]

    def has_cjk(self, p: int, e: int) -> bool:
        return self.cjk_before[e] > self.cjk_before[p]

    def has_scoring(self, p: int, e: int) -> bool:
        """Does s[p:e] hold scoring grammar (得X分, 扣X分 …)?"""
        i = bisect.bisect_left(self.scoring_starts, p)
        return i < len(self.scoring) and self.scoring[i][1] <= e

    def phrase_ends(self, p: int, limit: int, inner: str = "") -> list[int]:
        """Word ends after p before the next stop (punctuation outside `inner`, a figure)."""
        stop = self.stop[p]
        while stop < self.n and self.s[stop] in inner:
            stop = self.stop[stop + 1]
        last = min(stop, p + limit)
        out = self.bounds[bisect.bisect_right(self.bounds, p):bisect.bisect_right(self.bounds, last)]
        if p < stop <= p + limit and (not out or out[-1] != stop):
            out.append(stop)
        return out

    def sentence_ends_after(self, p: int, limit: int, most: int = MAX_SENTENCES) -> list[int]:
        """Where a sentence-like cell from p can end: after a full stop (the first `most` of them),
        before a figure, at a line start or the end of the text."""
        last = min(self.n, p + limit)
        i = bisect.bisect_right(self.sentence_ends, p)
        stops = self.sentence_ends[i:min(i + most, bisect.bisect_right(self.sentence_ends, last))]
        if len(stops) == most:
            last = stops[-1]  # a cell of more sentences than that is no cell
        ends = set(stops)
        ends.update(self.figure_starts[bisect.bisect_right(self.figure_starts, p):
                                       bisect.bisect_right(self.figure_starts, last)])
        ends.update(k for k in self.line_starts if p < k <= last)
        if last == self.n:
            ends.add(self.n)
        return sorted(ends)


# --- how well a text fits a column ---------------------------------------------------------------

def _seq_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if len(token) == 1:
        return CN_DIGITS.get(token)
    if len(token) == 2 and token[0] == "十":
        return 10 + CN_DIGITS.get(token[1], 0)
    if len(token) == 2 and token[1] == "十":
        return 10 * CN_DIGITS.get(token[0], 0)
    if len(token) == 3 and token[1] == "十":
        return 10 * CN_DIGITS.get(token[0], 0) + CN_DIGITS.get(token[2], 0)
    return None


def _seqs(t: _Text, p: int) -> list[tuple[int, int]]:
    """(end, value) of a 序号 at p."""
    m = SEQ_AT.match(t.s, p)
    if not m:
        return []
    token, dot = m.group(1), m.group(2)
    if token.isdigit():
        end = m.end(1)
        if end < t.n and (t.s[end].isdigit() or (dot in ".．" and end + 1 < t.n and t.s[end + 1].isdigit())):
            return []  # a longer figure, or a decimal
    value = _seq_value(token)
    if not value:
        return []
    return [(m.end(), value)]


def _figures(t: _Text, p: int) -> list[tuple[int, float, bool]]:
    """(end, value, cut) of points at p; `cut`: a figure glued to the next (`102`: 10 | 2)."""
    m = t.figures.get(p)
    if m is None:
        if p > 0 and t.s[p - 1].isdigit():  # inside a figure: the rest after a cut
            m = FIGURE.match(t.s, p)
        if m is None:
            return []
    out = []
    digits = m.group(0)
    value = float(digits)
    end = m.end()
    if value <= 100 and len(digits.partition(".")[2]) <= 2:
        if end < t.n and t.s[end] == "分":
            end += 1
        out.append((end, value, False))
    if "." not in digits and len(digits) >= 2:
        for k in range(1, min(3, len(digits) - 1) + 1):
            head, rest = digits[:k], digits[k:]
            if rest[0] != "0" and (head[0] != "0" or head == "0") and float(head) <= 100:
                out.append((p + k, float(head), True))
    return out


def _item_fit(text: str) -> float:
    n = len(text)
    if any(ch in PUNCT for ch in text) or n > MAX_PHRASE:
        # an item stated as a sentence: closed by its full stop or bracket
        return 0.4 + (0.4 if text[-1] in SENTENCE_END + CLOSING else -0.6)
    return -1.0 if n == 1 else 0.6 if n <= 3 else 1.0 if n <= 10 else 0.7 if n <= 16 else 0.3


def _criterion_fit(t: _Text, p: int, e: int) -> float:
    if not t.has_cjk(p, e):
        return -3.0
    f = 0.5 if t.has_scoring(p, e) else -1.0  # a rule gives or takes points
    last = t.s[e - 1]
    if last in SENTENCE_END:
        f += 0.5
    elif last in VERB_BEFORE_FIGURE:
        f -= 2.0
    # a full stop then a row's number inside: a row's border swallowed
    return f - 1.0 * (t.stops_before[e - 1] - t.stops_before[p])


def _opens_rule(t: _Text, q: int, before: str) -> float:
    """How well a rule can begin at q right after `before` with no border between them."""
    end = t.word_end.get(q)
    if end is None:
        return -3.0  # inside a word
    word = t.s[q:end]
    cue = -0.6
    if word in OPENER_WORDS or word[0] in OPENER_CHARS:
        cue += 1.2
    # the rule restates the item's last word (工作台账 | 台账齐全…), at once or soon
    tail = _last_word(t, before, q)
    if len(tail) >= 2 and t.s.startswith(tail, q):
        cue += 1.2
    elif len(tail) >= 2 and tail in t.s[q:q + 8]:
        cue += 0.6
    return cue


def _last_word(t: _Text, before: str, q: int) -> str:
    k = q - len(before)
    last = ""
    while k < q:
        e = t.word_end.get(k)
        if e is None or e > q:
            break
        last, k = t.s[k:e], e
    return last


def _cells(t: _Text, role: str, p: int, row_has_seq: bool, prev: tuple[str, int, int] | None):
    """(end, fit, new seq value or None) for a cell of `role` starting at p."""
    s, n = t.s, t.n
    if p >= n:
        return
    ch = s[p]
    if role == "seq":
        for e, v in _seqs(t, p):
            yield e, 0.0, v
        return
    if role in ("weight", "score"):
        for e, v, cut in _figures(t, p):
            yield e, (2.0 if role == "weight" else 1.0) - (1.5 if cut else 0.0), None
        return
    if role == "deadline":
        m = DEADLINE.match(s, p)
        if m and m.end() > p:
            yield m.end(), 2.0, None
        return
    if ch in PUNCT or ch in CLOSING:
        return  # a cell never begins with punctuation
    if role == "section":
        for start, end in _points_after(t, p):
            name = s[p:start]
            body = SECTION_NUMBER.sub("", name)
            if len(body) >= 2 and not any(c in PUNCT or c.isdigit() for c in body):
                yield end, 2.5, None
        if row_has_seq or SECTION_NUMBER.match(s, p):
            for e in t.phrase_ends(p, 20, inner="、"):
                if e - p >= 2:
                    yield e, 0.3 if row_has_seq else 1.0, None
        return
    if role == "criterion":
        if ch.isdigit() and not DEADLINE.match(s, p):
            return
        cue = 0.3 if t.border(p) else (_opens_rule(t, p, s[prev[1]:prev[2]]) if prev else -3.0)
        for e in t.sentence_ends_after(p, MAX_SENTENCE):
            if e - p >= 2:
                yield e, _criterion_fit(t, p, e) + cue, None
        return
    if ch.isdigit():
        return
    if role in ("item", "task_indicator", "task_target"):
        base = 0.0 if role == "item" else -0.5
        ends = set(t.phrase_ends(p, MAX_PHRASE, inner="、"))
        ends.update(e for e in t.sentence_ends_after(p, 200) if s[e - 1] in SENTENCE_END + CLOSING
                    or (e < n and s[e].isdigit()))
        for e in sorted(ends):
            text = s[p:e]
            if text[-1] in OPENING:
                continue
            # a cell never ends by saying its last word twice (应急演练演练…): the second begins the next
            doubled = not t.border(e) and any(len(text) >= 2 * k and text[-k:] == text[-2 * k:-k] for k in (2, 3))
            yield e, _item_fit(text) + base - (1.0 if doubled else 0.0), None
        return
    if role == "office":
        for e in t.phrase_ends(p, 20, inner="、"):
            text = s[p:e]
            if len(text) < 2 or text[-1] == "、":
                continue
            if OFFICE_STRONG.search(text):
                yield e, 2.0 - 0.03 * len(text), None
            elif OFFICE_WEAK.search(text):
                yield e, 0.8 - 0.03 * len(text), None
        return
    if role in ("lead", "owner"):
        for e in t.phrase_ends(p, 12, inner="、 "):
            text = s[p:e]
            if len(text) >= 2 and text[-1] not in "、 ":
                names = re.split(r"[、 ]", text)
                yield e, 0.6 if all(2 <= len(x) <= 4 for x in names) else 0.1, None
        return
    for e in t.phrase_ends(p, MAX_PHRASE):  # a column of another kind: a short text
        yield e, 0.2, None


def _points_after(t: _Text, p: int) -> list[tuple[int, int]]:
    """(start, end) of a task's `(N分)` within a task name's reach of p."""
    out = []
    for k in range(p + 2, min(t.n, p + 40)):
        end = t.points.get(k)
        if end is not None:
            out.append((k, end))
            break
        if t.s[k] in SENTENCE_END:
            break
    return out


# --- the best reading -------------------------------------------------------------------------------

def _task_points(text: str) -> float | None:
    m = SECTION_POINTS.search(text)
    return float(re.sub(r"[^\d.]", "", m.group(0))) if m else None


def split_rule_rows(text: str, roles: list[str], line_starts: frozenset[int] = frozenset(),
                    ends: frozenset[int] | None = None) -> tuple[list[list[tuple[str, int, int]]], int]:
    """The rows of a scoring table's run-on body (`roles`: the header's columns in order), as
    lists of (role, start, end), and where the table ends (at one of `ends`, if given)."""
    if not text or "criterion" not in roles:
        return [], 0
    t = _Text(text, line_starts)
    m = len(roles)
    # a state: (position, column, last 序号, row begun, row has a 序号, the cell just before when no
    # border follows it, the task's points not yet given to rows); its score, whence, and the cell taken
    best: dict[tuple, tuple[float, tuple | None, tuple | None]] = {}
    # the states at a place, by the order they are read in: a row's columns left to right, then the
    # next row's (a same-place move, a column left out or a row closed, only goes further on)
    layers: dict[int, list[set]] = {}
    heap: list[int] = []
    width = m + 1

    def push(key, score, back, cell):
        old = best.get(key)
        if old is None or score > old[0]:
            best[key] = (score, back, cell)
            p = key[0]
            if p not in layers:
                layers[p] = [set() for _ in range(2 * width)]
                heapq.heappush(heap, p)
            layers[p][(0 if key[3] else width) + key[1]].add(key)

    cells_at: dict[tuple, list] = {}
    push((0, 0, 0, False, False, None, None), 0.0, None, None)
    finals: list[tuple[float, int, tuple]] = []
    while heap:
        p = heapq.heappop(heap)
        for bucket in layers[p]:
            # the few best readings that reach this place and column go on
            keys = sorted(bucket, key=lambda k: best[k][0], reverse=True)[:BEAM]
            for key in keys:
                score = best[key][0]
                _, j, last, begun, has_seq, prev, left = key
                if j == m:
                    close = (p, 0, last, False, False, None, left)
                    push(close, score - ROW_COST, key, None)
                    if p > 0 and (ends is None or p in ends or p == t.n):
                        adds_up = left is not None and abs(left) < 0.01
                        finals.append((score - ROW_COST + (SUM_BONUS if adds_up else 0.0), p, close))
                    continue
                role = roles[j]
                if role != "criterion":
                    push((p, j + 1, last, begun, has_seq, prev, left), score - SKIP.get(role, 0.5), key, None)
                start_bonus = 0.0
                if not begun:
                    start_bonus = ROW_START.get(role, -1.5) + (LINE_START if p in t.line_starts or p == 0 else 0.0)
                ck = (role, p, has_seq, prev)
                found = cells_at.get(ck)
                if found is None:
                    found = cells_at[ck] = [c for c in _cells(t, role, p, has_seq, prev) if c[0] > p and
                                            (role not in TEXT_ROLES or t.has_cjk(p, c[0]))]
                for e, f, value in found:
                    new_last, new_left = last, left
                    if role == "seq":
                        f = 2.5 if value == last + 1 else (1.0 if last == 0 else -0.5)
                        new_last = value
                    elif role == "section":
                        if left is not None and abs(left) < 0.01:
                            f += SUM_BONUS
                        new_left = _task_points(t.s[p:e])
                    elif role == "weight" and left is not None:
                        new_left = round(left - float(re.sub(r"[^\d.]", "", t.s[p:e])), 2)
                    if not t.border(p) and role != "criterion":
                        f -= 0.3  # a cell cut out of a run of characters
                    # the cell is remembered only where the next may begin with no border (a rule's cue)
                    after = None if t.border(e) else (role, p, e)
                    push((e, j + 1, new_last, True, has_seq or role == "seq", after, new_left),
                         score + f + start_bonus, key, (role, p, e))
        del layers[p]
    if not finals:
        return [], 0
    score, end, key = max(finals, key=lambda f: (f[0], f[1]))
    rows: list[list[tuple[str, int, int]]] = []
    row: list[tuple[str, int, int]] = []
    while key is not None:
        _, back, cell = best[key]
        if cell is not None:
            row.append(cell)
        if back is not None and back[1] == m and key[1] == 0 and not key[3]:
            if row:
                rows.append(row[::-1])
            row = []
        key = back
    if row:
        rows.append(row[::-1])
    return rows[::-1], end


# --- into the cell stream ----------------------------------------------------------------------------

def cut_rule_line(text: str, line: int, plain) -> list | None:
    """A line holding a run-on scoring-rule header: what stands before it (cut by `plain`, the
    run-on cutter of other tables), the header's words, then the rows read after it, each closed
    by a row mark, then what follows the table (by `plain` again). None: no such header."""
    from extract.cellstream import StreamCell

    head = rule_header(text)
    if head is None:
        return None
    start, end, words = head

    def cell(s: str, **kw) -> StreamCell:
        return StreamCell(text=s, line=line, line_end=line, soft=True, row=line, joiner="", **kw)

    # a preview page prints the form's title again before the table, then its fields (考评单位:…):
    # the title a line of its own (the break the preview lost), to be read as the same form's title
    out: list[StreamCell] = []
    prefix = text[:start]
    title = TITLE_END.search(prefix)
    if title and prefix[title.end():].strip():
        out.append(cell(prefix[:title.end()].strip() + "\n", line_start=True))
        prefix = prefix[title.end():]
    if prefix.strip():
        out += plain(prefix, line)
    out += [cell(w, line_start=not out and k == 0) for k, w in enumerate(words)]
    out.append(cell("", mark=True))  # the header row ends here
    body = text[end:]
    rows, stop = read_rows(body, header_roles(words))
    for row in rows:
        out += [cell(body[a:b].strip()) for _, a, b in row if body[a:b].strip()]
        out.append(cell("", mark=True))
    if body[stop:].strip():
        out += plain(body[stop:], line)
    return out


@lru_cache(maxsize=16)
def _rows_anywhere(text: str, roles: tuple[str, ...], line_starts: frozenset[int]):
    return split_rule_rows(text, list(roles), line_starts)


def read_rows(text: str, roles: list[str], line_starts: frozenset[int] = frozenset(),
              ends: frozenset[int] | None = None):
    """split_rule_rows, read once per text: a line cut here is read again, joined, by the table's
    re-flow (and twice there); its rows end where its cells do, so the first reading stands."""
    rows, end = _rows_anywhere(text, tuple(roles), line_starts)
    if ends is None or end in ends or end == len(text):
        return rows, end
    return split_rule_rows(text, roles, line_starts, ends)


def is_run_on_body(cells: list, start: int, limit: int) -> bool:
    """Do the cells after a scoring table's header come from run-on text (cut by what they say)?"""
    first = next((c for c in cells[start:limit] if not c.mark and not c.empty), None)
    return first is not None and first.soft and first.joiner == ""


def run_on_rule_rows(cells: list, header, limit: int, headers: frozenset[int], row_type):
    """The rows of a scoring table whose body ran on (over one line or many): its cells joined
    back into the text they were cut from and read again, knowing the header's columns.
    Returns (rows, the stream index where the table ends)."""
    from extract.cellstream import StreamCell

    pieces: list[tuple[int, int]] = []  # (stream index, start in the joined text)
    parts: list[str] = []
    line_starts: set[int] = set()
    pos, last_line = 0, cells[header.end - 1].line_end if header.end else None
    k = header.end
    while k < limit and (k == header.end or k not in headers):
        c = cells[k]
        if not c.mark and not c.empty:
            if not (c.soft and c.joiner == "") and not c.line_start:
                break  # a cell of another layout: the run-on text has ended
            if c.line != last_line:
                line_starts.add(pos)
            pieces.append((k, pos))
            parts.append(c.text)
            pos += len(c.text)
            last_line = c.line_end
        k += 1
    if not pieces:
        return [], header.end
    text = "".join(parts)
    rows, end = read_rows(text, header.columns, frozenset(line_starts), frozenset(p for _, p in pieces))
    starts = [p for _, p in pieces]

    def source(at: int) -> StreamCell:
        return cells[pieces[max(0, bisect.bisect_right(starts, at) - 1)][0]]

    out = []
    for row in rows:
        got = {}
        for role, a, b in row:
            first, last = source(a), source(b - 1)
            got[role] = StreamCell(text=text[a:b].strip(), line=first.line, line_end=last.line_end, soft=True,
                                   row=first.row, joiner="")
        out.append(row_type(cells=got))
    i = bisect.bisect_left(starts, end)
    stop = pieces[i][0] if i < len(pieces) else k
    return out, stop
