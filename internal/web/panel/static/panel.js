// Progressive enhancement only; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Hide the typed-password field while "Auto generate password" is ticked.
  var box = document.getElementById("f-auto_generate_password");
  var input = document.getElementById("f-password");
  if (box && input) {
    var field = input.closest(".field");
    var sync = function () { field.hidden = box.checked; };
    box.addEventListener("change", sync);
    sync();
  }
});
