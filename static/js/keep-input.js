// Stellenplan — keep typed input across an expired session (progressive enhancement).
//
// A form marked data-keep-input stores its fields in sessionStorage (this tab only) when it
// is submitted. If the session had expired, the server answers with the login page; after
// the login it sends the user back to the same form page, which finds the stored input,
// puts it back (with the version the form was opened with, so a change by someone else in
// between is still reported as a conflict) and says so. Any other page, and a form shown
// again by the server (data-bound: its input is on the page already), drops the stored input;
// so does a successful save, which leads to another page.
(function () {
  "use strict";

  var KEY = "stellenplan.keep-input";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var SKIP = { csrfmiddlewaretoken: true };

  function read() {
    try {
      return JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function forget() {
    try { window.sessionStorage.removeItem(KEY); } catch (error) { /* storage off */ }
  }

  function store(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIP[element.name] || element.type === "submit" || element.type === "file") return;
      if ((element.type === "checkbox" || element.type === "radio")) {
        fields.push([element.name, element.value, element.checked]);
      } else if (element.tagName === "SELECT" && element.multiple) {
        fields.push([element.name, Array.prototype.filter.call(element.options, function (o) { return o.selected; }).map(function (o) { return o.value; }), null]);
      } else {
        fields.push([element.name, element.value, null]);
      }
    });
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({ path: window.location.pathname, saved: Date.now(), fields: fields }));
    } catch (error) { /* storage full or off: nothing kept */ }
  }

  function restore(form, kept) {
    kept.fields.forEach(function (entry) {
      var name = entry[0], value = entry[1], checked = entry[2];
      Array.prototype.forEach.call(form.elements, function (element) {
        if (element.name !== name) return;
        if (element.type === "checkbox" || element.type === "radio") {
          if (element.value === value) element.checked = !!checked;
        } else if (element.tagName === "SELECT" && element.multiple) {
          Array.prototype.forEach.call(element.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
        } else {
          element.value = value;
        }
      });
    });
    var note = document.createElement("p");
    note.className = "alert alert-warning";
    note.setAttribute("role", "status");
    note.id = "eingaben-wiederhergestellt";
    note.textContent = "Ihre Sitzung war abgelaufen. Ihre Eingaben wurden wiederhergestellt, " +
      "aber noch nicht gespeichert: bitte prüfen und erneut speichern.";
    form.parentNode.insertBefore(note, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var onLogin = !!document.querySelector("form[data-login]");
    var form = document.querySelector("form[data-keep-input]");
    var kept = read();
    if (kept && !onLogin) {
      var fresh = Date.now() - kept.saved < MAX_AGE_MS;
      if (form && !form.hasAttribute("data-bound") && fresh && kept.path === window.location.pathname) {
        restore(form, kept);
      }
      forget();
    }
    if (form) {
      form.addEventListener("submit", function () { store(form); });
    }
  });
})();
