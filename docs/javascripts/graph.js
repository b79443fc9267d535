/* ToI Atlas argument graph: draws data/graph-view.json as SVG, on this page only.
 *
 * No library: the generator has already placed every work (years left to right, one
 * band per main stance), so drawing is only creating elements. Colours are CSS
 * variables (stylesheets/graph.css) and follow Material's scheme toggle by themselves.
 * Every string from the data is set with textContent, never parsed as HTML.
 *
 * Zoom keeps nodes and labels at their size on screen: during a gesture the drawing is
 * only scaled (one transform), and when it ends every position is recomputed at the new
 * zoom and the labels are placed again, most connected works first, skipping any that
 * would overlap one already placed. The links of one type are one path (thousands of
 * lines as elements made the first picture slow); the links of the work under the
 * pointer or selected are drawn again on top.
 *
 * Touch: one finger scrolls the page as anywhere else; two fingers move and zoom the
 * graph (as map widgets do). A tap selects a work.
 */
(function () {
  "use strict";

  /* "1 work", "2 works": counts in words, as everywhere on the site. */
  function counted(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  var SVGNS = "http://www.w3.org/2000/svg";
  var LABEL_PX = 12;     // label font size, px on screen
  var LABEL_H = 15;      // room a label takes vertically when placing labels
  var TOP = 24;          // height of the year axis along the top
  var PAD = 14;          // room around the graph when it is fitted
  var MAX_K = 3.4;       // largest zoom: every label fits there (see render/graph.py)
  var SURE = 12;         // the most connected works keep their label over other dots
  var HIT = 14;          // px: a pointer this close to a work points at it
  var SHAPES = {         // unit-radius paths; the size comes from --toi-g-r
    advocates: "M1,0A1,1 0 1 1 -1,0A1,1 0 1 1 1,0Z",
    critiques: "M0,-1.3L1.3,0L0,1.3L-1.3,0Z",
    mixed: "M0,-1.25L1.2,0.85L-1.2,0.85Z",
    evidence: "M-0.5,-0.9H0.5Q0.9,-0.9 0.9,-0.5V0.5Q0.9,0.9 0.5,0.9H-0.5Q-0.9,0.9 " +
      "-0.9,0.5V-0.5Q-0.9,-0.9 -0.5,-0.9Z",
    survey: "M1,0L0.5,0.87L-0.5,0.87L-1,0L-0.5,-0.87L0.5,-0.87Z",
    none: "M-0.8,-0.8H0.8V0.8H-0.8Z"
  };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(name, cls, text, parent) {
    var node = document.createElement(name);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function start() {
    var box = document.getElementById("toi-graph");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var dataLink = document.getElementById("toi-graph-data");
    var base = dataLink.href.replace(/[^/]*$/, "");
    // The page's loader has usually asked for the data already, in parallel with us.
    (window.toiGraphData || fetch(base + "graph-view.json").then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }))
      .then(function (data) {
        var graph = new Graph(box, data);
        window.toiGraph = graph; // for tests and for curious readers in the console
        return fetch(base + "graph-text.json")
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (text) { if (text) graph.setText(text.summaries); });
      })
      .catch(function (err) {
        document.getElementById("toi-g-status").textContent =
          "Could not load the graph (" + err.message + "). The topic pages list the same links.";
      });
  }

  function Graph(box, data) {
    var self = this;
    this.box = box;
    this.data = data;
    this.nodes = data.nodes;
    this.summaries = null;
    this.worksBase = document.getElementById("toi-graph-works").href.replace(/[^/]*$/, "");
    var n = this.nodes.length;
    // The file is compact: link types and topics by number, slugs only where not the key.
    this.typeNames = {}; this.topicNames = {};
    data.edgetypes.forEach(function (t) { self.typeNames[t[0]] = [t[1], t[2]]; });
    data.topics.forEach(function (t) { self.topicNames[t[0]] = t[1]; });
    this.nodes.forEach(function (nd) {
      nd.slug = nd.slug || nd.id;
      nd.topics = nd.topics.map(function (i) { return data.topics[i][0]; });
    });
    this.edges = data.edges.map(function (e) {
      return { s: e[0], t: e[1], type: data.edgetypes[e[2]][0],
        scope: e[3] >= 0 ? data.topics[e[3]][0] : "" };
    });
    this.out = []; this.inn = []; this.deg = [];
    for (var i = 0; i < n; i++) { this.out.push([]); this.inn.push([]); this.deg.push(0); }
    this.edges.forEach(function (e, j) {
      self.out[e.s].push(j); self.inn[e.t].push(j);
      self.deg[e.s]++; self.deg[e.t]++;
    });
    // Label priority: most connected first, then newest (the data's order).
    this.order = this.nodes.map(function (_, i) { return i; }).sort(function (a, b) {
      return self.deg[b] - self.deg[a] || a - b;
    });
    this.byId = {};
    this.nodes.forEach(function (nd, i) { self.byId[nd.id] = i; });
    this.allEdges = this.edges.map(function (_, j) { return j; });
    this.hidden = new Uint8Array(n);
    this.edgeHidden = new Uint8Array(this.edges.length);
    this.labelSide = new Int8Array(n);
    this.k = 1; this.ks = 1; this.tx = 0; this.ty = 0; this.minK = 0.05;
    this.sel = -1; this.hover = -1; this.focus = this.order[0] || 0;
    this.moved = false;
    this.marked = [];
    this.build();
    this.controls();
    this.fit();
    this.settle();
    this.apply();
    requestAnimationFrame(function () {
      setTimeout(function () {
        // "Drawn": the frame with the graph has been painted. Measured from navigation.
        box.dataset.drawn = String(Math.round(performance.now()));
        box.dispatchEvent(new CustomEvent("toi-graph-drawn"));
      }, 0);
    });
  }

  Graph.prototype.build = function () {
    var self = this, data = this.data;
    var svg = this.svg = el("svg", {
      "class": "toi-graph-svg", role: "group", tabindex: "-1", // its works take the focus
      "aria-label": "Argument graph of " + counted(this.nodes.length, "work") + ". Arrow keys move " +
        "between works, Enter shows a work's links in the panel beside the graph."
    });
    var view = this.view = el("g", { "class": "toi-g-view" }, svg);
    var bands = el("g", { "class": "toi-g-bands" }, view);
    this.bandRects = data.bands.map(function (b, i) {
      return el("rect", { "class": "toi-g-band" + (i % 2 ? " toi-g-band--alt" : ""),
        x: "-100000", width: "200000" }, bands);
    });
    this.yearLines = data.years.slice(1).map(function () {
      return el("line", { "class": "toi-g-yearline" }, bands);
    });
    // Links: all of them; those of the selected work; those of the work under the pointer.
    this.edgeLayers = ["toi-g-edges", "toi-g-edges is-near", "toi-g-edges is-hover"].map(
      function (cls) { return self.edgeLayer(el("g", { "class": cls }, view)); });
    var nodeLayer = this.nodeLayer = el("g", { "class": "toi-g-nodes" }, view);
    var stances = data.stances;
    this.nodeEls = this.nodes.map(function (nd, i) {
      var stance = SHAPES[nd.stance] ? nd.stance : "none";
      var name = (stances[nd.stance] || ["", ""])[0];
      var g = el("g", { "class": "toi-g-node toi-g-s-" + stance, "data-i": String(i),
        "data-id": nd.id, role: "button", tabindex: i === self.focus ? "0" : "-1",
        "aria-label": nd.title + ". " + nd.label + (name ? ", " + name : "") }, nodeLayer);
      el("path", { "class": "toi-g-shape", d: SHAPES[stance] }, g);
      return g;
    });
    // Labels above every dot, in a layer of their own; made when first shown.
    this.labelLayer = el("g", { "class": "toi-g-labels" }, view);
    this.labelEls = [];
    var axis = el("g", { "class": "toi-g-axis" }, svg);
    this.axisBg = el("rect", { "class": "toi-g-axis-bg", x: "0", y: "0", height: String(TOP) }, axis);
    this.yearText = data.years.map(function (y) {
      var t = el("text", { "class": "toi-g-year", y: String(TOP - 8) }, axis);
      t.textContent = y[0] ? String(y[0]) : "n.d.";
      return t;
    });
    this.bandLabels = data.bands.map(function (b) {
      var g = el("g", { "class": "toi-g-bandlabel toi-g-s-" + b[0] }, axis);
      var s = stances[b[0]] || ["No stance", ""];
      var r = el("rect", { rx: "4", height: "18", x: "4" }, g);
      var t = el("text", { x: "10" }, g);
      t.textContent = (s[1] ? s[1] + " " : "") + s[0];
      return { g: g, rect: r, text: t };
    });
    this.box.textContent = "";
    this.box.appendChild(svg);
    // Label widths, measured when first needed with the font the labels use.
    var ctx = this.measure = document.createElement("canvas").getContext("2d");
    var family = this.family = getComputedStyle(svg).fontFamily || "sans-serif";
    this.labelW = new Float32Array(this.nodes.length);
    ctx.font = "700 " + LABEL_PX + "px " + family;
    this.bandLabels.forEach(function (b) {
      var w = ctx.measureText(b.text.textContent).width;
      b.rect.setAttribute("width", String(Math.ceil(w) + 12));
      b.width = Math.ceil(w) + 16;
    });
    this.gutter = Math.max.apply(null, this.bandLabels.map(function (b) { return b.width; }).concat([0]));
    ctx.font = LABEL_PX + "px " + family;
  };

  // One path of lines and one of arrowheads per link type.
  Graph.prototype.edgeLayer = function (g) {
    var paths = {};
    Object.keys(this.typeNames).forEach(function (type) {
      paths[type] = {
        line: el("path", { "class": "toi-g-edge toi-g-t-" + type, "data-type": type }, g),
        head: el("path", { "class": "toi-g-head toi-g-t-" + type }, g)
      };
    });
    return { g: g, paths: paths, edges: [] };
  };

  Graph.prototype.drawEdges = function (layer, edges) {
    var self = this, k = this.ks, r = this.radius(), parts = {}, heads = {}, counts = {};
    var head = 4 + r * 0.4, half = head * 0.55;
    layer.edges = edges;
    edges.forEach(function (j) {
      var e = self.edges[j];
      if (self.edgeHidden[j] || !layer.paths[e.type]) return;
      var a = self.nodes[e.s], b = self.nodes[e.t];
      var x1 = a.x * k, y1 = a.y * k, x2 = b.x * k, y2 = b.y * k;
      var dx = x2 - x1, dy = y2 - y1, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var ux = dx / len, uy = dy / len;
      var tipX = x2 - ux * (r + 1.5), tipY = y2 - uy * (r + 1.5); // on the target's rim
      var baseX = tipX - ux * head, baseY = tipY - uy * head;
      (parts[e.type] = parts[e.type] || []).push("M" + (x1 + ux * r).toFixed(1) + " " +
        (y1 + uy * r).toFixed(1) + "L" + baseX.toFixed(1) + " " + baseY.toFixed(1));
      (heads[e.type] = heads[e.type] || []).push("M" + tipX.toFixed(1) + " " + tipY.toFixed(1) +
        "L" + (baseX - uy * half).toFixed(1) + " " + (baseY + ux * half).toFixed(1) +
        "L" + (baseX + uy * half).toFixed(1) + " " + (baseY - ux * half).toFixed(1) + "Z");
      counts[e.type] = (counts[e.type] || 0) + 1;
    });
    Object.keys(layer.paths).forEach(function (type) {
      var p = layer.paths[type];
      p.line.setAttribute("d", (parts[type] || []).join(""));
      p.head.setAttribute("d", (heads[type] || []).join(""));
      p.line.setAttribute("data-count", String(counts[type] || 0));
    });
  };

  Graph.prototype.label = function (i) {
    var t = this.labelEls[i];
    if (!t) {
      var nd = this.nodes[i];
      t = this.labelEls[i] = el("text", { "class": "toi-g-label", "data-i": String(i) }, this.labelLayer);
      t.textContent = nd.short || nd.label;
    }
    return t;
  };

  Graph.prototype.labelWidth = function (i) {
    if (!this.labelW[i]) {
      var nd = this.nodes[i];
      this.labelW[i] = this.measure.measureText(nd.short || nd.label).width + 2;
    }
    return this.labelW[i];
  };

  /* --- geometry ------------------------------------------------------------------- */

  Graph.prototype.size = function () {
    return { w: this.box.clientWidth || 600, h: this.box.clientHeight || 400 };
  };

  Graph.prototype.left = function () {
    // Band names sit in a gutter on wide screens; on a phone they float over the bands.
    return this.size().w >= 600 ? this.gutter + 4 : PAD;
  };

  // Fit the whole graph (or the works `only`) into the box. On a portrait screen the
  // first view fills the height instead and shows the newest years, so that labels can
  // be read; the whole graph is one button (or two fingers) away.
  Graph.prototype.fit = function (only, whole) {
    var sz = this.size(), W = this.data.size[0], H = this.data.size[1], self = this;
    var x0 = 0, y0 = 0, x1 = W, y1 = H;
    if (only && only.length) {
      x0 = Infinity; y0 = Infinity; x1 = -Infinity; y1 = -Infinity;
      only.forEach(function (i) {
        var nd = self.nodes[i];
        x0 = Math.min(x0, nd.x); x1 = Math.max(x1, nd.x + 120);
        y0 = Math.min(y0, nd.y - 10); y1 = Math.max(y1, nd.y + 10);
      });
    }
    var left = this.left();
    var aw = Math.max(50, sz.w - left - PAD), ah = Math.max(50, sz.h - TOP - 2 * PAD);
    var all = Math.min(aw / W, ah / H);
    this.minK = Math.min(all * 0.8, 1);
    var k = Math.min(aw / Math.max(1, x1 - x0), ah / Math.max(1, y1 - y0), MAX_K);
    if (!only && !whole && sz.h > sz.w) k = Math.min(ah / H, 2 * all, MAX_K);
    this.k = k;
    this.tx = (x1 - x0) * k > aw ? left + aw - x1 * k : left + (aw - (x1 - x0) * k) / 2 - x0 * k;
    this.ty = TOP + PAD - y0 * k; // top-aligned: the page below is where the eye goes next
  };

  Graph.prototype.radius = function () {
    return clamp(7 * Math.sqrt(this.ks), 3.5, 7.5);
  };

  Graph.prototype.screen = function (i) {
    var nd = this.nodes[i];
    return { x: nd.x * this.k + this.tx, y: nd.y * this.k + this.ty };
  };

  // Keep some of the graph on screen whatever the pan.
  Graph.prototype.bound = function () {
    var sz = this.size(), W = this.data.size[0] * this.k, H = this.data.size[1] * this.k;
    this.tx = clamp(this.tx, 80 - W, sz.w - 80);
    this.ty = clamp(this.ty, 80 - H, sz.h - 80);
  };

  // During a gesture: one transform for the whole drawing.
  Graph.prototype.preview = function () {
    var self = this;
    this.bound();
    if (this.frame) return;
    this.frame = requestAnimationFrame(function () {
      self.frame = 0;
      var s = self.k / self.ks;
      self.view.setAttribute("transform", "translate(" + self.tx.toFixed(1) + "," +
        self.ty.toFixed(1) + ") scale(" + s.toFixed(4) + ")");
      self.axis();
    });
  };

  Graph.prototype.settleSoon = function () {
    var self = this;
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(function () { self.settle(); }, 160);
  };

  // At rest: every position at the current zoom, so sizes on screen stay the same.
  Graph.prototype.settle = function () {
    var self = this, k = this.k;
    clearTimeout(this.settleTimer);
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
    this.bound();
    this.ks = k;
    var r = this.radius();
    this.svg.style.setProperty("--toi-g-r", r.toFixed(2));
    this.view.setAttribute("transform", "translate(" + this.tx.toFixed(1) + "," + this.ty.toFixed(1) + ")");
    this.nodes.forEach(function (nd, i) {
      self.nodeEls[i].setAttribute("transform", "translate(" + (nd.x * k).toFixed(1) + "," + (nd.y * k).toFixed(1) + ")");
    });
    this.edgeLayers.forEach(function (layer, n) {
      self.drawEdges(layer, n === 0 ? self.allEdges : layer.edges);
    });
    this.data.bands.forEach(function (b, i) {
      self.bandRects[i].setAttribute("y", (b[1] * k).toFixed(1));
      self.bandRects[i].setAttribute("height", ((b[2] - b[1]) * k).toFixed(1));
    });
    var H = this.data.size[1] * k;
    this.data.years.slice(1).forEach(function (y, i) {
      var x = ((self.data.years[i][2] + y[1]) / 2 * k).toFixed(1);
      var line = self.yearLines[i];
      line.setAttribute("x1", x); line.setAttribute("x2", x);
      line.setAttribute("y1", "0"); line.setAttribute("y2", H.toFixed(1));
    });
    this.axis();
    this.labels();
    this.box.dataset.zoom = k.toFixed(3);
  };

  // Year ticks stay along the top and band names at the left, wherever the graph is.
  Graph.prototype.axis = function () {
    var self = this, sz = this.size(), k = this.k;
    this.axisBg.setAttribute("width", String(sz.w));
    var lastLeft = Infinity; // newest first: where ticks crowd, the older ones give way
    for (var i = this.data.years.length - 1; i >= 0; i--) {
      var y = this.data.years[i], from = y[1] * k + this.tx, to = y[2] * k + this.tx;
      var x = clamp((from + to) / 2, Math.max(from, 20), Math.min(to, sz.w - 20));
      var t = this.yearText[i];
      var show = to > 20 && from < sz.w - 20 && x + 20 < lastLeft;
      t.style.display = show ? "" : "none";
      if (show) { t.setAttribute("x", x.toFixed(1)); lastLeft = x - 20; }
    }
    this.data.bands.forEach(function (b, i) {
      var top = Math.max(b[1] * k + self.ty, TOP + 2), bottom = Math.min(b[2] * k + self.ty, sz.h);
      var lab = self.bandLabels[i];
      if (bottom - top < 20) { lab.g.style.display = "none"; return; }
      lab.g.style.display = "";
      var y = Math.min(top + 3, bottom - 21);
      lab.rect.setAttribute("y", y.toFixed(1));
      lab.text.setAttribute("y", (y + 13).toFixed(1));
      lab.y = y;
    });
  };

  // Labels: the work in focus or under the pointer first, then the selected work and
  // its neighbours (only those while a work is selected), then the most connected.
  // A label goes right of its dot, else left, where it overlaps no label and no dot.
  Graph.prototype.labels = function () {
    var self = this, sz = this.size(), k = this.ks, r = this.radius();
    var cells = {}, CELL = 64, left = this.left(), n = this.nodes.length;
    function each(x, y, w, h, fn) {
      for (var cx = Math.floor(x / CELL); cx <= Math.floor((x + w) / CELL); cx++) {
        for (var cy = Math.floor(y / CELL); cy <= Math.floor((y + h) / CELL); cy++) {
          if (fn(cx + "," + cy) === false) return false;
        }
      }
      return true;
    }
    function free(x, y, w, h, labelsOnly) {
      return each(x, y, w, h, function (key) {
        var list = cells[key] || [];
        for (var m = 0; m < list.length; m++) {
          var o = list[m];
          if ((!labelsOnly || o[4]) && x < o[0] + o[2] && o[0] < x + w && y < o[1] + o[3] && o[1] < y + h) {
            return false;
          }
        }
      });
    }
    function take(x, y, w, h, isLabel) {
      each(x, y, w, h, function (key) { (cells[key] = cells[key] || []).push([x, y, w, h, isLabel]); });
    }
    var pos = new Float64Array(2 * n), on = new Uint8Array(n);
    for (var i = 0; i < n; i++) {
      var nd = this.nodes[i];
      pos[2 * i] = nd.x * k + this.tx; pos[2 * i + 1] = nd.y * k + this.ty;
      on[i] = !this.hidden[i] && pos[2 * i] > -160 && pos[2 * i] < sz.w + 160 &&
        pos[2 * i + 1] > TOP - 10 && pos[2 * i + 1] < sz.h + 10 ? 1 : 0;
      if (on[i]) take(pos[2 * i] - r - 1, pos[2 * i + 1] - r - 1, 2 * r + 2, 2 * r + 2, false);
    }
    this.bandLabels.forEach(function (b) { // band names float over the graph on phones
      if (b.g.style.display !== "none") take(0, b.y, b.width + 4, 18, true);
    });
    var first = [], only = null;
    if (this.focused) first.push(this.focus);
    if (this.hover >= 0) first.push(this.hover);
    if (this.sel >= 0) {
      only = new Uint8Array(n);
      first.push(this.sel);
      first = first.concat(this.neighbours(this.sel));
      first.forEach(function (j) { only[j] = 1; });
    }
    var sure = first.length + SURE, seen = new Uint8Array(n), queue = first.concat(this.order);
    var shown = 0;
    for (var q = 0; q < queue.length; q++) {
      var j = queue[q];
      if (seen[j]) continue;
      seen[j] = 1;
      var x = pos[2 * j], y = pos[2 * j + 1], h = LABEL_H, side = 0, w = 0, dy = 0;
      if (on[j] && (!only || only[j]) && y > TOP + 6 && y < sz.h - 6) {
        w = this.labelWidth(j);
        // Right of the dot, else left; for the most connected works, over other dots if
        // need be, and then a row above or below (two of them side by side at an edge
        // would otherwise leave the second without a label).
        var tries = [[1, 0, false], [-1, 0, false]];
        if (q < sure) {
          tries = tries.concat([[1, 0, true], [-1, 0, true], [1, -h, true], [1, h, true],
            [-1, -h, true], [-1, h, true]]);
        }
        for (var c = 0; c < tries.length && !side; c++) {
          var s = tries[c][0], ox = s > 0 ? x + r + 3 : x - r - 3 - w, oy = y - h / 2 + tries[c][1];
          var inside = (s > 0 ? ox + w < sz.w : ox > left) && oy > TOP && oy + h < sz.h;
          if (inside && free(ox, oy, w, h, tries[c][2])) { side = s; dy = tries[c][1]; }
        }
      }
      if (!side && !this.labelSide[j]) continue;
      var t = this.label(j);
      if (side) {
        take(side > 0 ? x + r + 3 : x - r - 3 - w, y - h / 2 + dy, w, h, true);
        t.setAttribute("x", ((x - this.tx) + side * (r + 4)).toFixed(1));
        t.setAttribute("y", ((y - this.ty) + 4 + dy).toFixed(1));
        shown++;
      }
      if (side !== this.labelSide[j]) {
        t.classList.toggle("is-shown", !!side);
        if (side) t.setAttribute("text-anchor", side > 0 ? "start" : "end");
        this.labelSide[j] = side;
      }
    }
    this.box.dataset.labels = String(shown);
  };

  Graph.prototype.neighbours = function (i) {
    var self = this, out = [];
    this.out[i].forEach(function (j) { if (!self.edgeHidden[j]) out.push(self.edges[j].t); });
    this.inn[i].forEach(function (j) { if (!self.edgeHidden[j]) out.push(self.edges[j].s); });
    return out;
  };

  /* --- zoom and pan ---------------------------------------------------------------- */

  Graph.prototype.zoomAt = function (factor, cx, cy, now) {
    var k = clamp(this.k * factor, this.minK, MAX_K);
    this.tx = cx - (cx - this.tx) * (k / this.k);
    this.ty = cy - (cy - this.ty) * (k / this.k);
    this.k = k;
    this.moved = true;
    if (now) this.settle(); else { this.preview(); this.settleSoon(); }
  };

  Graph.prototype.centre = function (i) {
    var sz = this.size(), p = this.screen(i), left = this.left();
    if (p.x > left + 20 && p.x < sz.w - 40 && p.y > TOP + 20 && p.y < sz.h - 20) return;
    this.tx += (left + sz.w) / 2 - p.x;
    this.ty += (TOP + sz.h) / 2 - p.y;
    this.moved = true;
    this.settle();
  };

  Graph.prototype.nearest = function (x, y) {
    var best = -1, bestD = HIT * HIT;
    for (var i = 0; i < this.nodes.length; i++) {
      if (this.hidden[i]) continue;
      var p = this.screen(i), d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  };

  Graph.prototype.hit = function (evt) {
    var g = evt.target.closest && evt.target.closest(".toi-g-node, .toi-g-label");
    if (g) return Number(g.getAttribute("data-i"));
    var rect = this.box.getBoundingClientRect();
    return this.nearest(evt.clientX - rect.left, evt.clientY - rect.top);
  };

  Graph.prototype.controls = function () {
    var self = this, svg = this.svg, box = this.box, drag = null, touch = null;
    var hint = document.getElementById("toi-g-hint"), hintTimer = 0;
    var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    if (coarse) hint.textContent = "Two fingers move and zoom the graph; one finger scrolls the page.";
    function flash(text) {
      if (coarse) return;
      hint.textContent = text;
      hint.classList.add("is-shown");
      clearTimeout(hintTimer);
      hintTimer = setTimeout(function () { hint.classList.remove("is-shown"); }, 1500);
    }
    function local(evt) {
      var rect = box.getBoundingClientRect();
      return { x: evt.clientX - rect.left, y: evt.clientY - rect.top };
    }

    // Mouse and pen: drag to pan. Touch pointers are left to the browser (page scroll)
    // and to the two-finger handler below.
    svg.addEventListener("pointerdown", function (evt) {
      if (evt.pointerType === "touch" || evt.button !== 0) return;
      drag = { x: evt.clientX, y: evt.clientY, tx: self.tx, ty: self.ty, moved: false, id: evt.pointerId };
    });
    svg.addEventListener("pointermove", function (evt) {
      if (drag && evt.pointerId === drag.id) {
        var dx = evt.clientX - drag.x, dy = evt.clientY - drag.y;
        if (!drag.moved && dx * dx + dy * dy < 16) return;
        if (!drag.moved) { svg.setPointerCapture(evt.pointerId); svg.classList.add("is-dragging"); }
        drag.moved = true;
        self.tx = drag.tx + dx; self.ty = drag.ty + dy; self.moved = true;
        self.preview();
        return;
      }
      if (evt.pointerType !== "mouse") return;
      var i = self.hit(evt);
      if (i !== self.hover) self.setHover(i);
      if (i >= 0) self.card(i);
    });
    function endDrag(evt) {
      if (!drag || evt.pointerId !== drag.id) return;
      if (drag.moved) { self.suppressClick = true; self.settle(); }
      svg.classList.remove("is-dragging");
      drag = null;
    }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("pointerleave", function (evt) {
      if (evt.pointerType === "mouse" && !drag) { self.setHover(-1); self.card(-1); }
    });
    svg.addEventListener("click", function (evt) {
      if (self.suppressClick) { self.suppressClick = false; return; }
      var i = self.hit(evt);
      self.select(i === self.sel ? -1 : i);
    });
    svg.addEventListener("wheel", function (evt) {
      if (!(evt.ctrlKey || evt.metaKey)) {
        flash("Hold Ctrl (⌘ on a Mac) and scroll to zoom the graph.");
        return; // the page scrolls
      }
      evt.preventDefault();
      var p = local(evt), dy = evt.deltaMode === 1 ? evt.deltaY * 16 : evt.deltaY;
      self.zoomAt(Math.exp(-clamp(dy, -100, 100) * 0.004), p.x, p.y);
    }, { passive: false });

    // Two fingers: pan and pinch. One finger never reaches here as a gesture: the
    // browser scrolls the page (touch-action: pan-x pan-y in graph.css).
    function twoFingers(evt) {
      var a = evt.touches[0], b = evt.touches[1], rect = box.getBoundingClientRect();
      return { x: (a.clientX + b.clientX) / 2 - rect.left, y: (a.clientY + b.clientY) / 2 - rect.top,
        d: Math.max(1, Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY)) };
    }
    svg.addEventListener("touchstart", function (evt) {
      if (evt.touches.length < 2) return;
      evt.preventDefault();
      var f = twoFingers(evt);
      touch = { f: f, k: self.k, tx: self.tx, ty: self.ty };
    }, { passive: false });
    svg.addEventListener("touchmove", function (evt) {
      if (!touch || evt.touches.length < 2) return;
      evt.preventDefault();
      var f = twoFingers(evt), k = clamp(touch.k * f.d / touch.f.d, self.minK, MAX_K);
      self.tx = f.x - (touch.f.x - touch.tx) * (k / touch.k);
      self.ty = f.y - (touch.f.y - touch.ty) * (k / touch.k);
      self.k = k; self.moved = true;
      self.preview();
    }, { passive: false });
    function endTouch(evt) {
      if (touch && evt.touches.length < 2) { touch = null; self.suppressClick = true; self.settle(); }
    }
    svg.addEventListener("touchend", endTouch);
    svg.addEventListener("touchcancel", endTouch);

    // Keyboard: one work at a time is in the tab order; arrows move between works.
    svg.addEventListener("focusin", function (evt) {
      var g = evt.target.closest(".toi-g-node");
      if (!g) return;
      var i = Number(g.getAttribute("data-i"));
      self.nodeEls[self.focus].setAttribute("tabindex", "-1");
      g.setAttribute("tabindex", "0");
      self.focus = i; self.focused = true;
      self.centre(i);
      self.labels();
      self.card(i);
    });
    svg.addEventListener("focusout", function () {
      self.focused = false;
      if (self.hover < 0) self.card(-1);
    });
    svg.addEventListener("keydown", function (evt) {
      var g = evt.target.closest(".toi-g-node");
      if (!g) return;
      var i = Number(g.getAttribute("data-i")), sz = self.size();
      var dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (dirs[evt.key]) {
        var j = self.step(i, dirs[evt.key][0], dirs[evt.key][1]);
        if (j >= 0) self.nodeEls[j].focus();
      } else if (evt.key === "Enter" || evt.key === " ") {
        self.select(i);
      } else if (evt.key === "Escape") {
        self.select(-1);
      } else if (evt.key === "+" || evt.key === "=") {
        self.zoomAt(1.4, sz.w / 2, sz.h / 2, true);
      } else if (evt.key === "-") {
        self.zoomAt(1 / 1.4, sz.w / 2, sz.h / 2, true);
      } else if (evt.key === "0") {
        self.fit(null, true); self.settle();
      } else {
        return;
      }
      evt.preventDefault();
    });

    document.querySelectorAll(".toi-graph-zoom button").forEach(function (b) {
      b.addEventListener("click", function () {
        var sz = self.size(), how = b.getAttribute("data-zoom");
        if (how === "fit") { self.fit(null, true); self.moved = true; self.settle(); return; }
        self.zoomAt(how === "in" ? 1.5 : 1 / 1.5, (self.left() + sz.w) / 2, (TOP + sz.h) / 2, true);
      });
    });

    var pick = this.pick = document.getElementById("toi-g-work");
    var sorted = this.nodes.map(function (_, i) { return i; }).sort(function (a, b) {
      var x = self.nodes[a].label.toLowerCase(), y = self.nodes[b].label.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    var frag = document.createDocumentFragment();
    sorted.forEach(function (i) {
      var nd = self.nodes[i], o = document.createElement("option");
      o.value = nd.id;
      o.textContent = nd.label + ": " + nd.title;
      frag.appendChild(o);
    });
    pick.appendChild(frag);
    pick.addEventListener("change", function () {
      var i = pick.value in self.byId ? self.byId[pick.value] : -1;
      self.select(i);
      if (i >= 0) self.centre(i);
    });

    this.typeBoxes = Array.prototype.slice.call(
      document.querySelectorAll(".toi-graph-controls input[type=checkbox]"));
    this.topic = document.getElementById("toi-g-topic");
    this.typeBoxes.forEach(function (b) { b.addEventListener("change", function () { self.apply(); }); });
    this.topic.addEventListener("change", function () { self.apply(true); });

    if (window.ResizeObserver) {
      var last = box.clientWidth + "x" + box.clientHeight;
      new ResizeObserver(function () {
        var now = box.clientWidth + "x" + box.clientHeight;
        if (now === last) return;
        last = now;
        if (!self.moved) self.fit();
        self.settle();
      }).observe(box);
    }
  };

  // The nearest work in a direction, favouring ones straight ahead.
  Graph.prototype.step = function (i, dx, dy) {
    var a = this.screen(i), best = -1, bestScore = Infinity;
    for (var j = 0; j < this.nodes.length; j++) {
      if (j === i || this.hidden[j]) continue;
      var b = this.screen(j), ahead = (b.x - a.x) * dx + (b.y - a.y) * dy;
      if (ahead <= 0.5) continue;
      var side = Math.abs((b.x - a.x) * dy - (b.y - a.y) * dx);
      var score = ahead + 2.5 * side;
      if (score < bestScore) { bestScore = score; best = j; }
    }
    return best;
  };

  /* --- filters, hover, selection ---------------------------------------------------- */

  Graph.prototype.apply = function (refit) {
    var self = this, types = {}, t = this.topic.value;
    this.typeBoxes.forEach(function (b) { if (b.checked) types[b.value] = true; });
    var shown = [];
    this.nodes.forEach(function (nd, i) {
      var hide = !!t && nd.topics.indexOf(t) < 0;
      self.hidden[i] = hide ? 1 : 0;
      self.nodeEls[i].classList.toggle("toi-g-hidden", hide);
      if (!hide) shown.push(i);
    });
    var links = 0;
    this.edges.forEach(function (e, j) {
      var show = types[e.type] && (!t || e.scope === t || e.scope === "") &&
        !self.hidden[e.s] && !self.hidden[e.t];
      self.edgeHidden[j] = show ? 0 : 1;
      if (show) links++;
    });
    document.getElementById("toi-g-status").textContent =
      counted(shown.length, "work") + " and " + counted(links, "link") + " shown.";
    this.box.dataset.shown = shown.length + "," + links;
    if (this.hidden[this.focus] && shown.length) { // keep a work in the tab order
      this.nodeEls[this.focus].setAttribute("tabindex", "-1");
      this.focus = shown[0];
      this.nodeEls[this.focus].setAttribute("tabindex", "0");
    }
    this.drawEdges(this.edgeLayers[0], this.allEdges);
    if (this.sel >= 0 && this.hidden[this.sel]) this.select(-1);
    else if (this.sel >= 0) this.mark(this.sel);
    if (refit) {
      if (t && shown.length) this.fit(shown); else this.fit();
      this.moved = !!t;
      this.settle();
    } else {
      this.labels();
    }
  };

  Graph.prototype.setHover = function (i) {
    if (this.hover >= 0) this.nodeEls[this.hover].classList.remove("is-hover");
    this.hover = i;
    if (i >= 0) this.nodeEls[i].classList.add("is-hover");
    this.drawEdges(this.edgeLayers[2], i >= 0 ? this.incident(i) : []);
    this.labels();
  };

  Graph.prototype.incident = function (i) { return this.out[i].concat(this.inn[i]); };

  // Light up a work's neighbourhood: what it answers and what answers it.
  Graph.prototype.mark = function (i) {
    var self = this;
    this.marked.forEach(function (m) { m.classList.remove("is-near", "is-selected"); });
    this.marked = [];
    this.svg.classList.toggle("is-selecting", i >= 0);
    this.drawEdges(this.edgeLayers[1], i >= 0 ? this.incident(i) : []);
    if (i < 0) return;
    var me = this.nodeEls[i];
    me.classList.add("is-selected");
    this.marked.push(me);
    this.incident(i).forEach(function (j) {
      if (self.edgeHidden[j]) return;
      var e = self.edges[j], other = self.nodeEls[e.s === i ? e.t : e.s];
      other.classList.add("is-near");
      self.marked.push(other);
    });
  };

  Graph.prototype.select = function (i) {
    this.sel = i;
    this.mark(i);
    this.box.dataset.selected = i >= 0 ? this.nodes[i].id : "";
    if (this.pick.value !== (i >= 0 ? this.nodes[i].id : "")) this.pick.value = i >= 0 ? this.nodes[i].id : "";
    this.labels();
    this.panel(i);
  };

  Graph.prototype.workUrl = function (nd) {
    return this.worksBase + encodeURIComponent(nd.slug) + "/";
  };

  Graph.prototype.stanceBadge = function (stance, parent) {
    var s = this.data.stances[stance];
    if (!s) return;
    var b = html("span", "toi-stance toi-stance--" + stance, (s[1] ? s[1] + " " : "") + s[0], parent);
    return b;
  };

  Graph.prototype.meta = function (nd, parent) {
    var p = html("p", "toi-g-meta", null, parent);
    var bits = [nd.authors, nd.year ? String(nd.year) : ""].filter(Boolean).join(" · ");
    p.appendChild(document.createTextNode(bits + (bits ? " " : "")));
    this.stanceBadge(nd.stance, p);
    return p;
  };

  Graph.prototype.summary = function (i) {
    return this.summaries ? this.summaries[i] || "" : null;
  };

  Graph.prototype.setText = function (summaries) {
    this.summaries = summaries;
    if (this.sel >= 0) this.panel(this.sel);
    if (!this.cardEl().hidden && this.cardFor >= 0) this.card(this.cardFor, true);
  };

  Graph.prototype.cardEl = function () { return document.getElementById("toi-g-card"); };

  // The hover / focus card: title, authors, year, stance and summary, beside the work.
  Graph.prototype.card = function (i, again) {
    var card = this.cardEl();
    if (i < 0) { card.hidden = true; this.cardFor = -1; return; }
    if (i !== this.cardFor || again) {
      var nd = this.nodes[i];
      card.textContent = "";
      html("p", "toi-g-card-title", nd.title, card);
      this.meta(nd, card);
      var sum = this.summary(i);
      html("p", "toi-g-card-summary", sum === null ? "…" : sum, card);
      this.cardFor = i;
    }
    card.hidden = false;
    var sz = this.size(), p = this.screen(i), w = card.offsetWidth, h = card.offsetHeight;
    var x = p.x + 16 + w < sz.w ? p.x + 16 : Math.max(4, p.x - 16 - w);
    var y = clamp(p.y - h / 2, TOP + 4, Math.max(TOP + 4, sz.h - h - 4));
    card.style.left = x.toFixed(0) + "px";
    card.style.top = y.toFixed(0) + "px";
  };

  // The panel beside the graph (and the text alternative): the selected work and its
  // links both ways, each with a link to its page and a button to follow it here.
  Graph.prototype.panel = function (i) {
    var self = this, box = document.getElementById("toi-g-detail");
    box.textContent = "";
    if (i < 0) {
      html("p", null, "Choose a work here or click one in the graph: this panel lists what it " +
        "answers and what answers it, with links to their pages.", box);
      return;
    }
    var nd = this.nodes[i];
    html("h3", "toi-g-title", nd.title, box);
    this.meta(nd, box);
    var sum = this.summary(i);
    if (sum !== "") html("p", "toi-g-summary", sum === null ? "…" : sum, box);
    var open = html("a", "md-button toi-g-open", "Open the work page", html("p", null, null, box));
    open.href = this.workUrl(nd);
    function list(title, edges, forward) {
      html("h4", null, title + " (" + edges.length + ")", box);
      if (!edges.length) { html("p", "toi-g-none", "None in the atlas yet.", box); return; }
      var ul = html("ul", "toi-g-links", null, box);
      edges.forEach(function (j) {
        var e = self.edges[j], other = forward ? e.t : e.s, od = self.nodes[other];
        var names = self.typeNames[e.type] || [e.type, e.type];
        var li = html("li", null, null, ul);
        html("span", "toi-g-verb", forward ? names[0] : names[1], li);
        li.appendChild(document.createTextNode(" "));
        var a = html("a", null, od.label, li);
        a.href = self.workUrl(od);
        a.title = od.title;
        li.appendChild(document.createTextNode(": " + od.title));
        if (e.scope && self.topicNames[e.scope]) {
          html("span", "toi-g-scope", " (on " + self.topicNames[e.scope] + ")", li);
        }
        var b = html("button", "toi-g-follow", "Show", li);
        b.type = "button";
        b.setAttribute("aria-label", "Show " + od.label + " in the graph");
        b.addEventListener("click", function () { self.select(other); self.centre(other); });
      });
    }
    list("What it answers", this.out[i], true);
    list("What answers it", this.inn[i], false);
  };

  // The script tag comes after the graph's markup: start at once, without waiting for
  // the rest of the page (the theme's script) to load.
  if (document.getElementById("toi-graph")) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
