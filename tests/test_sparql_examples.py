"""The example queries (in the embedded dataset's description of itself, data/dataset.ttl, and
shown by the query page and docs/examples.md) run on the real dataset through the endpoint, and
give the answers the docs show."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sparql_support import serve

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.profile import read_profile
from publisher.stores import open_dataset
from publisher.web.app import create_app

EXAMPLES = {example.slug: example for example in read_profile(open_dataset(Settings())).examples}


@pytest.fixture(scope="module")
def client(settings: Settings, dataset: Dataset) -> Iterator[httpx.Client]:
    def make(origin: str):  # type: ignore[no-untyped-def]
        return create_app(settings.model_copy(update={"public_origin": origin}), dataset)

    with serve(make) as origin, httpx.Client(base_url=origin, timeout=60) as http:
        yield http


def rows(client: httpx.Client, slug: str) -> list[dict[str, str]]:
    response = client.get(
        "/sparql",
        params={"query": EXAMPLES[slug].text},
        headers={"accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    assert "sparql-results-truncated" not in response.headers
    bindings = json.loads(response.content)["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


def test_there_are_at_least_five_titled_examples() -> None:
    assert len(EXAMPLES) >= 5
    assert all(e.title and not e.title.startswith("0") for e in EXAMPLES.values())
    assert all(e.title_in("ar") != e.title_in("en") for e in EXAMPLES.values())


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_every_example_returns_rows(client: httpx.Client, slug: str) -> None:
    assert rows(client, slug)


def test_who_spoke_and_in_which_role(client: httpx.Client) -> None:
    found = {(r["name"], r["roleName"]) for r in rows(client, "speakers")}
    assert found == {
        ("Ahmed Aboul Gheit", "Secretary-General of the League of Arab States"),
        ("António Vitorino", "Coordinator of the United Nations Network on Migration"),
        ("Rola Dashti", "Executive Secretary of ESCWA"),
    }


def test_who_organised_the_conference(client: httpx.Client) -> None:
    found = [(r["name"], r["how"]) for r in rows(client, "organisers")]
    assert found == [
        ("Economic and Social Commission for Western Asia", "organiser"),
        ("International Organization for Migration", "organiser"),
        ("League of Arab States", "organiser"),
        ("Regional United Nations Network on Migration in the Arab Region", "in cooperation with"),
    ]


def test_objectives_in_every_language(client: httpx.Client) -> None:
    found = rows(client, "objectives")
    assert {int(r["number"]) for r in found} == set(range(1, 24))
    assert {r["language"] for r in found} >= {"ar", "en", "fr"}
    assert sum(r["language"] == "en" for r in found) == 23


def test_facts_per_sentence(client: httpx.Client) -> None:
    found = rows(client, "facts-per-sentence")
    assert [r["sentence"].rsplit("/", 1)[1] for r in found] == [f"s{n:02}" for n in range(1, 14)]
    assert all(int(r["facts"]) > 0 for r in found)


def test_which_states_took_part(client: httpx.Client) -> None:
    found = {r["name"]: r for r in rows(client, "states")}
    assert found["Morocco"]["representative"] == "Nasser Bourita"
    group = found["Member states of the League of Arab States"]
    assert (group["memberStates"], group["reportedAttending"]) == ("22", "18")


def test_where_a_fact_comes_from(client: httpx.Client) -> None:
    (row,) = rows(client, "where-from")
    assert row["sentence"].endswith("/id/passage/s02")
    assert row["text"].startswith("ويمثل المغرب في المؤتمر")
