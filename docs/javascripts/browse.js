/* ToI Atlas browse page: faceted filtering over data/browse.json, state in the URL.
 *
 * Our own small module (no library, nothing from a CDN). The facet controls are
 * already in the page; this script counts, filters, sorts and lists, shows why each
 * listed work matches and which filters are active, opens the filters in a sheet on
 * phones and builds the downloads of the selection. Every string from the data is set
 * with textContent, never parsed as HTML; URLs are built with encodeURIComponent.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 100;
  // Listed before the next frame; the rest of the page of results right after it, so
  // a click repaints in one short frame even when it re-lists 100 works.
  var FIRST = 20;
  var FACETS = ["endstory", "toi", "stance", "agenda", "edge", "kind"];
  var SORTS = ["year-desc", "year-asc", "title", "connections"];
  var TOPIC_FACETS = ["endstory", "toi", "agenda"];
  // Topic chips on a result: at most this many (the selected topics always show), then "+N more".
  var CHIPS = 4;
  var CHIP_FACETS = ["endstory", "toi"];
  // Material's breakpoint below which the sidebars fold away: the filters become a sheet.
  var NARROW = "(max-width: 59.984375em)";

  function start() {
    var root = document.getElementById("toi-browse");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var dataLink = document.getElementById("toi-browse-data");
    var worksLink = document.getElementById("toi-works-link");
    fetch(dataLink.href)
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) { new Browser(root, data, worksLink.href); })
      .catch(function (err) {
        document.getElementById("toi-status").textContent =
          "Could not load the list of works (" + err.message + "). The plain lists below still work.";
      });
  }

  function Browser(root, data, worksBase) {
    this.root = root;
    this.data = data;
    this.worksBase = worksBase.replace(/[^/]*$/, ""); // ".../works/index.html" -> ".../works/"
    this.form = document.getElementById("toi-form");
    this.list = document.getElementById("toi-results");
    this.status = document.getElementById("toi-status");
    this.more = document.getElementById("toi-more");
    this.sortSelect = document.getElementById("toi-sort");
    this.side = document.getElementById("toi-side");
    this.sheet = document.getElementById("toi-sheet");
    this.opener = document.getElementById("toi-open");
    this.openCount = document.getElementById("toi-open-count");
    this.done = document.getElementById("toi-done");
    this.active = document.getElementById("toi-active");
    this.activeList = document.getElementById("toi-active-list");
    this.shown = PAGE_SIZE;
    this.generation = 0;
    this.fileCache = {};
    this.prepare();
    this.readURL();
    this.bind();
    this.update(false);
  }

  Browser.prototype.prepare = function () {
    var works = this.data.works;
    var facets = this.data.facets;
    this.valueIndex = {};
    this.boxes = {};
    this.counts = {};
    for (var f = 0; f < FACETS.length; f++) {
      var name = FACETS[f];
      var idx = {};
      (facets[name] || []).forEach(function (pair, i) { idx[pair[0]] = i; });
      this.valueIndex[name] = idx;
      this.boxes[name] = Array.prototype.slice.call(
        this.form.querySelectorAll('input[name="' + name + '"]'));
      this.counts[name] = new Int32Array((facets[name] || []).length);
    }
    // Legends as the page shows them, for the active-filter buttons ("End story: ...").
    this.legends = {};
    var sets = this.form.querySelectorAll("fieldset[data-facet]");
    for (var s = 0; s < sets.length; s++) {
      this.legends[sets[s].dataset.facet] = sets[s].querySelector("legend").textContent;
    }
    // Lower-cased haystack per work for the text search.
    this.hay = works.map(function (w) {
      return (w.t + " " + w.a + " " + w.s + " " + w.k).toLowerCase();
    });
    this.titleOrder = works.map(function (_, i) { return i; }).sort(function (a, b) {
      return works[a].t.localeCompare(works[b].t);
    });
  };

  Browser.prototype.readURL = function () {
    var params = new URLSearchParams(window.location.search);
    var self = this;
    FACETS.forEach(function (name) {
      var wanted = {};
      params.getAll(name).forEach(function (v) {
        v.split(",").forEach(function (x) { if (x) wanted[x] = true; });
      });
      self.boxes[name].forEach(function (box) { box.checked = !!wanted[box.value]; });
    });
    this.form.elements.text.value = params.get("text") || "";
    this.form.elements.from.value = params.get("from") || "";
    this.form.elements.to.value = params.get("to") || "";
    var sort = params.get("sort");
    this.sortSelect.value = SORTS.indexOf(sort) >= 0 ? sort : "year-desc";
  };

  Browser.prototype.state = function () {
    var self = this;
    var sel = {};
    FACETS.forEach(function (name) {
      var chosen = [];
      self.boxes[name].forEach(function (box) {
        if (box.checked) chosen.push(self.valueIndex[name][box.value]);
      });
      sel[name] = chosen;
    });
    return {
      sel: sel,
      q: this.form.elements.text.value.trim(),
      from: parseInt(this.form.elements.from.value, 10),
      to: parseInt(this.form.elements.to.value, 10),
      sort: this.sortSelect.value,
    };
  };

  Browser.prototype.query = function () {
    var params = new URLSearchParams();
    var self = this;
    FACETS.forEach(function (name) {
      var chosen = self.boxes[name].filter(function (b) { return b.checked; })
        .map(function (b) { return b.value; });
      if (chosen.length) params.set(name, chosen.join(","));
    });
    var el = this.form.elements;
    if (el.text.value.trim()) params.set("text", el.text.value.trim());
    if (el.from.value) params.set("from", el.from.value);
    if (el.to.value) params.set("to", el.to.value);
    if (this.sortSelect.value !== "year-desc") params.set("sort", this.sortSelect.value);
    var text = params.toString().replace(/%2C/g, ",");
    return text ? "?" + text : "";
  };

  Browser.prototype.bind = function () {
    var self = this;
    var timer = null;
    var again = function () { self.shown = PAGE_SIZE; self.update(true); };
    this.form.addEventListener("change", function (e) {
      if (e.target.name === "text") return; // typed text is handled by "input"
      again();
    });
    // The sort menu sits beside the results, outside the form's subtree, so its
    // events do not bubble to the form.
    this.sortSelect.addEventListener("change", again);
    this.form.addEventListener("input", function (e) {
      if (e.target.name !== "text") return;
      clearTimeout(timer);
      timer = setTimeout(again, 250);
    });
    this.form.addEventListener("submit", function (e) { e.preventDefault(); });
    document.getElementById("toi-reset").addEventListener("click", function () {
      self.clearAll();
      again();
    });
    window.addEventListener("popstate", function () {
      self.readURL();
      self.shown = PAGE_SIZE;
      self.update(false);
    });
    this.more.addEventListener("click", function () {
      self.shown += PAGE_SIZE;
      self.render(true);
    });
    document.getElementById("toi-download").addEventListener("click", function () {
      self.download("bibtex");
    });
    document.getElementById("toi-ris").addEventListener("click", function () {
      self.download("ris");
    });
    document.getElementById("toi-csl").addEventListener("click", function () {
      self.download("csl");
    });
    document.getElementById("toi-copy").addEventListener("click", function () {
      self.copyKeys();
    });
    this.activeList.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (button) self.removeFilter(button);
    });
    document.getElementById("toi-clear").addEventListener("click", function () {
      self.clearAll();
      again();
      self.status.focus();
    });
    Array.prototype.forEach.call(this.form.querySelectorAll(".toi-showall"), function (button) {
      button.addEventListener("click", function () {
        var folded = button.parentNode.classList.toggle("toi-folded");
        button.setAttribute("aria-expanded", String(!folded));
        button.textContent = folded ? button.dataset.all : button.dataset.fewer;
      });
    });
    this.bindSheet();
  };

  /* Phones: the filters open in a modal sheet (a native <dialog>: focus stays inside,
   * Escape closes it, the page behind is inert). The form itself moves into the sheet
   * while it is open and back beside the results when it closes. */
  Browser.prototype.bindSheet = function () {
    var self = this;
    var sheet = this.sheet;
    this.opener.addEventListener("click", function () {
      sheet.appendChild(self.form);
      sheet.showModal();
      self.opener.setAttribute("aria-expanded", "true");
    });
    this.done.addEventListener("click", function () { sheet.close(); });
    sheet.addEventListener("close", function () {
      self.side.appendChild(self.form);
      self.opener.setAttribute("aria-expanded", "false");
      if (window.matchMedia(NARROW).matches) self.opener.focus();
    });
    // A click on the backdrop (outside the sheet's box) closes it, as a tap beside a menu.
    sheet.addEventListener("click", function (e) {
      var box = sheet.getBoundingClientRect();
      var inside = e.clientX >= box.left && e.clientX <= box.right &&
        e.clientY >= box.top && e.clientY <= box.bottom;
      if (e.target === sheet && !inside) sheet.close();
    });
    var narrow = window.matchMedia(NARROW);
    var widen = function () { if (!narrow.matches && sheet.open) sheet.close(); };
    if (narrow.addEventListener) narrow.addEventListener("change", widen);
    this.opener.setAttribute("aria-expanded", "false");
  };

  /* One pass over the works: the results, and for every facet value the number of
   * works that would match if that value were added (given all other facets).
   * Reads this.chosen and this.topicsChosen, set by update() from the same state. */
  Browser.prototype.filter = function (st) {
    var works = this.data.works;
    var tokens = st.q.toLowerCase().split(/\s+/).filter(Boolean);
    var active = FACETS.filter(function (name) { return st.sel[name].length > 0; });
    var wanted = this.chosen;
    var topicsChosen = this.topicsChosen;
    var counts = this.counts;
    FACETS.forEach(function (name) { counts[name].fill(0); });
    var results = [];
    for (var i = 0; i < works.length; i++) {
      var w = works[i];
      if (!isNaN(st.from) && !(w.y >= st.from)) continue;
      if (!isNaN(st.to) && !(w.y <= st.to)) continue;
      var hay = this.hay[i];
      var ok = true;
      for (var t = 0; t < tokens.length; t++) {
        if (hay.indexOf(tokens[t]) < 0) { ok = false; break; }
      }
      if (!ok) continue;
      var stances = topicsChosen ? this.stancesOnChosen(w, wanted) : w.f.stance || [];
      var failed = null;
      var failures = 0;
      for (var a = 0; a < active.length; a++) {
        var name = active[a];
        var vals = name === "stance" ? stances : w.f[name] || [];
        var hit = false;
        for (var v = 0; v < vals.length; v++) {
          if (wanted[name][vals[v]]) { hit = true; break; }
        }
        if (!hit) { failures++; failed = name; if (failures > 1) break; }
      }
      if (failures > 1) continue;
      if (failures === 0) results.push(i);
      for (var f = 0; f < FACETS.length; f++) {
        var fname = FACETS[f];
        if (failures === 1 && fname !== failed) continue;
        var own = fname === "stance" ? stances : w.f[fname];
        if (!own) continue;
        for (var k = 0; k < own.length; k++) counts[fname][own[k]]++;
      }
    }
    return results;
  };

  /* The stances a work takes on the chosen topics (so "auditing" + "critiques" means
   * works that critique auditing, not works on auditing that critique anything). */
  Browser.prototype.stancesOnChosen = function (w, wanted) {
    var out = [];
    var tags = w.ts || [];
    for (var t = 0; t < tags.length; t++) {
      var chosen = wanted[tags[t][0]];
      if (chosen && chosen[tags[t][1]] && out.indexOf(tags[t][2]) < 0) out.push(tags[t][2]);
    }
    return out;
  };

  Browser.prototype.sort = function (results, how) {
    var works = this.data.works;
    if (how === "title") {
      var keep = {};
      results.forEach(function (i) { keep[i] = true; });
      return this.titleOrder.filter(function (i) { return keep[i]; });
    }
    var sorted = results.slice();
    if (how === "year-asc") {
      sorted.sort(function (a, b) { return (works[a].y || 0) - (works[b].y || 0) || a - b; });
    } else if (how === "connections") {
      sorted.sort(function (a, b) { return works[b].n - works[a].n || a - b; });
    } // year-desc is the order of the data
    return sorted;
  };

  Browser.prototype.update = function (push) {
    var started = performance.now();
    var st = this.state();
    this.chosen = chosenSets(st);
    this.topicsChosen = TOPIC_FACETS.some(function (name) { return st.sel[name].length > 0; });
    this.results = this.sort(this.filter(st), st.sort);
    this.showCounts();
    this.showActive(st);
    this.render(false);
    var url = window.location.pathname + this.query() + window.location.hash;
    // The history entry is made after the results are painted: it costs the browser
    // several milliseconds and nobody sees the address bar change a frame later.
    afterNextFrame(function () {
      if (push && url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.pushState(null, "", url);
      }
    });
    this.root.dataset.updateMs = String(performance.now() - started);
  };

  /* "1 work", "2 works": every count the page prints goes through here. */
  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  /* facet -> {value index: true} for the ticked values of every facet. */
  function chosenSets(st) {
    var out = {};
    FACETS.forEach(function (name) {
      var set = {};
      st.sel[name].forEach(function (i) { set[i] = true; });
      out[name] = set;
    });
    return out;
  }

  function afterNextFrame(fn) {
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }

  Browser.prototype.showCounts = function () {
    var self = this;
    FACETS.forEach(function (name) {
      self.boxes[name].forEach(function (box) {
        var n = self.counts[name][self.valueIndex[name][box.value]] || 0;
        var zero = n === 0 && !box.checked;
        // Untouched when unchanged: every write would restyle the facet panel.
        if (box.toiCount === n && box.toiZero === zero) return;
        box.toiCount = n;
        box.toiZero = zero;
        var label = box.nextElementSibling;
        label.querySelector(".toi-count").textContent = "(" + n + ")";
        box.setAttribute("aria-label", label.firstChild.textContent.trim() + ", " + count(n, "work"));
        box.parentNode.classList.toggle("toi-zero", zero);
      });
    });
  };

  /* The bar of active filters above the results: one button per ticked value, the
   * text search and the years, each removing itself; the count on the phone's
   * "Filters" button. */
  Browser.prototype.showActive = function (st) {
    var self = this;
    var items = [];
    FACETS.forEach(function (name) {
      self.boxes[name].forEach(function (box) {
        if (!box.checked) return;
        var label = box.nextElementSibling.firstChild.textContent.trim();
        items.push([self.legends[name] + ": " + label, "box", box.id]);
      });
    });
    if (st.q) items.push(["Search: " + st.q, "field", "text"]);
    if (!isNaN(st.from)) items.push(["From " + st.from, "field", "from"]);
    if (!isNaN(st.to)) items.push(["To " + st.to, "field", "to"]);
    var frag = document.createDocumentFragment();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "toi-chip toi-remove";
      button.dataset.kind = item[1];
      button.dataset.target = item[2];
      // The name a screen reader gives: "Remove filter: End story: Microscope AI".
      var hidden = document.createElement("span");
      hidden.className = "toi-sr";
      hidden.textContent = "Remove filter: ";
      var cross = document.createElement("span");
      cross.setAttribute("aria-hidden", "true");
      cross.className = "toi-x";
      cross.textContent = "×";
      button.appendChild(hidden);
      button.appendChild(document.createTextNode(item[0]));
      button.appendChild(cross);
      li.appendChild(button);
      frag.appendChild(li);
    });
    this.activeList.replaceChildren(frag);
    this.active.hidden = items.length === 0;
    this.openCount.hidden = items.length === 0;
    this.openCount.textContent = items.length ? String(items.length) : "";
    this.opener.setAttribute("aria-label", items.length
      ? "Filters, " + count(items.length, "active filter") : "Filters");
  };

  Browser.prototype.removeFilter = function (button) {
    var at = Array.prototype.indexOf.call(this.activeList.querySelectorAll("button"), button);
    if (button.dataset.kind === "box") {
      document.getElementById(button.dataset.target).checked = false;
    } else {
      this.form.elements[button.dataset.target].value = "";
    }
    this.shown = PAGE_SIZE;
    this.update(true);
    // Focus goes to the filter that took the removed one's place, else to the status.
    var left = this.activeList.querySelectorAll("button");
    if (left.length) left[Math.min(at, left.length - 1)].focus();
    else this.status.focus();
  };

  Browser.prototype.clearAll = function () {
    FACETS.forEach(function (name) {
      this.boxes[name].forEach(function (box) { box.checked = false; });
    }, this);
    var el = this.form.elements;
    el.text.value = el.from.value = el.to.value = "";
  };

  /* List results up to this.shown. `more` appends the next page below the listed ones;
   * otherwise the list is replaced: FIRST items now, the rest after the next frame
   * (the list carries data-pending until then). */
  Browser.prototype.render = function (more) {
    var list = this.list;
    var upto = Math.min(this.shown, this.results.length);
    var generation = ++this.generation;
    var self = this;
    if (more) {
      list.appendChild(this.items(list.children.length, upto));
    } else {
      var now = Math.min(upto, FIRST);
      list.replaceChildren(this.items(0, now));
      if (now < upto) {
        list.dataset.pending = "1";
        afterNextFrame(function () {
          if (generation !== self.generation) return; // a newer update owns the list
          list.appendChild(self.items(now, upto));
          delete list.dataset.pending;
        });
      }
    }
    if (more || upto <= FIRST) delete list.dataset.pending;
    this.more.hidden = upto >= this.results.length;
    var total = this.data.works.length;
    var n = this.results.length;
    this.status.textContent = (n === total ? "All " + count(total, "work") : n + " of " + count(total, "work")) +
      (upto < n ? " (showing the first " + upto + ")" : "") + ".";
    this.done.textContent = "Show " + count(n, "work");
  };

  Browser.prototype.items = function (from, upto) {
    var works = this.data.works;
    var stances = this.data.facets.stance || [];
    var frag = document.createDocumentFragment();
    for (var r = from; r < upto; r++) {
      var w = works[this.results[r]];
      var li = document.createElement("li");
      li.className = "toi-result";
      var link = document.createElement("a");
      link.href = this.worksBase + encodeURIComponent(w.p) + "/";
      link.textContent = w.t;
      li.appendChild(link);
      var meta = document.createElement("div");
      meta.className = "toi-result-meta";
      meta.textContent = [w.a, w.y].filter(Boolean).join(" · ");
      // With topics selected, the stance that matters is the one on each of them: it
      // is shown in their chips, and the work's overall stance mix would mislead.
      if (!this.topicsChosen) {
        (w.f.stance || []).forEach(function (i) {
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(stanceBadge(stances[i]));
        });
      }
      li.appendChild(meta);
      var chips = this.chips(w);
      if (chips) li.appendChild(chips);
      if (w.s) {
        var p = document.createElement("p");
        p.className = "toi-oneline";
        p.textContent = w.s;
        li.appendChild(p);
      }
      frag.appendChild(li);
    }
    return frag;
  };

  function stanceBadge(pair) {
    var badge = document.createElement("span");
    badge.className = "toi-stance toi-stance--" + pair[0];
    badge.textContent = pair[1];
    return badge;
  }

  /* Why a result matches: a chip per selected topic it has, with its stance on that
   * topic, then its other end stories and theories of impact up to CHIPS chips, then
   * "+N more". Built only for listed results. */
  Browser.prototype.chips = function (w) {
    var facets = this.data.facets;
    var chosen = this.chosen;
    var on = [];
    var rest = [];
    TOPIC_FACETS.forEach(function (name) {
      (w.f[name] || []).forEach(function (i) {
        if (chosen[name][i]) on.push([name, i]);
        else if (CHIP_FACETS.indexOf(name) >= 0) rest.push([name, i]);
      });
    });
    if (!on.length && !rest.length) return null;
    var box = document.createElement("div");
    box.className = "toi-chips";
    var stances = facets.stance || [];
    on.forEach(function (pair) {
      var chip = document.createElement("span");
      chip.className = "toi-chip toi-chip--on";
      chip.dataset.topic = facets[pair[0]][pair[1]][0];
      var mark = document.createElement("span");
      mark.className = "toi-sr";
      mark.textContent = "Selected: ";
      chip.appendChild(mark);
      chip.appendChild(document.createTextNode(facets[pair[0]][pair[1]][1]));
      var stance = stanceOn(w, pair[0], pair[1]);
      if (stance >= 0) {
        chip.appendChild(document.createTextNode(" "));
        chip.appendChild(stanceBadge(stances[stance]));
      }
      box.appendChild(chip);
    });
    var room = Math.max(0, CHIPS - on.length);
    rest.slice(0, room).forEach(function (pair) {
      var chip = document.createElement("span");
      chip.className = "toi-chip";
      chip.dataset.topic = facets[pair[0]][pair[1]][0];
      chip.textContent = facets[pair[0]][pair[1]][1];
      box.appendChild(chip);
    });
    if (rest.length > room) {
      var more = document.createElement("span");
      more.className = "toi-chip-more";
      more.textContent = "+" + (rest.length - room) + " more";
      box.appendChild(more);
    }
    return box;
  };

  /* The stance index a work takes on one topic (-1 if its tag has none). */
  function stanceOn(w, facet, value) {
    var tags = w.ts || [];
    for (var t = 0; t < tags.length; t++) {
      if (tags[t][0] === facet && tags[t][1] === value) return tags[t][2];
    }
    return -1;
  }

  Browser.prototype.selectedKeys = function () {
    var works = this.data.works;
    return this.results.map(function (i) { return works[i].k; });
  };

  /* The three downloads of the listed works, in their order. Each reads one of the
   * site's data files once, indexed by key; the browser only picks and joins entries. */
  var FORMATS = {
    bibtex: {
      link: function () {
        return document.getElementById("toi-keep").checked ? "toi-allbib" : "toi-cleanbib";
      },
      read: function (r) { return r.text(); },
      index: function (text) {
        // Our exports are canonical: every entry starts a line with "@type{key,".
        var byKey = {};
        text.split(/\n(?=@)/).forEach(function (chunk) {
          var m = /^@\w+\{([^,\s]+),/.exec(chunk);
          if (m) byKey[m[1]] = chunk.replace(/\s+$/, "") + "\n";
        });
        return byKey;
      },
      join: function (entries) { return entries.join("\n"); },
      type: "application/x-bibtex",
      file: "toi-atlas-selection.bib",
      name: "BibTeX",
    },
    ris: {
      link: function () { return "toi-risjson"; },
      read: function (r) { return r.json(); },
      index: function (byKey) { return byKey; }, // key -> "TY  - ...ER  - \n", built with rispy
      join: function (entries) { return entries.join("\n"); },
      type: "application/x-research-info-systems",
      file: "toi-atlas-selection.ris",
      name: "RIS",
    },
    csl: {
      link: function () { return "toi-csljson"; },
      read: function (r) { return r.json(); },
      index: function (items) {
        var byKey = {};
        items.forEach(function (item) { byKey[item.id] = item; });
        return byKey;
      },
      join: function (entries) { return JSON.stringify(entries, null, 2) + "\n"; },
      type: "application/vnd.citationstyles.csl+json",
      file: "toi-atlas-selection.csl.json",
      name: "CSL-JSON",
    },
  };

  Browser.prototype.download = function (format) {
    var self = this;
    var how = FORMATS[format];
    var url = document.getElementById(how.link()).href;
    var keys = this.selectedKeys();
    var got = this.fileCache[url] || fetch(url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return how.read(r);
    }).then(how.index);
    this.fileCache[url] = got;
    got.then(function (byKey) {
      var entries = keys.map(function (k) { return byKey[k]; }).filter(Boolean);
      var blob = new Blob([how.join(entries)], { type: how.type });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = how.file;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
      self.status.textContent = "Downloaded " + count(entries.length, "entry", "entries") + " as " + how.name + ".";
    }).catch(function (err) {
      delete self.fileCache[url]; // a failed fetch is tried again on the next click
      self.status.textContent = "Could not fetch the " + how.name + " (" + err.message + ").";
    });
  };

  Browser.prototype.copyKeys = function () {
    var self = this;
    var text = this.selectedKeys().join(", ");
    var done = function () { self.status.textContent = "Copied " + count(self.results.length, "key") + "."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { self.fallbackCopy(text, done); });
    } else {
      this.fallbackCopy(text, done);
    }
  };

  Browser.prototype.fallbackCopy = function (text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } finally { area.remove(); }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // Material's instant navigation swaps pages without a reload; run again if it does.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(start);
})();
