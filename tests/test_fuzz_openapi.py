"""Schemathesis against the OpenAPI schema the app publishes at /api/openapi.json, in process.

Bounded: a few examples per operation, no deadline per example (the first SPARQL query starts
the worker pool), the app called through ASGI. Every answer must be below 500, but a 503 that
says when to retry (the documented "busy, try later" of the SPARQL endpoint).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from ld_support import fixture_app
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.openapi.loaders import from_asgi
from schemathesis.schemas import APIOperation, BaseSchema

MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    with fixture_app() as app:
        yield app


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> BaseSchema:
    return from_asgi("/api/openapi.json", app)


def operation_of(result: Ok[APIOperation[Any, Any, Any, Any]] | Err[InvalidSchema]) -> Any:
    """The operation, or the schema error raised (a schema schemathesis cannot read fails)."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


def test_the_schema_lists_the_api(api_schema: BaseSchema) -> None:
    operations = [operation_of(result) for result in api_schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {"/sparql", "/health"} <= paths


def test_no_operation_answers_a_server_error(api_schema: BaseSchema) -> None:
    """Each operation in turn, with Hypothesis driving schemathesis' strategy for it (its own
    pytest plugin does not run under this pytest)."""
    answered: list[int] = []
    for result in api_schema.get_all_operations():
        operation = operation_of(result)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def answers_below_500(case: schemathesis.Case[Any]) -> None:
            response = case.call()
            answered.append(response.status_code)
            where = f"{case.method} {case.formatted_path} {case.query or ''}"
            if response.status_code == 503:
                assert "retry-after" in {k.lower() for k in response.headers}, where
            else:
                assert response.status_code < 500, (
                    f"{where}: {response.status_code} {response.text[:300]}"
                )

        answers_below_500()
    assert len(answered) >= 4, answered
