/*
 * The search page: live results while typing (htmx, declared on the input), which
 * request counts as the search the person settled on, and arrow keys through the results.
 *
 * The input triggers htmx on `input` (after a pause: live, not logged) and on the custom
 * `search-final` event, sent here when the person presses Enter or leaves the field with a
 * query that was not final yet. That request carries final=1, and the server logs it.
 */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-search-form]");
    if (!form || !window.htmx) {
      return; // Without htmx the form submits normally and every search is a page load.
    }
    var input = form.querySelector('input[name="q"]');
    var results = document.getElementById("search-results");
    // The page itself was a logged search for the query it shows.
    var lastFinal = input.value.trim();

    function settle() {
      var value = input.value.trim();
      if (value && value !== lastFinal) {
        lastFinal = value;
        input.dispatchEvent(new CustomEvent("search-final"));
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      settle();
    });
    input.addEventListener("change", settle);

    document.body.addEventListener("htmx:configRequest", function (event) {
      var trigger = event.detail.triggeringEvent;
      if (event.detail.elt === input && trigger && trigger.type === "search-final") {
        event.detail.parameters.final = "1";
      }
    });

    // Moving through the results with the arrow keys; ArrowUp from the first goes back
    // to the query.
    results.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
        return;
      }
      var links = Array.prototype.slice.call(results.querySelectorAll("[data-result-link]"));
      var index = links.indexOf(document.activeElement);
      if (index < 0) {
        return;
      }
      event.preventDefault();
      if (event.key === "ArrowDown" && index + 1 < links.length) {
        links[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        (index > 0 ? links[index - 1] : input).focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
