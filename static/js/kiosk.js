// The kiosk page (/kiosco/, CORE-01, AL, BAL): an unattended PC with camera, screen and printer.
//
// Not paired (#kiosk-pairing): asks the API for a 6-character code, shows it, and polls until the
// encargado types it ("vinculado": the answer set the device cookie, the page reloads) or it
// expires ("vencido": a new code is asked).
// Paired (#kiosk-live): its connection from the live socket (static/js/live.js), the turns
// called to it ("turn.announce": "Turno A-023 · Acérquese a este módulo" with a tone), and the
// video calls (static/js/video.js answers by itself on "video.connect", or — if its socket was
// down then — on the next reconnection or poll, from GET /api/v1/video/sessions/current/). The
// page's socket is /ws/live/?role=kiosk (data-live-url, templates/core/kiosk.html): only it turns
// the kiosk on and off, and its ping (live.js) is the heartbeat; the waiting-room display open in
// the same browser only listens. The turn called to this kiosk and its open call are rendered by
// the server, so a reload shows them. Loaded with `defer` (CSP: no inline scripts).
(function () {
  "use strict";

  var audio = null;

  // A two-note chime with WebAudio (no sound file). Kiosks run Chromium with
  // --autoplay-policy=no-user-gesture-required; otherwise the first touch unlocks the sound.
  function chime() {
    var AudioCtx = window.AudioContext || window.webkitAudioContext;
    window.kioskChimes = (window.kioskChimes || 0) + 1;
    if (!AudioCtx) { return; }
    try {
      if (!audio) { audio = new AudioCtx(); }
      if (audio.state === "suspended" && audio.resume) { audio.resume().catch(function () {}); }
      var now = audio.currentTime;
      [[880, 0], [660, 0.35]].forEach(function (tone) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, now + tone[1]);
        gain.gain.exponentialRampToValueAtTime(0.3, now + tone[1] + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + tone[1] + 0.3);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(now + tone[1]);
        osc.stop(now + tone[1] + 0.32);
      });
    } catch (e) { /* no sound device: the screen still shows the turn */ }
  }
  document.addEventListener("click", function () {
    if (audio && audio.state === "suspended") { audio.resume().catch(function () {}); }
  });

  // --- not paired: the code ---------------------------------------------------------------

  var pairing = document.getElementById("kiosk-pairing");
  if (pairing) {
    var codeBox = document.getElementById("kiosk-code");
    var statusBox = document.getElementById("kiosk-pairing-status");
    var newCode = document.getElementById("kiosk-new-code");
    var pollTimer = null;
    var pollSeconds = 3;

    var say = function (text) { statusBox.textContent = text; };

    var poll = function () {
      fetch(pairing.getAttribute("data-current-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (body) {
        if (body.status === "vinculado") {
          window.clearInterval(pollTimer);
          say("Módulo vinculado" + (body.kiosk ? ": " + body.kiosk.label : "") + ". Cargando…");
          window.location.reload();
        } else if (body.status === "vencido") {
          window.clearInterval(pollTimer);
          codeBox.textContent = "······";
          say("El código venció. Pidiendo uno nuevo…");
          window.setTimeout(requestCode, 1000);
        }
      }).catch(function () {
        say("Sin conexión con el servidor; reintentando…");
      });
    };

    var requestCode = function () {
      window.clearInterval(pollTimer);
      newCode.hidden = true;
      fetch(pairing.getAttribute("data-pairings-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": pairing.getAttribute("data-csrf") || ""
        }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) {
          say((result.body && result.body.detail) || "No se pudo obtener un código.");
          newCode.hidden = false;
          return;
        }
        codeBox.textContent = result.body.code;
        pairing.setAttribute("data-code", result.body.code);
        pollSeconds = result.body.poll_seconds || pollSeconds;
        say("Esperando que el encargado ingrese el código…");
        pollTimer = window.setInterval(poll, pollSeconds * 1000);
      }).catch(function () {
        say("Sin conexión con el servidor. Se pedirá un código de nuevo en unos segundos.");
        window.setTimeout(requestCode, 5000);
      });
    };

    newCode.addEventListener("click", requestCode);
    requestCode();
    return;
  }

  // --- paired: the kiosk's page -------------------------------------------------------------

  var live = document.getElementById("kiosk-live");
  if (!live) { return; }
  var kioskId = live.getAttribute("data-kiosk-id");
  var connection = document.getElementById("kiosk-connection");
  var idle = document.getElementById("kiosk-idle");
  var announce = document.getElementById("kiosk-announce");
  var turnBox = document.getElementById("kiosk-turn");
  var callBox = document.getElementById("kiosk-call");
  var videoRoot = document.getElementById("video-call");
  var announceTimer = null;
  var idleTimer = null;

  function inCall() {
    var state = videoRoot ? videoRoot.getAttribute("data-video-state") : "";
    return Boolean(state) && ["finalizada", "fallida", "inactiva"].indexOf(state) < 0;
  }

  function show(section) {
    idle.hidden = section !== idle;
    announce.hidden = section !== announce;
    callBox.hidden = section !== callBox;
    live.setAttribute("data-view", section.id);
  }

  function connected(on) {
    connection.textContent = on ? "Conectado" : "Sin conexión";
    connection.setAttribute("data-state", on ? "on" : "off");
  }

  connected(window.liveConnected === true);
  window.setInterval(function () { connected(window.liveConnected === true); }, 1000);
  document.body.addEventListener("live:hello", function () { connected(true); });
  document.body.addEventListener("live:reconnected", function () { connected(true); });
  document.body.addEventListener("live:disconnected", function () { connected(false); });

  // A kiosk hears its own group and its office's display: the same announcement comes twice.
  var lastAnnounce = { key: "", at: 0 };

  // Rendered with the turn called to it (a reload): the same message arriving now is not new.
  if (!announce.hidden && live.getAttribute("data-turn-id")) {
    lastAnnounce = { key: live.getAttribute("data-turn-id") + "@" + kioskId, at: Date.now() };
    announceTimer = window.setTimeout(function () {
      if (!announce.hidden) { show(idle); }
    }, 120000);
  }

  document.body.addEventListener("live:turn.announce", function (event) {
    var detail = event.detail || {};
    if (String(detail.kiosk_id) !== kioskId) { return; }
    var key = String(detail.turn_id) + "@" + String(detail.kiosk_id);
    if (lastAnnounce.key === key && Date.now() - lastAnnounce.at < 5000) { return; }
    lastAnnounce = { key: key, at: Date.now() };
    turnBox.textContent = "Turno " + detail.turn;
    live.setAttribute("data-turn", detail.turn);
    chime();
    if (!callBox.hidden && inCall()) {
      return; // a call is running: the announcement waits
    }
    show(announce);
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () {
      if (!announce.hidden) { show(idle); }
    }, 120000);
  });

  document.body.addEventListener("live:kiosk.unpaired", function () {
    window.location.reload();
  });

  // Back from a dropped socket while idle: reload, so what was missed meanwhile shows — the page
  // is rendered with the turn called to this kiosk and its open call (video.js also asks for
  // the call on "live:reconnected" and "live:poll").
  var hellos = 0;
  document.body.addEventListener("live:reconnected", function () {
    hellos += 1;
    if (hellos > 1 && !inCall() && announce.hidden) { window.location.reload(); }
  });

  if (videoRoot) {
    videoRoot.addEventListener("video:state", function (event) {
      var state = event.detail && event.detail.state;
      window.clearTimeout(idleTimer);
      if (state === "finalizada" || state === "fallida") {
        show(callBox);
        var after = state === "fallida" ? 30000 : 8000;
        idleTimer = window.setTimeout(function () { show(idle); }, after);
      } else {
        window.clearTimeout(announceTimer);
        show(callBox);
      }
    });
  }
})();
