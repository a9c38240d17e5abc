// sitegen preview: live reload, plus an overlay listing the build's errors on every open page.
// The server injects this script into each HTML page it serves; nothing of it reaches output/.
(function () {
  "use strict";
  var STATUS = "/_sitegen/status";
  var HOST_ID = "sitegen-overlay";

  var STYLE = [
    ":host { all: initial; }",
    "section { position: fixed; inset: auto 0 0 0; max-height: 60vh; overflow: auto; z-index: 2147483647;",
    "  margin: 0; padding: 14px 18px; background: #fff5f5; color: #1a1a1a; border-top: 4px solid #c62828;",
    "  box-shadow: 0 -4px 18px rgba(0,0,0,.25); font: 15px/1.45 system-ui, sans-serif; }",
    "h2 { margin: 0 0 6px; font-size: 17px; color: #b71c1c; }",
    "p { margin: 0 0 8px; }",
    "ol { margin: 0; padding-left: 1.3em; }",
    "li { margin: 6px 0; overflow-wrap: anywhere; }",
    "code { font: 600 14px/1.4 ui-monospace, monospace; color: #7f0000; }",
    "button { position: absolute; top: 10px; right: 12px; font: inherit; padding: 2px 10px; cursor: pointer; }"
  ].join("\n");

  function remove() {
    var old = document.getElementById(HOST_ID);
    if (old) old.remove();
  }

  function show(status) {
    var errors = status.errors;
    remove();
    if (!errors.length) return;
    var host = document.createElement("div");
    host.id = HOST_ID;
    // A shadow root keeps the site's CSS off the overlay and the overlay's off the site.
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = STYLE;
    var box = document.createElement("section");
    box.setAttribute("role", "alert");
    var title = document.createElement("h2");
    title.textContent = "The site has " + errors.length + (errors.length === 1 ? " error" : " errors");
    var note = document.createElement("p");
    note.textContent = (status.from === "cards" ? "The pages are up to date; the cards keep their last good version. " :
      status.built ? "You are looking at the last version that built. " : "Nothing has built yet. ") +
      "Fix the file and save; this box goes away by itself.";
    var list = document.createElement("ol");
    errors.forEach(function (e) {
      var item = document.createElement("li");
      if (e.location) {
        var where = document.createElement("code");
        where.textContent = e.location;
        item.appendChild(where);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(document.createTextNode(e.text));
      list.appendChild(item);
    });
    var hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.addEventListener("click", remove);
    box.append(title, note, list, hide);
    root.append(style, box);
    (document.body || document.documentElement).appendChild(host);
  }

  function refresh() {
    fetch(STATUS, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(show)
      .catch(function () { /* the server is restarting; the next connect asks again */ });
  }

  // A livereload.js plugin: the server sends a "reload" of STATUS when only the errors changed.
  function Plugin() {}
  Plugin.identifier = "sitegen-overlay";
  Plugin.version = "1";
  Plugin.prototype.reload = function (path) {
    if (path !== STATUS) return false;
    refresh();
    return true;
  };
  window.LiveReloadPluginSitegen = Plugin;

  document.addEventListener("LiveReloadConnect", refresh);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }

  var client = document.createElement("script");
  client.src = "/livereload.js?port=" + (location.port || (location.protocol === "https:" ? 443 : 80));
  document.head.appendChild(client);
})();
