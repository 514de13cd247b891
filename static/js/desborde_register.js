// Desborde register, step 2: a double tap sends the form once (the client_token also protects
// the server side). Loaded with `defer` from templates/desborde/register.html (CSP: no inline
// scripts, NFR-02).
(function () {
  "use strict";
  document.querySelectorAll("form#step-2").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
})();
