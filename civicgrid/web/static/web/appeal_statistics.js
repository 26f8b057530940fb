/* CivicGrid statistics page: ECharts charts from the json_script data and a Leaflet choropleth
 * of appeals per grid from /api/appeals/statistics/grids/. No tile layer (works offline). */
(function () {
  "use strict";

  function charts() {
    var element = document.getElementById("statistics-chart-data");
    if (!element || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(element.textContent);
    var trend = document.getElementById("chart-trend");
    if (trend) {
      echarts.init(trend).setOption({
        title: { text: data.trend.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        xAxis: { type: "category", data: data.trend.labels },
        yAxis: { type: "value" },
        series: [
          { name: data.trend.received_label, type: "line", data: data.trend.received },
          { name: data.trend.replied_label, type: "line", data: data.trend.replied },
        ],
      });
    }
    var categories = document.getElementById("chart-categories");
    if (categories) {
      echarts.init(categories).setOption({
        title: { text: data.categories.title, textStyle: { fontSize: 14 } },
        tooltip: {},
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.categories.labels },
        series: [{ type: "bar", data: data.categories.received }],
      });
    }
    var satisfaction = document.getElementById("chart-satisfaction");
    if (satisfaction) {
      echarts.init(satisfaction).setOption({
        title: { text: data.satisfaction.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "60%", data: data.satisfaction.items }],
      });
    }
  }

  function colour(value, maximum) {
    if (!value || !maximum) {
      return "#f1f5f9";
    }
    var share = Math.log(1 + value) / Math.log(1 + maximum);
    var classes = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
    return classes[Math.min(classes.length - 1, Math.floor(share * classes.length))];
  }

  function densityMap() {
    var element = document.getElementById("statistics-map");
    var status = document.getElementById("statistics-map-status");
    if (!element || typeof L === "undefined") {
      return;
    }
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    map.setView([22.27, 113.55], 9);
    fetch(element.dataset.gridsUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        var maximum = collection.properties.max_received;
        var layer = L.geoJSON(collection, {
          style: function (feature) {
            return {
              color: "#64748b",
              weight: 0.5,
              dashArray: feature.properties.is_demo_geometry ? "4 3" : null,
              fillColor: colour(feature.properties.received, maximum),
              fillOpacity: 0.8,
            };
          },
          onEachFeature: function (feature, featureLayer) {
            var tip = document.createElement("span");
            tip.textContent = feature.properties.name + ": " + feature.properties.received;
            featureLayer.bindTooltip(tip);
          },
        }).addTo(map);
        if (layer.getLayers().length) {
          map.fitBounds(layer.getBounds());
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = element.dataset.msgLoadFailed;
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    densityMap();
  });
})();
