// Search as you type in the header's box: suggestions from /search?format=json under the box.
// Without this script the box is a plain form to /search. No inline script (the CSP forbids
// it), no third-party code; the results are built with DOM calls, never innerHTML.
(function () {
  "use strict";
  var MIN_CHARS = 2;
  var DELAY_MS = 200;
  var LIMIT = 6;

  function enhance(input) {
    var form = input.form;
    var lang = (form.querySelector("input[name=lang]") || {}).value || "";
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = input.id + "-suggestions";
    list.hidden = true;
    form.appendChild(list);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(status);
    var timer = null;
    var asked = 0;
    var unavailable = false; // answered with no JSON (a static copy's page): ask no more

    function close() {
      list.hidden = true;
      list.textContent = "";
    }

    function show(answer, seq) {
      if (seq !== asked) return; // an older answer arriving late
      list.textContent = "";
      answer.hits.forEach(function (hit) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = hit.page;
        var label = document.createElement("bdi");
        label.textContent = hit.label || hit.matched.text;
        if (hit.label_lang) label.lang = hit.label_lang;
        link.appendChild(label);
        if (hit.types.length) {
          var kind = document.createElement("small");
          kind.textContent = " · " + hit.types[0].label;
          link.appendChild(kind);
        }
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = answer.hits.length === 0;
      status.textContent = String(answer.total);
    }

    function ask() {
      var text = input.value.trim();
      if (unavailable || text.length < MIN_CHARS) return close();
      var seq = ++asked;
      var url = "/search?format=json&limit=" + LIMIT + "&lang=" + encodeURIComponent(lang) +
        "&q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) {
          var json = /json/.test(r.headers.get("Content-Type") || "");
          if (!json) unavailable = true;
          return r.ok && json ? r.json() : { hits: [], total: 0 };
        })
        .then(function (answer) { show(answer, seq); })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        list.querySelector("a").focus();
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) {
        event.preventDefault();
        links[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (at > 0 ? links[at - 1] : input).focus();
      } else if (event.key === "Escape") {
        close();
        input.focus();
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) close();
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(enhance);
})();
