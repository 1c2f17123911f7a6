"""Fixtures shared by the test modules: the repository's own dataset, loaded once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.stores import open_dataset

pytest_plugins = ("browser_support",)


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


AUTHORED = ("data", "ontology", "shapes")


def tree_sums(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under `root`: its size and SHA-256."""
    sums = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            sums[str(path.relative_to(root))] = (path.stat().st_size, digest)
    return sums


@pytest.fixture(scope="session", autouse=True)
def authored_rdf_is_never_modified() -> Iterator[None]:
    """Nothing the suite does (serving, loading, exporting) may change the authored RDF."""
    before = {name: tree_sums(PROJECT_ROOT / name) for name in AUTHORED}
    yield
    after = {name: tree_sums(PROJECT_ROOT / name) for name in AUTHORED}
    changed = [
        f"{name}/{file}"
        for name in AUTHORED
        for file in sorted(set(before[name]) | set(after[name]))
        if before[name].get(file) != after[name].get(file)
    ]
    if changed:
        pytest.fail(f"the test suite changed the authored RDF: {', '.join(changed)}")
