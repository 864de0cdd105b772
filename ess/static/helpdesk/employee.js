// Service desk, employee pages: move the focus to the error summary when a form comes back
// with errors, so keyboard and screen-reader users start where the problems are listed.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
