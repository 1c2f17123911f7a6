"""The dataset profile: read from the data's description of itself, overridden by settings, and
never a licence, language or title the data does not state. No dataset's words in the code."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.discovery.statistics import compute_statistics
from publisher.discovery.void import Published, describe_dataset
from publisher.documents.cache import Representations
from publisher.documents.describe import describe
from publisher.formats import TURTLE
from publisher.pages import render
from publisher.pages.catalogue import navigation, site_pages
from publisher.profile import (
    NO_LICENSE,
    Overrides,
    apply_overrides,
    find_dataset_iri,
    read_profile,
)
from publisher.stores import open_dataset
from publisher.urls import Urls

EMBEDDED = "https://w3id.org/gcm-arab-review/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
SHELF = "https://data.example.org/shelf/"
FIXTURE = Path(__file__).parent / "fixtures" / "no-license"
ORIGIN = "http://127.0.0.1:8765/"
LICENSE = "http://purl.org/dc/terms/license"


@pytest.fixture(scope="module")
def embedded() -> Dataset:
    return open_dataset(Settings(base_iri=EMBEDDED))


@pytest.fixture(scope="module")
def shelf() -> Dataset:
    settings = Settings(base_iri=SHELF, data=[str(FIXTURE)], ontology=[], shapes=[])
    return open_dataset(settings)


def test_the_embedded_profile_comes_from_data_dataset_ttl(embedded: Dataset) -> None:
    profile = read_profile(embedded)
    assert profile.iri == EMBEDDED + ".well-known/void#dataset"
    assert set(profile.title) == {"ar", "en"} and set(profile.description) == {"ar", "en"}
    assert profile.license == CC_BY
    assert profile.languages == ("ar", "en")
    assert set(profile.keywords) == {"ar", "en"}
    assert profile.sources == (EMBEDDED + "id/article/gcm-arab-regional-review-report",)
    assert EMBEDDED + "id/person/nasser-bourita" in profile.example_resources
    assert profile.prefixes["gcmr"] == EMBEDDED + "def/gcmr#"


def test_the_example_queries_are_in_the_data_in_order_and_run(embedded: Dataset) -> None:
    examples = read_profile(embedded).examples
    assert len(examples) >= 5
    assert examples[0].slug == "speakers"
    assert len({e.slug for e in examples}) == len(examples)
    for example in examples:
        assert example.title and example.title_in("ar") != example.title_in("en")
        assert not example.text.startswith("#")  # the title is a label, not a comment line
        rows = list(embedded.store.query(example.text, use_default_graph_as_union=True))
        assert rows, example.slug


def test_settings_override_the_data(embedded: Dataset) -> None:
    settings = Settings(base_iri=EMBEDDED, title="Another name", license="https://example.org/l")
    profile = read_profile(embedded, Overrides.from_settings(settings))
    assert profile.title_in("ar") == profile.title_in("en") == "Another name"
    assert profile.name_in("ar") == "Another name"
    assert profile.license == "https://example.org/l"
    assert profile.languages == ("ar", "en")  # what was not overridden stays
    withdrawn = apply_overrides(profile, Overrides(license=NO_LICENSE))
    assert withdrawn.license is None


def test_published_reads_the_profile_once_with_its_overrides(embedded: Dataset) -> None:
    published = Published(None, Overrides(title="Given"))
    urls = Urls(EMBEDDED, ORIGIN)
    first = published.profile(embedded, urls)
    assert first.title_in("en") == "Given"
    assert published.profile(embedded, urls) is first


def test_data_that_describes_nothing_gets_a_generic_profile(tmp_path: Path) -> None:
    (tmp_path / "one.nt").write_text(
        '<https://example.org/x/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n'
    )
    settings = Settings(base_iri="https://example.org/x/", data=[str(tmp_path)], ontology=[])
    profile = read_profile(open_dataset(settings))
    assert profile.iri is None and profile.license is None and profile.examples == ()
    assert profile.title_in("ar") == "Linked data at https://example.org/x/"


def test_the_dataset_under_the_namespace_is_preferred() -> None:
    store = ox.Store()
    dataset_type = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for iri in ("https://elsewhere.org/d", SHELF + "about#dataset"):
        store.add(ox.Quad(ox.NamedNode(iri), rdf_type, dataset_type))
    assert find_dataset_iri(store, SHELF) == SHELF + "about#dataset"
    assert find_dataset_iri(store, "https://third.org/") is None  # two others: neither is ours


def test_no_licence_stated_none_claimed(shelf: Dataset, tmp_path: Path) -> None:
    urls = Urls(SHELF, ORIGIN)
    profile = read_profile(shelf)
    assert profile.title_in("en") == "A shelf of books" and profile.license is None
    assert profile.languages == ("en",)
    assert [e.slug for e in profile.examples] == ["books"]
    reps = Representations(shelf, urls)
    assert reps.profile.license is None
    document = describe(shelf, urls, SHELF + "id/book/one", license=reps.profile.license)
    assert not [q for q in document.quads if q.predicate.value == LICENSE]
    assert b"license" not in reps.document("book/one", TURTLE).body
    files = Published(str(tmp_path)).dumps(shelf, urls).files
    void = describe_dataset(shelf, urls, files, compute_statistics(shelf, urls), profile)
    assert not [q for q in void if q.predicate.value == LICENSE]
    for page in (
        render.render_home_page(shelf, urls, "en"),
        render.render_resource_page(shelf, urls, SHELF + "id/book/one", "en"),
        render.render_site_page("concepts", shelf, urls, "en"),
    ):
        assert 'rel="license"' not in page
        assert "A shelf of books" in page


def test_the_licence_the_data_states_is_shown(embedded: Dataset) -> None:
    urls = Urls(EMBEDDED, ORIGIN)
    page = render.render_resource_page(embedded, urls, EMBEDDED + "id/person/nasser-bourita", "en")
    assert f'<a href="{CC_BY}" rel="license">' in page
    assert f'<a href="{CC_BY}" rel="license">' in render.render_home_page(embedded, urls, "ar")


def test_the_concept_page_lists_each_scheme_in_notation_order(shelf: Dataset) -> None:
    urls = Urls(SHELF, ORIGIN)
    assert ("nav_concepts", "/concepts") in navigation(shelf, urls)
    page = render.render_site_page("concepts", shelf, urls, "en")
    assert page.index("Poetry") < page.index("Novel")  # notation 2 before 10
    assert 'lang="fr"' in page and "Poésie" in page  # the other label, in its own language


def test_pages_the_data_does_not_have_are_not_in_the_table(tmp_path: Path) -> None:
    (tmp_path / "one.nt").write_text(
        '<https://example.org/x/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n'
    )
    settings = Settings(base_iri="https://example.org/x/", data=[str(tmp_path)], ontology=[])
    dataset = open_dataset(settings)
    names = [page.name for page, _ in site_pages(dataset, Urls("https://example.org/x/", ORIGIN))]
    assert names == ["index", "sparql", "dumps"]  # no concept scheme, no ontology


# Words of the embedded dataset that must not appear in the package: its texts, licence and
# languages come from data/dataset.ttl. The namespace it is served under is a setting's default
# (config.Settings.base_iri) and the distribution is called gcm-publisher (pyproject.toml, the
# User-Agent), so those two names are taken out before looking.
FORBIDDEN = (
    r"\bgcm\b",
    r"global compact",
    r"\barab\b",
    r"\bmigration\b",
    r"creativecommons",
    r"\bcc by\b",
    r"objectives",
    r"gcmr",
)
SOURCES = ("*.py", "*.html", "*.j2", "*.rq")


def test_no_dataset_specific_words_in_the_package() -> None:
    ccrel = "http://creativecommons.org/ns#"  # a vocabulary's namespace, not a licence
    allowed = (Settings.model_fields["base_iri"].default, "gcm-publisher", ccrel)
    package = PROJECT_ROOT / "publisher"
    found = []
    for pattern in SOURCES:
        for path in sorted(package.rglob(pattern)):
            text = path.read_text(encoding="utf-8")
            for name in allowed:
                text = text.replace(name, "")
            for number, line in enumerate(text.splitlines(), 1):
                for word in FORBIDDEN:
                    if re.search(word, line, re.IGNORECASE):
                        found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_served_site_takes_the_overrides(tmp_path: Path) -> None:
    """--title, --license and --language reach the pages, the documents and VoID of a server."""
    import warnings

    from starlette.exceptions import StarletteDeprecationWarning

    from publisher.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from fastapi.testclient import TestClient

    licence = "https://creativecommons.org/licenses/by-nc/4.0/"
    settings = Settings(
        base_iri=SHELF,
        data=[str(FIXTURE)],
        ontology=[],
        shapes=[],
        title="Shelf under another name",
        license=licence,
        languages=["en"],
    )
    with TestClient(create_app(settings)) as client:
        home = client.get("/?lang=en").text
        assert "Shelf under another name" in home and licence in home
        document = client.get("/doc/book/one.ttl").text
        assert licence in document
        void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
        assert "Shelf under another name" in void and licence in void


CARD = Path(__file__).parent / "fixtures" / "own-data" / "card.n3"
PEOPLE = "https://example.org/people/"
BY_NC = "https://creativecommons.org/licenses/by-nc/4.0/"


@pytest.mark.parametrize("predicate", ["dcterms:license", "cc:license"])
def test_a_foaf_card_speaks_for_itself(tmp_path: Path, predicate: str) -> None:
    """The one document of the namespace that states a licence (a FOAF card's `<>`) gives the
    site its title and licence, whether it says `dcterms:license` or ccREL's `cc:license`."""
    text = CARD.read_text(encoding="utf-8")
    other = "cc:license" if predicate == "dcterms:license" else "dcterms:license"
    kept = "\n".join(line for line in text.splitlines() if other not in line)
    card = tmp_path / "card.n3"
    card.write_text(kept, encoding="utf-8")
    dataset = open_dataset(Settings(base_iri=PEOPLE, data=[str(card)], ontology=[], shapes=[]))
    profile = read_profile(dataset)
    assert profile.title_in("en") == "Amal Haddad's FOAF profile"
    assert profile.license == BY_NC
    urls = Urls(PEOPLE, ORIGIN)
    page = render.render_home_page(dataset, urls, "en")
    assert BY_NC in page and "CC BY 4.0" not in page


def test_two_licensed_documents_claim_nothing(tmp_path: Path) -> None:
    card = tmp_path / "cards.ttl"
    card.write_text(
        f"<{PEOPLE}a> <http://purl.org/dc/terms/license> <{BY_NC}> .\n"
        f"<{PEOPLE}b> <http://purl.org/dc/terms/license> <{CC_BY}> .\n",
        encoding="utf-8",
    )
    dataset = open_dataset(Settings(base_iri=PEOPLE, data=[str(card)], ontology=[], shapes=[]))
    assert read_profile(dataset).license is None


def test_a_licensed_resource_that_is_not_a_document_claims_nothing(tmp_path: Path) -> None:
    """A photo with its own licence speaks for itself, not for the site (found in review)."""
    data = tmp_path / "photos.ttl"
    data.write_text(
        f'<{PEOPLE}photo1> <http://www.w3.org/2000/01/rdf-schema#label> "Holiday photo" ;\n'
        f"    <http://purl.org/dc/terms/license> <{BY_NC}> .\n",
        encoding="utf-8",
    )
    dataset = open_dataset(Settings(base_iri=PEOPLE, data=[str(data)], ontology=[], shapes=[]))
    profile = read_profile(dataset)
    assert profile.license is None and profile.title_in("en") != "Holiday photo"
