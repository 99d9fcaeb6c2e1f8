// Small behaviours of the panel that Bootstrap does not provide. Pages hand data over through data-* attributes.
(function () {
  "use strict";

  var POLL_EVERY_MS = 1500;

  // Forms marked data-confirm="Question?" ask before they are sent.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Filters marked data-autosubmit apply as soon as they change.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  // A button marked data-copy="element-id" copies that field's value, and says so in its data-copied text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    field.select();
    function copied() {
      if (status) {
        status.textContent = button.getAttribute("data-copied");
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(copied, function () {
        document.execCommand("copy");
        copied();
      });
    } else {
      document.execCommand("copy");
      copied();
    }
  });

  function clampPercent(value) {
    var number = parseFloat(value);
    if (isNaN(number)) {
      return 0;
    }
    return Math.min(100, Math.max(0, number));
  }

  // Bars and markers take their size from data attributes: no inline styles in the pages.
  function sizeBars(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = clampPercent(element.getAttribute("data-width")) + "%";
    });
    root.querySelectorAll("[data-left]").forEach(function (element) {
      var left = clampPercent(element.getAttribute("data-left"));
      element.style.left = left + "%";
      // a caption near either end is aligned to that end, so it never leaves its box
      element.classList.toggle("at-start", left < 15);
      element.classList.toggle("at-end", left > 85);
    });
  }

  // A badge with data-poll-url follows a background run; once the run has ended, the page shows the
  // outcome at data-done-url (or reloads).
  function follow(badge) {
    var url = badge.getAttribute("data-poll-url");
    var text = badge.querySelector(".status-text");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (status) {
          if (text && status.label) {
            text.textContent = status.label;
          }
          if (status.tone) {
            badge.className = badge.className.replace(/text-bg-\w+/, "text-bg-" + status.tone);
          }
          if (status.finished) {
            var done = badge.getAttribute("data-done-url");
            if (done && done.split("#")[0] !== window.location.pathname + window.location.search) {
              window.location.assign(done);
            } else {
              window.location.reload();
            }
          } else {
            window.setTimeout(poll, POLL_EVERY_MS);
          }
        })
        .catch(function () {
          if (text) {
            text.textContent = badge.getAttribute("data-poll-failed") || text.textContent;
          }
        });
    }
    window.setTimeout(poll, POLL_EVERY_MS);
  }

  // The client list's export of ticked rows: a box ticks every row of the page, and ticking a row
  // chooses "the rows ticked" in the export form. Without this script the rows can still be ticked.
  function chooseRows() {
    var all = document.getElementById("choose-all");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".row-choice"));
    var scope = document.getElementById("export-scope-selected");
    var count = document.getElementById("export-chosen-count");
    if (!all || !rows.length) {
      return;
    }
    function refresh() {
      var ticked = rows.filter(function (row) { return row.checked; }).length;
      all.checked = ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
      if (count) {
        count.textContent = ticked ? "(" + ticked + ")" : "";
      }
      return ticked;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = all.checked; });
      if (refresh() && scope) {
        scope.checked = true;
      }
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        if (refresh() && scope) {
          scope.checked = true;
        }
      });
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    sizeBars(document);
    chooseRows();
    document.querySelectorAll("[data-poll-url]").forEach(follow);

    // After a refused form, put the cursor on the first field that needs attention.
    var invalid = document.querySelector("form .is-invalid");
    if (invalid) {
      invalid.focus();
    }
  });
})();
