"""publisher.validation and `publisher validate`: the report, its text and Turtle forms, the exit
statuses, and the shipped dataset conforming to the shipped shapes."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl.entrypoints import meta_validate
from rdflib import SH
from typer.testing import CliRunner

from publisher.cli import app
from publisher.config import PROJECT_ROOT, Settings
from publisher.dataset import Dataset
from publisher.rdfterms import graph_of
from publisher.stores import open_dataset
from publisher.validation import (
    NoShapes,
    ValidationReport,
    load_shapes,
    validate,
    validate_dataset,
)
from publisher.validation_graph import HOLDS_LITERAL, HOLDS_SUBJECT, validation_graph

FIXTURES = Path(__file__).parent / "fixtures" / "validation"
EX = "http://example.org/def/mini#"
EXID = "http://example.org/id/"
MINI_PREFIXES = {
    "ex": EX,
    "exsh": "http://example.org/def/mini-shapes#",
    "exid": EXID,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
HEAD = f"""
@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

runner = CliRunner()


def turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=HEAD + text, format="turtle")


@pytest.fixture(scope="module")
def mini_shapes() -> rdflib.Graph:
    return load_shapes([FIXTURES / "shapes" / "mini.ttl"])


@pytest.fixture(scope="module")
def mini_ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(FIXTURES / "ontology" / "mini.ttl")


def fixture_args(data: Path | str = FIXTURES / "data") -> list[str]:
    return [
        "--data",
        str(data),
        "--ontology",
        str(FIXTURES / "ontology"),
        "--shapes",
        str(FIXTURES / "shapes"),
    ]


# --- the report, on the small fixture ----------------------------------------------------------


def test_fixture_dataset_conforms() -> None:
    settings = Settings(
        data=[str(FIXTURES / "data")],
        ontology=[str(FIXTURES / "ontology")],
        shapes=[str(FIXTURES / "shapes")],
    )
    report = validate_dataset(open_dataset(settings))
    assert report.conforms, report.to_text()
    assert report.violations == ()
    assert report.to_text().startswith("Conforms: 0 violations (")
    assert report.nodes > 0 and report.triples > 0 and report.shapes > 0


def test_subclass_instances_are_checked_when_the_ontology_is_given(
    mini_shapes: rdflib.Graph, mini_ontology: rdflib.Graph
) -> None:
    data = turtle("<http://example.org/id/event/talk> a ex:Talk ; rdfs:comment 'c'@en .")
    assert validate(data, mini_shapes).conforms  # ex:Talk is not known to be an ex:Event
    report = validate(data, mini_shapes, mini_ontology, prefixes=MINI_PREFIXES)
    assert not report.conforms
    assert [v.message for v in report.violations] == [
        "An event has exactly one ex:date, an xsd:date"
    ]


@pytest.fixture(scope="module")
def bad_report(mini_shapes: rdflib.Graph, mini_ontology: rdflib.Graph) -> ValidationReport:
    data = turtle(
        """
        <http://example.org/id/event/one> a ex:Event ;
            rdfs:label "One"@en , "Uno"@en ;
            ex:date "2021-02-30"^^xsd:date ;
            ex:limit 2 ;
            ex:slot [ ex:start "-1"^^xsd:integer ] , [ ex:start 5 ] .
        """
    )
    return validate(data, mini_shapes, mini_ontology, prefixes=MINI_PREFIXES)


def test_violations_carry_focus_path_message_shape_value(bad_report: ValidationReport) -> None:
    assert not bad_report.conforms
    by_message = {v.message: v for v in bad_report.violations}
    date = by_message["An event has exactly one ex:date, an xsd:date"]
    assert date.focus == EXID + "event/one"
    assert date.path == EX + "date"
    assert date.severity == "Violation"
    assert date.shape == "http://example.org/def/mini-shapes#EventShape"  # owner of a [] shape
    assert date.value == f'"2021-02-30"^^{rdflib.XSD.date}'
    label = by_message["More than one rdfs:label in the same language"]
    assert label.shape == "http://example.org/def/mini-shapes#EventShape-label"
    sparql = by_message["Slot starts at 5, after the event's ex:limit 2"]
    assert sparql.focus == EXID + "event/one"
    warning = by_message["An event should have an rdfs:comment"]
    assert warning.severity == "Warning"


def test_blank_focus_nodes_are_described_by_the_triple_that_reaches_them(
    bad_report: ValidationReport,
) -> None:
    slot = next(v for v in bad_report.violations if v.message.startswith("A slot needs"))
    assert slot.focus == f"{EXID}event/one {EX}slot []"
    assert "  exid:event/one ex:slot []  ex:start  A slot needs ex:start" in bad_report.to_text()


def test_text_report_groups_by_shape_one_line_per_result(bad_report: ValidationReport) -> None:
    text = bad_report.to_text()
    lines = text.splitlines()
    assert "exsh:EventShape (1)" in lines
    assert "exsh:EventShape-label (1)" in lines
    assert "exsh:CommentShape [warning] (1)" in lines
    assert re.search(
        r"^  exid:event/one  ex:date  An event has exactly one ex:date, an xsd:date "
        r'\(value: "2021-02-30"\^\^xsd:date\)$',
        text,
        re.MULTILINE,
    )
    assert lines[-1].startswith("5 violations, 1 warning (")
    # warnings come after violations
    assert text.index("[warning]") > text.index("exsh:EventShape-label")
    assert "Traceback" not in text


def test_warnings_alone_do_not_fail(mini_shapes: rdflib.Graph) -> None:
    data = turtle("<http://example.org/id/event/two> a ex:Event ; ex:date '2021-01-01'^^xsd:date .")
    report = validate(data, mini_shapes, prefixes=MINI_PREFIXES)
    assert report.conforms
    assert [v.severity for v in report.violations] == ["Warning"]
    assert report.to_text().splitlines()[-1].startswith("Conforms: 0 violations, 1 warning (")


def test_turtle_report_is_a_shacl_validation_report(bad_report: ValidationReport) -> None:
    graph = rdflib.Graph().parse(data=bad_report.to_turtle(), format="turtle")
    report_node = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert report_node is not None
    assert graph.value(report_node, SH.conforms).toPython() is False
    assert len(list(graph.objects(report_node, SH.result))) == len(bad_report.violations)


def test_ill_typed_literals_are_reported_without_tracebacks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "bad-date.nt"
    data.write_text(
        f"<{EXID}event/x> <{rdflib.RDF.type}> <{EX}Event> .\n"
        f'<{EXID}event/x> <{EX}date> "2021-13-45"^^<{rdflib.XSD.date}> .\n'
    )
    with caplog.at_level(logging.DEBUG, logger="rdflib"):
        result = runner.invoke(app, ["validate", *fixture_args(data)])
    assert result.exit_code == 1
    assert '(value: "2021-13-45"^^xsd:date)' in result.stderr
    assert "Traceback" not in result.output
    assert not [r for r in caplog.records if r.name.startswith("rdflib") and r.exc_info]


def test_no_shapes_is_an_error(tmp_path: Path) -> None:
    settings = Settings(
        data=[str(FIXTURES / "data")],
        ontology=[str(FIXTURES / "ontology")],
        shapes=[str(tmp_path)],
    )
    with pytest.raises(NoShapes):
        validate_dataset(open_dataset(settings))


# --- the command line, on the small fixture ----------------------------------------------------


def test_cli_exit_0_when_the_data_conforms() -> None:
    result = runner.invoke(app, ["validate", *fixture_args()])
    assert result.exit_code == 0, result.output
    assert "Conforms: 0 violations" in result.stdout


def test_cli_exit_1_and_report_on_violations(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(HEAD + "<http://example.org/id/event/one> a ex:Event ; rdfs:comment 'c'@en .")
    result = runner.invoke(app, ["validate", *fixture_args(bad)])
    assert result.exit_code == 1, result.output
    assert "An event has exactly one ex:date" in result.stderr
    assert "1 violation (" in result.stderr


def test_cli_turtle_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(HEAD + "<http://example.org/id/event/one> a ex:Event ; rdfs:comment 'c'@en .")
    result = runner.invoke(app, ["validate", "--format", "turtle", *fixture_args(bad)])
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert (None, rdflib.RDF.type, SH.ValidationReport) in graph
    assert (None, SH.conforms, rdflib.Literal(False)) in graph


@pytest.mark.parametrize("kind", ["data", "ontology", "shapes"])
def test_cli_syntax_error_names_file_and_line(tmp_path: Path, kind: str) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(HEAD + "\n<http://example.org/a> ex:p ex:b ;\n    ex:q .\n")
    args = fixture_args()
    args[args.index(f"--{kind}") + 1] = str(broken)
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == 2, result.output
    assert re.search(rf"^error: {re.escape(str(broken))}:7:\d+: ", result.stderr, re.MULTILINE)
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_missing_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["validate", *fixture_args(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {missing}: no such file or folder (or the pattern matches nothing)"
    ]


# --- the shipped dataset -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_report(dataset: Dataset) -> ValidationReport:
    return validate_dataset(dataset)


def test_shipped_shapes_are_valid_shacl(dataset: Dataset) -> None:
    shapes = load_shapes(dataset.sources.shapes)
    conforms, _, text = meta_validate(shapes)
    assert conforms, text


def test_shipped_data_conforms(shipped_report: ValidationReport) -> None:
    assert shipped_report.conforms, shipped_report.to_text()
    assert shipped_report.violations == ()


def test_every_resource_is_checked_by_a_class_shape(dataset: Dataset) -> None:
    """Each id: resource has a type that a shape targets (directly or through subclassing)."""
    shapes = load_shapes(dataset.sources.shapes)
    targets = set(shapes.objects(None, SH.targetClass))
    data = graph_of(dataset.store)
    unchecked = sorted(
        str(resource)
        for resource in set(data.subjects(rdflib.RDF.type, None))
        if str(resource).startswith(dataset.base_iri + "id/")
        and not any(
            set(data.transitive_objects(cls, rdflib.RDFS.subClassOf)) & targets
            for cls in data.objects(resource, rdflib.RDF.type)
        )
    )
    assert unchecked == [], "resources no class shape targets"


def test_cli_exit_0_on_the_shipped_dataset() -> None:
    unset = {f"PUBLISHER_{name}": None for name in ("DATA", "ONTOLOGY", "SHAPES", "BASE_IRI")}
    result = runner.invoke(app, ["validate"], env=unset)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Conforms: 0 violations (")


def test_cli_exit_1_on_a_mutated_copy(dataset: Dataset, tmp_path: Path) -> None:
    """The shipped data without one statement's speaker, written as N-Quads, is rejected."""
    speaker = ox.NamedNode("https://w3id.org/gcm-arab-review/def/gcmr#speaker")
    ontology = ox.NamedNode("https://w3id.org/gcm-arab-review/def/gcmr")
    quads = [q for q in dataset.store if q.graph_name != ontology and q.predicate != speaker]
    copy = tmp_path / "data.nq"
    copy.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    args = ["--data", str(copy), "--ontology", str(PROJECT_ROOT / "ontology")]
    result = runner.invoke(app, ["validate", *args, "--shapes", str(PROJECT_ROOT / "shapes")])
    assert result.exit_code == 1, result.output
    assert "exactly one gcmr:speaker" in result.stderr
    assert "Traceback" not in result.output


def test_the_validation_graph_marks_what_each_named_graph_holds() -> None:
    """Graph-aware shapes see named graphs through val:holdsSubject / val:holdsLiteral; the
    default graph's triples are in the union but marked as held by no graph."""
    a, p, g = ox.NamedNode("http://a/x"), ox.NamedNode("http://a/p"), ox.NamedNode("http://a/g")
    name = ox.Literal("x", language="en")
    graph = validation_graph(
        [ox.Quad(a, p, name, g), ox.Quad(a, p, ox.NamedNode("http://a/y"), ox.DefaultGraph())]
    )
    x = rdflib.URIRef("http://a/x")
    assert (x, rdflib.URIRef("http://a/p"), rdflib.URIRef("http://a/y")) in graph
    assert set(graph.triples((None, HOLDS_SUBJECT, None))) == {
        (rdflib.URIRef("http://a/g"), HOLDS_SUBJECT, x)
    }
    assert set(graph.objects(None, HOLDS_LITERAL)) == {rdflib.Literal("x", lang="en")}
