// The projects on the map, drawn with Leaflet from the points the page carries as JSON
// (#map-points); the tile server and its attribution come from the map element's data attributes.
// Each point is [id, latitude, longitude, light, region, stage, name], the latitude and longitude
// in millionths of a degree (`micro` a degree), the light and stage as
// indexes into `lights` and `stages`, the region as a key of `regions`; a popup is built when
// it is opened, not for every point beforehand.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("map-points").textContent);
  const colours = {green: "#2fb344", yellow: "#f59f00", red: "#d63939"};
  const element = document.getElementById("map");
  const map = L.map(element, {preferCanvas: true});
  const tiles = element.dataset.tiles;
  if (tiles) { L.tileLayer(tiles, {attribution: element.dataset.attribution, maxZoom: 18}).addTo(map); }
  const layer = L.featureGroup().addTo(map);
  function popup(point) {
    const link = document.createElement("a");
    link.href = data.url.replace(data.placeholder, point[0]);
    link.textContent = point[6];
    const box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode((data.regions[point[4]] || "") + " · " + (data.stages[point[5]] || "")));
    return box;
  }
  for (const point of data.points) {
    const marker = L.circleMarker([point[1] / data.micro, point[2] / data.micro], {radius: 7, color: "#fff", weight: 1,
      fillColor: colours[data.lights[point[3]]] || "#888", fillOpacity: 0.9});
    marker.bindPopup(() => popup(point)).addTo(layer);
  }
  if (data.points.length) { map.fitBounds(layer.getBounds().pad(0.1)); } else { map.setView([35.2, 113.24], 10); }
  L.control.scale({imperial: false}).addTo(map);
})();
