// Keyboard-fast hotline intake (热线受理): Ctrl/Alt+Enter saves from any field, accesskeys for
// the fields an operator jumps to, and a click on a suggested category chooses it.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector('[data-testid="intake-form"]');
    if (!form) { return; }
    var keys = { id_citizen_phone: "p", id_category: "c", id_title: "t" };
    Object.keys(keys).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.accessKey = keys[id]; }
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.altKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-category-choice]");
      if (!button) { return; }
      var select = document.getElementById("id_category");
      if (!select) { return; }
      select.value = button.getAttribute("data-category-choice");
      select.dispatchEvent(new Event("change", { bubbles: true }));
      var buttons = form.querySelectorAll("[data-category-choice]");
      buttons.forEach(function (other) { other.classList.toggle("is-chosen", other === button); });
      var text = document.getElementById("id_text");
      if (text) { text.focus(); }
    });
  });
})();
