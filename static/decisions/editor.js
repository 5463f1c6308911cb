// Decision editor: add, remove and reorder rows of the formsets without saving in between.
// Without JavaScript the page works as well: "Zeile hinzufügen" re-shows it with one more row,
// the "Zeile entfernen" checkboxes remove rows, the order numbers set the order.
(function () {
  "use strict";

  function changed(form) {
    // tells static/js/unsaved.js that the form holds unsaved changes
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function liveRows(fieldset) {
    return Array.prototype.filter.call(
      fieldset.querySelector("[data-rows]").children,
      function (row) { return row.matches("[data-row]") && !row.classList.contains("is-removed"); }
    );
  }

  function orderInput(row, orderField) {
    if (!orderField) return null;
    return row.querySelector("input[name$='-" + orderField + "']");
  }

  // The order numbers follow the rows as shown: 1, 2, 3 …
  function renumber(fieldset) {
    var orderField = fieldset.dataset.orderField;
    if (!orderField) return;
    liveRows(fieldset).forEach(function (row, index) {
      var input = orderInput(row, orderField);
      if (input) input.value = String(index + 1);
    });
  }

  function nextNumber(fieldset) {
    var highest = 0;
    liveRows(fieldset).forEach(function (row) {
      var input = orderInput(row, fieldset.dataset.orderField);
      var value = input ? parseInt(input.value, 10) : NaN;
      if (!isNaN(value) && value > highest) highest = value;
    });
    return highest + 1;
  }

  function toolButton(label, text, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary";
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", handler);
    return button;
  }

  function setUpRow(fieldset, row, form) {
    if (row.querySelector(".row-tools")) return;
    var tools = document.createElement("div");
    tools.className = "row-tools";
    var orderField = fieldset.dataset.orderField;
    var legend = fieldset.querySelector("legend").textContent;
    if (orderField) {
      tools.appendChild(toolButton("Zeile nach oben (" + legend + ")", "↑ nach oben", function () {
        var rows = liveRows(fieldset);
        var index = rows.indexOf(row);
        if (index > 0) {
          rows[index - 1].before(row);
          renumber(fieldset);
          changed(form);
        }
      }));
      tools.appendChild(toolButton("Zeile nach unten (" + legend + ")", "↓ nach unten", function () {
        var rows = liveRows(fieldset);
        var index = rows.indexOf(row);
        if (index >= 0 && index < rows.length - 1) {
          rows[index + 1].after(row);
          renumber(fieldset);
          changed(form);
        }
      }));
    }
    tools.appendChild(toolButton("Zeile entfernen (" + legend + ")", "Zeile entfernen", function () {
      var remove = row.querySelector("input[name$='-DELETE']");
      if (remove) remove.checked = true;
      row.classList.add("is-removed");
      renumber(fieldset);
      changed(form);
    }));
    row.prepend(tools);
    setUpPreviews(row, form);
  }

  function addRow(fieldset, form) {
    var prefix = fieldset.dataset.prefix;
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = fieldset.querySelector("template[data-empty-row]");
    if (!total || !template) return;
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    while (row && !row.matches("[data-row]")) row = row.nextElementSibling;
    if (!row) return;
    var input = orderInput(row, fieldset.dataset.orderField);
    if (input) input.value = String(nextNumber(fieldset));
    fieldset.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    setUpRow(fieldset, row, form);
    var first = row.querySelector("input:not([type=hidden]):not([type=number]), textarea, select");
    if (first) first.focus();
    changed(form);
  }

  // "Vorschau" beside each Markdown text: rendered by the server as in the PDF, not saved.
  function setUpPreviews(scope, form) {
    var url = form.dataset.previewUrl;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!url || !token) return;
    scope.querySelectorAll("textarea[data-markdown]").forEach(function (area) {
      if (area.dataset.previewReady) return;
      area.dataset.previewReady = "1";
      var box = document.createElement("div");
      box.className = "markdown-preview";
      box.hidden = true;
      box.setAttribute("aria-live", "polite");
      var button = toolButton("Vorschau: " + (area.labels && area.labels[0] ? area.labels[0].textContent.replace("*", "").trim() : "Text"), "Vorschau anzeigen", function () {
        if (!box.hidden) {
          box.hidden = true;
          button.textContent = "Vorschau anzeigen";
          return;
        }
        var body = new FormData();
        body.append("text", area.value);
        fetch(url, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": token.value },
          credentials: "same-origin",
        }).then(function (response) {
          return response.text().then(function (html) {
            box.innerHTML = '<p class="preview-label">Vorschau (nicht gespeichert)</p>' +
              (response.ok ? html : '<p class="error">Die Vorschau ist nicht verfügbar.</p>');
            box.hidden = false;
            button.textContent = "Vorschau ausblenden";
          });
        }).catch(function () {
          box.innerHTML = '<p class="error">Die Vorschau ist nicht verfügbar (keine Verbindung).</p>';
          box.hidden = false;
        });
      });
      button.classList.add("preview-button");
      area.after(button, box);
    });
  }

  function setUpEditor(form) {
    form.classList.add("js-editor");
    form.querySelectorAll("fieldset[data-formset]").forEach(function (fieldset) {
      Array.prototype.forEach.call(fieldset.querySelectorAll("[data-rows] > [data-row]"), function (row) {
        if (row.querySelector("input[name$='-DELETE']:checked")) row.classList.add("is-removed");
        setUpRow(fieldset, row, form);
      });
      var add = fieldset.querySelector("[data-add-row]");
      if (add) {
        add.textContent = "Zeile hinzufügen";
        add.addEventListener("click", function (event) {
          event.preventDefault();
          addRow(fieldset, form);
        });
      }
    });
    setUpPreviews(form, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-editor]").forEach(setUpEditor);
  });
})();
