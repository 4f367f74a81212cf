// Offers the browser's location on the "Make it near me" form. Without
// script, the place field works alone.
(function () {
  var button = document.getElementById("locate");
  var near = document.getElementById("near");
  var place = document.getElementById("place");
  if (!button || !near || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.textContent = "Finding you…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      near.value = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
      place.value = near.value;
      button.textContent = "Location set";
    }, function () {
      button.textContent = "Location unavailable: type a place";
    });
  });
})();
