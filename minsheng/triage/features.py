"""TF-IDF feature blocks for the category model, built the same way for training and prediction.

A block counts one kind of token in a normalised text (see `minsheng.triage.text`):

- `CharBlock`: character n-grams (n ≤ 3), each coded as one integer from its code points, so
  vocabularies are sorted integer arrays and counting runs in NumPy rather than in a Python
  loop — this is what keeps training on 100,000 cases within minutes;
- `WordBlock`: words (jieba words for Han text, letter runs for other scripts).

Each block weighs a token by (1 + log count) × idf, idf = ln((1 + n) / (1 + df)) + 1 (the
"smooth, sublinear" TF-IDF), and scales its part of the vector to length 1; the whole vector
is then scaled to length 1. `vector()` of one text equals that text's row of `fit()`'s matrix
(the tests check this).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from minsheng.triage import text as textlib

_BITS = 21  # every Unicode code point fits in 21 bits; three of them fit in an int64


def char_codes(normalised: str, low: int, high: int) -> np.ndarray:
    """Integer codes of the character n-grams (low ≤ n ≤ high ≤ 3) of a text.

    The leading character of an n-gram is never NUL, so codes of different lengths fall in
    disjoint ranges and never collide.
    """
    points = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    parts = []
    for size in range(low, high + 1):
        if len(points) < size:
            break
        code = points[: len(points) - size + 1].copy()
        for shift in range(1, size):
            code <<= _BITS
            code |= points[shift : len(points) - size + 1 + shift]
        parts.append(code)
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(parts)


def decode_char_code(code: int) -> str:
    """The n-gram an integer code stands for (for explanations and debugging)."""
    chars = []
    while code:
        chars.append(chr(code & ((1 << _BITS) - 1)))
        code >>= _BITS
    return "".join(reversed(chars))


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


def _weigh_rows(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf × idf, then every row scaled to length 1 (empty rows stay empty)."""
    matrix = matrix.astype(np.float32)
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    squared = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    norms = np.sqrt(squared, dtype=np.float32)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
    return matrix


def _keep_columns(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The matrix with only the columns where `keep` is true, renumbered in order."""
    new_column = np.cumsum(keep) - 1
    entry_kept = keep[matrix.indices]
    row_of_entry = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    row_lengths = np.bincount(row_of_entry[entry_kept], minlength=matrix.shape[0])
    indptr = np.concatenate([[0], np.cumsum(row_lengths)])
    return sp.csr_matrix(
        (matrix.data[entry_kept], new_column[matrix.indices[entry_kept]], indptr),
        shape=(matrix.shape[0], int(keep.sum())),
    )


def _weigh_one(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    weight = (1.0 + np.log(counts.astype(np.float32))) * idf
    return weight / np.sqrt(np.dot(weight, weight))


class CharBlock:
    """Character n-grams of the whole text, or of its first `head` characters (the subject)."""

    kind = "chars"

    def __init__(self, name: str, *, low: int, high: int, head: int = 0):
        if not 1 <= low <= high <= 3:
            raise ValueError("character n-grams must be of length 1 to 3")
        self.name, self.low, self.high, self.head = name, low, high, head
        self.vocabulary = np.empty(0, dtype=np.int64)  # sorted codes; position = column
        self.idf = np.empty(0, dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    def _codes(self, normalised: str) -> np.ndarray:
        return char_codes(normalised[: self.head] if self.head else normalised, self.low, self.high)

    def fit(self, normalised: Sequence[str], *, min_df: int) -> sp.csr_matrix:
        # Sorting tens of millions of n-gram codes is what made training slow. Instead the
        # characters get dense ids (in code-point order), an n-gram becomes a small integer key
        # and counting is a bincount; keys sort like codes, so the vocabulary comes out sorted.
        n_docs = len(normalised)
        texts = [t[: self.head] if self.head else t for t in normalised]
        points = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in texts]
        lengths = np.fromiter((len(p) for p in points), dtype=np.int64, count=n_docs)
        allpoints = np.concatenate(points).astype(np.int64) if n_docs else np.empty(0, np.int64)
        del points
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        present = np.flatnonzero(np.bincount(allpoints)) if len(allpoints) else allpoints
        n_chars = len(present)
        lookup = np.zeros(int(present[-1]) + 1 if n_chars else 1, dtype=np.int64)
        lookup[present] = np.arange(n_chars)
        ids = lookup[allpoints]
        del allpoints, lookup

        keys, rows, base = [], [], 0
        for size in range(1, self.high + 1):
            span = n_chars**size
            if size >= self.low and len(ids) >= size:
                same = np.ones(len(ids) - size + 1, dtype=bool)
                key = ids[: len(ids) - size + 1].copy()
                for shift in range(1, size):
                    same &= doc[shift : len(doc) - size + 1 + shift] == doc[: len(doc) - size + 1]
                    key *= n_chars
                    key += ids[shift : len(ids) - size + 1 + shift]
                keys.append(key[same] + base)
                rows.append(doc[: len(doc) - size + 1][same])
            base += span
        key = np.concatenate(keys) if keys else np.empty(0, np.int64)
        row = np.concatenate(rows) if rows else np.empty(0, np.int64)
        del keys, rows, ids, doc

        if base <= 1 << 27:
            used = np.flatnonzero(np.bincount(key, minlength=base))
            column_of = np.zeros(base, dtype=np.int64)
            column_of[used] = np.arange(len(used))
            column = column_of[key]
            del column_of
        else:  # very large alphabets or trigrams: fall back to sorting
            used, column = np.unique(key, return_inverse=True)
        del key
        matrix = sp.csr_matrix(
            (np.ones(len(column), dtype=np.float32), (row, column)), shape=(n_docs, len(used))
        )
        del row, column
        matrix.sum_duplicates()
        df = np.bincount(matrix.indices, minlength=len(used))
        keep = df >= min_df
        self.vocabulary = self._codes_of_keys(used[keep], present)
        self.idf = _idf(df[keep], n_docs)
        return _weigh_rows(_keep_columns(matrix, keep), self.idf)

    def _codes_of_keys(self, keys: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Turn dense n-gram keys back into code-point codes (the order is kept)."""
        n_chars = len(present)
        codes = np.empty(len(keys), dtype=np.int64)
        base = 0
        for size in range(1, self.high + 1):
            span = n_chars**size
            inside = (keys >= base) & (keys < base + span)
            rest = keys[inside] - base
            code = np.zeros(len(rest), dtype=np.int64)
            for position in range(size):
                digit = rest // n_chars ** (size - 1 - position) % n_chars
                code = (code << _BITS) | present[digit]
            codes[inside] = code
            base += span
        return codes

    def vector(self, normalised: str) -> tuple[np.ndarray, np.ndarray]:
        codes, counts = np.unique(self._codes(normalised), return_counts=True)
        if not len(codes) or not self.size:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        position = np.searchsorted(self.vocabulary, codes)
        position[position == self.size] = 0
        found = self.vocabulary[position] == codes
        if not found.any():
            return np.empty(0, np.int64), np.empty(0, np.float32)
        columns = position[found]
        return columns, _weigh_one(counts[found], self.idf[columns])

    def term(self, column: int) -> str:
        return decode_char_code(int(self.vocabulary[column]))

    def state(self) -> dict[str, np.ndarray]:
        return {"vocabulary": self.vocabulary, "idf": self.idf}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.vocabulary = np.asarray(arrays["vocabulary"], dtype=np.int64)
        self.idf = np.asarray(arrays["idf"], dtype=np.float32)

    def spec(self) -> dict:
        return {"kind": self.kind, "name": self.name, "low": self.low, "high": self.high,
                "head": self.head}  # fmt: skip


class WordBlock:
    """Words of the text, optionally with pairs of neighbouring words and with the letter
    trigrams of words in alphabetic scripts (`textlib.subwords`)."""

    kind = "words"

    def __init__(self, name: str, *, bigrams: bool = False, subwords: bool = False):
        self.name, self.bigrams, self.subwords = name, bigrams, subwords
        self.vocabulary: dict[str, int] = {}
        self.terms: list[str] = []
        self.idf = np.empty(0, dtype=np.float32)

    @property
    def size(self) -> int:
        return len(self.terms)

    def tokens(self, normalised: str) -> list[str]:
        letter_words: list[str] = []
        words = textlib.words(normalised, others=letter_words if self.subwords else None)
        tokens = words
        if self.bigrams:
            # A space never occurs inside a word, so "a b" cannot collide with a word.
            tokens = tokens + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        if self.subwords:
            tokens = tokens + textlib.subwords(letter_words)
        return tokens

    def fit(self, normalised: Sequence[str], *, min_df: int) -> sp.csr_matrix:
        found: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in normalised:
            for token in self.tokens(text):
                indices.append(found.setdefault(token, len(found)))
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), indptr),
            shape=(len(normalised), len(found)),
        )
        matrix.sum_duplicates()
        df = np.bincount(matrix.indices, minlength=len(found))
        keep = df >= min_df
        terms_by_column = [""] * len(found)
        for token, column in found.items():
            terms_by_column[column] = token
        self.terms = [t for t, k in zip(terms_by_column, keep, strict=True) if k]
        self.vocabulary = {t: i for i, t in enumerate(self.terms)}
        self.idf = _idf(df[keep], len(normalised))
        return _weigh_rows(_keep_columns(matrix, keep), self.idf)

    def vector(self, normalised: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self.tokens(normalised))
        vocabulary = self.vocabulary
        pairs = [(vocabulary[t], n) for t, n in counts.items() if t in vocabulary]
        if not pairs:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        columns = np.fromiter((c for c, _ in pairs), dtype=np.int64, count=len(pairs))
        counts_found = np.fromiter((n for _, n in pairs), dtype=np.float32, count=len(pairs))
        return columns, _weigh_one(counts_found, self.idf[columns])

    def term(self, column: int) -> str:
        return self.terms[column]

    def state(self) -> dict[str, np.ndarray]:
        # Tokens never contain a newline: normalisation turned all white space into spaces.
        joined = "\n".join(self.terms).encode()
        return {"vocabulary": np.frombuffer(joined, dtype=np.uint8), "idf": self.idf}

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        raw = arrays["vocabulary"].tobytes().decode()
        self.terms = raw.split("\n") if raw else []
        self.vocabulary = {t: i for i, t in enumerate(self.terms)}
        self.idf = np.asarray(arrays["idf"], dtype=np.float32)
        if len(self.terms) != len(self.idf):
            raise ValueError(f"the vocabulary of block {self.name} is damaged")

    def spec(self) -> dict:
        return {"kind": self.kind, "name": self.name, "bigrams": self.bigrams,
                "subwords": self.subwords}  # fmt: skip


def block_from_spec(spec: dict) -> CharBlock | WordBlock:
    if spec["kind"] == CharBlock.kind:
        return CharBlock(spec["name"], low=spec["low"], high=spec["high"], head=spec["head"])
    if spec["kind"] == WordBlock.kind:
        # Models saved before subwords existed had none.
        subwords = spec.get("subwords", False)
        return WordBlock(spec["name"], bigrams=spec["bigrams"], subwords=subwords)
    raise ValueError(f"unknown feature block kind {spec['kind']!r}")


class Features:
    """Several blocks side by side; the concatenated vector is scaled to length 1."""

    def __init__(self, blocks: list[CharBlock | WordBlock]):
        self.blocks = blocks
        self.offsets: list[int] = []

    @property
    def size(self) -> int:
        return sum(b.size for b in self.blocks)

    def _set_offsets(self) -> None:
        self.offsets = list(np.cumsum([0] + [b.size for b in self.blocks[:-1]]))

    def fit(self, normalised: Sequence[str], *, min_df: int, threads: int = 1) -> sp.csr_matrix:
        # The blocks are independent; the character blocks spend their time in NumPy, which
        # lets the word block's segmenting run beside them.
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            fitting = [pool.submit(b.fit, normalised, min_df=min_df) for b in self.blocks]
            matrices = [done.result() for done in fitting]
        self._set_offsets()
        matrix = sp.hstack(matrices, format="csr", dtype=np.float32)
        squared = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
        norms = np.sqrt(squared, dtype=np.float32)
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix

    def vector(self, normalised: str) -> tuple[np.ndarray, np.ndarray]:
        columns, values = [], []
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            c, v = block.vector(normalised)
            if len(c):
                columns.append(c + offset)
                values.append(v)
        if not columns:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        column = np.concatenate(columns)
        value = np.concatenate(values)
        return column, value / np.sqrt(np.dot(value, value))

    def block_at(self, column: int) -> tuple[CharBlock | WordBlock, int]:
        """The block a column belongs to and the column within that block."""
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            if offset <= column < offset + block.size:
                return block, column - offset
        raise IndexError(column)

    def restore_offsets(self) -> None:
        self._set_offsets()
