// Internal clients (2.8, CI-03): the employee's pages after the "Asistir a cita" link.
//
// - templates/cliente_interno/attend.html: too early, the page reloads itself when the link
//   opens ([data-ci-reload-in] = seconds until then, counted by the server).
// - templates/cliente_interno/room.html (#ci-room): the waiting room. A camera and microphone
//   preview (getUserMedia; a Spanish message and "Probar de nuevo" when refused or missing);
//   the turn's state, live: "live:ci.booking" and "live:video.connect" from the socket
//   (static/js/live.js), and while the socket is down ("live:poll") or back ("live:reconnected")
//   GET data-detail-url (the booking: its state or status). The call itself is video.js's
//   (templates/core/partials/_video_call.html, answerer, data-video-auto): when it starts
//   ("video:state" "iniciando") the preview's tracks are stopped first, so the camera is free
//   for the call, and the video room is shown. "Iniciar" plays the technologist's video and
//   sound when the browser refused to play them without a click.
// Loaded with `defer` (CSP: no inline scripts).
(function () {
  "use strict";

  // --- attend page: reload when the link opens ------------------------------------------------
  var early = document.querySelector("[data-ci-reload-in]");
  if (early) {
    var seconds = parseInt(early.getAttribute("data-ci-reload-in"), 10);
    // Timers longer than ~24 days overflow; nobody keeps the page open that long.
    if (seconds >= 0 && seconds < 86400 * 20) {
      window.setTimeout(function () { window.location.reload(); }, (seconds + 1) * 1000);
    }
  }

  var root = document.getElementById("ci-room");
  if (!root) { return; }

  var LABELS = {
    en_espera: "En espera",
    llamado: "Lo están llamando",
    en_atencion: "En atención",
    atendida: "Atención terminada",
    no_asistio: "No asistió",
    cancelada: "Cita cancelada"
  };
  // Other names of the same states (turn, appointment and call statuses).
  var ALIASES = {
    devuelto_a_sala: "en_espera",
    llamando: "llamado",
    timbrando: "llamado",
    atendido: "atendida",
    no_se_presento: "no_asistio",
    cancelado: "cancelada"
  };
  var FINAL = { atendida: true, no_asistio: true, cancelada: true };
  var RANK = { en_espera: 0, llamado: 1, en_atencion: 2, atendida: 3, no_asistio: 3, cancelada: 3 };

  var bookingId = root.getAttribute("data-booking-id");
  var detailUrl = root.getAttribute("data-detail-url");
  var stateBox = document.getElementById("ci-room-state");
  var preview = document.getElementById("ci-preview");
  var previewVideo = document.getElementById("ci-preview-video");
  var previewStatus = document.getElementById("ci-preview-status");
  var previewError = document.getElementById("ci-preview-error");
  var retry = document.getElementById("ci-preview-retry");
  var callBox = document.getElementById("ci-call");
  var videoRoot = document.getElementById("video-call");
  var remoteVideo = document.getElementById("video-remote");
  var startBox = document.getElementById("ci-start-box");
  var startButton = document.getElementById("ci-start");

  // --- the turn's state -----------------------------------------------------------------------

  function normalize(value) {
    if (!value) { return ""; }
    value = String(value);
    if (ALIASES[value]) { value = ALIASES[value]; }
    return LABELS[value] ? value : "";
  }

  // force: a state the server read just now (a fetch) may go back (devuelto a la sala);
  // live hints only move forward, so a late message does not undo a newer one.
  function applyState(value, force) {
    var state = normalize(value);
    if (!state) { return; }
    var current = root.getAttribute("data-state");
    if (!force && RANK[state] < RANK[current]) { return; }
    root.setAttribute("data-state", state);
    if (stateBox) { stateBox.textContent = LABELS[state]; }
    if (FINAL[state]) { stopPreview(); }
  }

  // The call is "en atención" for the server as soon as the technologist calls; for the
  // employee it is "Lo están llamando" until the video connects.
  var connected = false;

  function asSeen(value) {
    var state = normalize(value);
    return state === "en_atencion" && !connected ? "llamado" : state;
  }

  function refresh() {
    if (!detailUrl) { return; }
    fetch(detailUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        applyState(asSeen(body.turn_status) || asSeen(body.state) || asSeen(body.status), true);
      })
      .catch(function () { /* the next poll or reconnection asks again */ });
  }

  document.body.addEventListener("live:ci.booking", function (event) {
    var detail = event.detail || {};
    if (String(detail.booking) === String(bookingId)) { applyState(asSeen(detail.state)); }
  });
  document.body.addEventListener("live:video.connect", function () { applyState("llamado"); });
  document.body.addEventListener("live:poll", refresh);
  document.body.addEventListener("live:reconnected", refresh);

  // --- the preview ----------------------------------------------------------------------------

  var MESSAGES = {
    denied: "El navegador no dio permiso para usar la cámara o el micrófono. Permita el " +
      "acceso (el ícono de la cámara en la barra de direcciones → «Permitir») y pulse " +
      "«Probar de nuevo».",
    missing: "No se encontró una cámara o un micrófono en este equipo. Conéctelos y pulse " +
      "«Probar de nuevo».",
    busy: "La cámara o el micrófono están en uso por otro programa (otra videollamada, por " +
      "ejemplo). Ciérrelo y pulse «Probar de nuevo».",
    unsupported: "Este navegador no permite videollamadas en esta página. Use un navegador " +
      "actualizado (Chrome, Edge o Firefox)."
  };

  var stream = null;
  var callStarted = false;

  function stopPreview() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    if (previewVideo) { previewVideo.srcObject = null; }
  }

  function showPreviewError(text) {
    root.setAttribute("data-preview", "error");
    if (previewStatus) { previewStatus.textContent = "No se pudo usar la cámara o el micrófono."; }
    if (previewError) {
      previewError.textContent = text;
      previewError.hidden = false;
    }
    if (retry) { retry.hidden = false; }
  }

  function errorMessage(error) {
    var name = error && error.name;
    if (name === "NotFoundError" || name === "OverconstrainedError") { return MESSAGES.missing; }
    if (name === "NotReadableError" || name === "AbortError") { return MESSAGES.busy; }
    if (name === "TypeError" || name === "NotSupportedError") { return MESSAGES.unsupported; }
    return MESSAGES.denied;
  }

  function startPreview() {
    if (callStarted || !preview || preview.hidden) { return; }
    stopPreview();
    root.setAttribute("data-preview", "pidiendo");
    if (previewError) { previewError.hidden = true; }
    if (retry) { retry.hidden = true; }
    if (previewStatus) {
      previewStatus.textContent = "Solicitando acceso a la cámara y al micrófono…";
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showPreviewError(MESSAGES.unsupported);
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then(function (s) {
      if (callStarted) {
        s.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = s;
      if (previewVideo) { previewVideo.srcObject = s; }
      root.setAttribute("data-preview", "ok");
      if (previewStatus) {
        previewStatus.textContent = "Su cámara y su micrófono funcionan. Espere aquí: el " +
          "tecnólogo lo llamará.";
      }
    }, function (error) {
      showPreviewError(errorMessage(error));
    });
  }

  if (retry) { retry.addEventListener("click", startPreview); }

  // --- the call -------------------------------------------------------------------------------

  function updateStartButton() {
    if (!startBox || !remoteVideo) { return; }
    var blocked = callStarted && remoteVideo.srcObject && (remoteVideo.paused || remoteVideo.muted);
    startBox.hidden = !blocked;
  }

  if (startButton && remoteVideo) {
    startButton.addEventListener("click", function () {
      remoteVideo.muted = false;
      var played = remoteVideo.play();
      if (played && played.catch) { played.catch(function () { /* video.js retries on click */ }); }
      window.setTimeout(updateStartButton, 300);
    });
    ["playing", "pause", "volumechange"].forEach(function (name) {
      remoteVideo.addEventListener(name, updateStartButton);
    });
  }

  if (videoRoot) {
    videoRoot.addEventListener("video:state", function (event) {
      var state = (event.detail || {}).state;
      if (state === "iniciando") {
        // Free the camera before video.js asks for it: one stream per device and page.
        callStarted = true;
        stopPreview();
        if (preview) { preview.hidden = true; }
        if (callBox) { callBox.hidden = false; }
        applyState("llamado");
      } else if (state === "conectada") {
        connected = true;
        applyState("en_atencion");
        window.setTimeout(updateStartButton, 500);
      } else if (state === "finalizada" || state === "fallida") {
        connected = false;
        if (startBox) { startBox.hidden = true; }
        refresh();
      }
    });
  }

  // A call already running when this script loads (video.js ran first): no preview.
  if (window.videoCall && window.videoCall.sessionId) {
    callStarted = true;
    if (preview) { preview.hidden = true; }
    if (callBox) { callBox.hidden = false; }
  } else {
    startPreview();
  }
  window.addEventListener("pagehide", stopPreview);
})();
