// Asesor en línea (2.4). Loaded with `defer` from templates/asesor_linea/*.html (CSP: no inline
// scripts, NFR-02).
//
// - A double tap on "Anunciar", "Registrar la verificación" or a "Terminar" button sends the
//   form once (the server also locks the turn). The office lists are swapped by htmx, so the
//   listener is delegated to the document.
// - The attention page sends the case, print and scan forms with htmx and replaces only its
//   working column (#al-work), so the video call stays up. A refused form (400: a field to fix,
//   409: the turn's state) comes back as that column with the Spanish messages: swap it too
//   (htmx leaves 4xx answers out by default).
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

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr ? detail.xhr.status : 0;
    if ((status === 400 || status === 409) && detail.target && detail.target.id === "al-work") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
