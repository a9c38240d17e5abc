// Progress tracker: the drills a reader mastered, kept in this browser only (localStorage).
// Every control is made here: without JavaScript or storage the page shows none (see README).
(function () {
  "use strict";
  var KEY = "sitegen-progress";
  var store;
  try {
    store = window.localStorage;
    store.setItem(KEY + "-probe", "1");
    store.removeItem(KEY + "-probe");
  } catch (e) {
    return; // no storage: leave the page as it is
  }

  function load() {
    try {
      var data = JSON.parse(store.getItem(KEY) || "{}");
      return data && typeof data === "object" ? data : {};
    } catch (e) {
      return {};
    }
  }
  function save(done) {
    store.setItem(KEY, JSON.stringify(done));
  }
  function make(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text) el.textContent = text;
    return el;
  }
  function attr(el, name) {
    return el.getAttribute("data-progress-" + name);
  }

  var live = make("p", "visually-hidden");
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);

  var LABELS = { done: "Done", unlocked: "Up next", locked: "Not yet" };
  var list = document.querySelector("[data-progress-list]");
  var order = [];
  var summary = null;
  var reset = null;
  if (list) {
    list.querySelectorAll("[data-progress-step]").forEach(function (el) {
      var step = attr(el, "step");
      if (order.indexOf(step) < 0) order.push(step);
    });
  }

  // The first step not done is unlocked, later ones not yet (unless ticked).
  function states(done) {
    var result = {};
    var open = false;
    order.forEach(function (step) {
      result[step] = done[step] ? "done" : open ? "locked" : "unlocked";
      if (!done[step]) open = true;
    });
    return result;
  }
  function count(done) {
    return order.filter(function (k) { return done[k]; }).length;
  }

  function render() {
    var done = load();
    var state = states(done);
    var all = count(done) === order.length;
    document.querySelectorAll("[data-progress-step]").forEach(function (el) {
      // A step outside the list (an exercise in a diagram) opens when all listed are done.
      var s = state[attr(el, "step")] || (all ? "unlocked" : "locked");
      el.setAttribute("data-progress", s);
      if (!list || !list.contains(el)) return;
      var badge = el.querySelector(":scope > .progress-state");
      if (!badge) {
        badge = make("span", "progress-state");
        var link = el.querySelector("a");
        if (link) link.insertAdjacentElement("afterend", badge);
        else el.appendChild(badge);
      }
      badge.textContent = LABELS[s];
    });
    document.querySelectorAll(".tracker input").forEach(function (box) {
      box.checked = !!done[box.value];
    });
    if (summary) summary.textContent = "Mastered: " + count(done) + " of " + order.length + " steps.";
    if (reset) reset.disabled = !count(done);
  }

  document.querySelectorAll("[data-progress-gate]").forEach(function (gate) {
    var step = attr(gate, "gate");
    var name = attr(gate, "name") || step;
    var label = make("label", "tracker");
    var box = make("input");
    box.type = "checkbox";
    box.value = step;
    var text = make("span");
    text.appendChild(make("span", "visually-hidden", name + ": "));
    text.appendChild(document.createTextNode("I can do this"));
    label.appendChild(box);
    label.appendChild(text);
    gate.appendChild(label);
    box.addEventListener("change", function () {
      var done = load();
      if (box.checked) done[step] = true;
      else delete done[step];
      save(done);
      render();
      var state = states(done);
      var next = order.filter(function (k) { return state[k] === "unlocked"; })[0];
      var nextGate = next && document.querySelector('[data-progress-gate="' + next + '"]');
      var nextName = nextGate ? attr(nextGate, "name") : attr(gate, "next");
      live.textContent = name + (box.checked ? ": marked as mastered." : ": no longer marked as mastered.") +
        (box.checked && nextName ? " Up next: " + nextName + "." : "");
    });
  });

  if (list && order.length) {
    summary = make("p", "progress-summary");
    var first = list.querySelector("[data-progress-step]");
    var host = first.closest("ol, ul") || first;
    host.parentNode.insertBefore(summary, host);
    reset = make("button", "reset", "Reset my progress");
    reset.type = "button";
    reset.addEventListener("click", function () {
      var done = load();
      order.forEach(function (k) { delete done[k]; });
      save(done);
      render();
      live.textContent = "Progress reset: no step of this guide is marked as mastered.";
    });
    list.appendChild(reset);
  }

  // Another tab ticked a box.
  window.addEventListener("storage", function (e) {
    if (e.key === KEY) render();
  });
  render();
})();
