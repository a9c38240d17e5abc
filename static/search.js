/* Client-side search (sitegen): builds the search box, fetches the index (search.json, written
   at build time) on first use, and lists matching pages as links. Without JavaScript the page
   shows only the fallback: links to the tag and taxonomy indexes. */
(function () {
  "use strict";
  var root = document.querySelector("[data-search-index]");
  if (!root || !window.fetch) return;
  function make(tag, props) {
    var el = document.createElement(tag);
    Object.keys(props).forEach(function (k) { el.setAttribute(k, props[k]); });
    return el;
  }
  var form = make("form", { role: "search" });
  var label = make("label", { for: "search-q", class: "visually-hidden" });
  label.textContent = "Search the site";
  var input = make("input", { id: "search-q", type: "search", autocomplete: "off",
                              placeholder: "hinge, kettlebell, hamstrings\u2026" });
  var panel = make("div", { class: "search-panel" });
  var status = make("p", { class: "search-status", "aria-live": "polite" });
  var list = make("ul", { class: "search-results" });
  panel.appendChild(status);
  panel.appendChild(list);
  [label, input, panel].forEach(function (el) { form.appendChild(el); });
  var entries = null;
  var loading = null;
  // A match in the title counts most, then in tags, muscles and equipment, then summary and cues.
  var FIELDS = [["t", 8], ["g", 4], ["m", 4], ["e", 4], ["s", 2], ["c", 1]];

  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function prepare(data) {
    return data.map(function (entry) {
      var fields = FIELDS.map(function (f) {
        var value = entry[f[0]];
        return [fold(Array.isArray(value) ? value.join(" \u2022 ") : value || ""), f[1]];
      });
      return { entry: entry, fields: fields };
    });
  }

  function load() {
    if (!loading) {
      loading = fetch(root.getAttribute("data-search-index"))
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { entries = prepare(data); })
        .catch(function () { status.textContent = "Search is unavailable; browse the tags instead."; });
    }
    return loading;
  }

  // Every word of the query must appear somewhere; the score adds the weights of where each does.
  function search(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    var found = [];
    if (!words.length) return found;
    for (var i = 0; i < entries.length; i++) {
      var fields = entries[i].fields;
      var score = 0;
      for (var w = 0; w < words.length; w++) {
        var best = 0;
        for (var f = 0; f < fields.length; f++) {
          if (fields[f][1] > best && fields[f][0].indexOf(words[w]) !== -1) best = fields[f][1];
        }
        if (!best) { score = 0; break; }
        score += best;
      }
      if (score) found.push([score, entries[i].entry]);
    }
    found.sort(function (a, b) { return b[0] - a[0] || (a[1].t < b[1].t ? -1 : 1); });
    return found.slice(0, 20);
  }

  function show() {
    if (!entries) return;
    var query = input.value.trim();
    var started = performance.now();
    var results = search(query);
    list.textContent = "";
    results.forEach(function (r) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = r[1].u;
      link.textContent = r[1].t;
      item.appendChild(link);
      if (r[1].s) {
        var text = document.createElement("p");
        text.textContent = r[1].s;
        item.appendChild(text);
      }
      list.appendChild(item);
    });
    // How long the last search took, for the benchmark (benchmarks/bench_search.py).
    root.setAttribute("data-search-ms", (performance.now() - started).toFixed(2));
    status.textContent = query ? results.length + (results.length === 1 ? " page found" : " pages found") : "";
    panel.classList.toggle("open", !!query);
  }

  root.querySelector(".search-fallback").replaceWith(form);
  form.addEventListener("submit", function (event) { event.preventDefault(); load().then(show); });
  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", function () { load().then(show); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; load().then(show); }
  });
})();
