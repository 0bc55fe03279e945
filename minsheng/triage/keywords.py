"""Suggestions for a fresh installation: the category keywords an administrator edits.

Keyword hits say which categories a text mentions, not how likely each is, so a keyword
suggestion is never "confident": it lists the categories whose keywords occur, ranked by
how many different keywords matched, and the share it shows is only the share of matches.
"""

from __future__ import annotations

from minsheng.directory.models import Category
from minsheng.triage.model import Suggestion


def category_keywords() -> dict[str, list[str]]:
    """Active categories' keywords by category code (one per line, blank lines ignored)."""
    table: dict[str, list[str]] = {}
    for code, keywords in Category.objects.filter(is_active=True).values_list("code", "keywords"):
        words = [w.strip() for w in keywords.splitlines() if w.strip()]
        if words:
            table[code] = words
    return table


def keyword_suggestion(
    text: str, *, keywords: dict[str, list[str]] | None = None, k: int = 3
) -> Suggestion:
    """The categories whose keywords occur in the text; never confident.

    Matching is by substring, case-insensitive, so it works for Chinese (no spaces) as
    well as for Uyghur or English words.
    """
    keywords = category_keywords() if keywords is None else keywords
    folded = text.casefold()
    hits: dict[str, list[str]] = {}
    for code, words in keywords.items():
        matched = [w for w in words if w.casefold() in folded]
        if matched:
            hits[code] = matched
    total = sum(len(m) for m in hits.values())
    ranked = sorted(hits.items(), key=lambda item: (-len(item[1]), item[0]))[:k]
    return Suggestion(
        categories=[(code, len(matched) / total) for code, matched in ranked],
        confident=False,
        words=ranked[0][1] if ranked else [],
    )
