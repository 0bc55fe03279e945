// Switching the page's language reloads it: what a resident had typed into the report form
// would be lost. The words are kept in this tab's session storage for that one reload and
// put back. Contact details are not kept: they stay only where the resident typed them.
// Chosen photos cannot be kept (a page may not fill a file input): the page asks again.
(function () {
  "use strict";
  var KEY = "minsheng-typed:" + location.pathname;
  var SKIP = { csrfmiddlewaretoken: true, contact_name: true, contact_phone: true, photos: true };

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "submit" && el.type !== "button";
    });
  }

  function start() {
    var form = document.querySelector("form[data-keep-typed]");
    var switcher = document.querySelector("form.lang");
    if (!form || !switcher || !window.sessionStorage) return;
    try {
      var kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
      if (kept) {
        fields(form).forEach(function (el) {
          if (!(el.name in kept)) return;
          if (el.type === "radio" || el.type === "checkbox") {
            el.checked = kept[el.name] === el.value;
          } else if (!el.value || el.tagName === "SELECT" || el.type === "hidden") {
            el.value = kept[el.name];
          }
          // The character counter and the like follow what is in the field.
          el.dispatchEvent(new Event("input", { bubbles: true }));
        });
        var again = form.querySelector("[data-contact-again]");
        if (again && kept._contact) again.hidden = false;
        var photosAgain = form.querySelector("[data-photos-again]");
        if (photosAgain && kept._photos) photosAgain.hidden = false;
      }
    } catch (error) {
      /* A page that cannot restore still works. */
    }
    switcher.addEventListener("submit", function () {
      var typed = {};
      fields(form).forEach(function (el) {
        if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
        typed[el.name] = el.value;
      });
      // Only whether contact details were typed, to ask for them again; never the details.
      typed._contact = ["contact_name", "contact_phone"].some(function (name) {
        var el = form.elements[name];
        return el && el.value.trim() !== "";
      });
      var photos = form.elements.photos;
      typed._photos = Boolean(photos && photos.files && photos.files.length);
      try {
        sessionStorage.setItem(KEY, JSON.stringify(typed));
      } catch (error) {
        /* Storage full or refused: the switch goes on without it. */
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
