// Documentos de una cita de cliente interno (CI-05): the list and the upload form of
// templates/cliente_interno/partials/_documents.html (#ci-documents-panel), in the employee's
// room and in the technologist's room. The list comes from GET data-url (JSON); "Enviar documento" POSTs
// the file (multipart, CSRF token from data-csrf) to the same URL. The list refreshes on the live
// socket's "ci.documents" for this booking (static/js/live.js: "live:<type>" events on
// document.body), on "live:reconnected" and on "live:poll" (while the socket is down), so both
// parties see a document as soon as either sends it. Loaded with `defer` (CSP: no inline
// scripts). Exposes window.ciDocuments = {refresh, count} for tests.
(function () {
  "use strict";

  var root = document.querySelector("[data-ci-documents]");
  if (!root || window.ciDocuments) { return; }
  var url = root.getAttribute("data-url");
  var booking = root.getAttribute("data-booking");
  var csrf = root.getAttribute("data-csrf") || "";
  var list = document.getElementById("ci-documents-list");
  var form = document.getElementById("ci-documents-form");
  var input = document.getElementById("ci-document-file");
  var errorBox = document.getElementById("ci-documents-error");
  var notice = document.getElementById("ci-documents-notice");
  var sendButton = document.getElementById("ci-document-send");

  var WHO = { "funcionario": "el funcionario", "tecnólogo": "el tecnólogo" };
  var FAILED = "No se pudo enviar el documento. Revise su conexión e intente de nuevo.";
  var NOT_FOUND = "No se encontró la cita.";
  var when = new Intl.DateTimeFormat("es-CO", {
    timeZone: "America/Bogota", day: "numeric", month: "short", hour: "numeric", minute: "2-digit"
  });
  var state = { count: 0, loading: null, again: false };

  function show(box, text) {
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
  }

  function size(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",") + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function render(documents) {
    list.textContent = "";
    state.count = documents.length;
    if (!documents.length) {
      var empty = document.createElement("li");
      empty.className = "list-group-item text-muted";
      empty.id = "ci-documents-empty";
      empty.textContent = "Aún no hay documentos en esta cita.";
      list.appendChild(empty);
      return;
    }
    documents.forEach(function (doc) {
      var item = document.createElement("li");
      item.className = "list-group-item d-flex flex-wrap justify-content-between gap-2 ci-document";
      item.setAttribute("data-document", doc.id);
      item.setAttribute("data-uploaded-by", doc.uploaded_by);
      var link = document.createElement("a");
      link.href = doc.url;
      link.className = "fw-semibold text-break";
      link.textContent = doc.name;
      link.setAttribute("download", "");
      var meta = document.createElement("small");
      meta.className = "text-muted";
      meta.textContent = "Enviado por " + (WHO[doc.uploaded_by] || doc.uploaded_by) + " · " +
        when.format(new Date(doc.uploaded_at)) + " · " + size(doc.size);
      item.appendChild(link);
      item.appendChild(meta);
      list.appendChild(item);
    });
  }

  function refresh() {
    if (state.loading) { state.again = true; return state.loading; }
    state.loading = fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 404) { show(errorBox, NOT_FOUND); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (documents) { if (documents) { render(documents); } })
      .catch(function () { /* the next live event or poll tries again */ })
      .then(function () {
        state.loading = null;
        if (state.again) { state.again = false; refresh(); }
      });
    return state.loading;
  }

  function firstMessage(body) {
    if (!body) { return FAILED; }
    if (body.detail) { return body.detail; }
    var keys = Object.keys(body);
    for (var i = 0; i < keys.length; i += 1) {
      var value = body[keys[i]];
      if (Array.isArray(value) && value.length) { return value[0]; }
      if (typeof value === "string") { return value; }
    }
    return FAILED;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(errorBox, "");
    show(notice, "");
    if (!input.files || !input.files.length) {
      show(errorBox, "Seleccione el documento que va a enviar.");
      return;
    }
    var data = new FormData();
    data.append("file", input.files[0]);
    sendButton.disabled = true;
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (response.status === 201) {
            form.reset();
            show(notice, "Documento enviado: " + body.name + ".");
            return refresh();
          }
          show(errorBox, response.status === 404 ? NOT_FOUND : firstMessage(body));
          return null;
        });
      })
      .catch(function () { show(errorBox, FAILED); })
      .then(function () { sendButton.disabled = false; });
  });

  document.body.addEventListener("live:ci.documents", function (event) {
    var detail = event.detail || {};
    if (String(detail.booking) === String(booking)) { refresh(); }
  });
  // The call starts (the case now exists) and the list may change meanwhile: re-read too.
  document.body.addEventListener("live:ci.booking", function (event) {
    var detail = event.detail || {};
    if (String(detail.booking) === String(booking)) { refresh(); }
  });
  document.body.addEventListener("live:reconnected", refresh);
  document.body.addEventListener("live:poll", refresh);

  window.ciDocuments = { refresh: refresh, count: function () { return state.count; } };
  refresh();
}());
