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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpNavToggle);
  } else {
    setUpNavToggle();
  }
})();
