"""Property tests (Hypothesis) of content negotiation and of the IRI ⇄ path mapping.

Negotiation: any Accept string gives one of the offered formats or None (the caller's 406),
never an exception, and over HTTP a document answers 200 or 406, never 500. URLs: a thing's path
survives the trip to its IRI and back, and a canonical IRI the trip to its public URL and back,
whatever the origin.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ld_support import Client, fixture_app

from publisher.formats import DOCUMENT_FORMATS
from publisher.negotiation import negotiate
from publisher.urls import Urls

MEDIA_TYPES = [f.media_type for f in DOCUMENT_FORMATS] + [
    "*/*",
    "text/*",
    "application/*",
    "image/png",
    "application/xml",
]
Q = st.one_of(
    st.floats(min_value=0, max_value=1).map(lambda q: f"{q:.3f}"),
    st.text(max_size=5),
)
MEDIA_RANGE = st.builds(
    lambda t, q, junk: f"{t};q={q}{junk}",
    st.sampled_from(MEDIA_TYPES),
    Q,
    st.sampled_from(["", ";level=1", ";charset=utf-8", ";;", ";=", " "]),
)
ACCEPT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(MEDIA_RANGE, st.sampled_from(MEDIA_TYPES)), max_size=8).map(", ".join),
)
HEADER_SAFE = (
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200)
    | st.lists(MEDIA_RANGE, max_size=6).map(", ".join)
).filter(lambda value: all(0x20 <= ord(c) < 0x7F for c in value))
"""What an HTTP client can send as a header value."""


@given(accept=st.none() | ACCEPT)
@settings(max_examples=400, deadline=None)
def test_any_accept_gives_an_offered_format_or_none(accept: str | None) -> None:
    chosen = negotiate(accept, DOCUMENT_FORMATS)
    assert chosen is None or chosen in DOCUMENT_FORMATS


@given(index=st.integers(0, len(DOCUMENT_FORMATS) - 1), q=st.floats(0.001, 1))
def test_a_format_asked_for_alone_is_chosen(index: int, q: float) -> None:
    fmt = DOCUMENT_FORMATS[index]
    assert negotiate(f"{fmt.media_type};q={q:.3f}", DOCUMENT_FORMATS) is fmt
    assert negotiate(f"{fmt.media_type.upper()}", DOCUMENT_FORMATS) is fmt


@given(index=st.integers(0, len(DOCUMENT_FORMATS) - 1))
def test_a_format_refused_with_q0_is_never_chosen(index: int) -> None:
    fmt = DOCUMENT_FORMATS[index]
    assert negotiate(f"{fmt.media_type};q=0, */*", DOCUMENT_FORMATS) is not fmt


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    with fixture_app() as app:
        yield app


def test_documents_answer_200_or_406_for_any_accept(app: FastAPI) -> None:
    client = Client(app)

    @given(accept=HEADER_SAFE)
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(accept: str) -> None:
        for path in ("/doc/person/alice", "/id/person/alice", "/.well-known/void", "/dumps/"):
            response = client.get(path, accept=accept)
            assert response.status_code in (200, 303, 406), (path, accept, response.status_code)
            expected = negotiate(accept, DOCUMENT_FORMATS)
            if path == "/doc/person/alice":
                assert (response.status_code == 406) == (expected is None), accept

    check()


# --- the IRI ⇄ path mapping ----------------------------------------------------------------------

BASES = ["https://data.example.org/ld/", "https://w3id.org/x/", "http://a.example/"]
ORIGINS = st.one_of(
    st.sampled_from(BASES),
    st.builds(
        lambda host, port, prefix: f"http://{host}:{port}/{prefix}",
        st.sampled_from(["127.0.0.1", "localhost", "data.example.org", "[::1]"]),
        st.integers(1, 65535),
        st.sampled_from(["", "ld/", "a/b/"]),
    ),
)
SEGMENT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="/#?%", max_codepoint=0x2FFFF
    ),
    min_size=1,
    max_size=20,
)
PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)


@given(base=st.sampled_from(BASES), origin=ORIGINS, path=PATH)
def test_a_things_path_round_trips(base: str, origin: str, path: str) -> None:
    urls = Urls(base, origin)
    iri = urls.thing(path)
    assert urls.is_local(iri)
    assert urls.local_path(iri) == path
    assert urls.canonical(urls.public(iri)) == iri
    assert urls.document_of(iri) == urls.document(path)
    assert urls.document(path).startswith("/doc/")


@given(base=st.sampled_from(BASES), origin=ORIGINS, path=PATH)
def test_a_public_url_round_trips(base: str, origin: str, path: str) -> None:
    urls = Urls(base, origin)
    public = origin + path
    assert urls.public(urls.canonical(public)) == public
    assert urls.absolute("/" + path) == public


@given(base=st.sampled_from(BASES), origin=ORIGINS, path=PATH)
def test_a_hash_iri_is_no_thing(base: str, origin: str, path: str) -> None:
    urls = Urls(base, origin)
    assert urls.local_path(urls.thing(path) + "#it") is None
    assert urls.ontology_path(urls.ontology(path) + "#term") is None
    assert urls.ontology_path(urls.ontology(path)) == path


@given(origin=ORIGINS, iri=st.sampled_from(["https://elsewhere.example/x", "urn:x:y"]))
def test_foreign_iris_are_left_alone(origin: str, iri: str) -> None:
    urls = Urls(BASES[0], origin)
    assert urls.public(iri) == iri
    assert urls.local_path(iri) is None
