/* CivicGrid territory page: the admin-unit tree (htmx) and the Leaflet map of boundaries.
 * Boundaries come from /api/territory/geojson/, clicks are resolved by /api/territory/locate/.
 * No tile layer: polygons are drawn on a plain background so the page works offline. */
(function () {
  "use strict";

  var NEXT_LEVEL = { city: "district", district: "street", street: "community", community: "grid" };
  var BASE_STYLE = { color: "#1d4ed8", weight: 1.5, fillColor: "#1d4ed8", fillOpacity: 0.06 };
  var DEMO_STYLE = { color: "#b45309", weight: 1.5, dashArray: "6 4", fillColor: "#b45309", fillOpacity: 0.06 };
  var SELECTED_STYLE = { color: "#b42318", weight: 3, fillColor: "#f97316", fillOpacity: 0.12 };

  function styleFor(feature, isSelected) {
    var base = feature.properties && feature.properties.is_demo_geometry ? DEMO_STYLE : BASE_STYLE;
    var style = Object.assign({}, base);
    if (isSelected) {
      Object.assign(style, SELECTED_STYLE);
      if (base === DEMO_STYLE) {
        style.dashArray = DEMO_STYLE.dashArray;
      }
    }
    return style;
  }

  function text(element, value) {
    element.textContent = value == null ? "" : String(value);
  }

  function TerritoryMap(element) {
    this.element = element;
    this.data = element.dataset;
    this.status = document.getElementById("map-status");
    this.locateResult = document.getElementById("locate-result");
    this.baseCodes = {};
    this.selectedCode = "";
    this.map = L.map(element, {
      zoomControl: true, attributionControl: false, minZoom: 1, maxZoom: 18, zoomSnap: 0.25,
    });
    this.map.setView([22.27, 113.55], 9);
    this.baseGroup = L.featureGroup().addTo(this.map);
    this.detailGroup = L.featureGroup().addTo(this.map);
    this.map.on("click", this.locate.bind(this));
  }

  TerritoryMap.prototype.setStatus = function (message) {
    if (this.status) {
      text(this.status, message);
    }
  };

  TerritoryMap.prototype.fetchFeatures = function (within, level) {
    var params = new URLSearchParams();
    if (within) {
      params.set("within", within);
    }
    if (level) {
      params.set("level", level);
    }
    return fetch(this.data.geojsonUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
  };

  TerritoryMap.prototype.addLayer = function (group, collection) {
    var self = this;
    var features = (collection && collection.features) || [];
    features = features.filter(function (feature) {
      if (!feature || !feature.geometry) {
        return false;
      }
      // A unit already drawn in the overview is only re-styled, never drawn twice.
      return group === self.baseGroup || !self.baseCodes[feature.properties.code];
    });
    if (group === self.baseGroup) {
      features.forEach(function (feature) {
        self.baseCodes[feature.properties.code] = true;
      });
    }
    if (!features.length) {
      return null;
    }
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (feature) {
        return styleFor(feature, feature.properties.code === self.selectedCode);
      },
      onEachFeature: function (feature, featureLayer) {
        var props = feature.properties || {};
        var isLabelled = group === self.detailGroup && features.length <= 12 && props.code !== self.selectedCode;
        featureLayer.bindTooltip(props.name, {
          permanent: isLabelled,
          sticky: !isLabelled,
          direction: "center",
          className: isLabelled ? "unit-label unit-label-permanent" : "unit-label",
        });
        featureLayer.on("click", function () {
          self.select(props.code, props.level, false);
        });
      },
    });
    layer.addTo(group);
    return layer;
  };

  TerritoryMap.prototype.load = function (group, within, levels) {
    var self = this;
    var token = (self.loadToken = (self.loadToken || 0) + 1);
    if (group === self.detailGroup) {
      self.detailToken = token;
    }
    self.setStatus(self.data.msgLoading);
    return Promise.all(levels.map(function (level) {
      return self.fetchFeatures(within, level);
    })).then(function (collections) {
      var bounds = L.latLngBounds([]);
      if (group === self.detailGroup && token !== self.detailToken) {
        return null; // a later selection superseded this one
      }
      var drawn = 0;
      collections.forEach(function (collection) {
        var layer = self.addLayer(group, collection);
        if (layer) {
          drawn += layer.getLayers().length;
          bounds.extend(layer.getBounds());
        }
      });
      if (group === self.detailGroup) {
        drawn += self.extendWithBase(bounds);
      }
      self.setStatus(drawn ? "" : self.data.msgNoBoundaries);
      return bounds;
    }).catch(function () {
      self.setStatus(self.data.msgLoadFailed);
      return null;
    });
  };

  /* The selected unit may be drawn in the overview only: take its bounds from there. */
  TerritoryMap.prototype.extendWithBase = function (bounds) {
    var self = this;
    var found = 0;
    this.baseGroup.eachLayer(function (geoLayer) {
      geoLayer.eachLayer(function (featureLayer) {
        if (featureLayer.feature.properties.code === self.selectedCode) {
          bounds.extend(featureLayer.getBounds());
          found += 1;
        }
      });
    });
    return found;
  };

  TerritoryMap.prototype.restyle = function () {
    var self = this;
    [this.baseGroup, this.detailGroup].forEach(function (group) {
      group.eachLayer(function (geoLayer) {
        geoLayer.eachLayer(function (featureLayer) {
          var isSelected = featureLayer.feature.properties.code === self.selectedCode;
          featureLayer.setStyle(styleFor(featureLayer.feature, isSelected));
          if (isSelected) {
            featureLayer.bringToFront();
          }
        });
      });
    });
  };

  /* The overview: the root unit and the levels below it down to streets (or the root alone). */
  TerritoryMap.prototype.loadOverview = function () {
    var self = this;
    var rootLevel = this.data.rootLevel;
    var levels = [];
    if (rootLevel === "city" || !rootLevel) {
      levels = ["district", "street"];
    } else {
      levels = [rootLevel];
      if (NEXT_LEVEL[rootLevel] && rootLevel !== "district") {
        levels.push(NEXT_LEVEL[rootLevel]);
      } else if (rootLevel === "district") {
        levels.push("street");
      }
    }
    return this.load(this.baseGroup, this.data.rootCode, levels).then(function (bounds) {
      if (bounds && bounds.isValid()) {
        self.map.fitBounds(bounds, { padding: [12, 12] });
      }
    });
  };

  /* A selected unit: draw its next level (grids for a community) and zoom to it. */
  TerritoryMap.prototype.select = function (code, level, fromTree) {
    var self = this;
    if (!code) {
      return;
    }
    this.selectedCode = code;
    this.detailGroup.clearLayers();
    var levels = [level];
    if (NEXT_LEVEL[level]) {
      levels.push(NEXT_LEVEL[level]);
    }
    if (level === "street") {
      levels.push("grid");
    }
    this.load(this.detailGroup, code, levels).then(function (bounds) {
      if (!bounds) {
        return;
      }
      self.restyle();
      if (fromTree && bounds.isValid()) {
        self.map.fitBounds(bounds, { padding: [16, 16], animate: false });
      }
    });
    if (!fromTree) {
      highlightTreeNode(code);
    }
  };

  TerritoryMap.prototype.showLocation = function (body) {
    var box = this.locateResult;
    box.classList.remove("is-error");
    box.replaceChildren();
    var list = document.createElement("dl");
    list.className = "facts";
    var data = this.data;
    [["district", data.labelDistrict], ["street", data.labelStreet],
     ["community", data.labelCommunity], ["grid", data.labelGrid]].forEach(function (pair) {
      var unit = body[pair[0]];
      var term = document.createElement("dt");
      text(term, pair[1]);
      var value = document.createElement("dd");
      text(value, unit ? unit.name + " (" + unit.code + ")" : "—");
      value.dataset.level = pair[0];
      list.append(term, value);
    });
    box.append(list);
  };

  TerritoryMap.prototype.showLocateError = function (message) {
    var box = this.locateResult;
    box.replaceChildren();
    box.classList.add("is-error");
    text(box, message);
  };

  TerritoryMap.prototype.locate = function (event) {
    var self = this;
    var params = new URLSearchParams({
      lon: event.latlng.lng.toFixed(6),
      lat: event.latlng.lat.toFixed(6),
    });
    text(self.locateResult, self.data.msgLocating);
    self.locateResult.classList.remove("is-error");
    fetch(self.data.locateUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      }, function () {
        return { ok: false, body: {} };
      });
    }).then(function (result) {
      if (result.ok) {
        self.showLocation(result.body);
      } else {
        var error = result.body && result.body.error;
        self.showLocateError(error && error.message ? error.message : self.data.msgLocateFailed);
      }
    }).catch(function () {
      self.showLocateError(self.data.msgLocateFailed);
    });
  };

  function highlightTreeNode(code) {
    document.querySelectorAll(".tree-link.is-selected").forEach(function (link) {
      link.classList.remove("is-selected");
    });
    document.querySelectorAll('.tree-link[data-code="' + code + '"]').forEach(function (link) {
      link.classList.add("is-selected");
    });
  }

  function setUpTree(territoryMap) {
    // A second click on an open node folds it instead of fetching its children again.
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var link = event.detail.elt;
      if (!link.classList || !link.classList.contains("tree-link")) {
        return;
      }
      var node = link.closest(".tree-node");
      var children = node.querySelector(":scope > .tree-children");
      if (node.classList.contains("is-open") && children.children.length) {
        event.preventDefault();
        node.classList.remove("is-open");
        children.hidden = true;
      }
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var link = event.detail.elt;
      if (!link.classList || !link.classList.contains("tree-link") || !event.detail.successful) {
        return;
      }
      var node = link.closest(".tree-node");
      node.classList.add("is-open");
      node.querySelector(":scope > .tree-children").hidden = false;
      highlightTreeNode(link.dataset.code);
      if (territoryMap) {
        territoryMap.select(link.dataset.code, link.dataset.level, true);
      }
    });
  }

  function start() {
    var element = document.getElementById("territory-map");
    var territoryMap = null;
    if (element && window.L) {
      territoryMap = new TerritoryMap(element);
      territoryMap.loadOverview();
      window.civicgridTerritoryMap = territoryMap;
    }
    setUpTree(territoryMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
