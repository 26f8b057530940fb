/* CivicGrid: small behaviours shared by every page (no inline scripts, CSP-friendly). */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  function setUpNavToggle() {
    var toggle = document.querySelector("[data-nav-toggle]");
    var panel = document.getElementById("site-nav");
    if (!toggle || !panel) {
      return;
    }
    toggle.addEventListener("click", function () {
      var isOpen = panel.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", isOpen ? "true" : "false");
    });
  }

  // Menu groups (details elements): one open at a time; a click elsewhere or Escape closes.
  function setUpNavGroups() {
    var groups = Array.prototype.slice.call(document.querySelectorAll("details[data-nav-group]"));
    if (!groups.length) {
      return;
    }
    function closeAll(except) {
      groups.forEach(function (group) {
        if (group !== except) {
          group.open = false;
        }
      });
    }
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () {
        if (group.open) {
          closeAll(group);
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("details[data-nav-group]")) {
        closeAll(null);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        closeAll(null);
      }
    });
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // htmx requests that are not GET carry the CSRF token even when sent from outside a form.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = csrfToken();
    }
  });

  function setUp() {
    setUpNavToggle();
    setUpNavGroups();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
