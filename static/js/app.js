// Stellenplan — small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Collapsible main navigation on narrow screens (tablet portrait and smaller).
  function setUpNavToggle() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("hauptnavigation");
    if (!toggle || !nav) return;
    var narrow = window.matchMedia("(max-width: 900px)");
    toggle.hidden = false;
    toggle.classList.add("js-ready");
    function apply() {
      var open = toggle.getAttribute("aria-expanded") === "true";
      nav.classList.toggle("js-collapsed", narrow.matches && !open);
    }
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      apply();
    });
    narrow.addEventListener("change", apply);
    apply();
  }

  // Selects marked data-autosubmit submit their form when changed (e.g. rows per page).
  function setUpAutoSubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpNavToggle();
    setUpAutoSubmit();
  });
})();
