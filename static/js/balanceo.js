// Balanceo (2.5): the page's forms post with htmx so the video call on the page goes on. A refused
// request (400 with the messages by field, 409 when the state changed) still shows its answer in
// place: htmx leaves 4xx responses unswapped by default. Loaded with `defer` (CSP: no inline
// scripts, NFR-02); the listener is delegated to the document because the blocks are swapped.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.closest("#balance-page")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
