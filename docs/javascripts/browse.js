/* ToI Atlas browse page: faceted filtering over data/browse.json, state in the URL.
 *
 * Our own small module (no library, nothing from a CDN). The facet controls are
 * already in the page; this script only counts, filters, sorts and lists. Every
 * string from the data is set with textContent, never parsed as HTML.
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
          "Could not load the list of works (" + err.message + "). The plain lists above still work.";
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
    this.shown = PAGE_SIZE;
    this.generation = 0;
    this.bibCache = {};
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
    this.stanceNames = (facets.stance || []).map(function (p) { return p; });
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
    this.form.addEventListener("change", function (e) {
      if (e.target.name === "text") return; // typed text is handled by "input"
      self.shown = PAGE_SIZE;
      self.update(true);
    });
    // The sort menu sits beside the results, outside the form's subtree, so its
    // events do not bubble to the form.
    this.sortSelect.addEventListener("change", function () {
      self.shown = PAGE_SIZE;
      self.update(true);
    });
    this.form.addEventListener("input", function (e) {
      if (e.target.name !== "text") return;
      clearTimeout(timer);
      timer = setTimeout(function () { self.shown = PAGE_SIZE; self.update(true); }, 250);
    });
    this.form.addEventListener("submit", function (e) { e.preventDefault(); });
    this.form.addEventListener("reset", function () {
      setTimeout(function () { self.shown = PAGE_SIZE; self.update(true); }, 0);
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
      self.download();
    });
    document.getElementById("toi-copy").addEventListener("click", function () {
      self.copyKeys();
    });
    var panel = this.root.querySelector(".toi-panel");
    if (panel && window.matchMedia("(max-width: 59.984375em)").matches) panel.open = false;
  };

  /* One pass over the works: the results, and for every facet value the number of
   * works that would match if that value were added (given all other facets). */
  Browser.prototype.filter = function (st) {
    var works = this.data.works;
    var tokens = st.q.toLowerCase().split(/\s+/).filter(Boolean);
    var active = FACETS.filter(function (name) { return st.sel[name].length > 0; });
    var wanted = {};
    active.forEach(function (name) {
      var set = {};
      st.sel[name].forEach(function (i) { set[i] = true; });
      wanted[name] = set;
    });
    var counts = this.counts;
    FACETS.forEach(function (name) { counts[name].fill(0); });
    var topicsChosen = TOPIC_FACETS.some(function (name) { return st.sel[name].length > 0; });
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
    this.results = this.sort(this.filter(st), st.sort);
    this.showCounts();
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
      (w.f.stance || []).forEach(function (i) {
        var badge = document.createElement("span");
        badge.className = "toi-stance toi-stance--" + stances[i][0];
        badge.textContent = stances[i][1];
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(badge);
      });
      li.appendChild(meta);
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

  Browser.prototype.selectedKeys = function () {
    var works = this.data.works;
    return this.results.map(function (i) { return works[i].k; });
  };

  Browser.prototype.download = function () {
    var self = this;
    var keep = document.getElementById("toi-keep").checked;
    var link = document.getElementById(keep ? "toi-allbib" : "toi-cleanbib");
    var keys = this.selectedKeys();
    var cached = this.bibCache[link.href];
    var got = cached ? Promise.resolve(cached) : fetch(link.href).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      // Our exports are canonical: every entry starts a line with "@type{key,".
      var byKey = {};
      text.split(/\n(?=@)/).forEach(function (chunk) {
        var m = /^@\w+\{([^,\s]+),/.exec(chunk);
        if (m) byKey[m[1]] = chunk.replace(/\s+$/, "") + "\n";
      });
      self.bibCache[link.href] = byKey;
      return byKey;
    });
    got.then(function (byKey) {
      var body = keys.map(function (k) { return byKey[k]; }).filter(Boolean).join("\n");
      var blob = new Blob([body], { type: "application/x-bibtex" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "toi-atlas-selection.bib";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
      self.status.textContent = "Downloaded " + count(keys.length, "entry", "entries") + " as BibTeX.";
    }).catch(function (err) {
      self.status.textContent = "Could not fetch the BibTeX (" + err.message + ").";
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
