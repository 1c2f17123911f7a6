"""Language choice, label fallback and the UI strings of the HTML pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.i18n import LANGUAGES, Text, choose_language, direction, language_name, pick, ui
from publisher.messages import KEYWORD_CONTEXT, LOCALE_DIR, TERM_CONTEXT, catalogue_path, words


@pytest.mark.parametrize(
    ("lang_param", "accept_language", "default", "expected"),
    [
        # ?lang= wins over everything when it names a page language
        ("ar", "en-GB,en;q=0.9", "en", "ar"),
        ("en", "ar", "ar", "en"),
        ("AR", None, "en", "ar"),
        ("ar-EG", None, "en", "ar"),
        # an unsupported or empty ?lang= is ignored, not refused
        ("fr", "ar", "en", "ar"),
        ("", "ar", "en", "ar"),
        ("%00", None, "ar", "ar"),
        # Accept-Language: q-values decide, region subtags are looked through
        (None, "ar-SA,ar;q=0.9,en;q=0.8", "en", "ar"),
        (None, "en;q=0.4, ar;q=0.8", "en", "ar"),
        (None, "fr-FR,fr;q=0.9,en;q=0.5,ar;q=0.3", "ar", "en"),
        (None, "de, fr", "ar", "ar"),
        (None, "*", "ar", "ar"),
        (None, "ar;q=0, en;q=0", "ar", "ar"),
        (None, "ar;q=0, *;q=0.5", "en", "en"),
        # ties go to the first range listed
        (None, "en, ar", "ar", "en"),
        (None, "ar, en", "en", "ar"),
        # garbage never raises
        (None, "ar;q=abc, en;q=0.2", "ar", "en"),
        (None, ";;,,", "en", "en"),
        (None, None, "en", "en"),
        (None, None, "xx", "en"),
    ],
)
def test_choose_language(
    lang_param: str | None, accept_language: str | None, default: str, expected: str
) -> None:
    assert choose_language(lang_param, accept_language, default) == expected


def test_pick_prefers_page_language_then_the_other_then_any() -> None:
    ar, en, fr, plain = (
        Text("الهدف 13", "ar"),
        Text("Objective 13", "en"),
        Text("x", "fr"),
        Text("y"),
    )
    assert pick([en, ar, fr], "ar") == ar
    assert pick([ar, en, fr], "en") == en
    assert pick([fr, en], "ar") == en  # the other page language before any third one
    assert pick([plain, fr], "ar") == fr  # a tagged text before an untagged one
    assert pick([plain], "en") == plain
    assert pick([], "en") is None
    assert pick([Text("Morocco", "en-GB")], "en") == Text("Morocco", "en-GB")


def test_text_direction() -> None:
    assert Text("المغرب", "ar").dir == "rtl"
    assert Text("Morocco", "en").dir == "ltr"
    assert Text("Maroc", "fr").dir == "ltr"
    assert Text("MA").dir == "auto"  # untagged: the browser looks at the characters
    assert direction("ar-EG") == "rtl"
    assert direction(None) == "ltr"


CONTEXTS = (None, TERM_CONTEXT, KEYWORD_CONTEXT)
TEMPLATES = Path(__file__).resolve().parent.parent / "publisher" / "pages" / "templates"
PACKAGE = TEMPLATES.parent.parent


def test_the_interface_speaks_the_languages_of_its_catalogues() -> None:
    assert LANGUAGES == ("ar", "en")
    assert all(catalogue_path(lang).is_file() for lang in LANGUAGES)
    assert (LOCALE_DIR / "messages.pot").is_file()


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_message_exists_in_every_language(context: str | None) -> None:
    """A key missing in one catalogue (or left untranslated, or fuzzy) is caught here, not by a
    reader who meets a KeyError."""
    keys = {lang: set(words(lang, context)) for lang in LANGUAGES}
    assert keys["en"], context
    assert all(found == keys["en"] for found in keys.values()), context
    assert all(text.strip() for lang in LANGUAGES for text in words(lang, context).values())


def test_messages_format_their_values() -> None:
    assert ui("source_sentence", "ar", n=4) == "الجملة 4 من المقال"
    assert ui("source_sentence", "en", n=4) == "sentence 4 of the article"
    assert ui("source_sentence", "fr", n=4) == "sentence 4 of the article"  # English fallback
    with pytest.raises(KeyError):
        ui("no_such_message", "en")


def test_every_key_a_template_or_module_names_has_a_message() -> None:
    """`t('key')` in the templates and `ui("key", …)` in the code: each key is in the catalogues
    (keys built at run time, such as a navigation item's, are checked by the page tests)."""
    named = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"\bt\(\s*'([a-z0-9_]+)'", template.read_text(encoding="utf-8")))
    for module in PACKAGE.rglob("*.py"):
        named |= set(re.findall(r'\bui\(\s*"([a-z0-9_]+)"', module.read_text(encoding="utf-8")))
    assert len(named) > 50
    assert sorted(named - set(words("en"))) == []


def test_a_language_the_interface_does_not_speak_is_named_in_itself() -> None:
    assert language_name("ar", "en") == "العربية"
    assert language_name("fr", "en") == "Français"
    assert language_name("zz", "en") == "zz"


def test_arabic_ui_strings_are_arabic() -> None:
    """A copy-paste slip (English text in the Arabic column) is caught here."""
    latin_allowed = {"nav_sparql", "lang_name_en", "link_void", "link_validation", "link_ontology"}
    for key, text in words("ar").items():
        if key in latin_allowed or not any(c.isalpha() for c in text):
            continue
        arabic = sum("\u0600" <= c <= "\u06ff" for c in text)
        assert arabic > 0, key
