/* CivicGrid appeal forms: a small Leaflet map; a click marks the place and fills the hidden
 * lon/lat inputs. No tile layer (works offline); staff pages also draw their area's
 * boundaries from /api/territory/geojson/ when a URL is given. */
(function () {
  "use strict";

  function setUp() {
    var element = document.getElementById("appeal-map");
    if (!element || typeof L === "undefined") {
      return;
    }
    var data = element.dataset;
    var lonInput = document.getElementById(data.lonInput);
    var latInput = document.getElementById(data.latInput);
    var pointText = document.querySelector("[data-point-text]");
    var clearButton = document.querySelector("[data-point-clear]");
    var map = L.map(element, { attributionControl: false, minZoom: 1, maxZoom: 18, zoomSnap: 0.25 });
    map.setView([22.27, 113.55], 9);
    var marker = null;

    // Others (the likely-duplicates watch) listen for "place-change" on the map element: a
    // place can be marked by a click on the map, by a place search result or by the phone.
    function show(lon, lat) {
      showPoint(lon, lat);
      element.dispatchEvent(new CustomEvent("place-change", { bubbles: true }));
    }

    function showPoint(lon, lat) {
      if (marker) {
        map.removeLayer(marker);
        marker = null;
      }
      if (lon === "" || lat === "" || lon == null || lat == null) {
        lonInput.value = "";
        latInput.value = "";
        if (pointText) { pointText.textContent = pointText.dataset.empty || ""; }
        return;
      }
      lonInput.value = lon;
      latInput.value = lat;
      marker = L.circleMarker([lat, lon], { radius: 8, color: "#b42318", weight: 3 }).addTo(map);
      if (pointText) { pointText.textContent = data.labelPoint + ": " + lon + ", " + lat; }
    }

    if (pointText) { pointText.dataset.empty = pointText.textContent; }
    if (lonInput.value && latInput.value) {
      showPoint(lonInput.value, latInput.value);
      map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 13);
    }
    map.on("click", function (event) {
      show(event.latlng.lng.toFixed(6), event.latlng.lat.toFixed(6));
    });
    if (clearButton) {
      clearButton.addEventListener("click", function () { show("", ""); });
    }
    // Place search results (htmx fragment under the address field): a click marks the place.
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-place-lon]") : null;
      if (!button) { return; }
      show(button.dataset.placeLon, button.dataset.placeLat);
      map.setView([parseFloat(button.dataset.placeLat), parseFloat(button.dataset.placeLon)], 16);
      var results = document.getElementById("place-results");
      if (results) { results.innerHTML = ""; }
    });
    // "Use my location" (grid reports): the phone's position, if the person allows it.
    var locateButton = document.querySelector("[data-point-locate]");
    if (locateButton && navigator.geolocation) {
      locateButton.hidden = false;
      locateButton.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var lon = position.coords.longitude.toFixed(6);
          var lat = position.coords.latitude.toFixed(6);
          show(lon, lat);
          map.setView([parseFloat(lat), parseFloat(lon)], 16);
        }, function () {
          if (pointText) { pointText.textContent = locateButton.dataset.failed || ""; }
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    if (data.geojsonUrl) {
      fetch(data.geojsonUrl + "?" + (data.geojsonQuery || "level=district"), {
        credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (collection) {
        if (!collection || !collection.features || !collection.features.length) {
          return;
        }
        var layer = L.geoJSON(collection, {
          style: { color: "#1d4ed8", weight: 1.5, fillOpacity: 0.04 }, interactive: false,
        }).addTo(map);
        if (!marker) { map.fitBounds(layer.getBounds()); }
      }).catch(function () { /* the map still works without boundaries */ });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
