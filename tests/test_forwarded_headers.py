"""A spoofed Host or X-Forwarded-* header changes no IRI, no redirect and no cached answer.

The public origin comes from the settings only. Every route of the app (read from the app), with
and without a trailing slash, is fetched with hostile Host and forwarding headers: no answer
names the hostile host, every Location is on the configured origin, and a document fetched with
them is byte for byte the one fetched without. uvicorn believes X-Forwarded-For only from
`trusted_proxies` (none by default).
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx
import pytest
from fastapi import FastAPI
from ld_support import ORIGIN, Client, fixture_app, route_paths
from starlette.types import Receive, Scope, Send

from publisher.config import Settings
from publisher.web.limits import LimitedConfig, server_config

EVIL = "evil.example"
HOSTILE = {
    "Host": EVIL,
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Prefix": "/evil",
    "X-Original-URL": "/evil",
    "Forwarded": f"for=203.0.113.9;host={EVIL};proto=https",
}


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    with fixture_app() as app:
        yield app


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Client:
    return Client(app)


def test_routes_are_found(app: FastAPI) -> None:
    paths = route_paths(app)
    assert {"/", "/sparql", "/dumps/", "/doc/person/alice", "/api/openapi.json"} <= set(paths)


def variants(app: FastAPI) -> list[str]:
    out = []
    for path in route_paths(app):
        out.append(path)
        out.append(path.rstrip("/") if path.endswith("/") and path != "/" else path + "/")
    return out


def test_no_answer_names_the_spoofed_host(app: FastAPI, client: Client) -> None:
    for path in variants(app):
        for accept in ("text/html", "text/turtle", "application/json"):
            response = client.request("GET", path, headers={**HOSTILE, "Accept": accept})
            assert response.status_code < 500, path
            said = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
            assert EVIL not in said, (path, accept)
            assert "/evil" not in said, (path, accept)
            location = response.headers.get("location")
            if location is not None:
                assert location.startswith((ORIGIN, "/")), (path, location)
                assert not location.startswith("//"), (path, location)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/dumps", "dumps/"),
        ("/sparql/", "sparql"),
        ("/static", "static/"),
        ("/void/?x=1", "void?x=1"),
        ("/api/docs/", "api/docs"),
    ],
)
def test_slash_redirects_go_to_the_configured_origin(
    client: Client, path: str, target: str
) -> None:
    response = client.request("GET", path, headers=HOSTILE)
    assert response.status_code == 307
    assert response.headers["location"] == ORIGIN + target


def test_a_doubled_slash_is_not_redirected(client: Client) -> None:
    """Not collapsed into another path (a Location starting `//` would leave the origin)."""
    response = client.request("GET", "/dumps//", headers=HOSTILE)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_cached_documents_do_not_depend_on_host(client: Client) -> None:
    """The first request renders and caches: made with hostile headers, it must not poison
    what everyone else gets."""
    for path in ("/doc/person/alice.ttl", "/doc/person/alice.html", "/", "/.well-known/void"):
        spoofed = client.request("GET", path, headers={**HOSTILE, "Accept": "text/html"})
        plain = client.request("GET", path, headers={"Accept": "text/html"})
        assert spoofed.status_code == plain.status_code == 200, path
        assert spoofed.content == plain.content, path


# --- uvicorn: whose X-Forwarded-For is believed ------------------------------------------------


async def echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that answers with the client address and scheme uvicorn put in the scope."""
    host = scope["client"][0] if scope.get("client") else "-"
    body = f"{host} {scope['scheme']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def seen_by_app(config: LimitedConfig) -> str:
    """What the app behind uvicorn's middleware sees for a request from 127.0.0.1 that says
    it was forwarded for 203.0.113.9 over https."""
    config.load()

    async def go() -> str:
        transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
            return (await c.get("/", headers=headers)).text

    return anyio.run(go)


def test_forwarded_for_is_ignored_by_default() -> None:
    settings = Settings(shapes=[])
    assert settings.trusted_proxies == []
    assert seen_by_app(server_config(settings, echo_client)) == "127.0.0.1 http"


def test_forwarded_for_is_believed_from_a_trusted_proxy() -> None:
    settings = Settings(shapes=[], trusted_proxies=["127.0.0.1"])
    assert seen_by_app(server_config(settings, echo_client)) == "203.0.113.9 https"


def test_forwarded_for_from_another_address_is_ignored() -> None:
    settings = Settings(shapes=[], trusted_proxies=["10.1.2.3"])
    assert seen_by_app(server_config(settings, echo_client)) == "127.0.0.1 http"


def test_server_config_carries_the_settings() -> None:
    settings = Settings(
        shapes=[], header_timeout=3, body_timeout=4, keep_alive_timeout=2, max_connections=7
    )
    config = server_config(settings, echo_client)
    assert (config.limits.header_timeout, config.limits.body_timeout) == (3, 4)
    assert config.limits.max_connections == 7
    assert config.timeout_keep_alive == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_the_access_log_can_be_turned_off(enabled: bool) -> None:
    """PUBLISHER_ACCESS_LOG=false: no line per request (a proxy in front logs them)."""
    import logging
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(shapes=[], host="127.0.0.1", port=port, access_log=enabled)
    server = uvicorn.Server(server_config(settings, echo_client))
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("uvicorn.access")
    # uvicorn's protocol logs when the logger has handlers: the config leaves it none when off
    assert logger.hasHandlers() is enabled
    if enabled:
        logger.addHandler(handler)
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        assert httpx.get(f"http://127.0.0.1:{port}/probe").status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        logger.removeHandler(handler)
    assert any("/probe" in line for line in lines) is enabled
