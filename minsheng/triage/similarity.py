"""How alike two short case texts are, in Chinese, Uyghur, English or a mix.

A query is compared with a small pool of candidates (the open cases near it, or the recent
resolved ones), so the TF-IDF weights are fitted on that pool and the query together: a
word every nearby case uses ("停水" in a week of water cuts) counts for little, a rare one
(the name of a lane) for much. Texts are normalised with `minsheng.triage.text` so prose
and word-segmented text look alike; tokens are character n-grams coded as integers with
NumPy (no Python loop per n-gram) and, if the method asks, words from the same tokenizer,
hashed into a fixed number of columns. The weighting is scikit-learn's smooth, sublinear
TF-IDF, computed with NumPy directly: `TfidfVectorizer`, whose analyzer builds every n-gram
as a Python string, took 1.1–1.2 s of CPU for a pool of 2,000 texts against 0.1 s here.
`benchmarks/duplicates/` compares the methods; `DEFAULT` is the one that measured best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from minsheng.triage import text as textlib

_BITS = 21  # a Unicode code point fits in 21 bits, so three of them fit in 64
_BUCKET_BITS = 20
BUCKETS = 1 << _BUCKET_BITS
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class Method:
    """One way of turning texts into vectors: character n-grams low..high, and/or words.

    ``head`` keeps only the first characters of each normalised text (0 = all).
    ``subject`` > 0 also compares the first ``subject`` characters of the two texts and
    keeps the better of the two cosines: a long complaint and its one-line re-report share
    their subject (the title, or the first words), not their details, and the cosine of a
    short text with a long one is low however well the short one matches.
    """

    name: str
    char_low: int = 1
    char_high: int = 3
    words: bool = False
    head: int = 0
    subject: int = 0

    def __post_init__(self) -> None:
        if self.char_high and not 1 <= self.char_low <= self.char_high <= 3:
            raise ValueError("character n-grams must be of length 1 to 3")


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("char1-3", char_low=1, char_high=3),
        Method("char1-2", char_low=1, char_high=2),
        Method("words", char_high=0, words=True),
        Method("char1-2+words", char_low=1, char_high=2, words=True),
        Method("char1-3/head300", char_low=1, char_high=3, head=300),
        Method("char1-2+subject40", char_low=1, char_high=2, subject=40),
        Method("char1-3+subject40", char_low=1, char_high=3, subject=40),
        Method("char1-2+words+subject40", char_low=1, char_high=2, words=True, subject=40),
    )
}
DEFAULT = METHODS["char1-2+subject40"]


@lru_cache(maxsize=4096)
def prepare(title: str, description: str = "") -> str:
    """The normalised text of a case: its title, then its description.

    Cached on the text itself: a case's words never change, and the same open cases are
    candidates for every new case near them.
    """
    return textlib.normalise(f"{title}\n{description}")


def _char_codes(normalised: str, low: int, high: int) -> np.ndarray:
    """Integer codes of the character n-grams of a text (spaces included, as boundaries)."""
    points = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = []
    for size in range(low, high + 1):
        if len(points) < size:
            break
        code = points[: len(points) - size + 1].copy()
        for shift in range(1, size):
            code <<= np.uint64(_BITS)
            code |= points[shift : len(points) - size + 1 + shift]
        parts.append(code)
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def _buckets(codes: np.ndarray) -> np.ndarray:
    """Fibonacci hashing of 64-bit codes into BUCKETS columns (multiplication wraps)."""
    return ((codes * _GOLDEN) >> np.uint64(64 - _BUCKET_BITS)).astype(np.int64)


def _word_codes(words: list[str]) -> np.ndarray:
    # Python's string hash is salted per process; a pool lives within one request.
    return np.fromiter((hash(w) & _MASK64 for w in words), dtype=np.uint64, count=len(words))


def _pool_terms(texts: Sequence[str], method: Method) -> tuple[np.ndarray, np.ndarray]:
    """(text index, hashed term) of every term occurrence in the pool, in one pass.

    The texts are joined with NUL, which normalised text never contains, and an n-gram
    that spans a NUL is dropped, so no n-gram crosses from one text into the next.
    """
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32)
    points = points.astype(np.uint64)
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(points)]
    ends = np.concatenate([[0], np.cumsum(points == 0)])
    rows, columns = [], []
    for size in range(method.char_low, method.char_high + 1) if method.char_high else ():
        if len(points) < size:
            break
        count = len(points) - size + 1
        code = points[:count].copy()
        for shift in range(1, size):
            code <<= np.uint64(_BITS)
            code |= points[shift : count + shift]
        inside = ends[size : size + count] == ends[:count]
        rows.append(text_of[:count][inside])
        columns.append(_buckets(code[inside]))
    if method.words:
        for index, text in enumerate(texts):
            terms = _buckets(_word_codes(textlib.words(text)))
            rows.append(np.full(len(terms), index, dtype=np.int64))
            columns.append(terms)
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(columns)


def _terms(normalised: str, method: Method) -> np.ndarray:
    parts = []
    if method.char_high:
        parts.append(_char_codes(normalised, method.char_low, method.char_high))
    if method.words:
        parts.append(_word_codes(textlib.words(normalised)))
    codes = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    return _buckets(codes)


class Pool:
    """TF-IDF vectors of a pool of normalised texts, weighted by the pool itself.

    Terms are hashed into ``BUCKETS`` columns and the whole pool is coded in one pass of
    NumPy over the joined texts, so a pool of 2,000 case texts takes tens of milliseconds.
    Weights are the "smooth, sublinear" TF-IDF of scikit-learn's TfidfTransformer:
    (1 + ln tf) × (ln((1 + n) / (1 + df)) + 1), each vector scaled to length 1.
    """

    def __init__(self, texts: Sequence[str], method: Method = DEFAULT) -> None:
        self.method = method
        self.texts = [t[: method.head] if method.head else t for t in texts]
        n = len(self.texts)
        rows, columns = _pool_terms(self.texts, method)
        # One key per (text, term): sorting them groups a text's terms and counts repeats.
        keys, counts = np.unique(rows * BUCKETS + columns, return_counts=True)
        self.rows, self.columns = keys // BUCKETS, keys % BUCKETS
        self.df = np.bincount(self.columns, minlength=BUCKETS)
        tf = 1.0 + np.log(counts.astype(np.float64))
        self.weights = tf * self.idf(self.columns)
        norms = np.sqrt(np.bincount(self.rows, self.weights * self.weights, minlength=n))
        norms[norms == 0] = 1.0
        self.weights /= norms[self.rows]
        self._starts = np.searchsorted(self.rows, np.arange(n + 1))

    def idf(self, columns: np.ndarray) -> np.ndarray:
        return np.log((1.0 + len(self.texts)) / (1.0 + self.df[columns])) + 1.0

    def similarities(self, index: int) -> np.ndarray:
        """Cosine similarity of text ``index`` with every text in the pool (itself: 1)."""
        lo, hi = self._starts[index], self._starts[index + 1]
        query = np.zeros(BUCKETS, dtype=np.float64)
        query[self.columns[lo:hi]] = self.weights[lo:hi]
        return np.bincount(self.rows, self.weights * query[self.columns], minlength=len(self.texts))

    def weight_of(self, token: str) -> float:
        """How telling a word is in this pool: the highest idf of its terms."""
        columns = _terms(token, self.method)
        return float(self.idf(columns).max()) if len(columns) else 0.0

    def shared_words(self, a: int, b: int, *, limit: int = 5) -> list[str]:
        """Words texts ``a`` and ``b`` have in common, the most telling first."""
        words_b = set(textlib.words(self.texts[b]))
        seen: dict[str, float] = {}
        for word in textlib.words(self.texts[a]):
            if word in seen or word not in words_b or not _is_content_word(word):
                continue
            seen[word] = self.weight_of(word)
        ranked = sorted(seen, key=lambda w: (-seen[w], -len(w)))
        return ranked[:limit]


# Words every complaint uses, whatever it is about: shown as "in common" they explain
# nothing (two reports "听说…知道…" need not be about the same pipe).
FILLER_WORDS = frozenset(
    "听说 知道 不知道 那段 这段 村里 现在 已经 还是 什么 时候 一直 我们 他们 这个 那个 没有 "
    "问题 反映 希望 尽快 请求 解决 情况 相关 部门 处理 谢谢 非常 比较 目前 一下 可以 因为 所以 "
    "但是 如果 就是 这样 那样 怎么 为什么 到底 最近 还有 以及 而且 里面 旁边 附近 一些 很多".split()
)


def _is_content_word(word: str) -> bool:
    """Numbers (all folded to 0), single letters and filler words say nothing about the
    problem."""
    if word.isdigit() or word == "0" or word in FILLER_WORDS:
        return False
    if word.isascii():
        return len(word) >= 3
    return len(word) >= 2


class Comparison:
    """A query (text 0) compared with the other texts of a pool, as ``method`` says."""

    def __init__(self, texts: Sequence[str], method: Method = DEFAULT) -> None:
        self.pool = Pool(texts, method)
        self.scores = self.pool.similarities(0)
        if method.subject:
            subjects = Pool([t[: method.subject] for t in texts], method)
            self.scores = np.maximum(self.scores, subjects.similarities(0))

    def shared_words(self, index: int, *, limit: int = 5) -> list[str]:
        return self.pool.shared_words(0, index, limit=limit)


def similarities(query: str, candidates: Sequence[str], *, method: Method = DEFAULT) -> np.ndarray:
    """Similarity (0–1) of a normalised query with each normalised candidate."""
    if not candidates:
        return np.empty(0)
    return Comparison([query, *candidates], method).scores[1:]
