/* ToI Atlas graph page: loads the vendored Cytoscape.js only on this page, then draws
 * data/graph.json with the positions the generator computed (no layout pass, so it
 * stays responsive with thousands of works). */
(function () {
  "use strict";

  var SHAPES = { advocates: "ellipse", critiques: "diamond", mixed: "triangle",
    evidence: "round-rectangle", survey: "hexagon", none: "rectangle" };
  var COLOURS = { advocates: "#0b6b2e", critiques: "#a11616", mixed: "#7a4d00",
    evidence: "#1f4f9a", survey: "#5a3d8a", none: "#666666" };
  var EDGE_COLOURS = { rebuts: "#c0392b", supports: "#1e7b3c", extends: "#2f5fb3",
    repliesto: "#7a6a55" };

  function start() {
    var box = document.getElementById("toi-graph");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var script = document.createElement("script");
    script.src = document.getElementById("toi-cytoscape").href;
    script.onload = function () {
      fetch(document.getElementById("toi-graph-data").href)
        .then(function (r) { return r.json(); })
        .then(function (data) { draw(box, data); });
    };
    document.head.appendChild(script);
  }

  function labelColour() {
    // Cytoscape does not accept the theme's 8-digit hex colours; pick per scheme.
    var scheme = document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate" ? "#e0e0e0" : "#222222";
  }

  function draw(box, data) {
    var worksBase = document.getElementById("toi-graph-works").href.replace(/[^/]*$/, "");
    var elements = data.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label, slug: n.slug,
        stance: n.stance, topics: n.topics, title: n.title }, position: { x: n.x, y: n.y } };
    }).concat(data.edges.map(function (e, i) {
      return { group: "edges", data: { id: "e" + i, source: e.source, target: e.target,
        type: e.type, scope: e.scope || "" } };
    }));
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      layout: { name: "preset" },
      minZoom: 0.05,
      maxZoom: 3,
      textureOnViewport: data.nodes.length > 1500,
      hideEdgesOnViewport: data.nodes.length > 1500,
      style: [
        { selector: "node", style: {
          "shape": function (n) { return SHAPES[n.data("stance")] || "rectangle"; },
          "background-color": function (n) { return COLOURS[n.data("stance")] || "#666"; },
          "width": 16, "height": 16, "label": "data(label)", "font-size": 8,
          "min-zoomed-font-size": 7, "text-valign": "bottom", "text-margin-y": 2,
          "color": labelColour() } },
        { selector: "edge", style: {
          "width": 1.2, "curve-style": "bezier", "target-arrow-shape": "triangle",
          "arrow-scale": 0.7, "opacity": 0.75,
          "line-color": function (e) { return EDGE_COLOURS[e.data("type")] || "#999"; },
          "target-arrow-color": function (e) { return EDGE_COLOURS[e.data("type")] || "#999"; },
          "line-style": function (e) {
            return e.data("type") === "supports" ? "dashed" :
              e.data("type") === "extends" ? "dotted" : "solid"; } } },
        { selector: ".toi-hidden", style: { "display": "none" } }
      ]
    });
    cy.on("tap", "node", function (evt) {
      window.location.href = worksBase + encodeURIComponent(evt.target.data("slug")) + "/";
    });
    var status = document.getElementById("toi-g-status");
    var topic = document.getElementById("toi-g-topic");
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll(".toi-graph-controls input[type=checkbox]"));
    function apply() {
      var types = {};
      boxes.forEach(function (b) { if (b.checked) types[b.value] = true; });
      var t = topic.value;
      cy.batch(function () {
        cy.nodes().forEach(function (n) {
          n.toggleClass("toi-hidden", !!t && n.data("topics").indexOf(t) < 0);
        });
        cy.edges().forEach(function (e) {
          var show = types[e.data("type")] &&
            (!t || e.data("scope") === t || e.data("scope") === "") &&
            !e.source().hasClass("toi-hidden") && !e.target().hasClass("toi-hidden");
          e.toggleClass("toi-hidden", !show);
        });
      });
      // Count by our class: Cytoscape's ":visible" can lag behind a batch of changes.
      var shownNodes = cy.nodes().filter(function (n) { return !n.hasClass("toi-hidden"); });
      var nodes = shownNodes.length;
      var links = cy.edges().filter(function (e) { return !e.hasClass("toi-hidden"); }).length;
      status.textContent = nodes + " works and " + links + " links shown.";
      if (t) cy.fit(shownNodes, 30);
      box.dataset.shown = nodes + "," + links;
    }
    boxes.forEach(function (b) { b.addEventListener("change", apply); });
    topic.addEventListener("change", apply);
    apply();
    cy.fit(undefined, 20);
    window.toiGraph = cy; // for tests and for curious readers in the console
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(start);
})();
