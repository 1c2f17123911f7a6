"""Fixtures shared by the test modules: the repository's own dataset, loaded once."""

from __future__ import annotations

import pytest

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.stores import open_dataset


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings for the repository's default locations (data/, ontology/, shapes/), whatever the
    environment says."""
    return Settings(
        base_iri="https://w3id.org/gcm-arab-review/",
        data=[str(PROJECT_ROOT / "data")],
        ontology=[str(PROJECT_ROOT / "ontology")],
        shapes=[str(PROJECT_ROOT / "shapes")],
    )


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    """The shipped dataset, parsed once per test session; tests must not modify its store."""
    return open_dataset(settings)
