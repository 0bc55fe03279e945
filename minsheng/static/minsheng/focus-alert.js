// A refused form (report, rating, withdrawal) comes back with an error summary
// (role="alert") at its top: move the focus there on load, so a screen reader reads it
// first and a keyboard user goes on from it to the marked fields.
(function () {
  "use strict";

  function start() {
    var summary = document.querySelector(".r-alert[role='alert']");
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
