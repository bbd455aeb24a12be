// Behaviours every page may use, declared in the HTML with data attributes, so that no page
// carries inline script (the Content-Security-Policy allows scripts from this site only).
//   <select data-submit-on-change>          submits its form when its value changes
//   <button data-confirm="...">             asks before submitting
//   <button data-go="URL" data-with="name"> goes to URL?name=<the form's field `name`>
//   <table class="table-cards">            on a phone, each row a card, each cell labelled
//                                           with its column's header (app.css, labels here)
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) { field.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    const confirming = event.target.closest("[data-confirm]");
    if (confirming && !window.confirm(confirming.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    const going = event.target.closest("[data-go]");
    if (going) {
      const name = going.dataset.with;
      const value = name && going.form ? going.form.elements[name].value : "";
      window.location.href = going.dataset.go + (name ? "?" + name + "=" + encodeURIComponent(value) : "");
    }
  });
  // Lists as cards on a phone: each cell takes its column's header as its label.
  function labelCells(root) {
    root.querySelectorAll("table.table-cards").forEach(function (table) {
      const heads = Array.from(table.querySelectorAll("thead tr:first-child th"))
        .map(function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.from(row.children).forEach(function (cell, index) {
          if (heads[index] && !cell.hasAttribute("colspan") && !cell.dataset.label) {
            cell.dataset.label = heads[index];
          }
        });
      });
    });
  }
  labelCells(document);
  document.addEventListener("htmx:afterSwap", function (event) { labelCells(event.target); });
  // Formset rows: <button data-add-row="prefix"> copies the template #prefix-empty into #prefix-rows.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      const prefix = button.dataset.addRow;
      const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      const html = document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, total.value);
      document.getElementById(prefix + "-rows").insertAdjacentHTML("beforeend", html);
      total.value = Number(total.value) + 1;
    });
  });
})();
