"""Whether a message is written in English, without a downloaded model.

The assistant reads English only. A message in another language is recognised by its script
(Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese, Korean) or, in Latin
script, by its common words: a message with several words of one other language and few
English ones (spaCy's English stop words and a few everyday back-pain words) is taken as that
language, and so is a sentence without a single English word. Short messages ("ok", "L5",
"si") are always treated as English, so an answer is never refused for being too short to tell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from bot.vocabulary import DATA_DIR

LANGUAGES_PATH = DATA_DIR / "languages.yml"
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
OTHER_SCRIPTS = ("CYRILLIC", "GREEK", "ARABIC", "HEBREW", "DEVANAGARI", "THAI", "CJK",
                 "HIRAGANA", "KATAKANA", "HANGUL", "BENGALI", "TAMIL", "GUJARATI", "GURMUKHI")
MIN_WORDS = 3  # fewer words than this: too short to tell


@lru_cache(maxsize=1)
def load_languages(path: Path = LANGUAGES_PATH) -> dict[str, frozenset[str]]:
    """Common words per language (bot/data/languages.yml), English first."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {name: frozenset(str(words).lower().split())
             for name, words in (raw.get("words") or {}).items()}
    english = table.get("english", frozenset()) | STOP_WORDS
    table["english"] = english
    return {name: words if name == "english" else frozenset(
        w for w in words if len(w) > 1 and w not in english) for name, words in table.items()}


def _script_share(text: str) -> float:
    """The share of letters written in a script other than Latin."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    other = sum(1 for ch in letters
                if any(name in unicodedata.name(ch, "") for name in OTHER_SCRIPTS))
    return other / len(letters)


def language_of(text: str) -> str:
    """"english", or the name of the other language the message is written in."""
    if _script_share(text) > 0.5:
        return "other script"
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return "english"
    languages = load_languages()
    english = sum(1 for w in words if w in languages["english"])
    best, hits = "english", 0
    for name, common in languages.items():
        if name == "english":
            continue
        count = sum(1 for w in words if w in common)
        if count > hits:
            best, hits = name, count
    if hits >= 2 and hits > english * 1.5:
        return best
    if english == 0 and len(words) >= 4 and (hits or len(words) >= 6):
        return best if hits else "unknown"  # not one English word in a sentence
    return "english"


def is_english(text: str) -> bool:
    return language_of(text) == "english"
