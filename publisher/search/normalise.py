"""One folding for the indexed labels and the query: Arabic as readers type it, Latin left to
FTS5's `unicode61 remove_diacritics 2` tokenizer (case and accents).

No library fitted (decision 0013): pyarabic is GPL-3.0, which an Apache-2.0 package cannot
depend on without passing the GPL on to everything shipped with it, and camel-tools (MIT) pulls
in a machine-learning stack for the few folds used here. The folds are the orthographic ones
Arabic search engines apply; the character classes come from Unicode's own tables
(`unicodedata`), so no mark or digit is listed by hand:

- every combining mark (tashkeel: fatha … sukun, superscript alef, Quranic marks) and tatweel;
- alef with hamza above or below, with madda, and alef wasla → bare alef;
- ta marbuta → ha; alef maqsura → ya;
- any decimal digit (Arabic-Indic, Persian, …) → its Latin digit;
- the article «ال» at the start of a word, so «المغرب» and «مغرب» are one word.
"""

from __future__ import annotations

import re
import unicodedata

TATWEEL = "\u0640"
ARABIC_BLOCKS = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
"""Arabic, its supplement, extended-A, and the presentation forms."""
LETTER_FOLDS = {
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0622": "\u0627",  # آ → ا
    "\u0671": "\u0627",  # ٱ → ا
    "\u0629": "\u0647",  # ة → ه
    "\u0649": "\u064a",  # ى → ي
}
ARTICLE = "\u0627\u0644"  # ال (after the alef folds)
MIN_STEM = 2
"""Letters that must remain once the article is taken off («ال» + «ف» stays «الف»)."""


def _table() -> dict[int, str | None]:
    """One `str.translate` table: the letter folds, every combining mark of the Arabic blocks
    and tatweel removed, every non-ASCII decimal digit of the Basic Multilingual Plane to its
    ASCII digit. Built from Unicode's tables (`unicodedata`) when the module is imported."""
    table: dict[int, str | None] = {ord(k): v for k, v in LETTER_FOLDS.items()}
    table[ord(TATWEEL)] = None
    for first, last in ARABIC_BLOCKS:
        for code in range(first, last + 1):
            if unicodedata.category(chr(code)) == "Mn":
                table[code] = None
    for code in range(0x80, 0x10000):
        digit = unicodedata.decimal(chr(code), None)
        if digit is not None:
            table[code] = str(digit)
    return table


TABLE = _table()
WORD = re.compile(r"\w+")
ARABIC = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ARABIC_BLOCKS) + "]")
"""Text without a character of the Arabic blocks is left to FTS5 as it is (bar its digits)."""
WRITTEN_WORD = re.compile("[\\w\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")
"""A word as written: letters and digits with the Arabic marks and tatweel between them."""


def fold(text: str) -> str:
    """`text` as the index stores it and the query looks for it (see the module's notes)."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (the query's terms)."""
    if text.isascii():  # most Latin text: nothing to fold here (FTS5 does case)
        return WORD.findall(text)
    if ARABIC.search(text) is not None:
        text = unicodedata.normalize("NFC", text)
    return [_without_article(word) for word in WORD.findall(text.translate(TABLE))]


def _without_article(word: str) -> str:
    if word.startswith(ARTICLE) and len(word) - len(ARTICLE) >= MIN_STEM:
        return word[len(ARTICLE) :]
    return word


def comparable(word: str) -> str:
    """A folded word as FTS5's tokenizer indexes it (lower case, Latin accents removed): what
    the index's words are compared with outside SQLite (highlighting, near spellings)."""
    split = unicodedata.normalize("NFD", word)
    return "".join(char for char in split if unicodedata.category(char) != "Mn").casefold()


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of `text` as written, marks and tatweel inside
    it included: where a highlight goes."""
    return [(m.start(), m.end(), comparable(fold(m.group()))) for m in WRITTEN_WORD.finditer(text)]
