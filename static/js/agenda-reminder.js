// "Citas de hoy" (templates/core/partials/_appointments_today.html): a reminder banner
// data-reminder-minutes before each confirmed appointment starts, and the appointment whose time
// has come highlighted ("Es la hora de la cita"). Uses Date.now(), so a test can drive it with
// Playwright's page.clock. Loaded with `defer` (CSP: no inline scripts, NFR-02).
(function () {
  "use strict";
  var block = document.getElementById("appointments-today");
  if (!block) { return; }
  var minutes = parseInt(block.getAttribute("data-reminder-minutes"), 10);
  if (!(minutes >= 0)) { minutes = 5; }
  var banner = document.getElementById("agenda-reminder");
  var rows = Array.prototype.slice.call(block.querySelectorAll("tr[data-start]"));
  if (!rows.length) { return; }

  function check() {
    var now = Date.now();
    var next = null;
    rows.forEach(function (row) {
      var start = Date.parse(row.getAttribute("data-start"));
      var end = Date.parse(row.getAttribute("data-end"));
      var confirmed = row.getAttribute("data-status") === "confirmada";
      var isNow = confirmed && start <= now && now < end;
      row.classList.toggle("table-warning", isNow);
      var badge = row.querySelector(".appointment-now");
      if (badge) { badge.classList.toggle("d-none", !isNow); }
      if (confirmed && start > now && start - now <= minutes * 60000 && (!next || start < next.start)) {
        next = { row: row, start: start };
      }
    });
    if (!banner) { return; }
    if (next) {
      var left = Math.max(1, Math.ceil((next.start - now) / 60000));
      var who = next.row.getAttribute("data-customer");
      banner.textContent = "Recordatorio: la cita de las " + next.row.getAttribute("data-time") +
        (who ? " con " + who : "") + " empieza en " + left + (left === 1 ? " minuto" : " minutos") +
        ". Prepárese para llamar al cliente.";
      banner.classList.remove("d-none");
    } else {
      banner.classList.add("d-none");
      banner.textContent = "";
    }
  }

  check();
  window.setInterval(check, 1000);
})();
