"""Language choice, label fallback and the UI strings of the HTML pages."""

from __future__ import annotations

import pytest

from publisher.i18n import LANGUAGES, Text, choose_language, direction, pick, ui
from publisher.ui_words import TERM_LABELS, UI


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


def test_every_ui_string_exists_in_both_languages() -> None:
    for table in (UI, TERM_LABELS):
        for key, texts in table.items():
            assert set(texts) == set(LANGUAGES), key
            assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert ui("source_sentence", "ar", n=4) == "الجملة 4 من المقال"
    assert ui("source_sentence", "en", n=4) == "sentence 4 of the article"


def test_arabic_ui_strings_are_arabic() -> None:
    """A copy-paste slip (English text in the Arabic column) is caught here."""
    latin_allowed = {"nav_sparql", "lang_name_en", "link_void", "link_validation", "link_ontology"}
    for key, texts in UI.items():
        if key in latin_allowed or not any(c.isalpha() for c in texts["ar"]):
            continue
        arabic = sum("\u0600" <= c <= "\u06ff" for c in texts["ar"])
        assert arabic > 0, key
