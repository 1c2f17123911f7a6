"""Languages of the HTML pages: which one a request gets, which label to show, the UI strings.

The interface's own words exist in Arabic and English (`LANGUAGES`). A dataset's pages are
offered in the languages of its data (`page_languages`): a page in French shows French labels
with the interface's words in English, the fallback, each piece marked with its own `lang` and
`dir`. Data is never translated here: a label missing in the page language is shown in another
language, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from publisher.messages import interface_languages, words

LANGUAGES: tuple[str, ...] = interface_languages()
"""The languages the interface's own words are written in: a message catalogue each
(`publisher.messages`), Arabic and English."""
FALLBACK = "en"
"""The interface language of a page whose language the interface does not speak."""
MAX_PAGE_LANGUAGES = 12
"""At most this many page languages (the data's most used): the switcher stays a short list."""
_TAG = re.compile(r"[a-z]{2,3}\Z")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})


def primary_subtag(tag: str) -> str:
    """`ar-EG` → `ar`: the part of a BCP 47 tag that decides the page language."""
    return tag.strip().split("-")[0].split("_")[0].lower()


def direction(lang: str | None) -> str:
    """`rtl` for Arabic (and other right-to-left scripts), `ltr` otherwise."""
    return "rtl" if lang and primary_subtag(lang) in RTL_LANGUAGES else "ltr"


def other_language(lang: str) -> str:
    """The language a label is looked for in after the page's: Arabic and English stand in for
    each other (the embedded dataset's pair); any other page language falls back to English."""
    return "ar" if lang == "en" else "en"


def interface_language(lang: str) -> str:
    """The language the interface's own words are shown in on a page in `lang`."""
    return lang if lang in LANGUAGES else FALLBACK


def page_languages(stated: Iterable[str], labelled: Iterable[str] = ()) -> tuple[str, ...]:
    """The languages a dataset's pages are offered in: those its description states (the
    profile's `dcterms:language`, or `--language`), else those its labels are in, most used
    first; else the interface's own. Tags are reduced to their primary subtag (`fr-CA` → `fr`)."""
    for source in (stated, labelled):
        found: list[str] = []
        for tag in source:
            lang = primary_subtag(tag)
            if _TAG.match(lang) and lang not in found:
                found.append(lang)
        if found:
            return tuple(found[:MAX_PAGE_LANGUAGES])
    return LANGUAGES


def language_name(code: str, lang: str) -> str:
    """The name of the language `code` in the switcher: the interface's own for Arabic and
    English (as before), else its name in itself (the reader looks for their own), else the
    code."""
    key = f"lang_name_{code}"
    if key in words(interface_language(lang)):
        return ui(key, lang)
    return endonym(code)


def choose_language(
    lang_param: str | None,
    accept_language: str | None,
    default: str,
    languages: Sequence[str] = LANGUAGES,
) -> str:
    """The page language among `languages`: `?lang=` if it names one, then `Accept-Language`,
    then `default` (when it is one of them, else the last of them).

    An unsupported `?lang=` value is ignored rather than refused, so a shared link still works.
    Accept-Language ranges are weighed by q (RFC 9110 §12.5.4); ties go to the earlier range.
    """
    if lang_param and primary_subtag(lang_param) in languages:
        return primary_subtag(lang_param)
    fallback = default if default in languages else languages[-1]
    best, best_q = fallback, 0.0
    for tag, q in _accept_ranges(accept_language or ""):
        lang = fallback if tag == "*" else primary_subtag(tag)
        if lang in languages and q > best_q:
            best, best_q = lang, q
    return best


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    """Parse `ar-SA,ar;q=0.9,en;q=0.5` leniently; a malformed q counts as 0 (not acceptable)."""
    ranges = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        if not tag.strip():
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((tag.strip(), q))
    return ranges


@dataclass(frozen=True)
class Text:
    """A piece of text with the language and direction it must be marked with in HTML."""

    value: str
    lang: str | None = None

    @property
    def dir(self) -> str:
        """`auto` for untagged text: the browser then looks at its first strong character."""
        return direction(self.lang) if self.lang else "auto"


def pick(texts: Iterable[Text], lang: str) -> Text | None:
    """The text in `lang`, else in the other page language, else in any language, else None.

    Plain literals (no tag) come after every tagged one; the order within a language is stable.
    """
    candidates = list(texts)
    if not candidates:
        return None

    def rank(text: Text) -> tuple[int, str]:
        tag = primary_subtag(text.lang) if text.lang else ""
        if tag == lang:
            return (0, text.value)
        if tag == other_language(lang):
            return (1, text.value)
        if tag:
            return (2, tag)
        return (3, text.value)

    return min(candidates, key=rank)


def endonym(code: str) -> str:
    """A language's name in itself, from CLDR (Babel), capitalised as a switcher shows it
    (`fr` → "Français"); the code when CLDR does not know it."""
    try:
        name = Locale.parse(code).get_display_name()
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def ui(key: str, lang: str, **values: object) -> str:
    """A UI string in the page language (English where the interface does not speak it); a
    missing key is a bug and raises KeyError."""
    text = words(interface_language(lang))[key]
    return text.format(**values) if values else text
