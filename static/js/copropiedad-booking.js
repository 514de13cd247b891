// Condo administrators' booking pages (templates/copropiedad/*), step 1: the solution box shows
// only when the requirement is solved by phone. The held slot's countdown and the send-once
// forms are the agenda's (static/js/agenda-hold.js). Loaded with `defer` (CSP: no inline
// scripts, NFR-02).
(function () {
  "use strict";

  // "Se resuelve por teléfono" → the solution; "Agendar cita" → no solution box.
  var form = document.getElementById("requirement-form");
  var solution = document.getElementById("solution-block");
  if (form && solution) {
    var radios = form.querySelectorAll("input[name=resolution]");
    var toggle = function () {
      var checked = form.querySelector("input[name=resolution]:checked");
      solution.classList.toggle("d-none", !checked || checked.value !== "telefono");
    };
    radios.forEach(function (radio) { radio.addEventListener("change", toggle); });
    toggle();
  }
})();
