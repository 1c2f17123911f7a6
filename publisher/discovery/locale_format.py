"""Numbers, byte sizes and dates on the discovery pages (dumps, VoID, validation), written the
way the page's language writes them, from Babel's CLDR data rather than our own tables.

They follow the interface's language (`i18n.interface_language`): the words around them are
its words. CLDR's default number system for Arabic is the Latin digits (the ones the data and
the other pages show), so «12.3 م.ب» and "12.3 MB" differ only in their words and separators.
Sizes are decimal (1 kB = 1000 bytes), as CLDR's `digital-*` units and `ls --si` count them.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from publisher.i18n import interface_language

SIZE_UNITS = (
    ("digital-gigabyte", 10**9),
    ("digital-megabyte", 10**6),
    ("digital-kilobyte", 10**3),
)


def number(value: int, lang: str) -> str:
    """`1234567` → "1,234,567" in English, «1,234,567» in Arabic (Babel's grouping)."""
    return str(format_decimal(value, locale=interface_language(lang)))


def byte_size(size: int, lang: str) -> str:
    """A size people read at a glance: "2.4 MB", «2.4 م.ب»; bytes below 1 kB."""
    locale = interface_language(lang)
    for unit, scale in SIZE_UNITS:
        if size >= scale:
            return str(
                format_unit(size / scale, unit, length="short", format="#,##0.#", locale=locale)
            )
    return str(format_unit(size, "digital-byte", length="short", locale=locale))


def seconds(count: int, lang: str) -> str:
    """A wait in words, with the plural the language takes: "10 seconds", «10 ثوان»."""
    return str(
        format_unit(count, "duration-second", length="long", locale=interface_language(lang))
    )


def day(moment: datetime, lang: str) -> str:
    """A date as the language writes it: "3 December 2026", «3 ديسمبر 2026»."""
    return str(format_date(moment, format="long", locale=interface_language(lang)))
