// Behaviours every page may use, declared in the HTML with data attributes, so that no page
// carries inline script (the Content-Security-Policy allows scripts from this site only).
//   <select data-submit-on-change>          submits its form when its value changes
//   <button data-confirm="...">             asks before submitting
//   <button data-go="URL" data-with="name"> goes to URL?name=<the form's field `name`>
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
