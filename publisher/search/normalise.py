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
from functools import lru_cache

TATWEEL = "\u0640"
LETTER_FOLDS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0622": "\u0627",  # آ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u0629": "\u0647",  # ة → ه
        "\u0649": "\u064a",  # ى → ي
    }
)
ARTICLE = "\u0627\u0644"  # ال (after the alef folds)
MIN_STEM = 2
"""Letters that must remain once the article is taken off («ال» + «ف» stays «الف»)."""

WORD = re.compile(r"\w+")
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
"""The Arabic blocks: text without a character of them is left to FTS5 as it is."""
WRITTEN_WORD = re.compile("[\\w\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")
"""A word as written: letters and digits with the Arabic marks and tatweel between them."""


def fold(text: str) -> str:
    """`text` as the index stores it and the query looks for it (see the module's notes)."""
    return " ".join(fold_word(word) for word in WORD.findall(_unmarked(text)))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (the query's terms)."""
    return [fold_word(word) for word in WORD.findall(_unmarked(text))]


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One word (already without marks) folded: letters, digits, the article."""
    folded = "".join(_digit(char) for char in word.translate(LETTER_FOLDS))
    if folded.startswith(ARTICLE) and len(folded) - len(ARTICLE) >= MIN_STEM:
        folded = folded[len(ARTICLE) :]
    return folded


def comparable(word: str) -> str:
    """A folded word as FTS5's tokenizer indexes it (lower case, Latin accents removed): what
    the index's words are compared with outside SQLite (highlighting, near spellings)."""
    split = unicodedata.normalize("NFD", word)
    return "".join(char for char in split if unicodedata.category(char) != "Mn").casefold()


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of `text` as written, marks and tatweel inside
    it included: where a highlight goes."""
    return [(m.start(), m.end(), comparable(fold(m.group()))) for m in WRITTEN_WORD.finditer(text)]


def _unmarked(text: str) -> str:
    """`text` without the combining marks of Arabic script and without tatweel. Latin accents
    stay: FTS5 folds those itself, and NFD here would split them from their letters."""
    if ARABIC.search(text) is None:
        return text
    return "".join(
        char
        for char in unicodedata.normalize("NFC", text)
        if char != TATWEEL
        and not (
            unicodedata.category(char) == "Mn" and unicodedata.name(char, "").startswith("ARABIC")
        )
    )


def _digit(char: str) -> str:
    value = unicodedata.decimal(char, None)
    return str(value) if value is not None and not char.isascii() else char
