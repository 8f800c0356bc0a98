/* Draws a cluster's chain of transmission with the vendored Cytoscape.js (static/vendor/cytoscape).
   The data comes from the page's graph endpoint: labels and levels only, never names. Clicking a
   person jumps to their line in the side list. Without JavaScript the links table says the same. */
(function () {
  "use strict";
  var box = document.getElementById("chain");
  if (!box || typeof window.cytoscape !== "function") { return; }
  var colours = { 0: "#b3261e", 1: "#e8710a", 2: "#f9d65c" };

  function elements(graph) {
    var nodes = graph.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label, level: n.level, unknown: n.unknown_source ? 1 : 0 } };
    });
    var edges = graph.edges.map(function (e, i) {
      return { group: "edges", data: { id: "e" + i, source: e.source, target: e.target, label: e.exposed_on } };
    });
    return nodes.concat(edges);
  }

  function draw(graph) {
    if (!graph.drawable || !graph.nodes.length) { return; }
    box.textContent = "";
    var roots = graph.nodes.filter(function (n) { return n.level === 0; }).map(function (n) { return "#" + n.id; });
    var cy = window.cytoscape({
      container: box,
      elements: elements(graph),
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
          "width": 18, "height": 18, "background-color": "#d9dee8", "border-width": 1, "border-color": "#5b6478" } },
        { selector: "node[level = 0]", style: { "background-color": colours[0], "width": 26, "height": 26 } },
        { selector: "node[level = 1]", style: { "background-color": colours[1] } },
        { selector: "node[level = 2]", style: { "background-color": colours[2] } },
        { selector: "node[unknown = 1]", style: { "border-width": 4, "border-color": "#9a6700", "border-style": "dashed" } },
        { selector: "edge", style: {
          "width": 1.5, "line-color": "#9aa3b5", "target-arrow-color": "#9aa3b5", "target-arrow-shape": "triangle",
          "curve-style": "bezier", "label": "data(label)", "font-size": 8, "color": "#5b6478",
          "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 1 } }
      ],
      layout: { name: "breadthfirst", directed: true, roots: roots.join(","), spacingFactor: 1.1, padding: 12 }
    });
    cy.on("tap", "node", function (event) {
      var line = document.getElementById("node-" + event.target.id());
      if (line) { window.location.hash = "node-" + event.target.id(); }
    });
  }

  fetch(box.getAttribute("data-graph-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (graph) { if (graph) { draw(graph); } })
    .catch(function () { /* the table below still lists every link */ });
})();
