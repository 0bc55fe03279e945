/* The public board's map: the period's cases that have a location, as coloured dots.
 *
 * Reads the points from <script type="application/json" id="board-points"> and the tile
 * source from the map element's data-tiles / data-attribution (settings
 * MINSHENG_MAP_TILES / MINSHENG_MAP_ATTRIBUTION). With no tile source the dots sit on a
 * plain background, fitted to their bounds, with a scale: nothing is fetched from outside,
 * so the map works offline. Without JavaScript the map section stays hidden.
 */
(function () {
  "use strict";

  var COLOURS = {
    submitted: "#b54708", returned: "#b54708",
    dispatched: "#175cd3", escalated: "#175cd3", reopened: "#175cd3",
    accepted: "#175cd3", in_progress: "#175cd3",
    resolved: "#067647", closed: "#067647"
  };

  function start() {
    var element = document.getElementById("board-map");
    var data = document.getElementById("board-points");
    if (!element || !data || typeof window.L === "undefined") return;
    var points = JSON.parse(data.textContent);
    if (!points.length) return;
    var section = element.closest("[data-map-section]");
    if (section) section.hidden = false;

    var L = window.L;
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, {
        attribution: element.getAttribute("data-attribution") || "",
        maxZoom: 19
      }).addTo(map);
    } else {
      element.classList.add("b-map-plain");
      map.attributionControl.setPrefix(false);
    }

    var markers = L.featureGroup();
    points.forEach(function (p) {
      var colour = COLOURS[p.status] || "#667085";
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, weight: 2, color: "#fff", fillColor: colour, fillOpacity: 0.9,
        className: "b-marker b-marker-" + p.status
      });
      // Built with textContent: titles are residents' words and must never become markup.
      var box = document.createElement("div");
      box.className = "b-popup";
      box.setAttribute("dir", "auto");
      var title = document.createElement("strong");
      title.textContent = p.title;
      var meta = document.createElement("div");
      meta.textContent = p.category + " · " + p.status_label;
      box.appendChild(title);
      box.appendChild(meta);
      // Keep an opened popup clear of the zoom buttons in the top-left corner.
      marker.bindPopup(box, {
        autoPanPaddingTopLeft: L.point(56, 16),
        maxWidth: Math.max(160, Math.min(300, element.clientWidth - 80))
      });
      markers.addLayer(marker);
    });
    markers.addTo(map);
    map.fitBounds(markers.getBounds(), { padding: [24, 24], maxZoom: 15 });
    // Metres and kilometres only: nobody here measures in feet.
    L.control.scale({ imperial: false }).addTo(map);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
