// The employee's booking pages (templates/cliente_interno/slots.html, reserve.html): choosing
// the transaction or the day reloads the free slots (forms marked data-autosubmit; "Ver
// horarios" without JavaScript). The held slot's countdown and the send-once forms are the
// agenda's (static/js/agenda-hold.js). Loaded with `defer` (CSP: no inline scripts).
(function () {
  "use strict";

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.name === "transaccion") {
          var day = form.querySelector("select[name=fecha]");
          if (day) { day.disabled = true; }  // a new transaction starts from the first day
        }
        form.submit();
      });
    });
  });
})();
