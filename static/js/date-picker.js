// Stellenplan — a calendar next to every German date field (progressive enhancement).
//
// The field stays a text input in German format (TT.MM.JJJJ): typed dates work with and
// without JavaScript and the server reads them (core.forms.GermanDateField). With
// JavaScript, a native date input (no name: never submitted) beside it opens the browser's
// calendar; a chosen day is written into the field as TT.MM.JJJJ, and a typed date shows
// in the calendar.
(function () {
  "use strict";

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function toIso(text) {
    var m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(text || "");
    if (!m) return "";
    return m[3] + "-" + two(+m[2]) + "-" + two(+m[1]);
  }

  function toGerman(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "." + m[2] + "." + m[1] : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-date-picker]").forEach(function (input) {
      var picker = document.createElement("input");
      picker.type = "date";
      picker.className = "date-picker";
      picker.tabIndex = -1; // keyboard users type the date; the calendar is for the mouse
      picker.setAttribute("aria-label", "Datumsauswahl");
      picker.title = "Datum im Kalender wählen";
      picker.value = toIso(input.value);
      picker.addEventListener("change", function () {
        var german = toGerman(picker.value);
        if (!german) return;
        input.value = german;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      input.addEventListener("change", function () { picker.value = toIso(input.value); });
      input.insertAdjacentElement("afterend", picker);
    });
  });
})();
