// The creador's inbox and interaction page (2.7). Loaded with `defer` from
// templates/pqr_digital/inbox.html and interaction_detail.html (CSP: no inline scripts).
// - "Copiar texto" copies a manual message so it can be pasted into the network's console;
// - the rule questions show what applies: the payments question only for sewerage not
//   provided, holder and relation only for non-residential premises, the notification field
//   of the chosen medium; the recording reference only for Contact Center calls.
// Without JavaScript every field is shown and the server applies the same rules.
(function () {
  "use strict";

  function copyText(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    var text = target.innerText.trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copiado";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
    } else {
      selectText(target);
    }
  }

  function selectText(node) {
    // Fallback (http on an intranet): select the text so Ctrl+C copies it.
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Delegated: the messages block is replaced by htmx while automatic messages are sent.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) {
      event.preventDefault();
      copyText(button);
    }
  });

  function valueOf(form, name) {
    var checked = form.querySelector("[name='" + name + "']:checked");
    if (checked) { return checked.value; }
    var field = form.querySelector("select[name='" + name + "']");
    return field ? field.value : "";
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (block) {
      var rule = block.getAttribute("data-show-when").split("=");
      block.classList.toggle("d-none", valueOf(form, rule[0]) !== rule[1]);
    });
    form.querySelectorAll("[data-only-channel]").forEach(function (block) {
      var channel = valueOf(form, "channel");
      block.classList.toggle("d-none", channel !== block.getAttribute("data-only-channel"));
    });
  }

  document.querySelectorAll("#pqr-form, #register-form").forEach(function (form) {
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });
})();
