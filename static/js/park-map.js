// The map of parks over a tile server's tiles (templates/parks/park_map.html, when
// DJANGO_MAP_TILES_URL is set): Leaflet draws the tiles, and each park's mark of the SVG map
// drawn by the server (its place, shape, colour, size, name and link in its attributes) is
// copied onto them. Without JavaScript, or if Leaflet is missing, the SVG map stays.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var figure = document.querySelector(".park-map[data-tiles-url]");
  if (!figure || !window.L) {
    return;
  }
  var drawn = figure.querySelector("svg.park-map-svg");
  var holder = document.createElement("div");
  holder.className = "park-map-tiles";
  holder.setAttribute("role", "region");
  holder.setAttribute("aria-label", drawn.querySelector("title").textContent);
  drawn.parentNode.insertBefore(holder, drawn);
  drawn.classList.add("d-none");
  var credit = figure.querySelector(".park-map-tiles-credit");
  if (credit) {
    credit.hidden = false;
  }

  var map = L.map(holder, { attributionControl: false, scrollWheelZoom: false });
  L.tileLayer(figure.dataset.tilesUrl, { maxZoom: 18 }).addTo(map);

  // A mark the size it is on the server's map, in an SVG of its own (room for the diamond's and
  // the triangle's corners, which reach further from the park than the circle's edge), inside a
  // link to the park named as on the server's map: focusable, and followed by Enter or a click.
  function icon(link) {
    var x = parseFloat(link.dataset.x);
    var y = parseFloat(link.dataset.y);
    var reach = 1.6 * parseFloat(link.dataset.radius) + 2;
    var size = Math.round(2 * reach);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", [x - reach, y - reach, 2 * reach, 2 * reach].join(" "));
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    svg.setAttribute("aria-hidden", "true");
    var shape = link.querySelector("circle, polygon").cloneNode(false);
    shape.setAttribute("stroke", "#212529");
    shape.setAttribute("stroke-width", "1.5");
    svg.appendChild(shape);
    var copy = document.createElement("a");
    copy.href = link.getAttribute("href");
    copy.setAttribute("aria-label", link.getAttribute("aria-label"));
    copy.title = link.getAttribute("aria-label");
    copy.appendChild(svg);
    return L.divIcon({ html: copy, className: "park-map-tile-mark", iconSize: [size, size] });
  }

  var places = [];
  drawn.querySelectorAll("a[data-lat]").forEach(function (link) {
    var place = [parseFloat(link.dataset.lat), parseFloat(link.dataset.lon)];
    L.marker(place, { icon: icon(link), keyboard: false, riseOnHover: true }).addTo(map);
    places.push(place);
  });
  if (places.length) {
    map.fitBounds(places, { padding: [30, 30], maxZoom: 10 });
  } else {
    map.setView([16, 106], 5);
  }
})();
