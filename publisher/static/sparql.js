// The query page's editor: SPARQL syntax highlighting under a plain textarea, Ctrl+Enter to
// run, and POST instead of GET for long queries. Without JavaScript the form still works.
(function () {
  "use strict";

  var KEYWORDS = [
    "BASE", "PREFIX", "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "DISTINCT", "REDUCED", "FROM",
    "NAMED", "WHERE", "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "AS",
    "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "NOT", "EXISTS", "IN",
    "SERVICE", "SILENT", "UNDEF", "a", "true", "false", "COUNT", "SUM", "MIN", "MAX", "AVG",
    "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND",
    "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE",
    "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER",
    "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID",
    "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG",
    "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX",
    "SUBSTR", "REPLACE"
  ];
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { KEYWORD_SET[k.toUpperCase()] = true; });

  // One pass over the text, longest meaningful token first (IRIs before `<`, strings, comments).
  var TOKEN = new RegExp([
    "(#[^\\n\\r]*)",                                           // 1 comment
    "(<[^<>\"{}|^`\\\\\\x00-\\x20]*>)",                         // 2 IRI
    "('''[\\s\\S]*?'''|\"\"\"[\\s\\S]*?\"\"\"|'(?:[^'\\\\\\n\\r]|\\\\.)*'|\"(?:[^\"\\\\\\n\\r]|\\\\.)*\")", // 3 string
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",                      // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:[\\w.:%-]*)",                      // 5 prefixed name
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                          // 6 language tag
    "([+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+))",       // 7 number
    "([A-Za-z_][A-Za-z0-9_]*)"                                 // 8 word
  ].join("|"), "g");
  var CLASSES = [null, "comment", "iri", "string", "variable", "pname", "lang", "number", "word"];

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = "", last = 0, match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      if (match[0] === "") { TOKEN.lastIndex++; continue; }
      out += escapeHtml(text.slice(last, match.index));
      var kind = null;
      for (var i = 1; i < CLASSES.length; i++) { if (match[i] !== undefined) { kind = CLASSES[i]; break; } }
      if (kind === "word") { kind = KEYWORD_SET[match[0].toUpperCase()] ? "keyword" : null; }
      var html = escapeHtml(match[0]);
      out += kind ? '<span class="tok-' + kind + '">' + html + "</span>" : html;
      last = TOKEN.lastIndex;
    }
    // A trailing newline needs a character after it or the overlay is one line short.
    return out + escapeHtml(text.slice(last)) + "\n";
  }

  function init() {
    var textarea = document.getElementById("sparql-query");
    var code = document.getElementById("sparql-highlight");
    var form = document.getElementById("sparql-form");
    if (!textarea || !code || !form) { return; }
    var pre = code.parentNode;
    document.documentElement.classList.add("sparql-js");
    function update() { code.innerHTML = highlight(textarea.value); sync(); }
    function sync() { pre.scrollTop = textarea.scrollTop; pre.scrollLeft = textarea.scrollLeft; }
    textarea.addEventListener("input", update);
    textarea.addEventListener("scroll", sync);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      } else if (event.key === "Tab" && !event.shiftKey && !event.altKey) {
        event.preventDefault();
        var start = textarea.selectionStart, end = textarea.selectionEnd;
        textarea.value = textarea.value.slice(0, start) + "  " + textarea.value.slice(end);
        textarea.selectionStart = textarea.selectionEnd = start + 2;
        update();
      }
    });
    // Long queries do not fit in a URL; the endpoint answers a form POST exactly like a GET.
    form.addEventListener("submit", function () {
      form.method = encodeURIComponent(textarea.value).length > 4000 ? "post" : "get";
    });
    update();
  }

  window.sparqlHighlight = highlight;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
