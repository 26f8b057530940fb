"""Chinese text normalisation and tokens for appeal routing (诉求分拨).

Nothing here knows any city, department or appeal: the same rules apply to every corpus.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
# Masked personal data (***, ×××, xxx) carries no routing signal beyond "something was masked".
_MASK = re.compile(r"[*×]{2,}|x{3,}")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
# Tokens that are only punctuation or symbols (jieba returns them as words).
_WORD_CHARACTER = re.compile(r"[\w\u4e00-\u9fff]")


def normalize_text(text: str) -> str:
    """``text`` ready for features: full-width → half-width (NFKC), lower case, URLs, e-mail
    addresses and masks (***) replaced by a placeholder, every number by ``0``, whitespace
    collapsed. Never raises; ``None``-like empty input gives ``""``."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\ufffd", " ")  # undecodable bytes in the source
    text = _URL.sub(" url ", text)
    text = _EMAIL.sub(" @ ", text)
    text = _MASK.sub(" * ", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(60)  # silence "Building prefix dict" on stderr
    jieba.initialize()
    return jieba


def words(text: str) -> list[str]:
    """The words (分词) of already-normalised ``text`` by jieba, punctuation dropped."""
    segmenter = _jieba()
    return [
        token
        for token in segmenter.lcut(text)  # type: ignore[attr-defined]
        if not token.isspace() and _WORD_CHARACTER.search(token)
    ]
