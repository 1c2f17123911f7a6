"""The resource page as people read it: the summary card, the property order the data declares,
dates, durations and numbers formatted for the reader (with the data's own form kept), sources
named once and cited by number, types shown once, and the objectives' titles in the reader's
language. In process, on the repository's dataset; plus a small dataset of its own to show
that the order and the summary come from the data, with an alphabetical fallback.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import lxml.html
import pyoxigraph as ox
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from publisher.config import Settings
from publisher.dataset import Dataset
from publisher.i18n import Text
from publisher.pages.base import Labeller
from publisher.pages.readable import readable, span
from publisher.pages.resource import resource_page
from publisher.pages.sections import section_view
from publisher.profile import read_profile
from publisher.profile_views import Column, Section, read_layouts
from publisher.stores import open_dataset
from publisher.urls import Urls
from publisher.vocab import XSD
from publisher.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

EVENT = "/doc/event/gcm-arab-regional-review-conference-2021.html"
EVENT_IRI = "https://w3id.org/gcm-arab-review/id/event/gcm-arab-regional-review-conference-2021"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(settings: Settings, dataset: Dataset) -> Iterator[TestClient]:
    with TestClient(create_app(settings, dataset)) as test_client:
        yield test_client


def get(client: TestClient, url: str) -> lxml.html.HtmlElement:
    response = client.get(url, headers=HTML)
    assert response.status_code == 200, (url, response.text[:300])
    return lxml.html.fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def summary(tree: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    (card,) = tree.xpath("//section[@class='summary-card']")
    return {text(row.xpath("./dt")[0]): row.xpath("./dd")[0] for row in card.xpath(".//dl/div")}


def shown(cell: lxml.html.HtmlElement) -> str:
    """What a summary cell says, without its "[n]" citations."""
    for cite in cell.xpath(".//a[@class='cite']"):
        cite.drop_tree()
    return text(cell)


# ---------------------------------------------------------------------------------------------
# The summary card
# ---------------------------------------------------------------------------------------------

CARD = {
    "en": {
        "Dates": "24–25 Feb 2021",
        "Duration": "2 days",
        "Format": "online",
        "Statements": "3",
        "Participants": "7",
    },
    "ar": {
        "التاريخ": "24–25 فبراير 2021",
        "المدة": "يومان",
        "الشكل": "عبر الإنترنت",
        "التصريحات": "3",
        "المشاركون": "7",
    },
}
ORDER = {
    "en": ["Dates", "Duration", "Format", "Organisers", "Statements", "Participants"],
    "ar": ["التاريخ", "المدة", "الشكل", "المنظمون", "التصريحات", "المشاركون"],
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_event_opens_with_its_summary(client: TestClient, lang: str) -> None:
    tree = get(client, f"{EVENT}?lang={lang}")
    rows = summary(tree)
    assert list(rows) == ORDER[lang]
    for title, expected in CARD[lang].items():
        assert shown(rows[title]) == expected, title
    organisers = rows[ORDER[lang][3]].xpath(".//a[not(@class='cite')]/@href")
    assert sorted(h.split("?")[0] for h in organisers) == [
        f"/doc/org/{slug}.html" for slug in ("escwa", "iom", "league-of-arab-states")
    ]
    # the card comes first, before the statements, the participation and the details
    (main,) = tree.xpath("//main")
    sections = [s.get("class") or s.get("aria-labelledby") for s in main.xpath(".//section")]
    assert sections[0] == "summary-card"


def test_summary_keeps_what_the_data_says(client: TestClient) -> None:
    rows = summary(get(client, f"{EVENT}?lang=en"))
    (dates,) = rows["Dates"].xpath(".//data")
    assert dates.get("value") == "2021-02-24/2021-02-25"  # ISO 8601: the span of the two dates
    assert "xsd:date" in dates.get("title")
    (duration,) = rows["Duration"].xpath(".//data")
    assert (duration.get("value"), duration.get("title")) == ("P2D", "P2D (xsd:duration)")
    assert [d.get("value") for d in rows["Statements"].xpath(".//data")] == ["3"]
    # every fact of the card cites its source, as the tables do
    for title in ("Dates", "Duration", "Format", "Organisers"):
        assert rows[title].xpath(".//a[@class='cite']"), title


def test_counts_lead_to_what_they_count(client: TestClient) -> None:
    """A count links to the row that lists the counted resources: the statements delivered at
    the event among the incoming links, its participations among its own properties."""
    tree = get(client, f"{EVENT}?lang=en")
    rows = summary(tree)
    for title, table, listed in (("Statements", "h-incoming", 3), ("Participants", "h-facts", 7)):
        (link,) = rows[title].xpath(".//a[@class='count-link']")
        (target,) = tree.xpath(f"//*[@id='{link.get('href').removeprefix('#')}']")
        assert target.xpath(f"ancestor::section[@aria-labelledby='{table}']"), title
        assert len(target.xpath(".//ul[@class='values']/li")) == listed, title


def test_arabic_summary_is_marked_arabic(client: TestClient) -> None:
    rows = summary(get(client, f"{EVENT}?lang=ar"))
    (dates,) = rows["التاريخ"].xpath(".//data/bdi")
    assert (dates.get("lang"), dates.get("dir")) == ("ar", "rtl")


def test_a_page_without_a_layout_has_no_card(client: TestClient) -> None:
    tree = get(client, "/doc/person/rola-dashti.html?lang=en")
    assert not tree.xpath("//section[@class='summary-card']")


# ---------------------------------------------------------------------------------------------
# The property order
# ---------------------------------------------------------------------------------------------


def facts_order(tree: lxml.html.HtmlElement) -> list[str]:
    (table,) = tree.xpath("//section[@aria-labelledby='h-facts']//table")
    return [row.xpath("./th//code")[0].text for row in table.xpath("./tbody/tr")]


def test_event_properties_follow_the_profile(client: TestClient) -> None:
    order = facts_order(get(client, f"{EVENT}?lang=en"))
    assert order[:2] == ["rdf:type", "rdfs:label"]  # types and labels first, as everywhere
    declared = [
        "schema:startDate",
        "schema:endDate",
        "schema:duration",
        "schema:eventAttendanceMode",
        "schema:location",
        "schema:organizer",
        "gcmr:inCooperationWith",
        "gcmr:hasParticipation",
        "schema:superEvent",
        "gcmr:reviews",
        "schema:about",
    ]
    assert order[2 : 2 + len(declared)] == declared
    assert order[2 + len(declared) :] == ["schema:name"]  # what the layout does not name


def test_facts_show_dates_and_numbers_formatted(client: TestClient) -> None:
    tree = get(client, f"{EVENT}?lang=en")
    start = tree.xpath("//tr[th//code='schema:startDate']//data")[0]
    assert (text(start), start.get("value")) == ("24 February 2021", "2021-02-24")
    objective = get(client, "/doc/objective/13.html?lang=ar")
    notation = objective.xpath("//tr[th//code='skos:notation']//data")[0]
    assert (text(notation), notation.get("title")) == ("13", "13 (xsd:integer)")


@pytest.mark.parametrize(
    ("lexical", "datatype", "lang", "expected"),
    [
        ("2021-02-24", "date", "en", "24 February 2021"),
        ("2021-02-24", "date", "ar", "24 فبراير 2021"),
        ("2021-02-24Z", "date", "en", "24 February 2021"),
        ("2018", "gYear", "en", "2018"),
        ("2021-02", "gYearMonth", "en", "February 2021"),
        ("P2D", "duration", "en", "2 days"),
        ("P2D", "duration", "ar", "يومان"),
        ("P1DT2H", "duration", "en", "1 day and 2 hours"),
        ("PT0S", "duration", "en", "0 seconds"),
        ("12345", "integer", "en", "12,345"),
        ("12345.678901", "decimal", "en", "12,345.678901"),
        ("2021-02-24T10:30:00", "dateTime", "en", "24 Feb 2021, 10:30:00\u202fam"),
        ("2021-02-30", "date", "en", None),  # no such day: shown as written
        ("P", "duration", "en", None),
        ("NaN", "double", "en", None),
        ("twelve", "integer", "en", None),
        ("1_000", "integer", "en", None),  # not XSD's lexical form, though Python reads it
        ("1.5E3", "double", "en", "1,500"),
        ("hello", "string", "en", None),
    ],
)
def test_readable(lexical: str, datatype: str, lang: str, expected: str | None) -> None:
    assert readable(lexical, XSD + datatype, lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "24 février 2021"), ("pt-BR", "24 de fevereiro de 2021"), ("tlh", "24 February 2021")],
)
def test_other_page_languages(lang: str, expected: str) -> None:
    """A dataset may publish in other languages: CLDR's, else international English."""
    assert readable("2021-02-24", XSD + "date", lang) == expected


def test_span_of_dates() -> None:
    thin = "\u2009"  # CLDR's thin spaces around a dash between two full dates
    assert (
        span([date(2020, 6, 25), date(2021, 2, 25)], "en") == f"25 Jun 2020{thin}–{thin}25 Feb 2021"
    )
    assert span([date(2021, 2, 24), date(2021, 2, 24)], "en") == "24 February 2021"


OWN_DATA = """
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/things/> .

ex:meeting a schema:Event ; rdfs:label "Meeting"@en ;
    schema:startDate "2024-05-01"^^xsd:date ; schema:endDate "2024-05-03"^^xsd:date ;
    schema:attendee ex:ann , ex:bob ; schema:about ex:topic .
ex:talk schema:superEvent ex:meeting .
ex:panel schema:superEvent ex:meeting .
"""

OWN_LAYOUT = """
@prefix schema: <https://schema.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dash: <http://datashapes.org/dash#> .
@prefix ex: <https://example.org/things/> .

ex:event-layout a sh:NodeShape ; sh:targetClass schema:Event ; sh:deactivated true ;
    sh:property [ sh:path schema:startDate ; sh:order 1 ] ,
        [ sh:path schema:endDate ; sh:order 2 ] ,
        [ sh:path [ sh:alternativePath ( schema:startDate schema:endDate ) ] ; sh:order 0 ;
          dash:propertyRole dash:KeyInfoRole ; sh:name "When"@en ] ,
        [ sh:path [ sh:inversePath schema:superEvent ] ; sh:order 3 ;
          dash:propertyRole dash:KeyInfoRole ] ,
        [ sh:path schema:attendee ; sh:order 4 ; dash:propertyRole dash:KeyInfoRole ] .
"""


def own_dataset(tmp_path: Path, *texts: str) -> Dataset:
    files = []
    for n, body in enumerate(texts):
        files.append(tmp_path / f"part{n}.ttl")
        files[-1].write_text(body, encoding="utf-8")
    settings = Settings(
        base_iri="https://example.org/things/", data=[str(f) for f in files], shapes=[]
    )
    return open_dataset(settings)


def own_page(dataset: Dataset, lang: str = "en") -> list[str]:
    urls = Urls(dataset.base_iri, dataset.base_iri)
    profile = read_profile(dataset)
    page = resource_page(
        dataset.store, urls, "https://example.org/things/meeting", lang, layouts=profile.layouts
    )
    return [g.property.compact or g.property.iri for g in page.facts], page


def test_without_a_layout_the_order_is_alphabetical(tmp_path: Path) -> None:
    dataset = own_dataset(tmp_path, OWN_DATA)
    assert read_layouts(dataset.store) == ()
    order, page = own_page(dataset)
    # by label: "about", "end date", "schema:attendee" (a term without a label), "start date"
    assert order == [
        "rdf:type",
        "rdfs:label",
        "schema:about",
        "schema:endDate",
        "schema:attendee",
        "schema:startDate",
    ]
    assert page.summary == ()


def test_a_datasets_own_layout_orders_and_sums_up(tmp_path: Path) -> None:
    order, page = own_page(own_dataset(tmp_path, OWN_DATA, OWN_LAYOUT))
    assert order == [
        "rdf:type",
        "rdfs:label",
        "schema:startDate",
        "schema:endDate",
        "schema:attendee",
        "schema:about",
    ]
    rows = {row.title.value: row for row in page.summary}
    assert list(rows) == ["When", "part of event", "schema:attendee"]  # sh:name, else label
    assert [v.text for v in rows["When"].values] == [Text("1–3 May 2024", "en")]
    assert rows["part of event"].count == Text("2") and not rows["part of event"].values
    attendees = [v.link.iri for v in rows["schema:attendee"].values if v.link]
    assert attendees == ["https://example.org/things/ann", "https://example.org/things/bob"]


# ---------------------------------------------------------------------------------------------
# Sources named once, types once, the page's own resource not repeated
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [EVENT, "/doc/person/rola-dashti.html", "/doc/objective/13.html"])
def test_sources_are_named_once_and_cited(client: TestClient, path: str) -> None:
    tree = get(client, f"{path}?lang=en")
    entries = tree.xpath("//ol[@class='citations']/li")
    assert [e.get("id") for e in entries] == [f"cite-{n}" for n in range(1, len(entries) + 1)]
    named = [text(e) for e in entries]
    assert len(set(named)) == len(named), "each source is listed once"
    assert not tree.xpath("//main//span[@class='src']"), "no source is named beside a fact"
    cites = tree.xpath("//a[@class='cite']")
    assert len(cites) > len(entries)  # the point: a source cited many times is named once
    for cite in cites:
        number = int(cite.get("href").removeprefix("#cite-"))
        assert 1 <= number <= len(entries)
        assert cite.get("title") == text(entries[number - 1].xpath("./*")[0])
    # every fact still leads to its source: the list links the sentence or reference page (the
    # dataset's own description, the default graph, is the page's own data)
    assert all(e.xpath("./a[@href]") for e in entries if text(e) != "dataset description")


def test_event_sources_in_the_list(client: TestClient) -> None:
    tree = get(client, f"{EVENT}?lang=en")
    named = [text(e) for e in tree.xpath("//ol[@class='citations']/li")]
    assert sum("ESCWA event page" in n for n in named) == 1
    assert any(n.startswith("sentence 3 of the article") for n in named)


@pytest.mark.parametrize(("lang", "label"), [("en", "person"), ("ar", "شخص")])
def test_types_show_once(client: TestClient, lang: str, label: str) -> None:
    tree = get(client, f"/doc/person/rola-dashti.html?lang={lang}")
    (types,) = tree.xpath("//tr[th//code='rdf:type']")
    values = types.xpath(".//ul[@class='values']/li")
    assert len(values) == 1 and text(values[0].xpath("./a")[0]) == label
    assert {"foaf:Person", "schema:Person"} == {
        c.text for c in values[0].xpath(".//span[@class='also']//code")
    }
    hrefs = values[0].xpath(".//span[@class='also']/a/@href")
    assert "http://xmlns.com/foaf/0.1/Person" in hrefs and "https://schema.org/Person" in hrefs
    assert len(tree.xpath("//p[@class='types']/a")) == 1  # the badge above the title too


def test_event_tables_do_not_repeat_the_page_title(client: TestClient) -> None:
    tree = get(client, f"{EVENT}?lang=en")
    for table in tree.xpath("//table[contains(@class, 'section')]"):
        headers = [text(th) for th in table.xpath("./thead/tr/th")]
        assert "Event" not in headers and "At" not in headers, headers
        assert "Regional Review Conference" not in text(table.xpath("./tbody")[0])
    rows = tree.xpath("//table[contains(@class, 'section-participations')]/tbody/tr")
    assert len(rows) == 7


def test_a_row_about_the_page_itself_has_no_details_link(client: TestClient) -> None:
    tree = get(client, "/doc/statement/antonio-vitorino.html?lang=en")
    (table,) = tree.xpath("//table[contains(@class, 'section-statements')]")
    headers = [text(th) for th in table.xpath("./thead/tr/th")]
    assert headers[0] == "Speaker"  # the statement column, the page itself, is left out
    assert not table.xpath(".//a[@class='details']")


def test_a_cell_that_is_the_page_itself_says_so(dataset: Dataset, settings: Settings) -> None:
    """A column kept for other rows shows the page's own resource briefly, not by its title."""
    names = Labeller(dataset.store, Urls(settings.base_iri, settings.origin), "en")
    this = ox.NamedNode(EVENT_IRI)
    other = ox.NamedNode("https://w3id.org/gcm-arab-review/id/event/imrf-2022")
    section = Section("x", "x", "", (), (Column("who", {"en": "Who"}), Column("at", {"en": "At"})))
    rows = [
        {"this": this, "who": ox.Literal("A"), "at": this},
        {"this": this, "who": ox.Literal("B"), "at": other},
    ]
    view = section_view(names, section, Text("x"), rows, this)
    assert [h.value for h in view.headers] == ["Who", "At"]
    cells = {row.cells[0][0].text.value: row.cells[1][0] for row in view.rows}
    assert cells["A"].text == Text("this page", "en") and cells["A"].link is None
    assert cells["B"].link is not None and cells["B"].link.href.startswith("/doc/event/imrf-2022")
    only_this = section_view(names, section, Text("x"), rows[:1], this)
    assert [h.value for h in only_this.headers] == ["Who"]


# ---------------------------------------------------------------------------------------------
# The objectives in the reader's language
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Objective 13: Use migration detention"), ("ar", "الهدف 13")],
)
def test_objective_titles_in_the_readers_language(
    client: TestClient, lang: str, expected: str
) -> None:
    objective = get(client, f"/doc/objective/13.html?lang={lang}")
    assert text(objective.xpath("//h1")[0]).startswith(expected)
    scheme = get(client, f"/doc/scheme/gcm-objectives.html?lang={lang}")
    (listed,) = scheme.xpath("//tr[th//code='skos:inScheme']")
    titles = [text(a) for a in listed.xpath(".//li/a[not(@class='cite')]")]
    assert len(titles) == 23
    assert any(t.startswith(expected) for t in titles)
    french = "Ne recourir au placement"
    assert not any(t.startswith(french) for t in titles)
