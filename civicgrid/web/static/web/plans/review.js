/* Review screen of a plan: picking an item shows its passage in the document text, and picking
   a highlighted passage shows its item. No inline scripts; works again after every htmx swap. */
(function () {
  "use strict";

  function sourcePane() {
    return document.querySelector(".review-source .source-text");
  }

  function clearCurrent() {
    document.querySelectorAll(".source-text .is-current").forEach(function (node) {
      node.classList.remove("is-current");
    });
    document.querySelectorAll(".plan-item.is-current").forEach(function (node) {
      node.classList.remove("is-current");
    });
  }

  function scrollPaneTo(pane, node) {
    if (!pane || !node) {
      return;
    }
    var paneBox = pane.getBoundingClientRect();
    var nodeBox = node.getBoundingClientRect();
    pane.scrollTop += nodeBox.top - paneBox.top - pane.clientHeight / 4;
  }

  function showItem(itemId, scrollCard) {
    if (!itemId) {
      return;
    }
    clearCurrent();
    var pane = sourcePane();
    var passage = document.querySelectorAll('.source-text [data-items~="' + itemId + '"]');
    passage.forEach(function (node) {
      node.classList.add("is-current");
    });
    var anchor = document.getElementById("src-item-" + itemId) || passage[0];
    scrollPaneTo(pane, anchor);
    var card = document.getElementById("item-" + itemId);
    if (card) {
      card.classList.add("is-current");
      if (scrollCard) {
        card.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var picker = target.closest("[data-pick-item]");
    if (picker) {
      event.preventDefault();
      showItem(picker.getAttribute("data-pick-item"), picker.tagName === "A");
      return;
    }
    var segment = target.closest(".source-text [data-items]");
    if (segment) {
      var ids = (segment.getAttribute("data-items") || "").split(" ").filter(Boolean);
      // The innermost item (the last one opened) is the one the words belong to.
      showItem(ids[ids.length - 1], true);
    }
  });

  function focusFromPanel() {
    var panel = document.getElementById("plan-review");
    if (panel && panel.getAttribute("data-focus")) {
      showItem(panel.getAttribute("data-focus"), true);
    }
  }

  document.addEventListener("htmx:afterSettle", focusFromPanel);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFromPanel);
  } else {
    focusFromPanel();
  }
})();
