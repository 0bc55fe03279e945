// The dispatch form: when the operator corrects the category, the unit select follows the
// routing rules' proposal for the new category, unless the operator chose a unit by hand.
// Without JavaScript the server shows the form again with the new proposal chosen.
(function () {
  "use strict";

  function start() {
    var category = document.getElementById("id_dispatch_category");
    var unit = document.getElementById("id_dispatch_unit");
    if (!category || !unit) return;
    var table;
    try {
      table = JSON.parse(category.getAttribute("data-proposals") || "{}");
    } catch (error) {
      return;
    }
    var field = unit.closest(".field");
    var help = field ? field.querySelector(".help") : null;
    function proposalFor(value) {
      var entry = table[value];
      return entry ? String(entry[0]) : "";
    }
    // The category the page was sent with: another script (the triage suggestions) may
    // have changed it before this one ran.
    var sent = category.querySelector("option[selected]");
    var proposed = proposalFor(sent ? sent.value : category.value);
    function follow() {
      var entry = table[category.value];
      var next = proposalFor(category.value);
      if (unit.value === proposed && next && unit.querySelector('option[value="' + next + '"]')) {
        unit.value = next;
      }
      proposed = next;
      if (help) {
        help.textContent = entry
          ? unit.getAttribute("data-propose-text").replace("{unit}", entry[1])
          : unit.getAttribute("data-none-text");
      }
    }
    category.addEventListener("change", follow);
    if (sent && category.value !== sent.value) follow();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
