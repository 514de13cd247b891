// Videollamada 1:1 (AL, BAL, CI): WebRTC between the technologist's browser and the kiosk,
// signalled over the live socket (static/js/live.js: window.liveSend, "live:<type>" events on
// document.body). Drives templates/core/partials/_video_call.html (#video-call).
//
// Fixed roles: the technologist ("offerer") sends the offer; the kiosk ("answerer") answers by
// itself. The kiosk repeats {"kind": "ready"} every 2 s until an offer arrives, and the
// technologist (re)sends its offer and its ICE candidates to every new "ready", so whichever page
// loads first, the call connects. Each page instance has an id ("peer"): a reloaded page is a new
// peer and the call restarts with it. ICE candidates trickle both ways.
//
// The page reports to the server (video.state over the socket, or POST .../state/ while it is
// down): "conectada" with the local candidate type of the selected pair (host, srflx, relay),
// "fallida" with the reason (ICE failed, no connection within 20 s, camera refused) and
// "finalizada" ("Terminar videollamada"). The server tells both parties, so both screens show
// the outcome. A page that opens calls by itself (data-video-auto: the kiosk, balanceo) starts
// one on "video.connect", and — if it missed that message while its socket was down — on
// "live:reconnected" and "live:poll" from GET /api/v1/video/sessions/current/.
// Loaded with `defer` (CSP: no inline scripts). Exposes window.videoCall for tests.
(function () {
  "use strict";

  var FAIL_MESSAGE = "No se pudo conectar el video. Revise la cámara y la red; si persiste, " +
    "el servidor de retransmisión (TURN) rechazó la conexión.";
  var MEDIA_DENIED = "No se pudo usar la cámara o el micrófono: el navegador no dio permiso. " +
    "Permita el acceso a la cámara y al micrófono para esta página y recárguela.";
  var MEDIA_MISSING = "No se encontró una cámara o un micrófono en este equipo. Conéctelos y " +
    "recargue la página.";
  var MEDIA_BUSY = "La cámara o el micrófono están en uso por otro programa. Ciérrelo y " +
    "recargue la página.";
  var MEDIA_UNSUPPORTED = "Este navegador no permite videollamadas en esta página (se necesita " +
    "HTTPS y un navegador actualizado).";
  var NO_ANSWER = "El módulo no respondió a la videollamada. Verifique que la página del módulo " +
    "esté abierta y conectada.";
  var ENDED = "La videollamada terminó.";
  var CONNECT_TIMEOUT_MS = 20000;
  var ANSWER_TIMEOUT_MS = 60000;
  var READY_EVERY_MS = 2000;

  var root = document.getElementById("video-call");
  if (!root) { return; }
  var role = root.getAttribute("data-video-role") === "answerer" ? "answerer" : "offerer";
  var localVideo = document.getElementById("video-local");
  var remoteVideo = document.getElementById("video-remote");
  var statusLine = document.getElementById("video-status");
  var errorBox = document.getElementById("video-error");
  var endButton = document.getElementById("video-end");
  var sessionsUrl = root.getAttribute("data-video-sessions-url") || "/api/v1/video/sessions/0/";
  var csrf = root.getAttribute("data-csrf") || "";

  var call = null; // the running call (one per page)
  // Sessions this page already ran to their end: never started again by the fallback (a
  // "fallida" whose report did not reach the server yet still reads as open).
  var ended = {};
  window.videoCall = { pc: null, state: "inactiva", sessionId: null };

  function randomId() {
    return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  }

  function sessionUrl(id, tail) {
    return sessionsUrl.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/") + (tail || "");
  }

  function setStatus(text) { if (statusLine) { statusLine.textContent = text; } }

  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function emit(c, state, message) {
    root.dispatchEvent(new CustomEvent("video:state", {
      bubbles: true,
      detail: { state: state, sessionId: c.sessionId, message: message || "" }
    }));
  }

  function setState(c, state, message) {
    c.state = state;
    if (call === c) {
      window.videoCall.state = state;
      window.videoCall.pc = c.pc;
    }
    root.setAttribute("data-video-state", state);
    emit(c, state, message);
  }

  function liveUp() {
    return typeof window.liveSend === "function" && window.liveConnected !== false;
  }

  function signal(c, data) {
    if (typeof window.liveSend !== "function") { return; }
    data.peer = c.me;
    window.liveSend({ type: "video.signal", session: c.sessionId, data: data });
  }

  // What the page tells the server; over the socket, or the API while the socket is down.
  function report(c, state, extra) {
    var body = { state: state, candidate_type: "", reason: "" };
    if (extra) {
      body.candidate_type = extra.candidate_type || "";
      body.reason = (extra.reason || "").slice(0, 200);
    }
    var sent = liveUp() && window.liveSend({
      type: "video.state", session: c.sessionId, state: body.state,
      candidate_type: body.candidate_type, reason: body.reason
    });
    if (sent) { return; }
    fetch(sessionUrl(c.sessionId, "state/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).catch(function () { /* the other side's report, or the next page load, records it */ });
  }

  function clearTimers(c) {
    window.clearInterval(c.readyTimer);
    window.clearTimeout(c.connectTimer);
    window.clearTimeout(c.answerTimer);
    c.readyTimer = c.connectTimer = c.answerTimer = null;
  }

  function stopMedia(c) {
    if (c.stream) { c.stream.getTracks().forEach(function (t) { t.stop(); }); }
    if (localVideo) { localVideo.srcObject = null; }
    if (remoteVideo) { remoteVideo.srcObject = null; }
  }

  function closePeer(c) {
    if (c.pc) {
      c.pc.onicecandidate = c.pc.ontrack = c.pc.onconnectionstatechange = null;
      try { c.pc.close(); } catch (e) { /* already closed */ }
    }
  }

  // The call is over on this page (ended, failed, or refused by the server).
  function finish(c, state, message, reason) {
    if (c.done) { return; }
    c.done = true;
    clearTimers(c);
    closePeer(c);
    stopMedia(c);
    if (endButton) { endButton.hidden = true; }
    if (state === "fallida") {
      showError(message || FAIL_MESSAGE);
      setStatus(reason ? "Motivo: " + reason : "La videollamada no se pudo conectar.");
    } else {
      showError("");
      setStatus(message || ENDED);
    }
    setState(c, state, message);
    ended[c.sessionId] = true;
    if (call === c) { call = null; }
  }

  function fail(c, reason, message) {
    if (c.done) { return; }
    report(c, "fallida", { reason: reason });
    finish(c, "fallida", message || FAIL_MESSAGE, reason);
  }

  function selectedLocalCandidateType(pc) {
    return pc.getStats().then(function (stats) {
      var byId = {};
      var pair = null;
      stats.forEach(function (r) { byId[r.id] = r; });
      stats.forEach(function (r) {
        var selected = r.type === "transport" && r.selectedCandidatePairId;
        if (selected && byId[r.selectedCandidatePairId]) { pair = byId[r.selectedCandidatePairId]; }
      });
      if (!pair) {
        stats.forEach(function (r) {
          if (!pair && r.type === "candidate-pair" &&
              (r.selected || (r.nominated && r.state === "succeeded"))) {
            pair = r;
          }
        });
      }
      var local = pair && byId[pair.localCandidateId];
      return local ? (local.candidateType || "") : "";
    });
  }

  function reportConnected(c, tries) {
    selectedLocalCandidateType(c.pc).then(function (type) {
      if (!type && tries > 0) {
        window.setTimeout(function () { reportConnected(c, tries - 1); }, 300);
        return;
      }
      c.candidateType = type;
      window.videoCall.candidateType = type;
      report(c, "conectada", { candidate_type: type });
    }).catch(function () { report(c, "conectada", {}); });
  }

  function connectedText(c) {
    return "Videollamada conectada." +
      (c.needsTap ? " Toque la pantalla para activar el sonido." : "");
  }

  function startConnectTimer(c) {
    if (c.connectTimer || c.state === "conectada") { return; }
    c.connectTimer = window.setTimeout(function () {
      if (!c.done && c.pc && c.pc.connectionState !== "connected") {
        fail(c, "no se conectó en " + (CONNECT_TIMEOUT_MS / 1000) + " s (" +
          (role === "offerer" ? "tecnólogo" : "módulo") + ", ICE: " + c.pc.iceConnectionState +
          (c.turnErrors.length ? "; " + c.turnErrors.join(", ") : "") + ")");
      }
    }, CONNECT_TIMEOUT_MS);
  }

  function onConnectionState(c) {
    var s = c.pc.connectionState;
    if (s === "connected") {
      window.clearTimeout(c.connectTimer);
      c.connectTimer = null;
      showError("");
      if (c.state !== "conectada") {
        setState(c, "conectada");
        reportConnected(c, 5);
      }
      setStatus(connectedText(c));
    } else if (s === "failed") {
      fail(c, "la conexión falló (" + (role === "offerer" ? "tecnólogo" : "módulo") +
        ", ICE " + c.pc.iceConnectionState +
        (c.turnErrors.length ? "; " + c.turnErrors.join(", ") : "") + ")");
    } else if (s === "disconnected" && c.state === "conectada") {
      setStatus("La conexión se interrumpió; reintentando…");
    }
  }

  function newPeer(c) {
    closePeer(c);
    c.remotePeer = null;
    c.localCandidates = [];
    c.turnErrors = [];
    var pc = new RTCPeerConnection({
      iceServers: c.config.ice_servers || [],
      iceTransportPolicy: c.config.ice_transport_policy === "relay" ? "relay" : "all"
    });
    c.pc = pc;
    if (call === c) { window.videoCall.pc = pc; }
    c.stream.getTracks().forEach(function (track) { pc.addTrack(track, c.stream); });
    pc.onicecandidate = function (event) {
      if (!event.candidate) { return; }
      var candidate = event.candidate.toJSON();
      c.localCandidates.push(candidate);
      if (role === "offerer" || c.remotePeer) {
        signal(c, { kind: "candidate", to: c.remotePeer, candidate: candidate });
      }
    };
    pc.ontrack = function (event) {
      if (!remoteVideo) { return; }
      var stream = event.streams && event.streams[0];
      if (!stream) {
        stream = remoteVideo.srcObject || new MediaStream();
        stream.addTrack(event.track);
      }
      if (remoteVideo.srcObject !== stream) { remoteVideo.srcObject = stream; }
      var played = remoteVideo.play();
      if (played && played.catch) {
        played.catch(function (error) {
          if (c.done || !error || error.name !== "NotAllowedError") { return; }
          // Autoplay with sound refused (no click on this page yet): the video plays muted
          // until the first touch.
          c.needsTap = true;
          remoteVideo.muted = true;
          remoteVideo.play().catch(function () { /* nothing more to do */ });
          if (c.state === "conectada") { setStatus(connectedText(c)); }
          document.addEventListener("click", function () {
            remoteVideo.muted = false;
            c.needsTap = false;
            if (!c.done && c.state === "conectada") { setStatus(connectedText(c)); }
          }, { once: true });
        });
      }
    };
    pc.onconnectionstatechange = function () { onConnectionState(c); };
    // A TURN server refusing the credentials (401) or not answering (701): said in the reason.
    pc.onicecandidateerror = function (event) {
      if (event && event.url && /^turns?:/.test(event.url) && c.turnErrors.length < 3) {
        var entry = "TURN " + event.errorCode +
          (event.errorCode === 401 ? " credenciales rechazadas" : "");
        if (c.turnErrors.indexOf(entry) < 0) { c.turnErrors.push(entry); }
      }
    };
    return pc;
  }

  function addRemoteCandidate(c, candidate) {
    if (!c.pc || !candidate) { return; }
    c.pc.addIceCandidate(candidate).catch(function () { /* duplicate or stale: harmless */ });
  }

  function flushPending(c) {
    var keep = [];
    c.pending.forEach(function (m) {
      if (m.peer === c.remotePeer) { addRemoteCandidate(c, m.candidate); } else { keep.push(m); }
    });
    c.pending = keep;
  }

  // --- the technologist: offer ----------------------------------------------------------------

  function makeOffer(c) {
    return c.pc.createOffer().then(function (offer) {
      return c.pc.setLocalDescription(offer);
    });
  }

  function sendOffer(c, to) {
    if (!c.pc || !c.pc.localDescription) { return; }
    signal(c, { kind: "offer", to: to || null, sdp: c.pc.localDescription.sdp });
    c.localCandidates.forEach(function (candidate) {
      signal(c, { kind: "candidate", to: to || null, candidate: candidate });
    });
  }

  function restartOffer(c, to) {
    window.clearTimeout(c.connectTimer);
    c.connectTimer = null;
    newPeer(c);
    setState(c, "conectando");
    setStatus("El módulo volvió a abrir la página; reconectando…");
    makeOffer(c).then(function () { sendOffer(c, to); }).catch(function (e) {
      fail(c, "no se pudo crear la oferta: " + (e && e.name));
    });
  }

  function onOffererSignal(c, data) {
    if (data.kind === "ready") {
      if (!c.pc || !c.pc.localDescription) { return; } // our offer goes out when ready
      if (!c.remotePeer) {
        sendOffer(c, data.peer);
      } else if (c.remotePeer !== data.peer) {
        restartOffer(c, data.peer);
      }
    } else if (data.kind === "answer") {
      if (data.to !== c.me || c.remotePeer || !c.pc) { return; }
      c.remotePeer = data.peer;
      window.clearTimeout(c.answerTimer);
      c.answerTimer = null;
      setState(c, "conectando");
      setStatus("El módulo contestó; conectando el video…");
      startConnectTimer(c);
      c.pc.setRemoteDescription({ type: "answer", sdp: data.sdp }).then(function () {
        flushPending(c);
      }).catch(function (e) {
        fail(c, "respuesta del módulo no válida: " + (e && e.name));
      });
    } else if (data.kind === "candidate") {
      if (data.to && data.to !== c.me) { return; }
      if (c.remotePeer && data.peer === c.remotePeer && c.pc.remoteDescription) {
        addRemoteCandidate(c, data.candidate);
      } else {
        c.pending.push(data);
      }
    }
  }

  // --- the kiosk: answer ----------------------------------------------------------------------

  function sendReady(c) {
    signal(c, { kind: "ready", to: null });
  }

  function onAnswererSignal(c, data) {
    if (data.kind === "offer") {
      if (data.to && data.to !== c.me) { return; }
      if (c.remotePeer === data.peer) { return; } // the same offer again
      if (c.remotePeer) { newPeer(c); } // the technologist reloaded: a new call
      window.clearTimeout(c.connectTimer);
      c.connectTimer = null;
      c.remotePeer = data.peer;
      window.clearInterval(c.readyTimer);
      c.readyTimer = null;
      setState(c, "conectando");
      setStatus("Conectando con el asesor…");
      startConnectTimer(c);
      var pc = c.pc;
      pc.setRemoteDescription({ type: "offer", sdp: data.sdp }).then(function () {
        return pc.createAnswer();
      }).then(function (answer) {
        return pc.setLocalDescription(answer);
      }).then(function () {
        signal(c, { kind: "answer", to: c.remotePeer, sdp: pc.localDescription.sdp });
        flushPending(c);
      }).catch(function (e) {
        if (pc === c.pc) { fail(c, "oferta del tecnólogo no válida: " + (e && e.name)); }
      });
    } else if (data.kind === "candidate") {
      if (data.to && data.to !== c.me) { return; }
      if (c.remotePeer && data.peer === c.remotePeer && c.pc.remoteDescription) {
        addRemoteCandidate(c, data.candidate);
      } else {
        c.pending.push(data);
      }
    }
  }

  // --- one call -------------------------------------------------------------------------------

  function mediaError(c, error) {
    var name = error && error.name;
    var message = MEDIA_DENIED;
    var reason = "sin permiso de cámara o micrófono";
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      message = MEDIA_MISSING;
      reason = "sin cámara o micrófono";
    } else if (name === "NotReadableError" || name === "AbortError") {
      message = MEDIA_BUSY;
      reason = "cámara o micrófono en uso";
    } else if (name === "TypeError" || name === "NotSupportedError") {
      message = MEDIA_UNSUPPORTED;
      reason = "navegador sin soporte de video";
    }
    fail(c, reason + " (" + (role === "offerer" ? "tecnólogo" : "módulo") + ")", message);
  }

  function fetchConfig(c) {
    return fetch(sessionUrl(c.sessionId, "config/"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function start(sessionId) {
    if (call && !call.done) { return call; }
    var c = {
      sessionId: String(sessionId),
      me: randomId(),
      remotePeer: null,
      pc: null,
      stream: null,
      config: null,
      pending: [],
      localCandidates: [],
      turnErrors: [],
      state: "iniciando",
      done: false
    };
    call = c;
    window.videoCall = { pc: null, state: "iniciando", sessionId: c.sessionId, candidateType: "" };
    showError("");
    setState(c, "iniciando");
    setStatus("Preparando la cámara y el micrófono…");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
        typeof RTCPeerConnection === "undefined") {
      mediaError(c, { name: "NotSupportedError" });
      return c;
    }
    navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then(function (stream) {
      if (c.done) { stream.getTracks().forEach(function (t) { t.stop(); }); return null; }
      c.stream = stream;
      if (localVideo) { localVideo.srcObject = stream; }
      return fetchConfig(c).catch(function (e) {
        fail(c, "no se pudo leer la configuración de la videollamada (" + e.message + ")",
          "No se pudo iniciar la videollamada: " +
          "la sesión ya no existe o no es suya. Recargue la página.");
        return null;
      });
    }, function (error) {
      mediaError(c, error);
      return null;
    }).then(function (config) {
      if (!config || c.done) { return; }
      c.config = config;
      newPeer(c);
      if (endButton) { endButton.hidden = false; }
      if (role === "offerer") {
        setState(c, "llamando");
        setStatus("Llamando al módulo…");
        makeOffer(c).then(function () {
          sendOffer(c, null);
          c.answerTimer = window.setTimeout(function () {
            if (!c.remotePeer) { fail(c, "el módulo no respondió", NO_ANSWER); }
          }, ANSWER_TIMEOUT_MS);
        }).catch(function (e) { fail(c, "no se pudo crear la oferta: " + (e && e.name)); });
      } else {
        setState(c, "esperando");
        setStatus("Conectando con el asesor…");
        sendReady(c);
        c.readyTimer = window.setInterval(function () { sendReady(c); }, READY_EVERY_MS);
      }
    });
    return c;
  }

  function end() {
    var c = call;
    if (!c || c.done) { return; }
    report(c, "finalizada", { reason: "terminada por el tecnólogo" });
    finish(c, "finalizada", ENDED);
  }

  // --- messages from the live socket ----------------------------------------------------------

  function sameSession(c, detail) {
    return c && detail && String(detail.session) === c.sessionId;
  }

  document.body.addEventListener("live:video.signal", function (event) {
    var detail = event.detail || {};
    var c = call;
    if (!sameSession(c, detail) || c.done || !detail.data || detail.data.peer === c.me) { return; }
    if (role === "offerer") {
      onOffererSignal(c, detail.data);
    } else {
      onAnswererSignal(c, detail.data);
    }
  });

  document.body.addEventListener("live:video.state", function (event) {
    var detail = event.detail || {};
    var c = call;
    if (!sameSession(c, detail)) { return; }
    if (detail.state === "fallida") {
      finish(c, "fallida", FAIL_MESSAGE, detail.reason);
    } else if (detail.state === "finalizada") {
      finish(c, "finalizada", ENDED);
    }
  });

  // The same path for "video.connect" and for the fallback: start the session's call when this
  // page opens calls by itself (data-video-auto) and none is running.
  function autoStart(sessionId) {
    if (!root.hasAttribute("data-video-auto") || !sessionId) { return; }
    if (call && !call.done) { return; }
    if (ended[String(sessionId)]) { return; }
    start(sessionId);
  }

  document.body.addEventListener("live:video.connect", function (event) {
    var detail = event.detail || {};
    autoStart(detail.session);
  });

  // The fallback for a missed "video.connect" (this page's socket was down when the call was
  // opened): on every (re)connection and every poll while the socket is down, ask the server
  // for this party's open session (GET /api/v1/video/sessions/current/) and start it.
  var currentUrl = root.getAttribute("data-video-current-url") || "";
  var asking = false;

  function checkCurrent() {
    if (!currentUrl || asking || !root.hasAttribute("data-video-auto")) { return; }
    if (call && !call.done) { return; }
    asking = true;
    fetch(currentUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      asking = false;
      var session = body && body.session;
      if (session && session.id) { autoStart(session.id); }
    }).catch(function () { asking = false; /* the next poll or reconnection asks again */ });
  }

  document.body.addEventListener("live:poll", checkCurrent);
  document.body.addEventListener("live:reconnected", checkCurrent);

  // Back from a dropped socket: the call may have ended meanwhile.
  document.body.addEventListener("live:reconnected", function () {
    var c = call;
    if (!c || c.done) { return; }
    fetch(sessionUrl(c.sessionId), { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (session) {
      if (!session || c.done) { return; }
      if (session.state === "fallida") { finish(c, "fallida", FAIL_MESSAGE, session.end_reason); }
      if (session.state === "finalizada") { finish(c, "finalizada", ENDED); }
    }).catch(function () { /* try again on the next reconnection */ });
  });

  if (endButton) { endButton.addEventListener("click", end); }

  window.VideoCall = { start: start, end: end };

  var initial = root.getAttribute("data-video-session");
  if (initial) { start(initial); }
})();
