"""schema.org `Dataset` JSON-LD, as dataset search engines (Google Dataset Search) read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from publisher.dataset import Dataset
from publisher.discovery.dumps import DumpFile
from publisher.discovery.void import SPARQL_PATH, VOID_PATH, dataset_iri, dump_url
from publisher.profile import Profile, in_language, read_profile
from publisher.urls import Urls


def schema_org_dataset(
    dataset: Dataset,
    urls: Urls,
    dumps: Sequence[DumpFile] = (),
    profile: Profile | None = None,
) -> dict[str, Any]:
    """schema.org `Dataset` JSON-LD for the home page, as dataset search engines read it.

    Put it in `<script type="application/ld+json">` with `json.dumps(...)` (escape `</`).
    """
    info = profile or read_profile(dataset)
    home = urls.absolute("")
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": dataset_iri(urls),
        "name": in_language(info.title, "en"),
        "alternateName": [text for lang, text in sorted(info.title.items()) if lang != "en"],
        "description": in_language(info.description, "en"),
        "url": home,
        "sameAs": urls.absolute(VOID_PATH),
        "identifier": dataset_iri(urls),
        "version": dataset.version,
        "dateModified": dataset.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inLanguage": list(info.languages),
        "keywords": [word for _, words in sorted(info.keywords.items()) for word in words],
        **({"license": info.license} if info.license else {}),
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": dump.kind.label,
                "contentUrl": dump_url(urls, dump),
                "encodingFormat": dump.content_type,
                "contentSize": f"{dump.byte_size} B",
                "sha256": dump.sha256,
            }
            for dump in dumps
        ],
        "potentialAction": {
            "@type": "SearchAction",
            "name": "SPARQL endpoint",
            "target": urls.absolute(SPARQL_PATH) + "?query={query}",
            "query-input": "required name=query",
        },
    }
