// Employer picker: suggests known employers by name or credit code and fills both fields.
(function () {
  "use strict";
  var form = document.querySelector("form[data-employer-search]");
  if (!form) { return; }
  var name = form.querySelector("#id_employer_name");
  var code = form.querySelector("#id_employer_credit_code");
  var list = document.getElementById("employer-options");
  if (!name || !code || !list) { return; }  // a declaration step without the employer fields
  var known = {};
  var timer = null;
  name.setAttribute("list", "employer-options");
  code.setAttribute("list", "employer-options");
  function fillOther(field) {
    var value = field.value.trim();
    if (field === name && known[value]) { code.value = known[value]; }
    if (field === code && known[value.toUpperCase()]) { name.value = known[value.toUpperCase()]; }
  }
  var latest = 0;
  function search(value, field) {
    if (value.length < 2) { return; }
    var asked = ++latest;
    fetch(form.dataset.employerSearch + "?q=" + encodeURIComponent(value), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (asked !== latest) { return; }  // a later search is on its way: its answer counts
        list.textContent = "";
        known = {};
        data.results.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.name;
          option.label = item.credit_code;
          list.appendChild(option);
          known[item.name] = item.credit_code;
          known[item.credit_code] = item.name;
        });
        fillOther(field);
      })
      .catch(function () { /* typing by hand still works */ });
  }
  function onInput(event) {
    var field = event.target;
    var value = field.value.trim();
    if (known[value] || known[value.toUpperCase()]) { fillOther(field); return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(value, field); }, 250);
  }
  name.addEventListener("input", onInput);
  code.addEventListener("input", onInput);
  // Typed before this script ran (it is deferred: a quick typist, or the browser's autofill):
  // look it up now, the credit code first, as if it had just been typed.
  [code, name].some(function (field) {
    var value = field.value.trim();
    if (value && field.value !== field.defaultValue) { search(value, field); return true; }
    return false;
  });
})();
