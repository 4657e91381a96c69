// The review page: verdicts save in place (the viewer keeps its zoom, rotation and page);
// without script the forms post and the page reloads. Keys, in the item last used:
// 1 合格 (saved at once), 2 不合格 (then choose the problem and press Enter).
(function () {
  "use strict";
  var current = null;
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function save(form) {
    var section = form.closest("section");
    var state = section && section.querySelector("[data-verdict-state]");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": csrf(form) },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.disabled = false;
      if (!state) { return; }
      state.classList.remove("ok", "error");
      if (result.ok && result.data.ok) {
        var passed = form.querySelector("input[name=ok][value='1']").checked;
        state.classList.add(passed ? "ok" : "error");
        state.textContent = result.data.text;
      } else {
        state.classList.add("error");
        state.textContent = (result.data.errors || []).join(" ");
      }
    }).catch(function () {
      button.disabled = false;
      form.submit();  // the plain post still works
    });
  }
  document.querySelectorAll("form[data-verdict]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
  });
  document.querySelectorAll("section[id^=material-]").forEach(function (section) {
    section.addEventListener("focusin", function () { current = section; });
    section.addEventListener("pointerdown", function () { current = section; });
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (!current || (event.key !== "1" && event.key !== "2")) { return; }
    var form = current.querySelector("form[data-verdict]");
    if (!form) { return; }
    event.preventDefault();
    if (event.key === "1") {
      form.querySelector("input[name=ok][value='1']").checked = true;
      form.querySelector("select[name=reason]").value = "";
      save(form);
    } else {
      form.querySelector("input[name=ok][value='0']").checked = true;
      form.querySelector("select[name=reason]").focus();
    }
  });
})();
