// The report's "Print" button: the print stylesheet (ess.css) lays the dashboard out for paper.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-report-print]")) {
    window.print();
  }
});
