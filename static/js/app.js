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

  // Wide tables scroll inside their own box, never the page (390 px phones): a table without
  // a .table-container gets one; a box that scrolls becomes a named, focusable region so it
  // can be scrolled with the keyboard (WCAG 2.1.1; axe "scrollable-region-focusable").
  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = table.closest(".table-container") || table;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        var inner = previous.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1].textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "Tabelle";
  }
  function setUpScrollTables() {
    var main = document.getElementById("inhalt");
    if (!main) return;
    main.querySelectorAll("table").forEach(function (table) {
      if (table.closest(".table-container")) return;
      var box = document.createElement("div");
      box.className = "table-container";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    var boxes = main.querySelectorAll(".table-container");
    function mark() {
      boxes.forEach(function (box) {
        var table = box.querySelector("table");
        if (!table) return;
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          box.setAttribute("role", "region");
          box.setAttribute("tabindex", "0");
          box.setAttribute("aria-label", "Tabelle: " + tableName(table) + " (seitlich verschiebbar)");
          box.setAttribute("data-js-region", "");
        } else if (!scrolls && box.hasAttribute("data-js-region")) {
          ["role", "tabindex", "aria-label", "data-js-region"].forEach(function (name) {
            box.removeAttribute(name);
          });
        }
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  // "Mehr" in the menu is a <details> (works without this): Escape closes it and returns to
  // its summary, a click elsewhere closes it.
  function setUpMoreMenu() {
    var more = document.querySelector(".nav-more");
    if (!more) return;
    more.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && more.open) {
        more.open = false;
        more.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (more.open && !more.contains(event.target)) more.open = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpScrollTables();
    setUpMoreMenu();
    setUpNavToggle();
    setUpAutoSubmit();
  });
})();
