// Progress tracker: the drills a reader has mastered, kept in this browser only (localStorage).
// Progressive enhancement: pages carry data-progress-* attributes and every control is made
// here, so without JavaScript or storage nothing shows. [data-progress-gate] gets a checkbox;
// [data-progress-step] gets data-progress=done|unlocked|locked; [data-progress-list] (holds the
// guide's steps in order) gets the reset button.
(function () {
  "use strict";
  var KEY = "sitegen-progress";
  var store;
  try {
    store = window.localStorage;
    store.setItem(KEY + "-probe", "1");
    store.removeItem(KEY + "-probe");
  } catch (e) {
    return; // no storage (blocked, private mode): keep the page as it is
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

  var live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);
  function announce(text) {
    live.textContent = text;
  }

  var LABELS = { done: "Done", unlocked: "Up next", locked: "Not yet" };
  var list = document.querySelector("[data-progress-list]");
  var order = [];
  if (list) {
    list.querySelectorAll("[data-progress-step]").forEach(function (el) {
      var step = el.getAttribute("data-progress-step");
      if (order.indexOf(step) < 0) order.push(step);
    });
  }

  // The first step not done is unlocked, later ones not yet (unless ticked).
  function states(done) {
    var result = {};
    var open = false;
    order.forEach(function (step) {
      if (done[step]) result[step] = "done";
      else if (!open) { result[step] = "unlocked"; open = true; }
      else result[step] = "locked";
    });
    return result;
  }

  function render() {
    var done = load();
    var state = states(done);
    document.querySelectorAll("[data-progress-step]").forEach(function (el) {
      // A step outside the list (an exercise in a diagram) opens when all listed are done.
      var s = state[el.getAttribute("data-progress-step")] || (order.some(function (k) { return !done[k]; }) ? "locked" : "unlocked");
      el.setAttribute("data-progress", s);
      var badge = el.querySelector(":scope > .progress-state");
      if (list && list.contains(el)) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "progress-state";
          var link = el.querySelector("a");
          (link || el).insertAdjacentElement(link ? "afterend" : "beforeend", badge);
        }
        badge.textContent = LABELS[s];
      }
    });
    document.querySelectorAll(".tracker input").forEach(function (box) {
      box.checked = !!done[box.value];
    });
    if (reset) reset.disabled = !order.some(function (k) { return done[k]; });
  }

  document.querySelectorAll("[data-progress-gate]").forEach(function (gate) {
    var step = gate.getAttribute("data-progress-gate");
    var name = gate.getAttribute("data-progress-name") || step;
    var label = document.createElement("label");
    label.className = "tracker";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.value = step;
    var text = document.createElement("span");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = name + ": ";
    text.appendChild(hidden);
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
      var next = box.checked && order.filter(function (k) { return states(done)[k] === "unlocked"; })[0];
      var nextName = next && document.querySelector('[data-progress-gate="' + next + '"]');
      announce(name + (box.checked ? ": marked as mastered." : ": no longer marked as mastered.") +
        (nextName ? " Up next: " + nextName.getAttribute("data-progress-name") + "." : ""));
    });
  });

  var reset = null;
  if (list && order.length) {
    reset = document.createElement("button");
    reset.type = "button";
    reset.className = "reset";
    reset.textContent = "Reset my progress";
    reset.addEventListener("click", function () {
      var done = load();
      order.forEach(function (k) { delete done[k]; });
      save(done);
      render();
      announce("Progress reset: no step of this guide is marked as mastered.");
    });
    list.appendChild(reset);
  }

  // Another tab ticked a box: show it here too.
  window.addEventListener("storage", function (e) {
    if (e.key === KEY) render();
  });
  render();
})();
