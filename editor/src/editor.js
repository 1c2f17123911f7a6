// The query page's editor: CodeMirror 6 with the SPARQL stream mode, completion of the
// dataset's own prefixes and terms, and Ctrl/Cmd+Enter to run. Bundled by
// scripts/vendor-editor.sh into publisher/static/vendor/codemirror/editor.js as the global
// `SparqlEditor`; publisher/static/sparql.js is the page that uses it.
//
// No network and no inline <style>: the site's CSP (style-src 'self') forbids one, and in a
// document CodeMirror's style-mod writes its theme into a <style> element. In a shadow root it
// uses a constructed stylesheet instead (adoptedStyleSheets), which the CSP allows, so the
// editor lives in an open shadow root; token colours are classes (tok-*) that the page's
// stylesheet, linked inside the shadow root too, colours.

import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import {
  StreamLanguage, syntaxHighlighting, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap, pickedCompletion,
} from "@codemirror/autocomplete";
import { classHighlighter } from "@lezer/highlight";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

const KEYWORDS = [
  "PREFIX", "BASE", "SELECT", "DISTINCT", "REDUCED", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE",
  "FROM", "NAMED", "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "AS",
  "GROUP BY", "HAVING", "ORDER BY", "ASC", "DESC", "LIMIT", "OFFSET", "NOT EXISTS", "EXISTS",
  "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "STR", "LANG", "LANGMATCHES",
  "DATATYPE", "BOUND", "CONTAINS", "STRSTARTS", "REGEX", "LCASE", "UCASE", "YEAR", "COALESCE",
];

/** The prefixes the query declares, lower-cased names to namespaces. */
function declared(text) {
  const out = {};
  const re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
  let m;
  while ((m = re.exec(text)) !== null) out[m[1] || ""] = m[2];
  return out;
}

/** Insert `text` at from..to; declare `prefix` at the top first if the query does not. */
function applyWithPrefix(text, prefix, namespace) {
  return (view, completion, from, to) => {
    const changes = [{ from, to, insert: text }];
    if (prefix !== null && !(prefix in declared(view.state.doc.toString()))) {
      changes.push({ from: 0, insert: `PREFIX ${prefix}: <${namespace}>\n` });
    }
    const set = view.state.changes(changes);
    view.dispatch({
      changes: set,
      selection: { anchor: set.mapPos(to, 1) },
      annotations: pickedCompletion.of(completion),
      scrollIntoView: true,
    });
  };
}

function insideIri(state, pos) {
  const line = state.doc.lineAt(pos);
  const before = line.text.slice(0, pos - line.from);
  return before.lastIndexOf("<") > before.lastIndexOf(">") && /<[^\s>]*$/.test(before);
}

/** The completion source over a vocabulary { prefixes: {name: ns}, terms: [{iri, curie,
 * label, kind}] } read through `current()` (it arrives after the editor is shown). */
function vocabularySource(current) {
  return (context) => {
    const vocabulary = current();
    const prefixes = vocabulary.prefixes || {};
    const terms = vocabulary.terms || [];
    if (insideIri(context.state, context.pos)) return null;

    const declaration = context.matchBefore(/PREFIX\s+[A-Za-z]?[\w.-]*:?$/i);
    if (declaration) {
      const from = declaration.from + declaration.text.search(/\s/) +
        declaration.text.slice(declaration.text.search(/\s/)).search(/\S|$/);
      return {
        from,
        options: Object.entries(prefixes).map(([name, ns]) => ({
          label: `${name}:`, apply: `${name}: <${ns}>`, detail: ns, type: "namespace",
        })),
        validFor: /^[\w.-]*:?$/,
      };
    }

    const pname = context.matchBefore(/[A-Za-z][\w.-]*:[\w.-]*$/);
    if (pname) {
      const prefix = pname.text.slice(0, pname.text.indexOf(":"));
      const namespace = prefixes[prefix] || declared(context.state.doc.toString())[prefix];
      const options = terms
        .filter((term) => term.curie && term.curie.startsWith(`${prefix}:`))
        .map((term) => termOption(term, prefix, namespace));
      return options.length ? { from: pname.from, options, validFor: /^[A-Za-z][\w.-]*:[\w.-]*$/ } : null;
    }

    const word = context.matchBefore(/[A-Za-z][\w-]*$/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const options = [
      ...Object.entries(prefixes).map(([name, ns]) => ({
        label: `${name}:`, detail: ns, type: "namespace", boost: 1,
      })),
      ...terms.filter((term) => term.curie).map((term) => {
        const prefix = term.curie.slice(0, term.curie.indexOf(":"));
        return termOption(term, prefix, prefixes[prefix]);
      }),
      ...KEYWORDS.map((keyword) => ({ label: keyword, type: "keyword", boost: -1 })),
    ];
    return { from, options, validFor: /^[\w-]*$/ };
  };
}

function termOption(term, prefix, namespace) {
  return {
    label: term.curie,
    detail: term.label && term.label !== term.curie.slice(prefix.length + 1) ? term.label : undefined,
    info: term.iri,
    type: term.kind === "class" ? "class" : "property",
    apply: namespace ? applyWithPrefix(term.curie, prefix, namespace) : term.curie,
    boost: term.kind === "class" ? 1 : 0,
  };
}

/**
 * Replace `textarea` (kept, hidden, and always holding the query, so the form still posts
 * it) with an editor. Options: onRun(), label (the accessible name), stylesheets (URLs linked
 * inside the editor's shadow root).
 */
export function create(textarea, options = {}) {
  let vocabulary = { prefixes: {}, terms: [] };
  const host = document.createElement("div");
  host.className = "sparql-editor-host";
  host.setAttribute("dir", "ltr");
  const shadow = host.attachShadow({ mode: "open" });
  for (const href of options.stylesheets || []) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    shadow.appendChild(link);
  }
  const run = () => { if (options.onRun) options.onRun(); return true; };
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(),
        drawSelection(), indentOnInput(), bracketMatching(), closeBrackets(),
        highlightActiveLine(), StreamLanguage.define(sparql),
        syntaxHighlighting(classHighlighter),
        autocompletion({ override: [vocabularySource(() => vocabulary)], icons: false }),
        keymap.of([
          { key: "Mod-Enter", run },
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap,
        ]),
        EditorView.contentAttributes.of({
          "aria-label": options.label || textarea.getAttribute("aria-label") || "SPARQL",
          "aria-multiline": "true", dir: "ltr", spellcheck: "false", autocapitalize: "off",
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  view.dom.setAttribute("dir", "ltr");
  textarea.parentNode.insertBefore(host, textarea);
  textarea.hidden = true;
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setVocabulary(next) { vocabulary = next || vocabulary; },
    focus() { view.focus(); },
  };
}
