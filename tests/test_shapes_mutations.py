"""Each row breaks the shipped data in one way; the shapes must reject it with the expected line.

The mutations work on an rdflib copy of the union of all graphs (ontology included), with each
named graph's subjects and literals marked, which is what `validate_dataset` validates
(publisher/validation_graph.py); a mutation that puts a fact into a named graph marks it too.
Each one first checks that it found what it changes, so a row cannot pass because the data it
targets moved away.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef

from publisher.dataset import Dataset
from publisher.validation import ValidationReport, default_prefixes, load_shapes, validate
from publisher.validation_graph import HOLDS_LITERAL, HOLDS_SUBJECT, validation_graph

ID = Namespace("https://w3id.org/gcm-arab-review/id/")
# A mutated copy is a fresh graph without the files' prefixes: `id:` is named for the report.
PREFIXES = {
    **default_prefixes("https://w3id.org/gcm-arab-review/"),
    "gcmr": "https://w3id.org/gcm-arab-review/def/gcmr#",
}
GCMR = Namespace("https://w3id.org/gcm-arab-review/def/gcmr#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = rdflib.SKOS

CONFERENCE = ID["event/gcm-arab-regional-review-conference-2021"]
DASHTI = ID["person/rola-dashti"]
DASHTI_STATEMENT = ID["statement/rola-dashti"]
VITORINO_STATEMENT = ID["statement/antonio-vitorino"]
MOVED_STATEMENT = ID["statement/rola-dashti-2021-02-24"]
WD = Namespace("http://www.wikidata.org/entity/")
DASHTI_ESCWA = ID["membership/rola-dashti-escwa"]

Mutation = Callable[[rdflib.Graph], None]


@pytest.fixture(scope="module")
def shapes(dataset: Dataset) -> rdflib.Graph:
    return load_shapes(dataset.sources.shapes)


@pytest.fixture(scope="module")
def shipped(dataset: Dataset) -> rdflib.Graph:
    return validation_graph(dataset.store)


# --- helpers -----------------------------------------------------------------------------------


def remove(graph: rdflib.Graph, pattern: tuple) -> None:
    found = list(graph.triples(pattern))
    assert found, f"mutation target not in the data: {pattern}"
    for triple in found:
        graph.remove(triple)


def replace_object(graph: rdflib.Graph, subject: URIRef, predicate: URIRef, new: object) -> None:
    remove(graph, (subject, predicate, None))
    graph.add((subject, predicate, new))


def rename(graph: rdflib.Graph, old: URIRef, new: URIRef) -> None:
    triples = [t for t in graph if old in t]
    assert triples, f"mutation target not in the data: {old}"
    for triple in triples:
        graph.remove(triple)
        graph.add(tuple(new if term == old else term for term in triple))


def label(graph: rdflib.Graph, subject: URIRef, language: str) -> Literal:
    values = [
        v for v in graph.objects(subject, RDFS.label) if getattr(v, "language", None) == language
    ]
    assert len(values) == 1, f"expected one @{language} label on {subject}"
    return values[0]


def passage_selector(graph: rdflib.Graph, passage: str, kind: URIRef) -> rdflib.BNode:
    for selector in graph.objects(ID[f"passage/{passage}"], OA.hasSelector):
        if (selector, RDF.type, kind) in graph:
            return selector
    raise AssertionError(f"no {kind} on passage {passage}")


def objective(n: int) -> URIRef:
    return ID[f"objective/{n}"]


# --- the mutations -----------------------------------------------------------------------------


def drop_english_label(g: rdflib.Graph) -> None:
    g.remove((DASHTI, RDFS.label, label(g, DASHTI, "en")))


def drop_arabic_label(g: rdflib.Graph) -> None:
    g.remove((objective(13), RDFS.label, label(g, objective(13), "ar")))


def second_arabic_label(g: rdflib.Graph) -> None:
    label(g, DASHTI, "ar")
    g.add((DASHTI, RDFS.label, Literal("الدكتورة رولا دشتي", lang="ar")))


def remove_objective_13(g: rdflib.Graph) -> None:
    remove(g, (objective(13), None, None))


def two_objectives_numbered_7(g: rdflib.Graph) -> None:
    replace_object(g, objective(8), SKOS.notation, Literal(7))


def objective_notation_out_of_range(g: rdflib.Graph) -> None:
    replace_object(g, objective(23), SKOS.notation, Literal(24))


def translated_objective_title(g: rdflib.Graph) -> None:
    g.remove((objective(13), RDFS.label, label(g, objective(13), "ar")))
    g.add(
        (
            objective(13),
            RDFS.label,
            Literal("عدم اللجوء إلى احتجاز المهاجرين إلا كملاذ أخير", lang="ar"),
        )
    )


def impossible_date(g: rdflib.Graph) -> None:
    replace_object(g, CONFERENCE, SCHEMA.startDate, Literal("2021-02-30", datatype=XSD.date))


def date_as_text(g: rdflib.Graph) -> None:
    replace_object(g, CONFERENCE, SCHEMA.startDate, Literal("24 February 2021"))


def end_before_start(g: rdflib.Graph) -> None:
    replace_object(g, CONFERENCE, SCHEMA.endDate, Literal("2021-02-23", datatype=XSD.date))


def end_offset_before_start(g: rdflib.Graph) -> None:
    position = passage_selector(g, "s03", OA.TextPositionSelector)
    replace_object(g, position, OA.end, Literal(10, datatype=XSD.nonNegativeInteger))


def offset_as_text(g: rdflib.Graph) -> None:
    position = passage_selector(g, "s03", OA.TextPositionSelector)
    replace_object(g, position, OA.start, Literal("three hundred"))


def broken_duration(g: rdflib.Graph) -> None:
    replace_object(g, CONFERENCE, SCHEMA.duration, Literal("2 days", datatype=XSD.duration))


def remove_speaker(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_STATEMENT, GCMR.speaker, None))


def remove_statement_capacity(g: rdflib.Graph) -> None:
    remove(g, (VITORINO_STATEMENT, GCMR.inCapacityOf, None))


def remove_statement_passage(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_STATEMENT, GCMR.reportedIn, None))


def capacity_of_someone_else(g: rdflib.Graph) -> None:
    replace_object(g, DASHTI_STATEMENT, GCMR.inCapacityOf, ID["membership/antonio-vitorino-iom"])


def unverified_wikidata_link(g: rdflib.Graph) -> None:
    assert (ID["org/iom"], RDF.type, SCHEMA.Organization) in g
    g.add((ID["org/iom"], rdflib.OWL.sameAs, WD["Q206"]))


def invented_arabic_alt_label(g: rdflib.Graph) -> None:
    label(g, objective(7), "ar")
    g.add((objective(7), SKOS.altLabel, Literal("الحد من مواطن الضعف في الهجرة", lang="ar")))


def second_summary_for_one_sentence(g: rdflib.Graph) -> None:
    assert len(list(g.objects(VITORINO_STATEMENT, SCHEMA.abstract))) == 1
    g.add((VITORINO_STATEMENT, SCHEMA.abstract, Literal("He also said more.", lang="en")))


def moved_iri_described(g: rdflib.Graph) -> None:
    assert g.value(MOVED_STATEMENT, rdflib.DCTERMS.isReplacedBy) == DASHTI_STATEMENT
    g.add((MOVED_STATEMENT, RDFS.label, Literal("Statement by Rola Dashti", lang="en")))


def link_to_moved_iri(g: rdflib.Graph) -> None:
    assert g.value(MOVED_STATEMENT, rdflib.DCTERMS.isReplacedBy) == DASHTI_STATEMENT
    g.add((CONFERENCE, SCHEMA.subjectOf, MOVED_STATEMENT))


def moved_to_nothing(g: rdflib.Graph) -> None:
    replace_object(g, MOVED_STATEMENT, rdflib.DCTERMS.isReplacedBy, ID["statement/nobody"])


def state_participates_without_source(g: rdflib.Graph) -> None:
    """Egypt added as a participant in the default graph: no source says it took part."""
    assert (ID["country/eg"], RDF.type, SCHEMA.Country) in g
    participation = ID["participation/eg"]
    g.add((CONFERENCE, GCMR.hasParticipation, participation))
    g.add((participation, RDF.type, GCMR.Participation))
    g.add((participation, GCMR.participant, ID["country/eg"]))
    g.add((participation, GCMR.participationRole, ID["role/participant"]))


def state_participates_in_a_sentence_that_does_not_name_it(g: rdflib.Graph) -> None:
    """Egypt's participation put into sentence 2's graph, a sentence that names only Morocco."""
    state_participates_without_source(g)
    g.add((ID["graph/article-s02"], HOLDS_SUBJECT, ID["participation/eg"]))


def literal_copied_into_another_sentence_graph(g: rdflib.Graph) -> None:
    """Dashti's Arabic name stated in sentence 5's graph too: sentence 5 does not name her."""
    name = label(g, DASHTI, "ar")
    assert (ID["graph/article-s04"], HOLDS_LITERAL, name) in g
    g.add((ID["graph/article-s05"], HOLDS_SUBJECT, DASHTI))
    g.add((ID["graph/article-s05"], HOLDS_LITERAL, name))


def shift_selector_offsets(g: rdflib.Graph) -> None:
    position = passage_selector(g, "s04", OA.TextPositionSelector)
    for predicate in (OA.start, OA.end):
        old = g.value(position, predicate)
        replace_object(g, position, predicate, Literal(int(old) + 1, datatype=old.datatype))


def edit_quoted_text(g: rdflib.Graph) -> None:
    quote = passage_selector(g, "s02", OA.TextQuoteSelector)
    old = g.value(quote, OA.exact)
    replace_object(g, quote, OA.exact, Literal(old.replace("المغرب", "الجزائر"), lang="ar"))


def drop_position_selector(g: rdflib.Graph) -> None:
    position = passage_selector(g, "s09", OA.TextPositionSelector)
    remove(g, (None, None, position))
    remove(g, (position, None, None))


def fact_set_from_wrong_passage(g: rdflib.Graph) -> None:
    replace_object(g, ID["graph/article-s05"], PROV.wasDerivedFrom, ID["passage/s06"])


def reference_without_evidence(g: rdflib.Graph) -> None:
    remove(g, (ID["graph/ref-iso-codes-4-15-0"], GCMR.evidence, None))


def membership_without_person(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_ESCWA, ORG.member, None))


def membership_without_organisation(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_ESCWA, ORG.organization, None))


def membership_without_role(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_ESCWA, ORG.role, None))


def one_member_state_fewer(g: rdflib.Graph) -> None:
    remove(g, (ID["membership/ye-league-of-arab-states"], None, None))


def country_code_mismatch(g: rdflib.Graph) -> None:
    replace_object(g, ID["country/ma"], GCMR.iso3166Alpha2, Literal("MR"))


def participation_without_role(g: rdflib.Graph) -> None:
    remove(g, (ID["participation/ma"], GCMR.participationRole, None))


def three_round_tables(g: rdflib.Graph) -> None:
    remove(g, (URIRef(CONFERENCE + "-round-table-4"), SCHEMA.superEvent, None))


def uppercase_slug(g: rdflib.Graph) -> None:
    rename(g, DASHTI, ID["person/Rola_Dashti"])


def dangling_link(g: rdflib.Graph) -> None:
    g.add((ID["article/gcm-arab-regional-review-report"], SCHEMA.mentions, ID["person/nobody"]))


def document_iri(g: rdflib.Graph) -> None:
    doc = URIRef("https://w3id.org/gcm-arab-review/doc/person/rola-dashti")
    g.add((DASHTI, RDFS.seeAlso, doc))


def http_schema_org(g: rdflib.Graph) -> None:
    g.add((DASHTI, URIRef("http://schema.org/name"), Literal("Rola Dashti")))


def misspelt_ontology_term(g: rdflib.Graph) -> None:
    remove(g, (DASHTI_STATEMENT, GCMR.speaker, DASHTI))
    g.add((DASHTI_STATEMENT, GCMR.speakr, DASHTI))


def unknown_class(g: rdflib.Graph) -> None:
    g.add((DASHTI, RDF.type, SCHEMA.Patient))


MUTATIONS = [
    # the table of the issue
    pytest.param(
        drop_english_label,
        ("id:person/rola-dashti", "Missing rdfs:label in English"),
        id="drop-a-label",
    ),
    pytest.param(
        drop_arabic_label,
        ("id:objective/13", "Missing rdfs:label in Arabic"),
        id="drop-arabic-label",
    ),
    pytest.param(
        second_arabic_label,
        ("id:person/rola-dashti", "More than one rdfs:label in the same language"),
        id="second-arabic-label",
    ),
    pytest.param(
        remove_objective_13,
        ("id:scheme/gcm-objectives", "The GCM has exactly 23 objectives"),
        id="remove-objective-13",
    ),
    pytest.param(
        two_objectives_numbered_7,
        ("id:objective/7", "Objective notation 7 is also used by id:objective/8"),
        id="two-objectives-notation-7",
    ),
    pytest.param(
        impossible_date,
        (
            "id:event/gcm-arab-regional-review-conference-2021",
            "schema:startDate must be a single valid xsd:date",
            '"2021-02-30"',
        ),
        id="break-a-date",
    ),
    pytest.param(
        remove_speaker,
        ("id:statement/rola-dashti", "exactly one gcmr:speaker"),
        id="remove-a-speaker",
    ),
    pytest.param(
        shift_selector_offsets,
        ("id:passage/s04", "TextPositionSelector offsets 560..778 do not select"),
        id="shift-selector-offsets",
    ),
    # more of the same kinds
    pytest.param(
        objective_notation_out_of_range,
        ("id:objective/23", "an xsd:integer from 1 to 23"),
        id="objective-notation-24",
    ),
    pytest.param(
        translated_objective_title,
        ("id:objective/13", "rdfs:label", "is the plain «الهدف N»"),
        id="objective-arabic-title-invented",
    ),
    pytest.param(
        date_as_text, ("schema:startDate must be a single valid xsd:date",), id="date-as-text"
    ),
    pytest.param(
        end_before_start,
        ("schema:startDate 2021-02-24 is after schema:endDate 2021-02-23",),
        id="end-before-start",
    ),
    pytest.param(broken_duration, ("valid xsd:duration",), id="broken-duration"),
    pytest.param(
        remove_statement_capacity,
        ("id:statement/antonio-vitorino", "needs gcmr:inCapacityOf"),
        id="statement-without-role",
    ),
    pytest.param(
        remove_statement_passage,
        ("id:statement/rola-dashti", "needs gcmr:reportedIn"),
        id="statement-without-source-selector",
    ),
    pytest.param(
        capacity_of_someone_else,
        ("id:membership/antonio-vitorino-iom is a membership of id:person/antonio-vitorino",),
        id="capacity-of-someone-else",
    ),
    pytest.param(
        edit_quoted_text,
        ("id:passage/s02", "do not select the TextQuoteSelector"),
        id="edit-quoted-text",
    ),
    pytest.param(
        end_offset_before_start,
        ("id:passage/s03 oa:hasSelector []", "oa:start 353 must be less than oa:end 10"),
        id="end-offset-before-start",
    ),
    pytest.param(
        offset_as_text,
        (
            "id:passage/s03 oa:hasSelector []",
            "exactly one oa:start, an xsd:integer that is not negative",
        ),
        id="offset-as-text",
    ),
    pytest.param(
        drop_position_selector,
        ("id:passage/s09", "exactly one oa:TextPositionSelector"),
        id="drop-position-selector",
    ),
    pytest.param(
        fact_set_from_wrong_passage,
        ("id:graph/article-s05", "must derive from id:passage/sNN"),
        id="fact-set-from-wrong-passage",
    ),
    pytest.param(
        reference_without_evidence,
        ("id:graph/ref-iso-codes-4-15-0", "exactly one gcmr:evidence"),
        id="reference-without-evidence",
    ),
    pytest.param(
        membership_without_person,
        ("id:membership/rola-dashti-escwa", "exactly one org:member"),
        id="membership-without-person",
    ),
    pytest.param(
        membership_without_organisation,
        ("id:membership/rola-dashti-escwa", "exactly one org:organization"),
        id="membership-without-organisation",
    ),
    pytest.param(
        membership_without_role,
        ("id:membership/rola-dashti-escwa", "exactly one org:role"),
        id="membership-without-role",
    ),
    pytest.param(
        one_member_state_fewer,
        ("id:org/league-of-arab-states", "exactly 22 memberships"),
        id="21-member-states",
    ),
    pytest.param(
        country_code_mismatch,
        ("id:country/ma", "slug must be its gcmr:iso3166Alpha2 in lowercase"),
        id="country-code-mismatch",
    ),
    pytest.param(
        participation_without_role,
        ("id:participation/ma", "exactly one gcmr:participationRole"),
        id="participation-without-role",
    ),
    pytest.param(three_round_tables, ("exactly four round tables",), id="three-round-tables"),
    pytest.param(uppercase_slug, ("id:person/Rola_Dashti", "kebab-case slug"), id="uppercase-slug"),
    pytest.param(
        dangling_link, ("id:person/nobody", "Resource has no rdf:type"), id="dangling-link"
    ),
    pytest.param(
        http_schema_org,
        ("http://schema.org/name", "schema.org terms are https://schema.org/"),
        id="http-schema-org",
    ),
    pytest.param(
        document_iri,
        (
            "https://w3id.org/gcm-arab-review/doc/person/rola-dashti",
            "doc/ IRIs are minted by the server",
        ),
        id="document-iri-in-data",
    ),
    pytest.param(
        misspelt_ontology_term,
        ("gcmr:speakr", "not declared in the ontology"),
        id="misspelt-ontology-term",
    ),
    pytest.param(
        unknown_class,
        ("id:person/rola-dashti", "rdf:type schema:Patient is not a class of the data model"),
        id="unknown-class",
    ),
    pytest.param(
        unverified_wikidata_link,
        ("id:org/iom", "only to an identifier on the verified list"),
        id="unverified-wikidata-link",
    ),
    pytest.param(
        invented_arabic_alt_label,
        ("id:objective/7", "skos:altLabel", "is the plain «الهدف N»"),
        id="objective-arabic-alt-label-invented",
    ),
    pytest.param(
        second_summary_for_one_sentence,
        ("id:statement/antonio-vitorino", "at most one English summary per sentence"),
        id="two-summaries-one-sentence",
    ),
    pytest.param(
        moved_iri_described,
        ("id:statement/rola-dashti-2021-02-24", "A moved IRI says nothing but"),
        id="moved-iri-described",
    ),
    pytest.param(
        link_to_moved_iri,
        ("id:statement/rola-dashti-2021-02-24", "nothing links to it"),
        id="link-to-moved-iri",
    ),
    pytest.param(
        moved_to_nothing,
        ("id:statement/rola-dashti-2021-02-24", "what replaces it is a current resource"),
        id="moved-to-nothing",
    ),
    pytest.param(
        state_participates_without_source,
        ("id:participation/eg", "id:country/eg takes part only if a source says so"),
        id="state-participates-without-source",
    ),
    pytest.param(
        state_participates_in_a_sentence_that_does_not_name_it,
        ("id:participation/eg", "id:country/eg takes part only if a source says so"),
        id="state-participates-in-unrelated-sentence",
    ),
    pytest.param(
        literal_copied_into_another_sentence_graph,
        ("id:graph/article-s05", "رولا دشتي is stated in this sentence's graph"),
        id="literal-copied-into-another-sentence-graph",
    ),
]


def report_line(report: ValidationReport, parts: tuple[str, ...]) -> str | None:
    return next(
        (line for line in report.to_text().splitlines() if all(p in line for p in parts)), None
    )


def test_the_unmutated_copy_conforms(shipped: rdflib.Graph, shapes: rdflib.Graph) -> None:
    report = validate(shipped, shapes, prefixes=PREFIXES)
    assert report.conforms, report.to_text()


@pytest.mark.parametrize(("mutate", "expected"), MUTATIONS)
def test_mutation_is_rejected(
    shipped: rdflib.Graph, shapes: rdflib.Graph, mutate: Mutation, expected: tuple[str, ...]
) -> None:
    graph = rdflib.Graph()
    graph += shipped
    mutate(graph)
    report = validate(graph, shapes, prefixes=PREFIXES)
    assert not report.conforms
    assert report_line(report, expected), (
        f"no report line with all of {expected}:\n{report.to_text()}"
    )
