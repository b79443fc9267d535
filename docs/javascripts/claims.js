/* Claims page: show only the claims of one status (unanswered, contested, answered).
   Loaded by that page alone. Without it the page lists every claim, statuses in words.
   Builds its controls with createElement and textContent only; the choice is kept in
   the URL (?status=unanswered) so a filtered view can be shared. */
(function () {
  "use strict";

  /* "1 claim", "2 claims": counts in words, as everywhere on the site. */
  function counted(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  function start() {
    var box = document.getElementById("toi-claims-filter");
    if (!box) return;
    var article = box.closest("article") || document.body;
    var blocks = Array.prototype.slice.call(article.querySelectorAll(".toi-claim"));
    var full = blocks.filter(function (b) { return !b.classList.contains("toi-claim--repeat"); });
    var choices = [
      ["all", "All claims"],
      ["unanswered", "Unanswered"],
      ["contested", "Contested"],
      ["answered", "Answered"]
    ];

    function count(status) {
      if (status === "all") return full.length;
      return full.filter(function (b) { return b.dataset.status === status; }).length;
    }

    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = "Show";
    fieldset.appendChild(legend);
    choices.forEach(function (choice) {
      var id = "toi-cf-" + choice[0];
      var wrap = document.createElement("span");
      wrap.className = "toi-option";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "toi-claims-status";
      input.id = id;
      input.value = choice[0];
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = choice[1] + " (" + count(choice[0]) + ")";
      wrap.appendChild(input);
      wrap.appendChild(label);
      fieldset.appendChild(wrap);
    });
    var status = document.createElement("p");
    status.id = "toi-cf-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(fieldset);
    box.appendChild(status);
    box.hidden = false;

    function tocItem(id) {
      var link = document.querySelector('.md-nav--secondary a[href="#' + CSS.escape(id) + '"]');
      return link ? link.closest("li") : null;
    }

    function setHidden(el, hidden) {
      el.hidden = hidden;
      var heading = el.matches("h2") ? el : el.querySelector("h3, h4, h5, h6");
      var item = heading && heading.id ? tocItem(heading.id) : null;
      if (item) item.hidden = hidden;
    }

    // Topic sections: each h2 with the blocks that follow it up to the next h2.
    function sections() {
      var out = [];
      var current = null;
      Array.prototype.forEach.call(article.children, function (el) {
        if (el.tagName === "H2") {
          current = { heading: el, members: [] };
          out.push(current);
        } else if (current) {
          current.members.push(el);
        }
      });
      return out;
    }
    var topicSections = sections();

    function apply(value) {
      var shown = 0;
      blocks.forEach(function (b) {
        var repeat = b.classList.contains("toi-claim--repeat");
        var visible = value === "all" || (!repeat && b.dataset.status === value);
        setHidden(b, !visible);
        if (visible && !repeat) shown += 1;
      });
      topicSections.forEach(function (section) {
        var any = section.members.some(function (m) {
          return m.classList.contains("toi-claim") && !m.hidden;
        });
        var hide = value !== "all" && !any;
        setHidden(section.heading, hide);
        section.members.forEach(function (m) {
          if (!m.classList.contains("toi-claim")) m.hidden = hide;
        });
      });
      status.textContent = "Showing " + shown + " of " + counted(full.length, "claim") + ".";
      var url = new URL(window.location.href);
      if (value === "all") url.searchParams.delete("status");
      else url.searchParams.set("status", value);
      window.history.replaceState(null, "", url);
    }

    function choose(value) {
      document.getElementById("toi-cf-" + value).checked = true;
      apply(value);
    }

    // A link to one claim must land on it, whatever the filter says.
    function targetHidden() {
      var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
      var block = target ? target.closest(".toi-claim") : null;
      return Boolean(block && block.hidden);
    }

    var wanted = new URL(window.location.href).searchParams.get("status") || "all";
    if (!choices.some(function (c) { return c[0] === wanted; })) wanted = "all";
    choose(wanted);
    if (targetHidden()) {
      choose("all");
      document.getElementById(window.location.hash.slice(1)).scrollIntoView();
    }
    window.addEventListener("hashchange", function () {
      if (targetHidden()) {
        choose("all");
        document.getElementById(window.location.hash.slice(1)).scrollIntoView();
      }
    });
    fieldset.addEventListener("change", function (event) {
      apply(event.target.value);
    });
  }

  // The page loads this script while it may still be parsing the claims below.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
