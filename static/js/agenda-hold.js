// The agenda's booking pages, every modality (copropiedad, cliente interno): the held slot
// (#hold) counts down to its expiry and, at 0, says so (#hold-expired) and disables the booking
// button (#submit-booking). The time left comes from the server: data-seconds-left (preferred:
// a wrong clock on the device does not matter) or data-expires-at (ISO 8601). Forms marked
// data-once are sent once (a double tap; the services also protect the server side). Loaded
// with `defer` (CSP: no inline scripts, NFR-02).
(function () {
  "use strict";

  var hold = document.getElementById("hold");
  if (hold) {
    var secondsLeft = parseInt(hold.getAttribute("data-seconds-left"), 10);
    var deadline = !isNaN(secondsLeft)
      ? Date.now() + secondsLeft * 1000
      : Date.parse(hold.getAttribute("data-expires-at"));
    var wrap = document.getElementById("hold-countdown-wrap");
    var countdown = document.getElementById("hold-countdown");
    var expired = document.getElementById("hold-expired");
    var submit = document.getElementById("submit-booking");
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
    if (!isNaN(deadline)) {
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
