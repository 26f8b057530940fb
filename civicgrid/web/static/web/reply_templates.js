/* 答复模板: picking a reply template puts its text (placeholders already filled in by the
   server) into the reply field of the same form; text already typed is kept above it. */
(function () {
  "use strict";

  function setUp() {
    document.querySelectorAll("select[data-reply-template]").forEach(function (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var text = option ? option.getAttribute("data-text") : "";
        var field = select.form ? select.form.querySelector("textarea[name=reply]") : null;
        if (!text || !field) {
          return;
        }
        field.value = field.value.trim() ? field.value.trim() + "\n" + text : text;
        field.focus();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
