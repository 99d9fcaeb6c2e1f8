// Small behaviours of the panel that Bootstrap does not provide.
(function () {
  "use strict";

  // Forms marked data-confirm="Question?" ask before they are sent.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // After a refused form, put the cursor on the first field that needs attention.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector("form .is-invalid");
    if (invalid) {
      invalid.focus();
    }
  });
})();
