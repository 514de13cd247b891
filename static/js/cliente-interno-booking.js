// The employee's booking pages (templates/cliente_interno/slots.html, reserve.html): choosing
// the transaction or the day reloads the free slots (forms marked data-autosubmit; "Ver
// horarios" without JavaScript); the data step counts the held slot down from the server's
// remaining seconds (data-seconds-left, so a wrong clock on the device does not matter) and,
// at 0, says the hold expired, offers to choose again and disables "Reservar"; forms marked
// data-once are sent once (a double tap). Loaded with `defer` (CSP: no inline scripts).
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

  var hold = document.getElementById("hold");
  if (hold) {
    var secondsLeft = parseInt(hold.getAttribute("data-seconds-left"), 10);
    var wrap = document.getElementById("hold-countdown-wrap");
    var countdown = document.getElementById("hold-countdown");
    var expired = document.getElementById("hold-expired");
    var submit = document.getElementById("submit-booking");
    var deadline = Date.now() + (isNaN(secondsLeft) ? 0 : secondsLeft) * 1000;
    var timer = null;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
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
    if (!isNaN(secondsLeft)) {
      tick();
      timer = window.setInterval(tick, 1000);
    }
  }

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
