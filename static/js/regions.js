// Address pickers: the city and district lists follow the province and city chosen.
(function () {
  "use strict";
  var form = document.querySelector("form[data-regions]");
  if (!form) { return; }
  var province = form.querySelector("#id_province");
  var city = form.querySelector("#id_city");
  var district = form.querySelector("#id_district");
  function fill(listId, query) {
    var list = document.getElementById(listId);
    fetch(form.dataset.regions + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        list.textContent = "";
        data.items.forEach(function (name) {
          var option = document.createElement("option");
          option.value = name;
          list.appendChild(option);
        });
      })
      .catch(function () { /* typing by hand still works */ });
  }
  city.setAttribute("list", "city-options");
  district.setAttribute("list", "district-options");
  function onProvince() { if (province.value) { fill("city-options", "province=" + encodeURIComponent(province.value)); } }
  function onCity() {
    if (province.value && city.value) {
      fill("district-options", "province=" + encodeURIComponent(province.value) + "&city=" + encodeURIComponent(city.value));
    }
  }
  province.addEventListener("change", onProvince);
  city.addEventListener("change", onCity);
  onProvince();
  onCity();
})();
