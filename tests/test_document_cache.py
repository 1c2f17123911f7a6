"""The document cache is bounded in bytes (least recently used dropped first) and thread-safe;
whether a thing exists is an indexed lookup, not a set of every thing built by the first
request."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

import publisher.documents.cache as cache_module
from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.documents.cache import (
    ENTRY_OVERHEAD,
    ByteBoundedCache,
    Rendered,
    Representations,
    entry_size,
)
from publisher.documents.describe import thing_paths
from publisher.formats import NTRIPLES, RDF_DOCUMENT_FORMATS, TURTLE
from publisher.urls import Urls
from publisher.web.app import create_app
from publisher.web.state import state_of_app


@pytest.fixture(scope="module")
def urls(settings: Settings) -> Urls:
    return Urls(settings.base_iri, settings.origin)


def body(n: int, size: int = 100) -> Rendered:
    return Rendered(bytes([n % 256]) * size, f'"{n}"', None, None)


def test_the_least_recently_used_entry_goes_first() -> None:
    one = entry_size(body(0))
    cache = ByteBoundedCache(3 * one)
    for n in range(3):
        cache.keep(n, body(n))
    assert cache.get(0) is not None  # 0 is now the most recently used
    cache.keep(3, body(3))
    assert cache.get(1) is None
    assert [cache.get(n) is not None for n in (0, 2, 3)] == [True, True, True]
    assert cache.size == 3 * one <= cache.max_bytes


def test_the_bound_counts_both_bodies() -> None:
    zipped = Rendered(b"x" * 1000, '"a"', b"y" * 300, '"a-gzip"')
    assert entry_size(zipped) == 1300 + ENTRY_OVERHEAD


def test_an_entry_larger_than_the_bound_is_served_not_kept() -> None:
    cache = ByteBoundedCache(10)
    big = body(1)
    assert cache.keep("big", big) is big
    assert cache.get("big") is None and len(cache) == 0


def test_the_first_kept_wins_when_two_threads_render_one_key() -> None:
    cache = ByteBoundedCache(1 << 20)
    first, second = body(1), body(1)
    assert cache.keep("k", first) is first
    assert cache.keep("k", second) is first


def test_forget_drops_the_selected_entries() -> None:
    cache = ByteBoundedCache(1 << 20)
    cache.keep(("html", "page", "index", "en"), body(1))
    cache.keep(("doc", "x", "ttl"), body(2))
    cache.forget(lambda key: isinstance(key, tuple) and key[:2] == ("html", "page"))
    assert len(cache) == 1 and cache.get(("doc", "x", "ttl")) is not None


def test_documents_stay_within_the_bound(dataset: Dataset, urls: Urls) -> None:
    limit = 64 * 1024
    reps = Representations(dataset, urls, max_bytes=limit)
    paths = sorted(thing_paths(dataset, urls))
    expected = {}
    for path in paths:
        for fmt in (TURTLE, NTRIPLES):
            expected[(path, fmt.extension)] = reps.document(path, fmt).body
            assert reps.cache_bytes <= limit
    # Evicted documents render again to the same bytes.
    for path in paths[:5]:
        assert reps.document(path, TURTLE).body == expected[(path, "ttl")]


def test_zero_bytes_keeps_nothing_and_still_serves(dataset: Dataset, urls: Urls) -> None:
    reps = Representations(dataset, urls, max_bytes=0)
    path = min(thing_paths(dataset, urls))
    assert reps.document(path, TURTLE).body
    assert reps.cache_bytes == 0 and reps.cached(("doc", path, "ttl")) is None


def test_threads_rendering_at_once_share_one_bounded_cache(dataset: Dataset, urls: Urls) -> None:
    limit = 256 * 1024
    reps = Representations(dataset, urls, max_bytes=limit)
    paths = sorted(thing_paths(dataset, urls))[:40]
    errors: list[BaseException] = []

    def crawl(offset: int) -> None:
        try:
            for n in range(len(paths)):
                path = paths[(n + offset) % len(paths)]
                for fmt in RDF_DOCUMENT_FORMATS:
                    assert reps.document(path, fmt).body
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=crawl, args=(n * 7,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert reps.cache_bytes <= limit


def test_things_are_looked_up_not_listed(
    dataset: Dataset, urls: Urls, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = thing_paths(dataset, urls)

    def refuse(*args: object) -> frozenset[str]:
        raise AssertionError("a request listed every thing")

    monkeypatch.setattr(cache_module, "thing_paths", refuse)
    things = Representations(dataset, urls).things
    assert all(path in things for path in every)
    outside = [
        "",
        "no/such-thing",
        "a b",
        "<script>",
        "x\ny",
        "../def/x",
        "%2e%2e/x",
        *(path + "/more" for path in sorted(every)[:3]),
    ]
    assert not any(path in things for path in outside)
    assert 42 not in things


def test_things_answer_as_the_full_list_did(dataset: Dataset, urls: Urls) -> None:
    """Every subject and object IRI under /id/ of the data: in `things` exactly when the old
    whole-dataset list had it."""
    every = thing_paths(dataset, urls)
    things = Representations(dataset, urls).things
    candidates = set()
    for quad in dataset.store:
        for term in (quad.subject, quad.object):
            path = urls.local_path(getattr(term, "value", ""))
            if path:
                candidates.add(path)
    assert {path for path in candidates if path in things} == every
    assert sorted(things) == sorted(every)  # iterating lists them all (exports, warm)


def test_the_app_uses_document_cache_bytes(tmp_path: Path, settings: Settings) -> None:
    limit = 32 * 1024
    small = Settings(**{**settings.model_dump(), "document_cache_bytes": limit})
    dataset_paths: list[str] = []
    with TestClient(create_app(small)) as client:
        state = state_of_app(client.app)
        dataset_paths = sorted(thing_paths(state.dataset, state.urls))[:60]
        for path in dataset_paths:
            answer = client.get(f"/doc/{path}.ttl")
            assert answer.status_code == 200
        assert state.representations().cache_bytes <= limit
        assert client.get("/doc/no/such-thing.ttl").status_code == 404


def test_exists_answers_on_the_event_loop_as_in_does(dataset: Dataset, urls: Urls) -> None:
    import anyio

    things = Representations(dataset, urls).things
    path = min(thing_paths(dataset, urls))

    async def ask() -> list[bool]:
        return [await things.exists(p) for p in (path, "no/such-thing", path)]

    assert anyio.run(ask) == [True, False, True]


def test_a_long_path_that_names_nothing_is_not_remembered() -> None:
    """Misses of long paths are looked up again rather than kept: 65,536 of them at 16 KB (what
    a client may send) would pin a gigabyte per version."""
    from publisher.config import Settings
    from publisher.documents.cache import Representations
    from publisher.documents.locate import REMEMBERED_MISS
    from publisher.stores import open_dataset
    from publisher.urls import Urls

    dataset = open_dataset(Settings())
    reps = Representations(dataset, Urls(dataset.base_iri, dataset.base_iri))
    long_path = "x" * (REMEMBERED_MISS + 1)
    assert reps.locator.at_root(long_path) == (None, None)
    assert reps.things.look_up_now("person/" + long_path) is False
    assert reps.locator.at_root("short-miss") == (None, None)
    remembered = set(reps.locator._known) | {("id", p) for p in reps.things._known}  # noqa: SLF001
    assert ("root", "short-miss") in remembered
    assert not any(len(key[1]) > REMEMBERED_MISS for key in remembered)
