// The office's waiting-room display (/oficina/<id>/sala/, AL-03, BAL-03): the turns called to
// its kiosks today, newest first — "Turno A-023 → Módulo 2" — with a tone for each new one.
// Fed by "turn.announce" on the live socket (static/js/live.js, group display.<office>); the API
// (GET /api/v1/offices/<id>/display/) is read again after a reconnection and polled while the
// socket is down. Loaded with `defer` (CSP: no inline scripts).
(function () {
  "use strict";

  var root = document.getElementById("display");
  if (!root) { return; }
  var list = document.getElementById("display-list");
  var empty = document.getElementById("display-empty");
  var connection = document.getElementById("display-connection");
  var officeId = root.getAttribute("data-office-id");
  var url = root.getAttribute("data-display-url");
  var pollSeconds = parseInt(document.body.getAttribute("data-live-fallback"), 10) || 5;
  var LIMIT = 12;
  var audio = null;

  function chime() {
    var AudioCtx = window.AudioContext || window.webkitAudioContext;
    window.displayChimes = (window.displayChimes || 0) + 1;
    if (!AudioCtx) { return; }
    try {
      if (!audio) { audio = new AudioCtx(); }
      if (audio.state === "suspended" && audio.resume) { audio.resume().catch(function () {}); }
      var now = audio.currentTime;
      [[660, 0], [880, 0.3], [990, 0.6]].forEach(function (tone) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, now + tone[1]);
        gain.gain.exponentialRampToValueAtTime(0.3, now + tone[1] + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + tone[1] + 0.28);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(now + tone[1]);
        osc.stop(now + tone[1] + 0.3);
      });
    } catch (e) { /* no sound device: the screen still shows the turn */ }
  }
  document.addEventListener("click", function () {
    if (audio && audio.state === "suspended") { audio.resume().catch(function () {}); }
  });

  function hhmm(iso) {
    var date = iso ? new Date(iso) : new Date();
    try {
      return date.toLocaleTimeString("es-CO", {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "America/Bogota"
      });
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function entryItem(entry) {
    var li = document.createElement("li");
    li.className = "display-entry";
    li.setAttribute("data-turn-id", String(entry.turn_id));
    var turn = document.createElement("span");
    turn.className = "display-turn";
    turn.textContent = "Turno " + entry.turn;
    var kiosk = document.createElement("span");
    kiosk.className = "display-kiosk";
    kiosk.textContent = entry.kiosk;
    var time = document.createElement("time");
    time.className = "display-time";
    time.setAttribute("datetime", entry.announced_at || new Date().toISOString());
    time.textContent = hhmm(entry.announced_at);
    li.appendChild(turn);
    li.appendChild(document.createTextNode(" → "));
    li.appendChild(kiosk);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(time);
    return li;
  }

  function knownIds() {
    var ids = {};
    list.querySelectorAll(".display-entry").forEach(function (li) {
      ids[li.getAttribute("data-turn-id")] = true;
    });
    return ids;
  }

  function refreshEmpty() {
    empty.hidden = list.children.length > 0;
  }

  function highlight(li) {
    list.querySelectorAll(".display-entry-new").forEach(function (el) {
      el.classList.remove("display-entry-new");
    });
    li.classList.add("display-entry-new");
  }

  function render(entries) {
    var before = knownIds();
    var fresh = false;
    list.textContent = "";
    entries.slice(0, LIMIT).forEach(function (entry) {
      if (!before[String(entry.turn_id)]) { fresh = true; }
      list.appendChild(entryItem(entry));
    });
    if (fresh && list.firstChild) {
      highlight(list.firstChild);
      chime();
    }
    refreshEmpty();
  }

  function load() {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (entries) { if (entries) { render(entries); } })
      .catch(function () { /* next poll or reconnection */ });
  }

  function connected(on) {
    connection.textContent = on ? "Conectado" : "Sin conexión";
    connection.setAttribute("data-state", on ? "on" : "off");
  }

  // A kiosk showing the display hears the announcement on two groups: once is enough.
  var lastAnnounce = { key: "", at: 0 };

  document.body.addEventListener("live:turn.announce", function (event) {
    var detail = event.detail || {};
    if (detail.office !== undefined && String(detail.office) !== officeId) { return; }
    var key = String(detail.turn_id) + "@" + String(detail.kiosk_id);
    if (lastAnnounce.key === key && Date.now() - lastAnnounce.at < 5000) { return; }
    lastAnnounce = { key: key, at: Date.now() };
    var old = list.querySelector('.display-entry[data-turn-id="' + String(detail.turn_id) + '"]');
    if (old) { old.remove(); }
    var li = entryItem({
      turn: detail.turn, kiosk: detail.kiosk, turn_id: detail.turn_id,
      announced_at: detail.announced_at
    });
    list.insertBefore(li, list.firstChild);
    while (list.children.length > LIMIT) { list.removeChild(list.lastChild); }
    highlight(li);
    refreshEmpty();
    chime();
  });

  document.body.addEventListener("live:hello", function () { connected(true); });
  document.body.addEventListener("live:reconnected", function () { connected(true); load(); });
  document.body.addEventListener("live:disconnected", function () { connected(false); });

  connected(window.liveConnected === true);
  window.setInterval(function () { connected(window.liveConnected === true); }, 1000);
  window.setInterval(function () {
    if (window.liveConnected !== true) { load(); }
  }, pollSeconds * 1000);
  if (list.firstElementChild) { list.firstElementChild.classList.add("display-entry-new"); }
})();
