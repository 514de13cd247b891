// Taquilla virtual (2.3): a double tap on "Llamar", an outcome or "Registrar el caso" sends the
// form once (the server also locks the turn). Loaded with `defer` from the booth templates
// (CSP: no inline scripts, NFR-02). The turn list is swapped by htmx, so the listener is
// delegated to the document.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
