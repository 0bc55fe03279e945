// The dashboard's hot-spots section when no recent search is stored: the page shows its
// figures at once and the search runs in this request (seconds at region scale). Without
// JavaScript the section links to the list of hot spots, which searches by itself.
(function () {
  "use strict";

  function load(waiting) {
    var section = waiting.closest("section");
    function failed() {
      waiting.textContent = waiting.getAttribute("data-hs-failed");
      section.removeAttribute("aria-busy");
    }
    fetch(waiting.getAttribute("data-hs-section"), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var found = new DOMParser()
          .parseFromString(html, "text/html")
          .querySelector("section#hotspots");
        if (!found) throw new Error("no section");
        // Keep the section itself, so screen readers announce what it now holds.
        section.replaceChildren.apply(section, Array.prototype.slice.call(found.childNodes));
        section.removeAttribute("aria-busy");
      })
      .catch(failed);
  }

  document.querySelectorAll("[data-hs-section]").forEach(load);
})();
