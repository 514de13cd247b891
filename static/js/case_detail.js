// Case page, close form: shows the "do not give the answer during the call" hint while an
// authorised notification medium is chosen. Loaded with `defer` from
// templates/core/case_detail.html (CSP: no inline scripts, NFR-02).
(function () {
  "use strict";
  var medium = document.getElementById("id_notification_medium");
  var hint = document.getElementById("notification-hint");
  if (!medium || !hint) { return; }
  function toggle() { hint.classList.toggle("d-none", !medium.value); }
  medium.addEventListener("change", toggle);
  toggle();
})();
