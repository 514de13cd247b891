// Condo administrators' booking pages (templates/copropiedad/*): step 1 shows the solution box
// only when the requirement is solved by phone; step 3 counts down the held slot to its expiry
// (data-expires-at, ISO 8601) and, once it expired, says so and disables the booking button;
// forms marked data-once are sent once (a double tap). Loaded with `defer` (CSP: no inline
// scripts, NFR-02).
(function () {
  "use strict";

  // Step 1: "Se resuelve por teléfono" → the solution; "Agendar cita" → no solution box.
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

  // Step 3: the hold's countdown.
  var hold = document.getElementById("hold");
  if (hold) {
    var expiresAt = Date.parse(hold.getAttribute("data-expires-at"));
    var wrap = document.getElementById("hold-countdown-wrap");
    var countdown = document.getElementById("hold-countdown");
    var expired = document.getElementById("hold-expired");
    var submit = document.getElementById("submit-booking");
    var timer = null;
    var tick = function () {
      var left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      if (countdown) { countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds; }
      if (wrap) { wrap.classList.remove("d-none"); }
      if (left <= 0) {
        if (expired) { expired.classList.remove("d-none"); }
        hold.classList.add("d-none");
        if (submit) { submit.disabled = true; }
        if (timer) { window.clearInterval(timer); }
      }
    };
    if (!isNaN(expiresAt)) {
      tick();
      timer = window.setInterval(tick, 1000);
    }
  }

  // A double tap sends a form once (the services also protect the server side).
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.hasAttribute || !target.hasAttribute("data-once")) { return; }
    if (target.getAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    target.setAttribute("data-sent", "1");
  });
})();
