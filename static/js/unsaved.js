// Warn before leaving a form marked data-warn-unsaved that holds unsaved changes.
// A form re-shown with unsaved input (data-warn-unsaved="geaendert", e.g. after "Vorschau")
// counts as changed from the start. Submitting the form is no leaving.
(function () {
  "use strict";

  function setUp(form) {
    var dirty = form.getAttribute("data-warn-unsaved") === "geaendert";
    var submitting = false;
    function mark() { dirty = true; }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("pageshow", function () { submitting = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
        return "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(setUp);
  });
})();
