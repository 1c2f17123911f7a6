// The query page: the editor (vendor/codemirror/editor.js, global SparqlEditor) with the
// dataset's completion, examples loaded into it, and results fetched as SPARQL JSON (or
// N-Triples) and shown a page of rows at a time, with labels, links, downloads and a bar chart
// for two-column numeric results. Without JavaScript the form and the server's table work.
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.1";
  var LABELS = ["http://www.w3.org/2000/01/rdf-schema#label",
                "http://www.w3.org/2004/02/skos/core#prefLabel"];
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
                 "nonNegativeInteger", "positiveInteger", "negativeInteger",
                 "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                 "unsignedByte"].map(function (n) { return XSD + n; });
  var SHORT = [[XSD, "xsd:"], ["http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"]];
  var SAFE_IRI = /^[^<>"{}|^`\\\u0000-\u0020]+$/;
  var LONGEST_URL = 6000;

  var context, words, form, textarea, output, statusLine, editor;
  var labels = {};  // IRI -> label (or null: none), across pages and queries
  var lastQuery = "";  // the query the results shown answer (downloads name it)
  var vocabulary = { prefixes: {}, base: "", origin: "" };  // /api/sparql-vocabulary.json
  var vocabularyReady = Promise.resolve();

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  // --- reading answers -------------------------------------------------------------------

  function fromJson(doc) {
    if ("boolean" in doc) { return { kind: "boolean", boolean: doc.boolean, columns: [], rows: [] }; }
    var columns = doc.head.vars;
    var rows = doc.results.bindings.map(function (binding) {
      return columns.map(function (c) { return binding[c] ? term(binding[c]) : null; });
    });
    return { kind: "table", columns: columns, rows: rows };
  }

  function term(json) {
    return {
      type: json.type, value: json.type === "triple" ? JSON.stringify(json.value) : json.value,
      lang: json["xml:lang"] || null, datatype: json.datatype || null
    };
  }

  var NT_TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?/g;

  function unescapeNt(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (all, code) {
      if (code.length > 1) { return String.fromCodePoint(parseInt(code.slice(1), 16)); }
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[code] || code;
    });
  }

  function fromNTriples(text) {
    var rows = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim().charAt(0) === "#") { return; }
      var found = [], match;
      NT_TERM.lastIndex = 0;
      while (found.length < 3 && (match = NT_TERM.exec(line)) !== null) {
        if (match[1] !== undefined) { found.push({ type: "uri", value: unescapeNt(match[1]) }); }
        else if (match[2] !== undefined) { found.push({ type: "bnode", value: match[2] }); }
        else {
          found.push({ type: "literal", value: unescapeNt(match[3]), lang: match[4] || null,
                       datatype: match[5] || null });
        }
      }
      rows.push(found.length === 3 ? found : [{ type: "triple", value: line }, null, null]);
    });
    return { kind: "graph", columns: ["subject", "predicate", "object"], rows: rows };
  }

  // --- labels and links --------------------------------------------------------------------

  function href(iri) {
    // Things of this site open their page (the IRI answers a browser with HTML) in the
    // page's language; others link to themselves.
    if (iri.indexOf(location.origin + "/") !== 0 || iri.indexOf("?") >= 0) { return iri; }
    var hash = iri.indexOf("#");
    var lang = "?lang=" + encodeURIComponent(context.languages[0]);
    return hash < 0 ? iri + lang : iri.slice(0, hash) + lang + iri.slice(hash);
  }

  function compact(iri) {
    // prefix:local with the dataset's prefixes (results come with public IRIs, the prefixes
    // are canonical), or null.
    var canonical = vocabulary.origin && iri.indexOf(vocabulary.origin) === 0
      ? vocabulary.base + iri.slice(vocabulary.origin.length) : iri;
    var best = null;
    Object.keys(vocabulary.prefixes).forEach(function (name) {
      var ns = vocabulary.prefixes[name], local = canonical.slice(ns.length);
      if (canonical.indexOf(ns) === 0 && /^[A-Za-z_][\w-]*$/.test(local) &&
          (!best || ns.length > best.ns.length)) { best = { ns: ns, text: name + ":" + local }; }
    });
    return best ? best.text : null;
  }

  function shown(iri) {
    var label = labels[iri];
    return label ? label.text : compact(iri) || iri;
  }

  function fetchLabels(iris) {
    var wanted = iris.filter(function (iri) { return !(iri in labels) && SAFE_IRI.test(iri); });
    if (!wanted.length) { return Promise.resolve(); }
    wanted.forEach(function (iri) { labels[iri] = null; });
    var query = "SELECT ?s ?p ?l WHERE { VALUES ?s { " +
      wanted.map(function (iri) { return "<" + iri + ">"; }).join(" ") + " } VALUES ?p { " +
      LABELS.map(function (iri) { return "<" + iri + ">"; }).join(" ") + " } ?s ?p ?l }";
    return post(query, "application/sparql-results+json").then(function (response) {
      if (!response.ok) { return; }
      return response.json().then(function (doc) {
        var found = {};
        doc.results.bindings.forEach(function (b) {
          if (b.l.type !== "literal") { return; }
          var rank = LABELS.indexOf(b.p.value) * 10 + languageRank(b.l["xml:lang"] || "");
          var best = found[b.s.value];
          if (!best || rank < best.rank || (rank === best.rank && b.l.value < best.text)) {
            found[b.s.value] = { rank: rank, text: b.l.value, lang: b.l["xml:lang"] || null };
          }
        });
        Object.keys(found).forEach(function (iri) { labels[iri] = found[iri]; });
      });
    }).catch(function () { /* labels are a courtesy: the IRIs stay */ });
  }

  function languageRank(tag) {
    var at = context.languages.indexOf(tag.toLowerCase());
    return at < 0 ? context.languages.length : at;
  }

  // --- rendering ---------------------------------------------------------------------------

  function cell(value) {
    if (!value) { return []; }
    if (value.type === "uri") {
      var label = labels[value.value];
      return [el("a", { "class": "iri", href: href(value.value), title: value.value, dir: "auto",
                        lang: label && label.lang ? label.lang : null },
                 [shown(value.value)])];
    }
    if (value.type === "literal") {
      var out = [el("span", { "class": "literal", dir: "auto", lang: value.lang }, [value.value])];
      if (value.lang) { out.push(" ", el("span", { "class": "tag", dir: "ltr" }, ["@" + value.lang])); }
      var dt = value.datatype;
      if (dt && !/#(string|langString)$/.test(dt)) {
        SHORT.forEach(function (pair) { if (dt.indexOf(pair[0]) === 0) { dt = pair[1] + dt.slice(pair[0].length); } });
        out.push(" ", el("span", { "class": "tag", dir: "ltr" }, [dt]));
      }
      return out;
    }
    return [el("span", { "class": value.type, dir: "ltr" }, [value.type === "bnode" ? "_:" + value.value : value.value])];
  }

  function downloads(result) {
    var formats = context.formats[result.kind === "graph" ? "graph" : "table"];
    var box = el("div", { "class": "downloads" }, [words.download + " "]);
    var params = new URLSearchParams(new FormData(form));
    params.set("query", lastQuery);
    formats.forEach(function (format, i) {
      params.set("format", format.extension);
      params.set("download", "1");
      var url = "/sparql?" + params.toString();
      if (i) { box.appendChild(document.createTextNode(" · ")); }
      if (url.length <= LONGEST_URL) {
        box.appendChild(el("a", { href: url, download: "query-results." + format.extension,
                                  type: format.type }, [format.name]));
      } else {  // too long for a link: a POST form button
        var post = el("form", { method: "post", action: "/sparql", "class": "inline" }, []);
        params.forEach(function (value, name) {
          post.appendChild(el("input", { type: "hidden", name: name, value: value }));
        });
        post.appendChild(el("button", { type: "submit" }, [format.name]));
        box.appendChild(post);
      }
    });
    return box;
  }

  function isNumber(value) {
    return !!value && value.type === "literal" && NUMERIC.indexOf(value.datatype) >= 0 &&
      isFinite(parseFloat(value.value));
  }

  function chart(result, rows) {
    if (result.kind !== "table" || result.columns.length !== 2 || rows.length < 1) { return null; }
    if (!rows.every(function (row) { return row[0] && isNumber(row[1]); })) { return null; }
    var values = rows.map(function (row) { return parseFloat(row[1].value); });
    var max = Math.max.apply(null, values.map(Math.abs)) || 1;
    // Drawn at the width it is shown at (a phone's too), so its text stays legible.
    var width = Math.max(300, Math.min(720, output.clientWidth || 720));
    var ns = "http://www.w3.org/2000/svg", barHeight = 22, labelWidth = Math.round(width * 0.36);
    var longest = Math.floor((labelWidth - 8) / 7.5);
    var title = fill(words.chartOf, { value: result.columns[1], name: result.columns[0] });
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + (rows.length * barHeight + 8));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", title);
    svg.setAttribute("class", "sparql-chart");
    svg.setAttribute("direction", "ltr");
    var titleNode = document.createElementNS(ns, "title");
    titleNode.textContent = title;
    svg.appendChild(titleNode);
    rows.forEach(function (row, i) {
      var y = i * barHeight + 4;
      var name = row[0].type === "uri" ? shown(row[0].value) : row[0].value;
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", labelWidth - 8);
      text.setAttribute("y", y + barHeight / 2 + 4);
      text.setAttribute("text-anchor", "end");
      text.setAttribute("class", "chart-label");
      text.textContent = name.length > longest ? name.slice(0, longest - 1) + "…" : name;
      var bar = document.createElementNS(ns, "rect");
      var length = Math.max(1, Math.abs(values[i]) / max * (width - labelWidth - 60));
      bar.setAttribute("x", labelWidth);
      bar.setAttribute("y", y + 3);
      bar.setAttribute("height", barHeight - 6);
      bar.setAttribute("width", length);
      bar.setAttribute("class", "chart-bar");
      var number = document.createElementNS(ns, "text");
      number.setAttribute("x", labelWidth + length + 6);
      number.setAttribute("y", y + barHeight / 2 + 4);
      number.setAttribute("class", "chart-value");
      number.textContent = row[1].value;
      var group = document.createElementNS(ns, "g");
      [text, bar, number].forEach(function (n) { group.appendChild(n); });
      svg.appendChild(group);
    });
    return el("figure", { "class": "sparql-chart-box" },
              [el("figcaption", {}, [words.chart]), svg]);
  }

  function render(result, page, truncated) {
    var section = el("section", { "class": "sparql-results", id: "result",
                                  "aria-labelledby": "sparql-results-title" },
                     [el("h2", { id: "sparql-results-title" }, [words.results])]);
    if (result.kind === "boolean") {
      section.appendChild(el("p", { "class": "boolean" },
        [words.answer + " ", el("strong", {}, [result.boolean ? "true" : "false"])]));
      section.appendChild(downloads(result));
      return show(section);
    }
    var total = result.rows.length, pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    page = Math.min(Math.max(1, page), pages);
    var rows = result.rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    var first = total ? (page - 1) * PAGE_SIZE + 1 : 0, last = first + rows.length - 1;
    section.appendChild(el("p", { "class": "count" }, [total ? fill(
      result.kind === "graph" ? words.triples : words.rows,
      { first: first, last: last, total: total }) : words.none]));
    if (truncated) {
      section.appendChild(el("p", { "class": "truncated", role: "status" }, [
        fill(words.truncated, { limit: context.limit }), " (",
        el("a", { href: "#truncated" }, [words.why]), ")."]));
    }
    section.appendChild(downloads(result));
    var iris = [];
    rows.forEach(function (row) {
      row.forEach(function (value) { if (value && value.type === "uri") { iris.push(value.value); } });
    });
    return fetchLabels(iris).then(function () {
      var graph = result.kind === "graph";
      var figure = chart(result, rows);
      if (figure) { section.appendChild(figure); }
      if (rows.length) {
        var head = el("tr", {}, result.columns.map(function (c) {
          return el("th", { scope: "col", dir: "ltr" }, [(graph ? "" : "?") + c]);
        }));
        var body = el("tbody", {}, rows.map(function (row) {
          return el("tr", {}, row.map(function (value, i) {
            // The mark keeps "?x" in that order in a right-to-left card label.
            return el("td", { "data-label": (graph ? "" : "\u200e?") + result.columns[i] }, cell(value));
          }));
        }));
        section.appendChild(el("div", { "class": "table-scroll" },
          [el("table", { "class": "stack" }, [el("thead", {}, [head]), body])]));
      }
      if (pages > 1) { section.appendChild(pager(result, page, pages, truncated)); }
      show(section);
    });
  }

  function pager(result, page, pages, truncated) {
    function go(to) {
      return function () {
        render(result, to, truncated).then(function () {
          var heading = document.getElementById("sparql-results-title");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        });
      };
    }
    var nav = el("nav", { "class": "pager", "aria-label": words.pages }, []);
    var previous = el("button", { type: "button", "class": "previous" }, [words.previous]);
    var next = el("button", { type: "button", "class": "next" }, [words.next]);
    previous.disabled = page <= 1;
    next.disabled = page >= pages;
    previous.addEventListener("click", go(page - 1));
    next.addEventListener("click", go(page + 1));
    nav.appendChild(previous);
    nav.appendChild(el("span", {}, [" " + fill(words.pageOf, { page: page, pages: pages }) + " "]));
    nav.appendChild(next);
    return nav;
  }

  function show(section) {
    output.textContent = "";
    output.appendChild(section);
  }

  function showError(status, text) {
    var lines = text.split("\n");
    var section = el("section", { "class": "sparql-error", role: "alert", id: "result" }, [
      el("h2", {}, [words.failed + " ", el("span", { "class": "status" }, ["(HTTP " + status + ")"])]),
      el("p", { lang: "en", dir: "ltr" }, [lines[0]])]);
    var rest = lines.slice(1).join("\n").replace(/^\n+|\n+$/g, "");
    if (rest) { section.appendChild(el("pre", { "class": "excerpt", dir: "ltr" }, [rest])); }
    show(section);
  }

  // --- running -----------------------------------------------------------------------------

  function post(query, accept) {
    var body = new URLSearchParams(new FormData(form));
    body.set("query", query);
    return fetch("/sparql", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" }
    });
  }

  function run(page) {
    var query = textarea.value;
    statusLine.textContent = words.running;
    form.setAttribute("aria-busy", "true");
    return post(query, ACCEPT).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) { return showError(response.status, text); }
        var type = response.headers.get("content-type") || "";
        var result = type.indexOf("json") >= 0 ? fromJson(JSON.parse(text)) : fromNTriples(text);
        var truncated = (response.headers.get("SPARQL-Results-Truncated") || "").indexOf("true") === 0;
        lastQuery = query;
        remember(query);
        return vocabularyReady.then(function () { return render(result, page || 1, truncated); });
      });
    }).catch(function (error) {
      showError(0, String(error));
    }).then(function () {
      statusLine.textContent = "";
      form.removeAttribute("aria-busy");
    });
  }

  function remember(query) {
    // The address names the query (reload and share), when it fits in a URL.
    var params = new URLSearchParams(new FormData(form));
    params.set("query", query);
    var lang = new URLSearchParams(location.search).get("lang");
    if (lang) { params.set("lang", lang); }
    var url = "/sparql?" + params.toString();
    if (url.length <= LONGEST_URL && history.replaceState) { history.replaceState(null, "", url); }
  }

  function init() {
    form = document.getElementById("sparql-form");
    textarea = document.getElementById("sparql-query");
    output = document.getElementById("sparql-output");
    statusLine = document.getElementById("sparql-status");
    var data = document.getElementById("sparql-context");
    if (!form || !textarea || !output || !data) { return; }
    context = JSON.parse(data.getAttribute("data-context"));
    words = context.words;
    document.documentElement.classList.add("sparql-js");
    if (window.SparqlEditor) {
      editor = window.SparqlEditor.create(textarea, {
        label: words.query, onRun: function () { run(1); },
        stylesheets: [document.querySelector("link[href$='/sparql.css']").href]
      });
      document.getElementById("sparql-query-label").addEventListener("click", function () { editor.focus(); });
    }
    // The dataset's prefixes and terms: completion in the editor, short names in results.
    vocabularyReady = fetch(form.getAttribute("data-vocabulary"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (!found) { return; }
        vocabulary = found;
        if (editor) { editor.setVocabulary(found); }
      })
      .catch(function () { /* completion then offers keywords only */ });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(1);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-query]"), function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        if (editor) { editor.setValue(link.getAttribute("data-query")); } else { textarea.value = link.getAttribute("data-query"); }
        Array.prototype.forEach.call(document.querySelectorAll("[data-query]"), function (other) {
          if (other === link) { other.setAttribute("aria-current", "true"); } else { other.removeAttribute("aria-current"); }
        });
        run(1);
      });
    });
    // A page the server answered with results: fetch them again as data, to page and chart
    // them here (the server's table stays until then).
    var served = output.querySelector("[data-server-page]");
    if (served) { run(parseInt(served.getAttribute("data-server-page"), 10) || 1); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
