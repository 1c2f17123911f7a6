"""The ontology page for any vocabulary: one shaped like the W3C Data Cube (Turtle, hash IRIs,
rdfs:Class and owl:Class), one shaped like the Pizza ontology (RDF/XML, OWL class expressions),
and the GCM ontology. Each page is rendered straight from a store, as the server does for
`/def/{name}` and will for a vocabulary at its own IRI (`render_vocabulary_page`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pyoxigraph as ox
import pytest
from ld_support import ORIGIN, real_dataset, real_settings, urls_of

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.i18n import Text
from publisher.pages.base import Link
from publisher.pages.class_expressions import ExpressionWriter, Statements
from publisher.pages.ontology import vocabulary_page
from publisher.pages.render import render_page, render_vocabulary_page
from publisher.prefixes import PrefixTable, source_prefixes
from publisher.stores import open_dataset
from publisher.urls import Urls

VOCABULARIES = Path(__file__).resolve().parent / "fixtures" / "vocabularies"
CUBE = "http://purl.org/linked-data/cube"
PIZZA = "http://www.co-ode.org/ontologies/pizza/pizza.owl"
GCMR = "https://w3id.org/gcm-arab-review/def/gcmr"
BNODE_ID = re.compile(r"_:|\b[0-9a-f]{32}\b")


def settings(data: list[Path], ontology: list[Path]) -> Settings:
    return Settings(
        base_iri="http://stats.example.org/",
        public_origin=ORIGIN,
        data=[str(p) for p in data],
        ontology=[str(p) for p in ontology],
        shapes=[],
    )


def load(data: list[Path], ontology: list[Path]) -> tuple[Dataset, Urls]:
    given = settings(data, ontology)
    return open_dataset(given), urls_of(given)


@pytest.fixture(scope="module")
def cube() -> tuple[Dataset, Urls]:
    return load([VOCABULARIES / "cube-data"], [VOCABULARIES / "cube"])


@pytest.fixture(scope="module")
def pizza() -> tuple[Dataset, Urls]:
    return load([], [VOCABULARIES / "pizza"])


def page(loaded: tuple[Dataset, Urls], iri: str, lang: str) -> lxml.html.HtmlElement:
    dataset, urls = loaded
    html = render_vocabulary_page(dataset, urls, iri, lang, "/vocabulary")
    return lxml.html.fromstring(html)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def rows(tree: lxml.html.HtmlElement, anchor: str) -> dict[str, list[str]]:
    """A term's rows: heading → the text of each value."""
    (article,) = tree.xpath(f"//article[@id='{anchor}']")
    found: dict[str, list[str]] = {}
    for dt, dd in zip(article.xpath(".//dt"), article.xpath(".//dd"), strict=True):
        found[text(dt)] = [text(li) for li in dd.xpath(".//li")] or [text(dd)]
    return found


# --- class expressions as Protégé writes them ---------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "heading", "expression"),
    [
        ("CheesyPizza", "Equivalent to", "Pizza and (has topping some Cheese topping)"),
        ("VegetarianPizza", "Equivalent to", "Pizza and (not (has topping some Meat topping))"),
        ("InterestingPizza", "Equivalent to", "Pizza and (has topping min 3 Pizza topping)"),
        ("Spiciness", "Equivalent to", "Hot or Medium or Mild"),
        ("Country", "Equivalent to", "{America, Italy}"),
        ("ToppingOfAPizza", "Equivalent to", "inverse has topping some Pizza"),
        (
            "HighCaloriePizza",
            "Equivalent to",
            "Pizza and (has calorific content value some xsd:integer[>= 400])",
        ),
        ("Margherita", "Subclass of", "has topping only (Mozzarella topping or Tomato topping)"),
        ("Margherita", "Subclass of", "has topping some Mozzarella topping"),
        ("Pizza", "Subclass of", "has base exactly 1 Pizza base"),
        ("ThinPizza", "Subclass of", "has base max 1"),
        (
            "ThinPizza",
            "Subclass of",
            "has topping some (Cheese topping and (not Mozzarella topping))",
        ),
        ("MozzarellaTopping", "Subclass of", "has country of origin value Italy"),
        ("hasCountryOfOrigin", "Domain", "Pizza or Pizza topping"),
        ("CalorieCount", "Equivalent to", "xsd:integer[>= 0, < 10000]"),
        ("SpicinessLevels", "Disjoint union of", "Medium"),
        ("Country", "Has key", "has country code"),
    ],
)
def test_class_expressions_read_as_protege_writes_them(
    pizza: tuple[Dataset, Urls], anchor: str, heading: str, expression: str
) -> None:
    assert expression in rows(page(pizza, PIZZA, "en"), anchor)[heading]


def test_named_classes_in_expressions_link_to_their_anchor(pizza: tuple[Dataset, Urls]) -> None:
    tree = page(pizza, PIZZA, "en")
    (cheesy,) = tree.xpath("//article[@id='CheesyPizza']//span[@class='expr']")
    assert cheesy.xpath(".//a/@href") == ["#Pizza", "#hasTopping", "#CheeseTopping"]
    ids = set(tree.xpath("//@id"))
    local = [h for h in tree.xpath("//main//a/@href") if h.startswith("#")]
    assert local and all(h[1:] in ids for h in local)
    (integer,) = tree.xpath("//article[@id='HighCaloriePizza']//a[contains(@href, 'XMLSchema')]")
    assert integer.get("href") == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("which", ["cube", "pizza"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_blank_node_is_shown_as_brackets_or_an_id(
    cube: tuple[Dataset, Urls], pizza: tuple[Dataset, Urls], which: str, lang: str
) -> None:
    loaded, iri = (cube, CUBE) if which == "cube" else (pizza, PIZZA)
    body = text(page(loaded, iri, lang).xpath("//main")[0])
    assert "[]" not in body and "()" not in body
    assert not BNODE_ID.search(body)


def writer(turtle: str, lang: str = "en") -> tuple[ExpressionWriter, Statements]:
    statements = Statements()
    for quad in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE):
        statements.add(quad.subject, quad.predicate.value, quad.object)

    def link(iri: str) -> Link:
        name = iri.rsplit("#", 1)[-1]
        return Link(iri, "#" + name, Text(name), None, True)

    return ExpressionWriter(statements, link, lang), statements


def written(tokens: tuple[Any, ...]) -> str:
    return " ".join(t.link.label.value if t.link else t.text.value for t in tokens)


def test_a_blank_node_that_is_no_expression_is_written_as_its_statements() -> None:
    expressions, statements = writer(
        """@prefix ex: <http://ex.org/v#> .
        ex:A ex:range [ ex:note "free text" ; ex:other ex:B ] ; ex:empty [] ."""
    )
    (described,) = statements.objects(ox.NamedNode("http://ex.org/v#A"), "http://ex.org/v#range")
    assert written(expressions.write(described)) == "( note free text ; other B )"
    (empty,) = statements.objects(ox.NamedNode("http://ex.org/v#A"), "http://ex.org/v#empty")
    assert written(expressions.write(empty)) == "an unnamed thing"
    arabic, arabic_statements = writer("@prefix ex: <http://ex.org/v#> . ex:A ex:p [] .", "ar")
    (unnamed,) = arabic_statements.objects(ox.NamedNode("http://ex.org/v#A"), "http://ex.org/v#p")
    assert written(arabic.write(unnamed)) == "شيء غير مسمّى"


def test_cyclic_and_broken_expressions_end() -> None:
    """Broken data (a list whose rest loops, a complement of itself) is cut, not looped."""
    expressions, statements = writer(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix ex: <http://ex.org/v#> .
        ex:A owl:equivalentClass _:u .
        _:u owl:unionOf _:l1 .
        _:l1 rdf:first ex:B ; rdf:rest _:l2 .
        _:l2 rdf:first ex:C ; rdf:rest _:l1 .
        ex:D owl:equivalentClass _:n .
        _:n owl:complementOf _:n .
        ex:E owl:equivalentClass [ owl:intersectionOf ( ) ] ."""
    )
    a, d, e = (ox.NamedNode(f"http://ex.org/v#{x}") for x in "ADE")
    equivalent = "http://www.w3.org/2002/07/owl#equivalentClass"
    assert written(expressions.write(statements.objects(a, equivalent)[0])) == "B or C"
    assert written(expressions.write(statements.objects(d, equivalent)[0])) == "not …"
    assert written(expressions.write(statements.objects(e, equivalent)[0])) == "an unnamed thing"


# --- prefixes -----------------------------------------------------------------------------------


def test_terms_carry_their_own_prefixes(
    cube: tuple[Dataset, Urls], pizza: tuple[Dataset, Urls]
) -> None:
    tree = page(cube, CUBE, "en")
    (heading,) = tree.xpath("//article[@id='DataSet']/h3/code")
    assert heading.text == "qb:DataSet"
    concept = rows(tree, "concept")["Range"]
    assert "sdmx:Concept" in concept  # declared by the file only: no table knows it
    assert any("skos:Concept" in v for v in concept)  # a well-known prefix
    # a namespace nobody names a prefix for: the full IRI
    assert rows(tree, "DataSet")["Subclass of"] == ["http://example.com/unknown/ns#Collection"]
    table = dict(
        (text(r.xpath("th")[0]), text(r.xpath("td")[0]))
        for r in tree.xpath("//section[@class='prefixes']//tbody/tr")
    )
    assert table["sdmx"] == "http://purl.org/linked-data/sdmx#"
    assert table["qb"] == CUBE + "#"
    pizza_tree = page(pizza, PIZZA, "en")
    (margherita,) = pizza_tree.xpath("//article[@id='Margherita']/h3/code")
    assert margherita.text == "pizza:Margherita"  # from the RDF/XML's xmlns:pizza
    for tree_ in (tree, pizza_tree):
        assert "gcmr" not in lxml.html.tostring(tree_, encoding="unicode")


def test_prefix_table_prefers_the_data_then_well_known_then_nothing() -> None:
    own = source_prefixes([VOCABULARIES / "cube" / "cube.ttl"])
    assert own["sdmx"] == "http://purl.org/linked-data/sdmx#"
    table = PrefixTable({"ex": "https://schema.org/", "skos": "http://example.org/not-skos/"})
    assert table.compact("https://schema.org/Person") == "ex:Person"  # the data's name wins
    assert table.compact("http://example.org/not-skos/x") == "skos:x"
    # the well-known skos: is taken by another namespace, so real SKOS gets no prefix
    assert table.compact("http://www.w3.org/2004/02/skos/core#Concept") is None
    assert table.compact("http://www.w3.org/ns/sosa/Sensor") == "sosa:Sensor"  # rdflib's table
    assert table.compact("https://schema.org/a/b") is None  # not a valid local name


def test_a_file_that_cannot_be_read_declares_no_prefixes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://ex.org/> .\nex:a ex:b", encoding="utf-8")
    assert source_prefixes([broken, tmp_path / "missing.ttl"]) in ({}, {"ex": "http://ex.org/"})
    xml = tmp_path / "bad.rdf"
    xml.write_text("<rdf:RDF", encoding="utf-8")
    assert source_prefixes([xml]) == {}


# --- labels and languages -----------------------------------------------------------------------


def test_labels_in_the_readers_language_then_english_then_the_local_name(
    cube: tuple[Dataset, Urls], pizza: tuple[Dataset, Urls]
) -> None:
    tree = page(cube, CUBE, "ar")
    assert tree.get("lang") == "ar" and tree.get("dir") == "rtl"
    (label,) = tree.xpath("//article[@id='DataSet']/h3/bdi")
    assert (label.text, label.get("lang"), label.get("dir")) == ("مجموعة بيانات", "ar", "rtl")
    (slice_,) = tree.xpath("//article[@id='Slice']/h3/bdi")  # English and French only
    assert (slice_.text, slice_.get("lang"), slice_.get("dir")) == ("Slice", "en", "ltr")
    english = page(cube, CUBE, "en")
    assert english.xpath("//article[@id='DataSet']/h3/bdi")[0].text == "Data set"
    pizza_tree = page(pizza, PIZZA, "ar")
    (ham,) = pizza_tree.xpath("//article[@id='HamTopping']/h3/bdi")
    assert ham.text == "HamTopping"  # no label at all
    keywords = pizza_tree.xpath("//article[@id='VegetarianPizza']//span[@class='kw']")
    assert [(k.text, k.get("lang")) for k in keywords] == [
        ("و", "ar"),
        ("ليس", "ar"),
        ("بعض", "ar"),
    ]


# --- sections, hierarchy, inverses -------------------------------------------------------------


def section_of(tree: lxml.html.HtmlElement, anchor: str) -> str:
    (section,) = tree.xpath(f"//section[@class='kind'][.//article[@id='{anchor}']]")
    return str(section.get("id"))


def test_each_term_is_listed_once_in_its_section(
    cube: tuple[Dataset, Urls], pizza: tuple[Dataset, Urls]
) -> None:
    tree = page(cube, CUBE, "en")
    ids = tree.xpath("//article[@class='term']/@id")
    assert len(ids) == len(set(ids)) == 26  # 13 classes, 13 properties
    assert section_of(tree, "DataSet") == "ontology_classes"  # rdfs:Class and owl:Class
    assert section_of(tree, "dataSet") == "ontology_object_properties"
    assert section_of(tree, "order") == "ontology_datatype_properties"
    assert section_of(tree, "componentAttachment") == "ontology_properties"  # rdf:Property only
    pizza_tree = page(pizza, PIZZA, "en")
    assert section_of(pizza_tree, "Italy") == "ontology_individuals"
    assert section_of(pizza_tree, "CalorieCount") == "ontology_datatypes"
    assert rows(pizza_tree, "hasBase")["Characteristics"] == ["owl:FunctionalProperty"]


def hrefs(tree: lxml.html.HtmlElement, anchor: str, heading: str) -> set[str]:
    (article,) = tree.xpath(f"//article[@id='{anchor}']")
    for dt, dd in zip(article.xpath(".//dt"), article.xpath(".//dd"), strict=True):
        if text(dt) == heading:
            return set(dd.xpath(".//a/@href"))
    return set()


def test_hierarchy_domains_ranges_and_inverses_are_linked_both_ways(
    cube: tuple[Dataset, Urls], pizza: tuple[Dataset, Urls]
) -> None:
    tree = page(pizza, PIZZA, "en")
    assert hrefs(tree, "Pizza", "Has subclasses") == {"#NamedPizza", "#ThinPizza"}
    assert hrefs(tree, "NamedPizza", "Subclass of") == {"#Pizza"}
    assert hrefs(tree, "hasTopping", "Inverse of") == {"#isToppingOf"}
    assert hrefs(tree, "isToppingOf", "Inverse of") == {"#hasTopping"}
    assert hrefs(tree, "PizzaBase", "Disjoint with") == {"#Pizza"}
    assert hrefs(tree, "Pizza", "Disjoint with") == {"#PizzaBase", "#PizzaTopping"}
    # a union domain puts the property on each of its members
    assert "#hasCountryOfOrigin" in hrefs(tree, "PizzaTopping", "In the domain of")
    assert hrefs(tree, "hasIngredient", "Has subproperties") == {"#hasBase", "#hasTopping"}
    cube_tree = page(cube, CUBE, "en")
    assert hrefs(cube_tree, "dimension", "Subproperty of") == {"#componentProperty"}
    assert hrefs(cube_tree, "codeList", "Range") == {
        "http://www.w3.org/2004/02/skos/core#ConceptScheme",
        "http://www.w3.org/2004/02/skos/core#Collection",
        "#HierarchicalCodeList",
    }


def test_instances_are_counted_when_the_data_has_any(cube: tuple[Dataset, Urls]) -> None:
    tree = page(cube, CUBE, "en")
    assert rows(tree, "Observation")["Instances in the data"] == ["3"]
    assert rows(tree, "Slice")["Instances in the data"] == ["0"]
    alone = load([], [VOCABULARIES / "cube"])
    assert "Instances in the data" not in rows(page(alone, CUBE, "en"), "Observation")


def test_a_vocabulary_loaded_as_data_gets_the_same_page(cube: tuple[Dataset, Urls]) -> None:
    """In the default graph (no graph of its own), its terms are found by namespace."""
    as_data = load([VOCABULARIES / "cube", VOCABULARIES / "cube-data"], [])
    tree, reference = page(as_data, CUBE, "en"), page(cube, CUBE, "en")
    assert tree.xpath("//article/@id") == reference.xpath("//article/@id")
    assert rows(tree, "codeList") == rows(reference, "codeList")
    assert rows(tree, "Observation")["Instances in the data"] == ["3"]


def test_a_slash_vocabulary_in_the_default_graph(tmp_path: Path) -> None:
    """Terms at `{ontology}/Term` (no `#`), no graph of its own, no prefix declared anywhere."""
    (tmp_path / "voc.nt").write_text(
        "<http://voc.example.org/v> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <http://www.w3.org/2002/07/owl#Ontology> .\n"
        "<http://voc.example.org/v/Thing> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <http://www.w3.org/2000/01/rdf-schema#Class> .\n"
        "<http://voc.example.org/v/part> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> .\n"
        "<http://voc.example.org/v/part> <http://www.w3.org/2000/01/rdf-schema#range>"
        " <http://voc.example.org/v/Thing> .\n",
        encoding="utf-8",
    )
    tree = page(load([tmp_path], []), "http://voc.example.org/v", "en")
    assert tree.xpath("//article/@id") == ["Thing", "part"]
    assert tree.xpath("//article[@id='Thing']/h3/code/text()") == ["v:Thing"]
    assert hrefs(tree, "part", "Range") == {"#Thing"}


def test_an_iri_that_is_no_vocabulary_gives_an_empty_page(cube: tuple[Dataset, Urls]) -> None:
    tree = page(cube, "http://stats.example.org/nothing", "en")
    assert tree.xpath("//article") == [] and text(tree.xpath("//h1")[0]) == "nothing"


# --- accessible in both languages ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_headings_tables_and_links_are_accessible(pizza: tuple[Dataset, Urls], lang: str) -> None:
    tree = page(pizza, PIZZA, lang)
    levels = [int(h.tag[1]) for h in tree.xpath("//main//*[self::h1 or self::h2 or self::h3]")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for table in tree.xpath("//main//table"):
        assert table.xpath(".//thead//th[@scope='col']")
    assert all(text(a) for a in tree.xpath("//main//a"))
    for bdi in tree.xpath("//main//bdi[@lang]"):
        assert bdi.get("dir") in ("ltr", "rtl")


# --- the GCM ontology ---------------------------------------------------------------------------


def test_the_gcm_ontology_keeps_its_own_prefix_and_unions() -> None:
    given = real_settings()
    loaded = (real_dataset(given), urls_of(given))
    tree = page(loaded, GCMR, "en")
    curies = tree.xpath("//article[@class='term']/h3/code/text()")
    assert len(curies) > 30 and all(c.startswith("gcmr:") for c in curies)
    assert "Participation or Reported statement" in rows(tree, "inCapacityOf")["Domain"]
    assert hrefs(tree, "inCapacityOf", "Domain") == {"#Participation", "#ReportedStatement"}


# --- a handful of queries, whatever the vocabulary's size -------------------------------------


class CountingStore:
    """A store that counts what is asked of it."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.queries = 0
        self.lookups = 0

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        return self.store.query(*args, **kwargs)

    def quads_for_pattern(self, *args: Any, **kwargs: Any) -> Any:
        self.lookups += 1
        return self.store.quads_for_pattern(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def big_vocabulary(path: Path, classes: int) -> None:
    """About 10 triples per class: labels in two languages, a comment, a superclass, a
    restriction and a property with a domain and range."""
    lines = [
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix big: <http://big.example.org/v#> .",
        "<http://big.example.org/v> a owl:Ontology .",
    ]
    for n in range(classes):
        parent = f"big:C{n // 2}" if n else "owl:Thing"
        lines.append(
            f'big:C{n} a owl:Class ; rdfs:label "Class {n}"@en , "صنف {n}"@ar ; '
            f'rdfs:comment "Number {n}."@en ; rdfs:subClassOf {parent} , '
            f"[ a owl:Restriction ; owl:onProperty big:p{n} ; owl:someValuesFrom big:C{n // 3} ] ."
        )
        lines.append(f"big:p{n} a owl:ObjectProperty ; rdfs:domain big:C{n} ; rdfs:range big:C0 .")
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_large_vocabulary_takes_a_handful_of_queries(tmp_path: Path) -> None:
    big_vocabulary(tmp_path / "big.ttl", 200)
    dataset, urls = load([], [tmp_path])
    assert len(dataset.store) >= 2000
    store = CountingStore(dataset.store)
    built = vocabulary_page(store, urls, "http://big.example.org/v", "ar", path="/v")
    html = render_page("ontology.html", urls, built)
    assert store.queries <= 4 and store.lookups <= 3, (store.queries, store.lookups)
    assert html.count('class="term"') == 400
    assert "p7 بعض صنف 2" in " ".join(lxml.html.fromstring(html).text_content().split())
