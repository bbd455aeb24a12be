// The projects on the map, drawn with Leaflet from the points the page carries as JSON
// (#map-points); the tile server and its attribution come from the map element's data attributes.
(function () {
  "use strict";
  const points = JSON.parse(document.getElementById("map-points").textContent);
  const colours = {green: "#2fb344", yellow: "#f59f00", red: "#d63939"};
  const element = document.getElementById("map");
  const map = L.map(element, {preferCanvas: true});
  const tiles = element.dataset.tiles;
  if (tiles) { L.tileLayer(tiles, {attribution: element.dataset.attribution, maxZoom: 18}).addTo(map); }
  const layer = L.featureGroup().addTo(map);
  for (const p of points) {
    const marker = L.circleMarker([p.lat, p.lng], {radius: 7, color: "#fff", weight: 1,
      fillColor: colours[p.light] || "#888", fillOpacity: 0.9});
    const link = document.createElement("a");
    link.href = p.url; link.textContent = p.name;
    const box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.region + " · " + p.stage));
    marker.bindPopup(box).addTo(layer);
  }
  if (points.length) { map.fitBounds(layer.getBounds().pad(0.1)); } else { map.setView([35.2, 113.24], 10); }
  L.control.scale({imperial: false}).addTo(map);
})();
