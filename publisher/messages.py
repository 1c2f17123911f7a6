"""The interface's own words, read from gettext message catalogues, one per language it speaks:
`publisher/locale/LANG/LC_MESSAGES/messages.po`.

Why catalogues rather than Python dictionaries: they are what translators' tools (Poedit,
Weblate, Babel's `pybabel`) read and write, so adding a language is a file, not code. Messages
are identified by a stable key (`msgid "nav_home"`) and every catalogue, English included,
holds the text ("monolingual" PO files, a layout Babel and Weblate both handle): a template
says `t('nav_home')`, and rewording the English never orphans a translation. Labels of reused
vocabulary terms that a store does not describe carry the context `term` and the term's compact
IRI as their key. Catalogues are parsed by Babel once per process, on first use (a few ms).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
TERM_CONTEXT = "term"
"""The `msgctxt` of vocabulary term labels (their key is the term's compact IRI)."""
KEYWORD_CONTEXT = "manchester"
"""The `msgctxt` of the OWL keywords the ontology page writes class expressions with."""


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def interface_languages() -> tuple[str, ...]:
    """The languages a catalogue exists for, sorted."""
    found = LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    return tuple(sorted(path.parent.parent.name for path in found))


@cache
def _catalogue(lang: str) -> Catalog:
    with catalogue_path(lang).open("rb") as stream:
        return read_po(stream, locale=lang, domain=DOMAIN)


@cache
def words(lang: str, context: str | None = None) -> Mapping[str, str]:
    """The messages of `lang` in `context` by key (untranslated and fuzzy entries left out):
    the interface's words (no context), term labels (`TERM_CONTEXT`), keywords
    (`KEYWORD_CONTEXT`)."""
    return _entries(lang, context)


def _entries(lang: str, context: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for message in _catalogue(lang):
        if not message.id or message.context != context or message.fuzzy:
            continue
        text = message.string
        if isinstance(text, str) and text:
            found[str(message.id)] = text
    return found
