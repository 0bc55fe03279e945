"""Turn a case's free text into the tokens the category model counts.

Cases arrive in two shapes that must look alike to the model: ordinary prose with
punctuation, and text that was word-segmented elsewhere (words joined by spaces, stop-words
and punctuation removed). `normalise` therefore folds width and case, replaces punctuation
by spaces and removes the spaces *between two Han characters*, so both shapes give the same
character n-grams; spaces between words of other scripts (Uyghur, English…) are kept as word
boundaries. Han runs are segmented into words with jieba-rs (`rjieba`, its dictionary is
compiled in: nothing is downloaded); every other script is split on non-letters.
"""

from __future__ import annotations

import re
import unicodedata

import rjieba

# Han ideographs: CJK Unified Ideographs, Extension A and the compatibility block.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Place names masked by a publisher or typed as codes ("A市", "A1区", "b3县") carry no
# meaning about the service; the letter-digit code is dropped and the suffix kept.
_PLACE_CODE = re.compile(r"(?<![a-z0-9])[a-z][0-9]{0,2}(?=[市区县镇乡村省州])")
_DIGITS = re.compile(r"[0-9]+")
_NON_WORD = re.compile(r"[\W_]+")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{HAN}])\s+(?=[{HAN}])")
_SPACES = re.compile(r"\s+")
_TOKENS = re.compile(rf"[{HAN}]+|[^\W\d_]+|[0-9]+")
_HAN_RUN = re.compile(rf"[{HAN}]+")


def normalise(text: str, *, drop_place_codes: bool = True) -> str:
    """Fold width and case, drop place codes, collapse numbers to 0 and punctuation to spaces.

    The result has no space between two Han characters and single spaces elsewhere.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if drop_place_codes:
        text = _PLACE_CODE.sub("", text)
    text = _DIGITS.sub("0", text)
    text = _NON_WORD.sub(" ", text)
    text = _SPACE_BETWEEN_HAN.sub("", text)
    return _SPACES.sub(" ", text).strip()


# Marks a piece of a word; "~", "<" and ">" never survive `normalise`, so no word looks alike.
SUBWORD = "~"
_SUBWORD_SIZE = 3
_SUBWORDS_FROM = 4  # shorter words are their own stem


def subwords(letter_words: list[str]) -> list[str]:
    """Letter trigrams of words of alphabetic scripts (the `others` of `words`), with the
    word's start and end marked (as fastText does): Uyghur is agglutinative, so "يولدا"
    (on the road) and "يوللار" (roads) share "<يو" and "يول" although the words differ."""
    result: list[str] = []
    for word in letter_words:
        # A letter run that runs on into Han characters ("b栋") is not a word to split.
        if len(word) < _SUBWORDS_FROM or word.isdigit() or _HAN_RUN.search(word):
            continue
        marked = f"<{word}>"
        result.extend(
            SUBWORD + marked[i : i + _SUBWORD_SIZE] for i in range(len(marked) - _SUBWORD_SIZE + 1)
        )
    return result


def is_subword(token: str) -> bool:
    return token.startswith(SUBWORD)


def words(normalised: str, *, others: list[str] | None = None) -> list[str]:
    """Words of a normalised text: jieba words for Han runs, letter runs and numbers else
    (those also appended to ``others`` when given)."""
    result: list[str] = []
    for match in _TOKENS.finditer(normalised):
        token = match.group()
        if _HAN_RUN.fullmatch(token):
            result.extend(rjieba.cut(token, True))
        else:
            result.append(token)
            if others is not None:
                others.append(token)
    return result
