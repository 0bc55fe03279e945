// The report form's description stops at its length limit without a word; near the limit
// this says how many characters are left, so a long paste is not cut off unnoticed.
(function () {
  "use strict";
  var SHOW_BELOW = 500;

  document.querySelectorAll("[data-count-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-count-for"));
    var limit = field && parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) return;
    function update() {
      var left = limit - field.value.length;
      counter.hidden = left >= SHOW_BELOW;
      counter.textContent = counter.getAttribute("data-count-text").replace("{n}", String(left));
      counter.classList.toggle("r-error", left <= 0);
    }
    field.addEventListener("input", update);
    update();
  });
})();
