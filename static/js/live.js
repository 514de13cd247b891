// Live pages (docs/live.md): one websocket per page to /ws/live/. Loaded with `defer` from
// templates/base.html for signed-in pages (CSP: no inline scripts, no eval, NFR-02).
//
// Every message {"type": T, ...} becomes two DOM events on document.body: `live:T` (e.g.
// `live:turns.changed`) and `live:message`, with the message as `event.detail`. When the socket
// is (re)connected — the server's "hello", once the page's groups are joined — `live:reconnected`
// fires, so every live block re-fetches: nothing is lost while the socket was down. While it is
// down, `live:poll` fires every data-live-fallback seconds (the polling fallback). So an htmx
// block declares:
//   hx-trigger="live:turns.changed from:body, live:reconnected from:body, live:poll from:body"
//
// For other scripts: window.liveSend(obj) → true if sent; window.liveConnected (bool).
// Close code 4401 (not signed in, or no valid kiosk credential) stops the retries.
(function () {
  "use strict";
  if (window.liveSend) {
    return; // loaded twice: one socket per page
  }
  var body = document.body;
  var data = body.dataset;
  var heartbeatMs = seconds(data.liveHeartbeat, 15) * 1000;
  var fallbackMs = seconds(data.liveFallback, 5) * 1000;
  var path = data.liveUrl || "/ws/live/";
  var url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  var CLOSE_UNAUTHENTICATED = 4401;
  var BACKOFF_MAX_MS = 30000;

  var socket = null;
  var attempts = 0;
  var stopped = false;
  var retryTimer = null;
  var pingTimer = null;

  window.liveConnected = false;

  function seconds(value, fallback) {
    var n = parseInt(value, 10);
    return n > 0 ? n : fallback;
  }

  function emit(name, detail) {
    body.dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  function setConnected(value) {
    window.liveConnected = value;
    body.setAttribute("data-live-connected", value ? "1" : "0");
  }

  function schedule() {
    if (stopped || retryTimer !== null) {
      return;
    }
    // 1 s, 2 s, 4 s … up to 30 s, with some jitter so a restarted server is not hit at once.
    var delay = Math.min(BACKOFF_MAX_MS, 1000 * Math.pow(2, attempts));
    delay = Math.round(delay * (0.75 + Math.random() * 0.5));
    attempts += 1;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      connect();
    }, delay);
  }

  function stopHeartbeat() {
    if (pingTimer !== null) {
      window.clearInterval(pingTimer);
      pingTimer = null;
    }
  }

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!message || typeof message.type !== "string") {
      return;
    }
    if (message.type === "hello") {
      attempts = 0;
      setConnected(true);
      stopHeartbeat();
      pingTimer = window.setInterval(function () {
        window.liveSend({ type: "ping" });
      }, heartbeatMs);
    }
    emit("live:" + message.type, message);
    emit("live:message", message);
    if (message.type === "hello") {
      emit("live:reconnected", message);
    }
  }

  function connect() {
    if (stopped || socket !== null) {
      return;
    }
    var ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      schedule();
      return;
    }
    socket = ws;
    ws.onmessage = onMessage;
    ws.onclose = function (event) {
      if (socket === ws) {
        socket = null;
      }
      stopHeartbeat();
      var wasConnected = window.liveConnected;
      setConnected(false);
      if (wasConnected) {
        emit("live:disconnected", { code: event.code });
      }
      if (event.code === CLOSE_UNAUTHENTICATED) {
        stopped = true;
        emit("live:unauthorized", { code: event.code });
        return;
      }
      schedule();
    };
  }

  function reconnectNow() {
    if (stopped || socket !== null) {
      return;
    }
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    connect();
  }

  window.liveSend = function (obj) {
    if (!socket || socket.readyState !== WebSocket.OPEN || !window.liveConnected) {
      return false;
    }
    try {
      socket.send(JSON.stringify(obj));
      return true;
    } catch (e) {
      return false;
    }
  };

  // The polling fallback: only while the socket is down.
  window.setInterval(function () {
    if (!window.liveConnected) {
      emit("live:poll", {});
    }
  }, fallbackMs);

  // Back online, or the tab shown again: try at once instead of waiting for the backoff.
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      reconnectNow();
    }
  });
  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) {
      socket.close(1000);
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      // Back from the back/forward cache: connect again.
      stopped = false;
      attempts = 0;
      reconnectNow();
    }
  });

  setConnected(false);
  connect();
})();
