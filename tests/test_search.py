"""Search: the folding of Arabic and Latin text, the index the catalog holds, ranking, and
/search as a page and as JSON, on the embedded data and on a small third-party graph."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ld_support import Client, make_client, real_dataset, real_settings

from publisher.catalog import Catalog, build_catalog
from publisher.config import Settings
from publisher.search.engine import BadSearch, search, snippet
from publisher.search.normalise import fold
from publisher.stores import open_dataset

REAL = "https://w3id.org/gcm-arab-review/"
VITORINO = REAL + "id/person/antonio-vitorino"
MOROCCO = REAL + "id/country/ma"
OBJECTIVE_1 = REAL + "id/objective/1"

OTHER = "https://example.net/lib/"
OTHER_DATA = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{OTHER}school> a schema:School ; schema:name "مدرسة الرباط"@ar , "Rabat School"@en ;
    schema:alternateName "École de Rabat"@fr .
<{OTHER}mustafa> a foaf:Person ; foaf:name "مصطفى"@ar ; skos:hiddenLabel "Moustafa" .
<{OTHER}term> a skos:Concept ; skos:prefLabel "Café culture"@en ; skos:altLabel "Coffee houses"@en .
<{OTHER}term2> a skos:Concept ; skos:prefLabel "Culture"@en .
<https://elsewhere.example/x> rdfs:label "Rabat elsewhere" .
"""


@pytest.fixture(scope="module")
def real() -> Catalog:
    catalog = real_dataset(real_settings()).catalog
    assert catalog is not None
    return catalog


@pytest.fixture(scope="module")
def other() -> Catalog:
    store = ox.Store()
    store.load(OTHER_DATA.encode(), ox.RdfFormat.TURTLE)
    return build_catalog(store, OTHER)


@pytest.fixture(scope="module")
def client() -> Client:
    settings = real_settings()
    return make_client(settings, real_dataset(settings))


def iris(catalog: Catalog, text: str, **options: object) -> list[str]:
    return [hit.iri for hit in search(catalog, text, "en", **options).hits]  # type: ignore[arg-type]


# --- folding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("أَنْطُونْيُو", "انطونيو"),  # tashkeel
        ("انطـــونيو", "انطونيو"),  # tatweel
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال له"),  # alef forms, then the article
        ("مدرسة", "مدرسه"),  # ta marbuta
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("الهدف ١٢", "هدف 12"),  # Arabic-Indic digits, the article
        ("۳", "3"),  # Extended Arabic-Indic (Persian) digits
        ("المغرب", "مغرب"),
        ("الف", "الف"),  # too short to be the article and a word
        ("António Vitorino", "António Vitorino"),  # Latin is FTS5's to fold
    ],
)
def test_arabic_is_folded_as_readers_type_it(written: str, folded: str) -> None:
    assert fold(written) == folded


# --- the embedded data: each spelling finds the expected resource -------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("فيتورينو", VITORINO),
        ("انطونيو", VITORINO),  # the data writes «انتونيو»: a near spelling
        ("أنطونيو", VITORINO),
        ("أَنْطُونْيُو فيتورينو", VITORINO),
        ("انتونيو فيتـــورينو", VITORINO),
        ("António Vitorino", VITORINO),
        ("antonio vitorino", VITORINO),  # accents
        ("VITORINO", VITORINO),  # case
        ("vitor", VITORINO),  # the beginning of a word
        ("المغرب", MOROCCO),
        ("مغرب", MOROCCO),
        ("Morocco", MOROCCO),
        ("moroc", MOROCCO),
        ("الهدف ١", OBJECTIVE_1),
    ],
)
def test_each_spelling_finds_the_resource_first(real: Catalog, typed: str, expected: str) -> None:
    assert iris(real, typed)[0] == expected


def test_a_whole_name_ranks_before_names_that_contain_it(real: Catalog) -> None:
    results = search(real, "Morocco", "en")
    assert results.hits[0].iri == MOROCCO and results.hits[0].exact
    assert all(not hit.exact for hit in results.hits[1:])
    assert [h.score for h in results.hits] == sorted((h.score for h in results.hits), reverse=True)
    assert results.total == len({h.iri for h in results.hits}) > 1


def test_a_hit_has_its_label_in_the_readers_language_its_types_and_a_snippet(
    real: Catalog,
) -> None:
    hit = search(real, "فيتورينو", "en").hits[0]
    assert (hit.label, hit.label_lang) == ("António Vitorino", "en")
    assert "http://xmlns.com/foaf/0.1/Person" in hit.types
    assert (hit.matched, hit.matched_lang) == ("انتونيو فيتورينو", "ar")
    assert [(s.text, s.marked) for s in hit.snippet] == [
        ("انتونيو ", False),
        ("فيتورينو", True),
    ]
    assert search(real, "فيتورينو", "ar").hits[0].label == "انتونيو فيتورينو"


def test_the_type_filter_keeps_instances_of_the_class(real: Catalog) -> None:
    country = "https://schema.org/Country"
    found = search(real, "Morocco", "en", types=(country,)).hits
    assert [h.iri for h in found] == [MOROCCO]
    assert iris(real, "Morocco", types=("https://example.org/NoSuchClass",)) == []


def test_paging_is_without_gaps_or_repeats(real: Catalog) -> None:
    everything = iris(real, "objective", limit=100)
    pages = [iris(real, "objective", limit=7, offset=n) for n in range(0, len(everything), 7)]
    assert [iri for page in pages for iri in page] == everything
    assert len(everything) > 7


def test_a_one_letter_word_is_matched_whole_not_as_a_prefix(other: Catalog) -> None:
    assert iris(other, "c") == []  # «Café», «Coffee», «Culture» start with it
    assert iris(other, "cu") == [OTHER + "term2", OTHER + "term"]


def test_nothing_found_is_an_empty_answer(real: Catalog) -> None:
    assert search(real, "zzqxw", "en").hits == ()
    assert search(real, "   ", "en").total == 0
    assert search(real, '"*) OR NEAR(', "en").total == 0  # FTS5 syntax is only text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60) | st.sampled_from(['"', "NEAR(a b)", "a* OR b", "^x", "ال ال"]))
def test_any_text_is_searched_or_refused_never_an_error(real: Catalog, text: str) -> None:
    results = search(real, text, "ar", limit=5)
    assert len(results.hits) <= 5 and results.total >= len(results.hits)


@pytest.mark.parametrize(
    ("text", "options"),
    [("x" * 201, {}), ("x", {"limit": 0}), ("x", {"limit": 101}), ("x", {"offset": 5000})],
)
def test_a_search_out_of_bounds_is_refused(real: Catalog, text: str, options: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(BadSearch):
        search(real, text, "en", **options)


# --- any dataset ---------------------------------------------------------------------------


def test_any_dataset_with_alternative_and_hidden_names(other: Catalog) -> None:
    assert iris(other, "مدرسه") == [OTHER + "school"]  # ta marbuta typed as ha
    assert iris(other, "رباط") == [OTHER + "school"]  # without the article
    assert iris(other, "مصطفي") == [OTHER + "mustafa"]
    assert iris(other, "ecole") == [OTHER + "school"]  # alternate name, accents
    hidden = search(other, "Moustafa", "en").hits[0]
    assert hidden.iri == OTHER + "mustafa"
    assert hidden.matched == "مصطفى" and not any(s.marked for s in hidden.snippet)
    alt = search(other, "coffee", "en").hits[0]
    assert (alt.iri, alt.matched, alt.label) == (OTHER + "term", "Coffee houses", "Café culture")


def test_only_resources_of_the_namespace_are_found(other: Catalog) -> None:
    assert iris(other, "Rabat") == [OTHER + "school"]


def test_a_label_before_an_alternative_and_a_whole_name_first(other: Catalog) -> None:
    assert iris(other, "culture") == [OTHER + "term2", OTHER + "term"]


def test_the_snippet_marks_words_as_written_with_their_marks() -> None:
    segments = snippet("سَلامٌ على المَغرِب", ["مغرب"], {})
    assert [(s.text, s.marked) for s in segments] == [
        ("سَلامٌ على ", False),
        ("المَغرِب", True),
    ]


def test_a_catalog_file_answers_searches_read_only(tmp_path: Path, other: Catalog) -> None:
    store = ox.Store()
    store.load(OTHER_DATA.encode(), ox.RdfFormat.TURTLE)
    path = tmp_path / "catalog.sqlite"
    build_catalog(store, OTHER, path).close()
    opened = Catalog.open(path)
    try:
        assert iris(opened, "مدرسة") == iris(other, "مدرسة") == [OTHER + "school"]
        assert iris(opened, "رباظ") == [OTHER + "school"]  # a near spelling, read-only
    finally:
        opened.close()


def test_the_rdflib_backend_is_searched_alike(tmp_path: Path) -> None:
    data = tmp_path / "other.ttl"
    data.write_text(OTHER_DATA, encoding="utf-8")
    settings = Settings(data=[str(data)], ontology=[], shapes=[], base_iri=OTHER, store="rdflib:")
    catalog = open_dataset(settings).catalog
    assert catalog is not None
    assert iris(catalog, "مصطفى") == [OTHER + "mustafa"]


# --- /search over HTTP ---------------------------------------------------------------------


def get_json(client: Client, query: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/search?{query}", accept="application/json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return json.loads(response.text)  # type: ignore[no-any-return]


def test_json_for_programs(client: Client) -> None:
    found = get_json(client, "q=" + quote("أنطونيو"))
    first = found["hits"][0]
    assert first["iri"] == "http://127.0.0.1:8765/id/person/antonio-vitorino"
    assert first["page"].endswith("/doc/person/antonio-vitorino.html?lang=en")
    assert first["label"] == "António Vitorino" and first["label_lang"] == "en"
    assert {"iri": "https://schema.org/Person", "label": "Person"} in first["types"]
    assert first["matched"] == {"text": "انتونيو فيتورينو", "lang": "ar"}
    assert first["highlighted"] == "<mark>انتونيو</mark> فيتورينو"
    assert found["total"] >= 1 and found["page"] == 1 and found["more"] is False


def test_format_json_wins_over_accept_and_html_is_the_default(client: Client) -> None:
    response = client.get("/search?q=Morocco&format=json", accept="text/html")
    assert response.headers["content-type"].startswith("application/json")
    assert "Accept" in response.headers["vary"]
    page = client.get("/search?q=Morocco")
    assert page.headers["content-type"].startswith("text/html")


def test_the_page_lists_hits_with_links_types_and_snippets(client: Client) -> None:
    page = client.get("/search?q=" + quote("المغرب") + "&lang=ar", accept="text/html")
    assert page.status_code == 200
    assert page.headers["content-language"] == "ar"
    html = page.text
    assert 'href="/doc/country/ma.html?lang=ar"' in html
    assert "<mark>المغرب</mark>" in html
    assert 'name="q"' in html and 'value="المغرب"' in html
    assert "noindex" in html


@pytest.mark.parametrize(
    "path", ["/?lang=ar", "/doc/person/antonio-vitorino.html?lang=en", "/classes", "/nowhere"]
)
def test_every_page_has_the_search_box(client: Client, path: str) -> None:
    html = client.get(path, accept="text/html").text
    assert '<form class="search-box" role="search" action="/search" method="get">' in html
    assert '<label for="search-box-q">' in html and 'id="search-box-q" name="q"' in html
    assert '<script src="/static/search.js" defer></script>' in html


def test_the_page_links_the_next_and_previous_pages(client: Client) -> None:
    first = client.get("/search?q=objective&lang=en&limit=5", accept="text/html")
    assert first.status_code == 200
    assert 'rel="next" href="/search?q=objective&amp;lang=en&amp;limit=5&amp;page=2"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get("/search?q=objective&lang=en&limit=5&page=2", accept="text/html")
    assert 'rel="prev" href="/search?q=objective&amp;lang=en&amp;limit=5&amp;page=1"' in second.text
    assert '<ol class="hits" start="6">' in second.text


def test_the_page_without_a_query_is_the_form_and_no_hits_say_so(client: Client) -> None:
    empty = client.get("/search", accept="text/html")
    assert empty.status_code == 200 and 'name="q"' in empty.text
    assert 'class="hits"' not in empty.text
    none = client.get("/search?q=zzqxw&lang=en", accept="text/html")
    assert "Nothing matches" in none.text


@pytest.mark.parametrize(
    "query",
    [
        "q=x&limit=0",
        "q=x&limit=abc",
        "q=x&limit=1000",
        "q=x&page=0",
        "q=x&page=%D9%A1",
        "q=a&q=b",
        "q=" + "a" * 300,
        "q=x&format=xml",
        "q=x&type=%00",
    ],
)
def test_bad_input_is_a_400_problem(client: Client, query: str) -> None:
    response = client.get(f"/search?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unacceptable_format_is_a_406(client: Client) -> None:
    assert client.get("/search?q=x", accept="image/png").status_code == 406
