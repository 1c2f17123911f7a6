"""Literals as people read them: dates, durations and numbers written by Babel (the Unicode
CLDR's data) for the page's language, never by hand-written month names or digit tables.

A formatted value keeps what the data says: its lexical form goes to `Value.raw` (the page shows
it in a `<data value>` element and its `title`), its datatype stays in `Value.datatype`. A value
Babel cannot read (an out-of-range date, a malformed duration) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from publisher.i18n import Text
from publisher.pages.values import PropertyGroup, Value
from publisher.vocab import XSD

LOCALES = {"en": "en_001"}
"""Babel locale per page language. English pages use CLDR's international English (day before
month: "24 Feb 2021"), read the same way on every side of the Atlantic; other languages use
CLDR's default for the language (Arabic: Latin digits, as CLDR gives them; decision 0015)."""

NUMBERS = frozenset(
    XSD + name
    for name in (
        *("integer", "decimal", "double", "float", "int", "long", "short", "byte"),
        *("nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger"),
        *("unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"),
    )
)
_DURATION = re.compile(
    r"^(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
"""XSD's lexical space of numbers (Python's Decimal would also read `1_000` or `Infinity`)."""
_GYEAR = re.compile(r"^(\d{4})(?:Z|[+-]\d\d:\d\d)?$")
_GYEAR_MONTH = re.compile(r"^(\d{4})-(\d\d)(?:Z|[+-]\d\d:\d\d)?$")


@cache
def locale_of(lang: str) -> Locale:
    """The Babel locale a page in `lang` formats with; English when Babel has no such locale."""
    try:
        return Locale.parse(LOCALES.get(lang, lang).replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        return Locale.parse(LOCALES["en"])


def readable(lexical: str, datatype: str, lang: str) -> str | None:
    """`lexical` of `datatype` (a full IRI) as people write it in `lang`; None: shown as is."""
    locale = locale_of(lang)
    try:
        if datatype == XSD + "date":
            return format_date(date.fromisoformat(lexical[:10]), "long", locale=locale)
        if datatype == XSD + "dateTime":
            moment = datetime.fromisoformat(lexical)
            return format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=locale)
        if datatype == XSD + "gYear" and (year := _GYEAR.match(lexical)):
            return format_skeleton("y", date(int(year[1]), 1, 1), locale=locale)
        if datatype == XSD + "gYearMonth" and (month := _GYEAR_MONTH.match(lexical)):
            return format_skeleton("yMMMM", date(int(month[1]), int(month[2]), 1), locale=locale)
        if datatype in (XSD + "duration", XSD + "dayTimeDuration", XSD + "yearMonthDuration"):
            return duration(lexical, locale)
        if datatype in NUMBERS and _NUMBER.match(lexical.strip()):
            number = Decimal(lexical.strip())
            return format_decimal(number, locale=locale, decimal_quantization=False)
    except (ValueError, OverflowError, InvalidOperation):
        return None
    return None


def duration(lexical: str, locale: Locale) -> str | None:
    """`P2D` → "2 days" (Arabic: «يومان»), `P1DT2H` → "1 day and 2 hours": each part in
    CLDR's words for its unit, joined as the language joins a list."""
    found = _DURATION.match(lexical)
    if found is None or not any(found.groups()[1:]):
        return None
    parts = [
        format_unit(Decimal(amount), f"duration-{unit}", "long", locale=locale)
        for unit, amount in zip(_DURATION_UNITS, found.groups()[1:], strict=True)
        if amount is not None and Decimal(amount) != 0
    ]
    if not parts:
        parts = [format_unit(0, "duration-second", "long", locale=locale)]
    text = format_list(parts, style="standard", locale=locale)
    return f"-{text}" if found[1] else text


def span(days: Iterable[date], lang: str) -> str:
    """Dates as the span they cover: "24–25 Feb 2021", or one date when they are the same day."""
    ordered = sorted(set(days))
    locale = locale_of(lang)
    if len(ordered) == 1:
        return format_date(ordered[0], "long", locale=locale)
    return format_interval(ordered[0], ordered[-1], "yMMMd", locale=locale)


def count(number: int, lang: str) -> str:
    return format_decimal(number, locale=locale_of(lang))


def full_datatype(datatype: str | None) -> str | None:
    """`xsd:date` (as the view models compact it) → the XSD IRI; other IRIs unchanged."""
    if datatype is not None and datatype.startswith("xsd:"):
        return XSD + datatype[4:]
    return datatype


def readable_value(value: Value, lang: str) -> Value:
    """The value with its literal formatted (the lexical form kept in `raw`), recursively."""
    if value.nested or value.items:
        return replace(
            value,
            nested=readable_groups(value.nested, lang),
            items=tuple(readable_value(v, lang) for v in value.items),
        )
    if value.text is None or value.datatype is None or value.raw is not None:
        return value
    datatype = full_datatype(value.datatype)
    shown = readable(value.text.value, datatype, lang) if datatype else None
    if shown is None:
        return value
    return replace(value, text=Text(shown, locale_of(lang).language), raw=value.text.value)


def readable_groups(groups: Iterable[PropertyGroup], lang: str) -> tuple[PropertyGroup, ...]:
    return tuple(
        PropertyGroup(g.property, tuple(readable_value(v, lang) for v in g.values)) for g in groups
    )
