/* CivicGrid indicators pages: ECharts trend against the target, target gauge, comparison of
 * units, choropleth of units (boundaries from /api/territory/geojson/) and equalisation trends.
 * Data come from a json_script element; no request is made except the map's GeoJSON. */
(function () {
  "use strict";

  function readData(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function fmt(value, decimals) {
    if (value === null || value === undefined) {
      return "–";
    }
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: decimals });
  }

  function trendChart(element, data) {
    var series = data.series;
    var periods = series.periods.slice();
    var forecast = series.forecast || [];
    forecast.forEach(function (point) {
      if (periods.indexOf(point.period) < 0) {
        periods.push(point.period);
      }
    });
    var forecastLine = periods.map(function (period) {
      var hit = forecast.filter(function (point) { return point.period === period; })[0];
      return hit ? hit.value : null;
    });
    var lines = [
      {
        name: data.labels.value,
        type: "line",
        data: series.values,
        connectNulls: false,
        symbolSize: 7,
        label: { show: true, formatter: function (p) { return fmt(p.value, data.indicator.decimals); } },
        markLine: series.target
          ? {
              symbol: "none",
              lineStyle: { color: "#b42318", type: "dashed" },
              label: { formatter: series.target.label, position: "insideEndTop" },
              data: [{ yAxis: series.target.value }],
            }
          : undefined,
      },
    ];
    if (forecast.length) {
      lines.push({
        name: data.labels.forecast,
        type: "line",
        data: forecastLine,
        connectNulls: true,
        symbol: "emptyCircle",
        lineStyle: { type: "dotted" },
      });
    }
    echarts.init(element).setOption({
      title: { text: data.labels.trend_title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 48, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: periods },
      yAxis: { type: "value", name: data.indicator.unit_label, scale: true },
      series: lines,
    });
  }

  function gaugeChart(element, data) {
    var gauge = data.gauge;
    echarts.init(element).setOption({
      title: { text: data.labels.gauge_title, textStyle: { fontSize: 14 } },
      series: [
        {
          type: "gauge",
          min: 0,
          max: 100,
          progress: { show: true, width: 14 },
          axisLine: { lineStyle: { width: 14 } },
          pointer: { show: false },
          axisTick: { show: false },
          splitLine: { length: 8 },
          axisLabel: { distance: 18, fontSize: 10 },
          detail: {
            valueAnimation: false,
            fontSize: 20,
            offsetCenter: [0, "10%"],
            formatter: function (value) { return gauge.value === null ? "–" : Math.round(value) + "%"; },
          },
          title: { offsetCenter: [0, "45%"], fontSize: 12 },
          data: [{ value: gauge.value === null ? 0 : gauge.value, name: gauge.label }],
        },
      ],
    });
  }

  function comparisonChart(element, data) {
    var comparison = data.comparison;
    echarts.init(element).setOption({
      title: { text: data.labels.comparison_title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", scale: false },
      yAxis: { type: "category", data: comparison.names, inverse: true },
      series: [
        {
          type: "bar",
          data: comparison.values,
          label: {
            show: true,
            position: "right",
            formatter: function (p) { return fmt(p.value, data.indicator.decimals); },
          },
          markLine: comparison.target_value === null
            ? undefined
            : {
                symbol: "none",
                lineStyle: { color: "#b42318", type: "dashed" },
                label: { formatter: data.labels.target },
                data: [{ xAxis: comparison.target_value }],
              },
        },
      ],
    });
  }

  function choropleth(element, data) {
    var map = data.map;
    var status = document.getElementById(element.id + "-status");
    fetch(map.geojson_url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (collection) {
        var mapName = "civicgrid-" + map.level + "-" + map.within;
        echarts.registerMap(mapName, collection);
        var values = Object.keys(map.values).map(function (code) {
          return { name: code, value: map.values[code] };
        });
        var numbers = values.map(function (item) { return item.value; }).filter(function (v) {
          return v !== null;
        });
        echarts.init(element).setOption({
          title: { text: data.labels.map_title, textStyle: { fontSize: 14 } },
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              return (map.names[p.name] || p.name) + ": " + fmt(p.value, data.indicator.decimals);
            },
          },
          visualMap: {
            min: numbers.length ? Math.min.apply(null, numbers) : 0,
            max: numbers.length ? Math.max.apply(null, numbers) : 1,
            calculable: true,
            left: 0,
            bottom: 0,
            inRange: {
              color: data.indicator.direction === "lower"
                ? ["#1a9850", "#fee08b", "#d73027"]
                : ["#d73027", "#fee08b", "#1a9850"],
            },
          },
          series: [
            {
              type: "map",
              map: mapName,
              nameProperty: "code",
              roam: true,
              label: { show: map.level === "district", formatter: function (p) { return map.names[p.name] || ""; } },
              data: values,
            },
          ],
        });
        if (status) {
          status.textContent = "";
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = element.dataset.msgLoadFailed || "";
        }
      });
  }

  function equalisationChart(element, data) {
    var metrics = data.metrics;
    echarts.init(element).setOption({
      title: { text: data.labels.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 48, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.periods },
      yAxis: [
        { type: "value", name: data.labels.ratio, scale: true },
        { type: "value", name: data.labels.dispersion, scale: true },
      ],
      series: [
        { name: data.labels.max_min, type: "line", yAxisIndex: 0, data: metrics.max_min_ratio },
        { name: data.labels.cv, type: "line", yAxisIndex: 1, data: metrics.coefficient_of_variation },
        { name: data.labels.theil, type: "line", yAxisIndex: 1, data: metrics.theil_index },
      ],
    });
  }

  function init() {
    if (typeof echarts === "undefined") {
      return;
    }
    var cockpit = readData("indicator-chart-data");
    if (cockpit) {
      var trend = document.getElementById("indicator-trend");
      if (trend && cockpit.series) {
        trendChart(trend, cockpit);
      }
      var gauge = document.getElementById("indicator-gauge");
      if (gauge && cockpit.gauge) {
        gaugeChart(gauge, cockpit);
      }
      var comparison = document.getElementById("indicator-comparison");
      if (comparison && cockpit.comparison) {
        comparisonChart(comparison, cockpit);
      }
      var map = document.getElementById("indicator-map");
      if (map && cockpit.map) {
        choropleth(map, cockpit);
      }
    }
    var equalisation = readData("equalisation-chart-data");
    var equalisationElement = document.getElementById("equalisation-trend");
    if (equalisation && equalisationElement) {
      equalisationChart(equalisationElement, equalisation);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
