"""The SHACL validation report: its results as plain strings, its text and Turtle forms, and
the JSON a loaded store keeps it in. Apart from `publisher.validation`, which makes reports, so
that a store can read and write one without importing the validator.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import rdflib

PREFIXES: dict[str, str] = {
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Violation:
    """One SHACL result. Terms are plain strings: IRIs in full, blank nodes described by the
    triple that points at them (`<s> <p> []`), literals in N-Triples-like form."""

    focus: str
    path: str | None
    message: str
    severity: str
    shape: str | None
    value: str | None


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    graph: rdflib.Graph
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(PREFIXES), compare=False)
    triples: int = 0
    nodes: int = 0
    shapes: int = 0

    @property
    def errors(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.severity == "Violation")

    def to_text(self) -> str:
        """Results grouped by shape, one `focus  path  message` line each, then a summary line."""
        compact = _Compactor(self.prefixes)
        groups: dict[tuple[int, str], list[Violation]] = defaultdict(list)
        for violation in self.violations:
            name = compact(violation.shape) if violation.shape else "(no shape)"
            groups[(SEVERITY_ORDER.get(violation.severity, 9), name)].append(violation)
        lines: list[str] = []
        for (_, name), members in sorted(groups.items()):
            severity = members[0].severity
            kind = "" if severity == "Violation" else f" [{severity.lower()}]"
            lines.append(f"{name}{kind} ({len(members)})")
            rows = sorted(
                (
                    compact(v.focus),
                    compact(v.path) if v.path else "-",
                    _line_message(v, compact),
                )
                for v in members
            )
            focus_width = max(len(row[0]) for row in rows)
            path_width = max(len(row[1]) for row in rows)
            for focus, path, message in rows:
                lines.append(f"  {focus:<{focus_width}}  {path:<{path_width}}  {message}")
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        errors = len(self.errors)
        others = len(self.violations) - errors
        extra = f", {others} warning{'s' if others != 1 else ''}" if others else ""
        checked = (
            f"{self.nodes} nodes in {self.triples} triples checked against {self.shapes} shapes"
        )
        if self.conforms:
            return f"Conforms: 0 violations{extra} ({checked})"
        return f"{errors} violation{'s' if errors != 1 else ''}{extra} ({checked})"

    def to_turtle(self) -> str:
        """The SHACL validation report as Turtle (`sh:ValidationReport` and its results)."""
        graph = rdflib.Graph()
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        graph += self.graph
        return graph.serialize(format="turtle")

    def to_json(self) -> str:
        """The report as a loaded store keeps it: the results, counts and the report graph."""
        value = {
            "conforms": self.conforms,
            "violations": [dataclasses.asdict(v) for v in self.violations],
            "prefixes": dict(self.prefixes),
            "triples": self.triples,
            "nodes": self.nodes,
            "shapes": self.shapes,
            "graph": self.graph.serialize(format="nt"),
        }
        return json.dumps(value)

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        value: dict[str, Any] = json.loads(text)
        return cls(
            conforms=value["conforms"],
            violations=tuple(Violation(**v) for v in value["violations"]),
            graph=rdflib.Graph().parse(data=value["graph"], format="nt"),
            prefixes=value["prefixes"],
            triples=value["triples"],
            nodes=value["nodes"],
            shapes=value["shapes"],
        )


def _line_message(violation: Violation, compact: _Compactor) -> str:
    """The message, then the offending value unless the message already shows it."""
    message = compact.text(violation.message)
    value = violation.value
    if value is None or value == violation.focus:
        return message
    shown = compact(value)
    lexical = value[1 : value.rindex('"')] if value.startswith('"') else None
    if shown in message or value in violation.message or (lexical and lexical in message):
        return message
    return f"{message} (value: {shown})"


class _Compactor:
    """Turns full IRIs into prefixed names, alone or inside a message."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        ordered = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        alternatives = "|".join(re.escape(ns) for _, ns in ordered)
        self._pattern = re.compile(rf"<?({alternatives})([^\s<>\"{{}}|^`\\,;()]*)>?")
        self._by_namespace = {ns: prefix for prefix, ns in ordered}

    def __call__(self, term: str) -> str:
        return self.text(term)

    def text(self, text: str) -> str:
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        local = match.group(2)
        trailing = local[len(local.rstrip(".")) :]
        if not local[: len(local) - len(trailing)]:  # a bare namespace, as in prose: keep it
            return match.group(0)
        return (
            f"{self._by_namespace[match.group(1)]}:{local[: len(local) - len(trailing)]}{trailing}"
        )
