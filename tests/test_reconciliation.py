"""The W3C Entity Reconciliation API 0.2 at /reconcile: the service manifest, batches of
queries sent as OpenRefine sends them (a form field `queries`, or a query parameter, or a JSON
body), candidates checked against the response structure the specification defines, previews,
CORS, and bad input as 400s. Fixtures follow the specification's example requests, with names
of the embedded data and of a small third-party graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from ld_support import real_dataset, real_settings

from publisher.config import Settings
from publisher.stores import open_dataset
from publisher.web.app import create_app

ORIGIN = "http://127.0.0.1:8765/"
MOROCCO = ORIGIN + "id/country/ma"
VITORINO = ORIGIN + "id/person/antonio-vitorino"
COUNTRY = "https://schema.org/Country"
PERSON = "http://xmlns.com/foaf/0.1/Person"

BATCH = {
    "q0": {"query": "Morocco", "type": COUNTRY, "limit": 3},
    "q1": {"query": "أنطونيو", "type": PERSON, "limit": 3, "type_strict": "should"},
    "q2": {"query": "António Vitorino", "properties": [{"pid": "x", "v": "y"}]},
}
"""Three queries shaped as the specification's examples (type, limit, type_strict,
properties), naming what the embedded data holds."""


class Http:
    """An in-process client that can POST (no socket; the app's lifespan is not needed)."""

    def __init__(self, app: Any) -> None:
        self.transport = httpx.ASGITransport(app=app)

    def send(self, method: str, url: str, **options: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.transport, base_url=ORIGIN) as client:
                return await client.request(method, url, **options)

        return anyio.run(go)


@pytest.fixture(scope="module")
def http() -> Http:
    settings = real_settings(ORIGIN)
    return Http(create_app(settings, real_dataset(settings)))


def check_candidate(candidate: dict[str, Any]) -> None:
    """A candidate as the specification's response schema has it."""
    assert set(candidate) >= {"id", "name", "score", "match", "type"}
    assert isinstance(candidate["id"], str) and candidate["id"]
    assert isinstance(candidate["name"], str)
    assert isinstance(candidate["score"], int | float) and not isinstance(candidate["score"], bool)
    assert isinstance(candidate["match"], bool)
    assert isinstance(candidate["type"], list)
    for kind in candidate["type"]:
        assert set(kind) == {"id", "name"} and all(isinstance(v, str) for v in kind.values())


def check_answer(answer: dict[str, Any], keys: set[str]) -> None:
    """The answer to a batch: the same keys, each `{"result": [candidate, ...]}`."""
    assert set(answer) == keys
    for value in answer.values():
        assert set(value) == {"result"} and isinstance(value["result"], list)
        for candidate in value["result"]:
            check_candidate(candidate)


def test_the_service_manifest(http: Http) -> None:
    response = http.send("GET", "/reconcile")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["access-control-allow-origin"] == "*"
    manifest = response.json()
    assert "0.2" in manifest["versions"]
    assert isinstance(manifest["name"], str) and manifest["name"]
    assert manifest["identifierSpace"] == ORIGIN and isinstance(manifest["schemaSpace"], str)
    assert "{{id}}" in manifest["view"]["url"]
    preview = manifest["preview"]
    assert preview["url"].startswith(ORIGIN + "reconcile/preview") and "{{id}}" in preview["url"]
    assert isinstance(preview["width"], int) and isinstance(preview["height"], int)
    types = {t["id"]: t["name"] for t in manifest["defaultTypes"]}
    assert types[COUNTRY] == "Country" and PERSON in types


def test_a_batch_posted_as_a_form_field(http: Http) -> None:
    response = http.send("POST", "/reconcile", data={"queries": json.dumps(BATCH)})
    assert response.status_code == 200, response.text
    answer = response.json()
    check_answer(answer, set(BATCH))
    morocco = answer["q0"]["result"]
    assert morocco[0]["id"] == MOROCCO and morocco[0]["match"] is True
    assert morocco[0]["name"] == "Morocco" and len(morocco) <= 3
    assert {"id": COUNTRY, "name": "Country"} in morocco[0]["type"]
    assert all(c["id"] == MOROCCO for c in morocco)  # the type filter
    assert answer["q1"]["result"][0]["id"] == VITORINO
    assert answer["q1"]["result"][0]["match"] is False  # a near spelling is no match
    assert answer["q2"]["result"][0]["id"] == VITORINO and answer["q2"]["result"][0]["match"]
    scores = [c["score"] for c in answer["q2"]["result"]]
    assert scores == sorted(scores, reverse=True)


def test_a_batch_as_a_query_parameter_or_a_json_body_gets_the_same_answer(http: Http) -> None:
    posted = http.send("POST", "/reconcile", data={"queries": json.dumps(BATCH)}).json()
    got = http.send("GET", "/reconcile", params={"queries": json.dumps(BATCH)}).json()
    sent = http.send("POST", "/reconcile", json=BATCH).json()
    assert posted == got == sent


def test_limit_type_lists_and_an_empty_query(http: Http) -> None:
    batch = {
        "a": {"query": "objective", "limit": 2},
        "b": {"query": "Morocco", "type": [PERSON, COUNTRY]},
        "c": {"query": ""},
    }
    answer = http.send("POST", "/reconcile", data={"queries": json.dumps(batch)}).json()
    check_answer(answer, set(batch))
    assert len(answer["a"]["result"]) == 2
    assert [c["id"] for c in answer["b"]["result"]] == [MOROCCO]
    assert answer["c"]["result"] == []


def test_the_answer_is_in_the_readers_language(http: Http) -> None:
    batch = {"q0": {"query": "Morocco", "type": COUNTRY}}
    answer = http.send("POST", "/reconcile?lang=ar", data={"queries": json.dumps(batch)}).json()
    assert answer["q0"]["result"][0]["name"] == "المغرب"


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ({"data": {"queries": "{not json"}}, 400),
        ({"data": {"queries": "[1, 2]"}}, 400),
        ({"data": {"queries": "{}"}}, 400),
        ({"data": {"queries": '{"q0": {"limit": 3}}'}}, 400),
        ({"data": {"queries": '{"q0": {"query": 7}}'}}, 400),
        ({"data": {"queries": '{"q0": {"query": "x", "limit": -1}}'}}, 400),
        ({"data": {"queries": '{"q0": {"query": "x", "limit": true}}'}}, 400),
        ({"data": {"queries": '{"q0": {"query": "x", "type": {"id": 1}}}'}}, 400),
        ({"data": {"queries": '{"q0": {"query": "' + "x" * 300 + '"}}'}}, 400),
        ({"data": {"queries": json.dumps({f"q{n}": {"query": "x"} for n in range(101)})}}, 400),
        ({"content": b"queries=1", "headers": {"content-type": "text/plain"}}, 415),
        ({"content": b"x" * 1_000_001, "headers": {"content-type": "application/json"}}, 413),
        ({"params": {"queries": "{}"}, "data": {"queries": "{}"}}, 400),
        ({"params": {"callback": "jsonp"}}, 400),
    ],
)
def test_bad_input_is_a_problem_never_a_500(
    http: Http, options: dict[str, Any], status: int
) -> None:
    response = http.send("POST", "/reconcile", **options)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_the_preview_card(http: Http) -> None:
    response = http.send("GET", "/reconcile/preview", params={"id": VITORINO})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "António Vitorino" in response.text and "انتونيو فيتورينو" in response.text
    assert 'href="/doc/person/antonio-vitorino.html?lang=en"' in response.text


@pytest.mark.parametrize(
    ("params", "status"),
    [({"id": ORIGIN + "id/nobody"}, 404), ({}, 400), ({"id": ""}, 400)],
)
def test_a_preview_of_nothing(http: Http, params: dict[str, str], status: int) -> None:
    assert http.send("GET", "/reconcile/preview", params=params).status_code == status


def test_a_browser_may_post_from_another_site(http: Http) -> None:
    response = http.send(
        "OPTIONS",
        "/reconcile",
        headers={
            "origin": "http://localhost:3333",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-origin"] == "*"


def test_any_dataset_is_reconciled(tmp_path: Path) -> None:
    base = "https://example.net/lib/"
    data = tmp_path / "lib.ttl"
    data.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f'<{base}rabat> a schema:City ; schema:name "الرباط"@ar , "Rabat"@en ;\n'
        '    skos:altLabel "Ribat al-Fath"@en .\n'
        f'<{base}sale> a schema:City ; schema:name "Salé"@fr .\n',
        encoding="utf-8",
    )
    settings = Settings(data=[str(data)], ontology=[], shapes=[], base_iri=base, public_origin=base)
    http = Http(create_app(settings, open_dataset(settings)))
    batch = {
        "q0": {"query": "ribat al fath"},
        "q1": {"query": "sale", "type": "https://schema.org/City"},
    }
    answer = http.send("POST", "/reconcile", data={"queries": json.dumps(batch)}).json()
    check_answer(answer, set(batch))
    assert answer["q0"]["result"][0]["id"] == base + "rabat"
    assert answer["q0"]["result"][0]["name"] == "Rabat"
    assert answer["q1"]["result"][0] == {
        "id": base + "sale",
        "name": "Salé",
        "type": [{"id": "https://schema.org/City", "name": "City"}],
        "score": 100.0,
        "match": True,
    }
