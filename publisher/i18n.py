"""Languages of the HTML pages: which one a request gets, which label to show, the UI strings.

The interface's own words exist in Arabic and English (`LANGUAGES`). A dataset's pages are
offered in the languages of its data (`page_languages`): a page in French shows French labels
with the interface's words in English, the fallback, each piece marked with its own `lang` and
`dir`. Data is never translated here: a label missing in the page language is shown in another
language, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("ar", "en")
"""The languages the interface's own words (`UI`) are written in."""
FALLBACK = "en"
"""The interface language of a page whose language the interface does not speak."""
MAX_PAGE_LANGUAGES = 12
"""At most this many page languages (the data's most used): the switcher stays a short list."""
_TAG = re.compile(r"[a-z]{2,3}\Z")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})


def primary_subtag(tag: str) -> str:
    """`ar-EG` → `ar`: the part of a BCP 47 tag that decides the page language."""
    return tag.strip().split("-")[0].split("_")[0].lower()


def direction(lang: str | None) -> str:
    """`rtl` for Arabic (and other right-to-left scripts), `ltr` otherwise."""
    return "rtl" if lang and primary_subtag(lang) in RTL_LANGUAGES else "ltr"


def other_language(lang: str) -> str:
    """The language a label is looked for in after the page's: Arabic and English stand in for
    each other (the embedded dataset's pair); any other page language falls back to English."""
    return "ar" if lang == "en" else "en"


def interface_language(lang: str) -> str:
    """The language the interface's own words are shown in on a page in `lang`."""
    return lang if lang in LANGUAGES else FALLBACK


def page_languages(stated: Iterable[str], labelled: Iterable[str] = ()) -> tuple[str, ...]:
    """The languages a dataset's pages are offered in: those its description states (the
    profile's `dcterms:language`, or `--language`), else those its labels are in, most used
    first; else the interface's own. Tags are reduced to their primary subtag (`fr-CA` → `fr`)."""
    for source in (stated, labelled):
        found: list[str] = []
        for tag in source:
            lang = primary_subtag(tag)
            if _TAG.match(lang) and lang not in found:
                found.append(lang)
        if found:
            return tuple(found[:MAX_PAGE_LANGUAGES])
    return LANGUAGES


def language_name(code: str, lang: str) -> str:
    """The name of the language `code` in the switcher: the interface's own for Arabic and
    English (as before), else its name in itself (the reader looks for their own), else the
    code."""
    key = f"lang_name_{code}"
    if key in UI:
        return ui(key, lang)
    return ENDONYMS.get(code, code)


def choose_language(
    lang_param: str | None,
    accept_language: str | None,
    default: str,
    languages: Sequence[str] = LANGUAGES,
) -> str:
    """The page language among `languages`: `?lang=` if it names one, then `Accept-Language`,
    then `default` (when it is one of them, else the last of them).

    An unsupported `?lang=` value is ignored rather than refused, so a shared link still works.
    Accept-Language ranges are weighed by q (RFC 9110 §12.5.4); ties go to the earlier range.
    """
    if lang_param and primary_subtag(lang_param) in languages:
        return primary_subtag(lang_param)
    fallback = default if default in languages else languages[-1]
    best, best_q = fallback, 0.0
    for tag, q in _accept_ranges(accept_language or ""):
        lang = fallback if tag == "*" else primary_subtag(tag)
        if lang in languages and q > best_q:
            best, best_q = lang, q
    return best


def _accept_ranges(header: str) -> list[tuple[str, float]]:
    """Parse `ar-SA,ar;q=0.9,en;q=0.5` leniently; a malformed q counts as 0 (not acceptable)."""
    ranges = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        if not tag.strip():
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((tag.strip(), q))
    return ranges


@dataclass(frozen=True)
class Text:
    """A piece of text with the language and direction it must be marked with in HTML."""

    value: str
    lang: str | None = None

    @property
    def dir(self) -> str:
        """`auto` for untagged text: the browser then looks at its first strong character."""
        return direction(self.lang) if self.lang else "auto"


def pick(texts: Iterable[Text], lang: str) -> Text | None:
    """The text in `lang`, else in the other page language, else in any language, else None.

    Plain literals (no tag) come after every tagged one; the order within a language is stable.
    """
    candidates = list(texts)
    if not candidates:
        return None

    def rank(text: Text) -> tuple[int, str]:
        tag = primary_subtag(text.lang) if text.lang else ""
        if tag == lang:
            return (0, text.value)
        if tag == other_language(lang):
            return (1, text.value)
        if tag:
            return (2, tag)
        return (3, text.value)

    return min(candidates, key=rank)


UI: dict[str, dict[str, str]] = {
    "site_name": {"en": "Linked data", "ar": "بيانات مترابطة"},
    "site_tagline": {"en": "Linked open data", "ar": "بيانات مترابطة مفتوحة"},
    "skip": {"en": "Skip to content", "ar": "انتقل إلى المحتوى"},
    "nav_label": {"en": "Site", "ar": "الموقع"},
    "nav_home": {"en": "Home", "ar": "الرئيسية"},
    "nav_concepts": {"en": "Concepts", "ar": "المفاهيم"},
    "nav_ontology": {"en": "Ontology", "ar": "الأنطولوجيا"},
    "nav_sparql": {"en": "SPARQL", "ar": "SPARQL"},
    "nav_dumps": {"en": "Downloads", "ar": "التنزيلات"},
    "language": {"en": "Language", "ar": "اللغة"},
    "lang_name_ar": {"en": "العربية", "ar": "العربية"},
    "lang_name_en": {"en": "English", "ar": "English"},
    "counts": {"en": "In numbers", "ar": "بالأرقام"},
    "count_triples": {"en": "statements (quads)", "ar": "عبارة (رباعيات)"},
    "count_graphs": {"en": "named graphs (sources)", "ar": "رسمًا مسمًّى (مصادر)"},
    "count_resources": {"en": "described resources", "ar": "موردًا موصوفًا"},
    "by_type": {"en": "Resources by type", "ar": "الموارد حسب النوع"},
    "main_resources": {"en": "Main resources", "ar": "الموارد الرئيسية"},
    "get_the_data": {"en": "Get the data", "ar": "الحصول على البيانات"},
    "link_dumps": {"en": "Dumps (whole dataset)", "ar": "ملفات التفريغ (المجموعة كاملة)"},
    "link_sparql": {"en": "SPARQL endpoint", "ar": "نقطة استعلام SPARQL"},
    "link_void": {"en": "VoID description", "ar": "وصف VoID"},
    "link_validation": {"en": "SHACL validation report", "ar": "تقرير التحقق SHACL"},
    "link_concepts": {"en": "Concept schemes", "ar": "مخططات المفاهيم"},
    "version": {"en": "Version", "ar": "الإصدار"},
    "modified": {"en": "Last modified", "ar": "آخر تعديل"},
    "license": {"en": "License", "ar": "الترخيص"},
    "iri": {"en": "IRI", "ar": "المعرّف (IRI)"},
    "canonical_iri": {"en": "Canonical IRI", "ar": "المعرّف الدائم"},
    "types": {"en": "Type", "ar": "النوع"},
    "labels": {"en": "Names", "ar": "الأسماء"},
    "other_formats": {"en": "This page as data", "ar": "هذه الصفحة بصيغ البيانات"},
    "properties": {"en": "Everything said about it", "ar": "كل ما قيل عنه"},
    "property": {"en": "Property", "ar": "الخاصية"},
    "value": {"en": "Value", "ar": "القيمة"},
    "source": {"en": "Source", "ar": "المصدر"},
    "source_prefix": {"en": "source:", "ar": "المصدر:"},
    "source_sentence": {"en": "sentence {n} of the article", "ar": "الجملة {n} من المقال"},
    "source_default": {"en": "dataset description", "ar": "وصف مجموعة البيانات"},
    "source_ontology": {"en": "the ontology", "ar": "الأنطولوجيا"},
    "incoming": {"en": "Linked from", "ar": "تشير إليه"},
    "memberships": {"en": "Posts and memberships", "ar": "المناصب والعضويات"},
    "role": {"en": "Role", "ar": "الدور"},
    "statements": {"en": "Statements", "ar": "التصريحات"},
    "speaker": {"en": "Speaker", "ar": "المتحدث"},
    "in_capacity_of": {"en": "in the capacity of", "ar": "بصفته"},
    "summary_en": {"en": "Summary in English", "ar": "ملخص بالإنجليزية"},
    "delivered_at": {"en": "At", "ar": "في"},
    "read_in_article": {"en": "read it in the article", "ar": "اقرأه في المقال"},
    "participations": {"en": "Participation", "ar": "المشاركة"},
    "article_text": {"en": "The article", "ar": "نص المقال"},
    "article_note": {
        "en": "Each highlighted passage is a sentence that facts of this dataset come from; "
        "follow its number to the facts.",
        "ar": "كل مقطع مظلَّل جملةٌ أُخذت منها وقائع في مجموعة البيانات؛ اتبع رقمها إلى الوقائع.",
    },
    "passages": {"en": "Sentences and their facts", "ar": "الجمل ووقائعها"},
    "facts_of_sentence": {"en": "facts", "ar": "الوقائع"},
    "statements_here": {"en": "statements reported here", "ar": "تصريحات منقولة هنا"},
    "how_made": {"en": "How this page was made", "ar": "كيف صُنعت هذه الصفحة"},
    "how_made_note": {
        "en": "This page shows the results of these SPARQL queries over the dataset "
        "(labels are looked up separately).",
        "ar": "تعرض هذه الصفحة نتائج استعلامات SPARQL هذه على مجموعة البيانات "
        "(وتُجلب التسميات على حدة).",
    },
    "run_query": {"en": "Run this query", "ar": "شغّل هذا الاستعلام"},
    "concepts_title": {"en": "Concept schemes", "ar": "مخططات المفاهيم"},
    "number": {"en": "No.", "ar": "الرقم"},
    "concept": {"en": "Concept", "ar": "المفهوم"},
    "other_labels": {"en": "Other names", "ar": "أسماء أخرى"},
    "title": {"en": "Title", "ar": "العنوان"},
    "ontology_classes": {"en": "Classes", "ar": "الأصناف"},
    "ontology_properties": {"en": "Properties", "ar": "الخصائص"},
    "ontology_object_properties": {"en": "Object properties", "ar": "خصائص الكائنات"},
    "ontology_datatype_properties": {"en": "Datatype properties", "ar": "خصائص البيانات"},
    "ontology_individuals": {"en": "Named individuals", "ar": "أفراد مسمَّون"},
    "ontology_metadata": {"en": "About this ontology", "ar": "عن هذه الأنطولوجيا"},
    "ontology_contents": {"en": "Contents", "ar": "المحتويات"},
    "namespace": {"en": "Namespace", "ar": "فضاء الأسماء"},
    "subclass_of": {"en": "Subclass of", "ar": "صنف فرعي من"},
    "subproperty_of": {"en": "Subproperty of", "ar": "خاصية فرعية من"},
    "superclass_of": {"en": "Has subclasses", "ar": "أصنافه الفرعية"},
    "domain": {"en": "Domain", "ar": "المجال"},
    "range": {"en": "Range", "ar": "المدى"},
    "alignments": {"en": "Related terms", "ar": "مصطلحات ذات صلة"},
    "used_with": {"en": "In the domain of", "ar": "ضمن مجال"},
    "in_range_of": {"en": "In the range of", "ar": "ضمن مدى"},
    "instances": {"en": "Instances in the data", "ar": "عدد المثيلات في البيانات"},
    "union_of": {"en": "one of", "ar": "أحد"},
    "not_found_title": {"en": "Not found", "ar": "غير موجود"},
    "not_found_text": {
        "en": "Nothing is published at this address.",
        "ar": "لا يوجد شيء منشور على هذا العنوان.",
    },
    "not_found_help": {
        "en": "Start from the home page, or ask the SPARQL endpoint.",
        "ar": "ابدأ من الصفحة الرئيسية، أو اسأل نقطة استعلام SPARQL.",
    },
    "no_values": {"en": "Nothing is recorded.", "ar": "لا شيء مسجّل."},
    "in_scheme": {"en": "In scheme", "ar": "ضمن مخطط"},
    "q_facts": {
        "en": "Everything said about it, with the named graph (source) of each fact",
        "ar": "كل ما قيل عنه، مع الرسم المسمّى (المصدر) لكل واقعة",
    },
    "q_incoming": {"en": "What links to it", "ar": "ما يشير إليه"},
    "q_memberships": {"en": "Posts and memberships", "ar": "المناصب والعضويات"},
    "q_statements": {"en": "Statements and their sentences", "ar": "التصريحات وجملها"},
    "q_participations": {"en": "Participation in events", "ar": "المشاركة في الأحداث"},
    "q_article": {"en": "The article's text and its sentences", "ar": "نص المقال وجمله"},
    "q_passage_statements": {
        "en": "Statements reported in each sentence",
        "ar": "التصريحات المنقولة في كل جملة",
    },
    "q_passage": {"en": "The quoted sentence", "ar": "الجملة المقتبسة"},
    "q_graph": {"en": "The facts in this named graph", "ar": "الوقائع في هذا الرسم المسمّى"},
    "q_sources": {"en": "The sources of the facts", "ar": "مصادر الوقائع"},
    "q_counts": {"en": "Named graphs and resources", "ar": "الرسوم المسمّاة والموارد"},
    "q_types": {"en": "Resources by type", "ar": "الموارد حسب النوع"},
    "q_main": {"en": "The resources of each class", "ar": "موارد كل صنف"},
    "q_concepts": {"en": "The concepts of each scheme", "ar": "مفاهيم كل مخطط"},
    "q_ontology": {"en": "The terms of the ontology", "ar": "مصطلحات الأنطولوجيا"},
    "q_instances": {"en": "Instances of each class", "ar": "مثيلات كل صنف"},
    "sentence_n": {"en": "Sentence {n}", "ar": "الجملة {n}"},
    "graph_facts": {"en": "Facts stated by this source", "ar": "الوقائع المأخوذة من هذا المصدر"},
    "quote": {"en": "The sentence", "ar": "الجملة"},
    "comma": {"en": ",", "ar": "،"},
    "semicolon": {"en": ";", "ar": "؛"},
    "summary": {"en": "Summary", "ar": "ملخص"},
    "details": {"en": "details", "ar": "التفاصيل"},
    "participant": {"en": "Participant", "ar": "المشارك"},
    "event": {"en": "Event", "ar": "الحدث"},
    "represented_by_col": {"en": "Represented by", "ar": "يمثّله"},
    "nav_classes": {"en": "Classes", "ar": "الأصناف"},
    "classes_title": {"en": "Classes", "ar": "الأصناف"},
    "classes_intro": {
        "en": "Every class the data's resources are instances of, with how many there are.",
        "ar": "كل صنف تنتمي إليه موارد البيانات، مع عدد مثيلاته.",
    },
    "class_column": {"en": "Class", "ar": "الصنف"},
    "instances_column": {"en": "Instances", "ar": "المثيلات"},
    "all_classes": {"en": "All {n} classes", "ar": "كل الأصناف ({n})"},
    "most_linked": {"en": "Most linked", "ar": "الأكثر إحالةً إليه"},
    "most_linked_note": {
        "en": "The resources the most statements of the data point to.",
        "ar": "الموارد التي تشير إليها أكثر عبارات البيانات.",
    },
    "links_count": {"en": "{n} links", "ar": "{n} إحالة"},
    "class_page_title": {"en": "Instances of {name}", "ar": "مثيلات {name}"},
    "instances_of": {"en": "Instances of", "ar": "مثيلات"},
    "class_page_count": {
        "en": "{n} instances, sorted by name; {first}–{last} on this page.",
        "ar": "{n} مثيلًا مرتبة بالاسم؛ من {first} إلى {last} في هذه الصفحة.",
    },
    "pages_label": {"en": "Pages", "ar": "الصفحات"},
    "page_previous": {"en": "Previous", "ar": "السابقة"},
    "page_next": {"en": "Next", "ar": "التالية"},
    "page_n": {"en": "page {n}", "ar": "الصفحة {n}"},
    "class_iri": {"en": "Class IRI", "ar": "معرّف الصنف"},
}

ENDONYMS: dict[str, str] = {
    "ar": "العربية", "de": "Deutsch", "el": "Ελληνικά", "en": "English", "es": "Español",
    "fa": "فارسی", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "id": "Bahasa Indonesia",
    "it": "Italiano", "ja": "日本語", "ko": "한국어", "ms": "Bahasa Melayu", "nl": "Nederlands",
    "pl": "Polski", "pt": "Português", "ru": "Русский", "sv": "Svenska", "sw": "Kiswahili",
    "tr": "Türkçe", "uk": "Українська", "ur": "اردو", "zh": "中文",
}  # fmt: skip
"""Languages by their own names, for the switcher (an unlisted one shows its code)."""


def ui(key: str, lang: str, **values: object) -> str:
    """A UI string in the page language (English where the interface does not speak it); a
    missing key is a bug and raises KeyError."""
    text = UI[key][interface_language(lang)]
    return text.format(**values) if values else text


# Labels of the reused vocabulary terms that the store does not describe, so that a page shows
# "Start date" rather than `schema:startDate`; the compact IRI is always shown beside them.
TERM_LABELS: dict[str, dict[str, str]] = {
    "rdf:type": {"en": "type", "ar": "النوع"},
    "rdfs:label": {"en": "label", "ar": "التسمية"},
    "rdfs:comment": {"en": "comment", "ar": "تعليق"},
    "rdfs:seeAlso": {"en": "see also", "ar": "انظر أيضًا"},
    "rdfs:isDefinedBy": {"en": "defined by", "ar": "معرَّف في"},
    "rdfs:subClassOf": {"en": "subclass of", "ar": "صنف فرعي من"},
    "rdfs:subPropertyOf": {"en": "subproperty of", "ar": "خاصية فرعية من"},
    "rdfs:domain": {"en": "domain", "ar": "المجال"},
    "rdfs:range": {"en": "range", "ar": "المدى"},
    "rdfs:Class": {"en": "class", "ar": "صنف"},
    "owl:sameAs": {"en": "same as", "ar": "هو نفسه"},
    "owl:Class": {"en": "class", "ar": "صنف"},
    "owl:ObjectProperty": {"en": "object property", "ar": "خاصية كائن"},
    "owl:DatatypeProperty": {"en": "datatype property", "ar": "خاصية بيانات"},
    "owl:NamedIndividual": {"en": "named individual", "ar": "فرد مسمّى"},
    "owl:Ontology": {"en": "ontology", "ar": "أنطولوجيا"},
    "owl:versionIRI": {"en": "version IRI", "ar": "معرّف الإصدار"},
    "owl:versionInfo": {"en": "version", "ar": "الإصدار"},
    "owl:equivalentClass": {"en": "equivalent class", "ar": "صنف مكافئ"},
    "owl:equivalentProperty": {"en": "equivalent property", "ar": "خاصية مكافئة"},
    "skos:prefLabel": {"en": "preferred label", "ar": "التسمية المفضلة"},
    "skos:altLabel": {"en": "alternative label", "ar": "تسمية بديلة"},
    "skos:notation": {"en": "notation", "ar": "الرمز"},
    "skos:definition": {"en": "definition", "ar": "التعريف"},
    "skos:inScheme": {"en": "in scheme", "ar": "ضمن مخطط"},
    "skos:topConceptOf": {"en": "top concept of", "ar": "مفهوم أعلى في"},
    "skos:hasTopConcept": {"en": "has top concept", "ar": "مفهومه الأعلى"},
    "skos:exactMatch": {"en": "exact match", "ar": "مطابق تمامًا"},
    "skos:closeMatch": {"en": "close match", "ar": "مطابق تقريبًا"},
    "skos:relatedMatch": {"en": "related match", "ar": "مرتبط بـ"},
    "skos:broader": {"en": "broader", "ar": "أعم"},
    "skos:narrower": {"en": "narrower", "ar": "أخص"},
    "skos:Concept": {"en": "concept", "ar": "مفهوم"},
    "skos:ConceptScheme": {"en": "concept scheme", "ar": "مخطط مفاهيم"},
    "schema:name": {"en": "name", "ar": "الاسم"},
    "schema:startDate": {"en": "start date", "ar": "تاريخ البدء"},
    "schema:endDate": {"en": "end date", "ar": "تاريخ الانتهاء"},
    "schema:duration": {"en": "duration", "ar": "المدة"},
    "schema:location": {"en": "location", "ar": "المكان"},
    "schema:organizer": {"en": "organiser", "ar": "الجهة المنظِّمة"},
    "schema:superEvent": {"en": "part of event", "ar": "جزء من حدث"},
    "schema:subEvent": {"en": "sub-event", "ar": "حدث فرعي"},
    "schema:about": {"en": "about", "ar": "موضوعه"},
    "schema:abstract": {"en": "summary", "ar": "ملخص"},
    "schema:text": {"en": "text", "ar": "النص"},
    "schema:inLanguage": {"en": "language", "ar": "اللغة"},
    "schema:mentions": {"en": "mentions", "ar": "يذكر"},
    "schema:isPartOf": {"en": "part of", "ar": "جزء من"},
    "schema:eventAttendanceMode": {"en": "attendance mode", "ar": "طريقة الحضور"},
    "schema:url": {"en": "web page", "ar": "صفحة الويب"},
    "schema:sameAs": {"en": "same as", "ar": "هو نفسه"},
    "schema:datePublished": {"en": "date published", "ar": "تاريخ النشر"},
    "schema:publisher": {"en": "publisher", "ar": "الناشر"},
    "schema:Person": {"en": "person", "ar": "شخص"},
    "schema:Organization": {"en": "organisation", "ar": "منظمة"},
    "schema:Country": {"en": "country", "ar": "بلد"},
    "schema:Event": {"en": "event", "ar": "حدث"},
    "schema:EventSeries": {"en": "event series", "ar": "سلسلة أحداث"},
    "schema:NewsArticle": {"en": "news article", "ar": "مقال إخباري"},
    "schema:CreativeWork": {"en": "creative work", "ar": "عمل"},
    "schema:Report": {"en": "report", "ar": "تقرير"},
    "schema:VirtualLocation": {"en": "virtual location", "ar": "مكان افتراضي"},
    "schema:OnlineEventAttendanceMode": {"en": "online", "ar": "عبر الإنترنت"},
    "schema:Quotation": {"en": "quotation", "ar": "اقتباس"},
    "schema:Role": {"en": "role", "ar": "دور"},
    "foaf:Person": {"en": "person", "ar": "شخص"},
    "foaf:Group": {"en": "group", "ar": "مجموعة"},
    "foaf:Agent": {"en": "agent", "ar": "فاعل"},
    "foaf:name": {"en": "name", "ar": "الاسم"},
    "org:member": {"en": "member", "ar": "العضو"},
    "org:organization": {"en": "organisation", "ar": "الجهة"},
    "org:role": {"en": "role", "ar": "الدور"},
    "org:Membership": {"en": "membership", "ar": "عضوية"},
    "org:Role": {"en": "role", "ar": "دور"},
    "org:Organization": {"en": "organisation", "ar": "منظمة"},
    "org:FormalOrganization": {"en": "formal organisation", "ar": "منظمة رسمية"},
    "prov:wasDerivedFrom": {"en": "derived from", "ar": "مستمد من"},
    "prov:hadPrimarySource": {"en": "primary source", "ar": "المصدر الأولي"},
    "prov:wasAttributedTo": {"en": "attributed to", "ar": "منسوب إلى"},
    "prov:Entity": {"en": "entity", "ar": "كيان"},
    "prov:Association": {"en": "association", "ar": "ارتباط"},
    "dcterms:source": {"en": "source", "ar": "المصدر"},
    "dcterms:title": {"en": "title", "ar": "العنوان"},
    "dcterms:description": {"en": "description", "ar": "الوصف"},
    "dcterms:identifier": {"en": "identifier", "ar": "المعرّف"},
    "dcterms:license": {"en": "license", "ar": "الترخيص"},
    "dcterms:creator": {"en": "creator", "ar": "المنشئ"},
    "dcterms:created": {"en": "created", "ar": "تاريخ الإنشاء"},
    "dcterms:modified": {"en": "modified", "ar": "تاريخ التعديل"},
    "oa:hasSource": {"en": "source document", "ar": "الوثيقة المصدر"},
    "oa:hasSelector": {"en": "selector", "ar": "المحدِّد"},
    "oa:exact": {"en": "exact text", "ar": "النص الحرفي"},
    "oa:start": {"en": "start (code point)", "ar": "البداية (موضع المحرف)"},
    "oa:end": {"en": "end (code point)", "ar": "النهاية (موضع المحرف)"},
    "oa:SpecificResource": {"en": "specific resource", "ar": "مورد محدد"},
    "oa:TextQuoteSelector": {"en": "text quote selector", "ar": "محدِّد باقتباس النص"},
    "oa:TextPositionSelector": {"en": "text position selector", "ar": "محدِّد بموضع النص"},
    "vann:preferredNamespacePrefix": {"en": "preferred prefix", "ar": "البادئة المفضلة"},
    "vann:preferredNamespaceUri": {"en": "namespace", "ar": "فضاء الأسماء"},
}
