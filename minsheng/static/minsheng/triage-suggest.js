// Triage suggestions on the staff intake page (asked while the operator types) and
// beside the dispatch form. Only a confident suggestion fills a field in, and never one
// the operator has chosen by hand. Without JavaScript the forms work as before.
(function () {
  "use strict";

  function intake(panel) {
    var form = panel.closest("form");
    if (!form) return;
    var title = form.querySelector("#id_title");
    var description = form.querySelector("#id_description");
    var area = form.querySelector("#id_area");
    var category = form.querySelector("#id_category");
    if (!description || !category) return;
    // Show the suggestions right under the description the operator is typing.
    var field = description.closest(".field");
    if (field) field.after(panel);

    var chosenByHand = false;
    var filledIn = null; // the value this script put in the category select
    category.addEventListener("change", function () {
      chosenByHand = true;
    });

    function apply(preselect) {
      if (chosenByHand) return;
      if (preselect) {
        category.value = String(preselect);
        filledIn = category.value;
      } else if (filledIn !== null && category.value === filledIn) {
        // The text changed and the model is no longer sure: undo what it filled in.
        category.value = "";
        filledIn = null;
      }
    }

    panel.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-category]");
      if (!button) return;
      category.value = button.getAttribute("data-pick-category");
      chosenByHand = true;
      category.focus();
    });

    var timer = null;
    var asked = 0;
    function ask() {
      var text = (title ? title.value : "") + description.value;
      if (!text.trim()) return;
      var query = new URLSearchParams({
        title: title ? title.value : "",
        description: description.value,
        area: area ? area.value : "",
      });
      var mine = ++asked;
      fetch(panel.getAttribute("data-url") + "?" + query.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data || mine !== asked) return; // a newer answer is on its way
          panel.innerHTML = data.html;
          enable(panel);
          apply(data.category);
        })
        .catch(function () {
          /* Suggestions are a help; the form works without them. */
        });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(ask, 350);
    }
    description.addEventListener("input", later);
    if (title) title.addEventListener("input", later);
    if (area) area.addEventListener("change", later);
    enable(panel);
    var initial = panel.getAttribute("data-preselect-category");
    if (initial && !category.value) apply(initial);
  }

  function dispatch(panel) {
    // The server already put a sure category and unit into the form; here a click on a
    // suggested category chooses it, and the unit follows (dispatch-form.js).
    var category = document.getElementById("id_dispatch_category");
    enable(panel);
    panel.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pick-category]");
      if (!button || !category) return;
      var value = button.getAttribute("data-pick-category");
      if (!category.querySelector('option[value="' + value + '"]')) return;
      category.value = value;
      category.dispatchEvent(new Event("change", { bubbles: true }));
      category.focus();
    });
  }

  // Without JavaScript the buttons could do nothing, so they come disabled.
  function enable(panel) {
    panel.querySelectorAll("[data-pick-category]").forEach(function (button) {
      button.disabled = false;
    });
  }

  function start() {
    document.querySelectorAll("[data-triage-intake]").forEach(intake);
    document.querySelectorAll("[data-triage-case]").forEach(dispatch);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
