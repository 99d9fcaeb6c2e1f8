// The client page's "What if…" card: each change of a value asks the API what the values would give
// (storing nothing) and writes the answer in place. Without this script "Try" posts the form.
(function () {
  "use strict";

  var WAIT_MS = 350;
  var HIGHEST_SHOWN = 0.99;
  var LOWEST_SHOWN = 0.01;

  function start(form) {
    var settings = JSON.parse(document.getElementById(form.getAttribute("data-settings")).textContent);
    var prefix = "whatif-";
    var mark = settings.locale.indexOf("en") === 0 ? "." : ",";
    var money = new Intl.NumberFormat(settings.locale.replace("_", "-"), { style: "currency", currency: settings.currency });
    var share = function (decimals) {
      return new Intl.NumberFormat(settings.locale.replace("_", "-"), {
        style: "percent", minimumFractionDigits: decimals, maximumFractionDigits: decimals
      });
    };
    var pointsFormat = new Intl.NumberFormat(settings.locale.replace("_", "-"), {
      minimumFractionDigits: 1, maximumFractionDigits: 1
    });
    var asked = 0;
    var timer = null;

    // A number as the panel's language writes it (see web/numbers.py), or undefined when it cannot be
    // read for sure: `149,90` in English, `1.234` in Polish (thousands or decimals?).
    function number(text) {
      var plain = text.replace(/\s/g, "");
      if (mark === ",") {
        plain = /^[+-]?[1-9]\d{0,2}\.\d{3}$/.test(plain) ? "" : plain.replace(",", ".");
      } else if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(plain)) {
        plain = plain.replace(/,/g, "");
      }
      return /^[+-]?\d+(\.\d+)?$/.test(plain) ? Number(plain) : undefined;
    }

    // The values of the form for the API: blank is unknown; undefined for a number it cannot read.
    function value(field) {
      var text = field.value.trim();
      if (field.tagName === "SELECT") {
        return text === "" ? null : text === "true";
      }
      return text === "" ? null : number(text);
    }

    function changes() {
      var body = {};
      var unreadable = [];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.name.indexOf(prefix) === 0 && field.name !== prefix + "csrf_token") {
          var name = field.name.slice(prefix.length);
          body[name] = value(field);
          if (body[name] === undefined) {
            unreadable.push(name);
          }
        }
      });
      return { body: body, unreadable: unreadable };
    }

    function chance(probability) {
      if (probability > HIGHEST_SHOWN) {
        return "> " + share(0).format(HIGHEST_SHOWN);
      }
      if (probability < LOWEST_SHOWN) {
        return "< " + share(0).format(LOWEST_SHOWN);
      }
      return share(1).format(probability);
    }

    function points(difference) {
      return settings.words.points
        .replace("{sign}", difference >= 0 ? "+" : "\u2212")
        .replace("{points}", pointsFormat.format(Math.abs(100 * difference)));
    }

    function signedMoney(difference) {
      return (difference >= 0 ? "+" : "") + money.format(difference);
    }

    function setText(id, text) {
      document.getElementById(id).textContent = text;
    }

    function element(tag, className, text) {
      var made = document.createElement(tag);
      made.className = className;
      if (text !== undefined) {
        made.textContent = text;
      }
      return made;
    }

    // The strongest reasons each way, as the page lists them.
    function factors(kind, reasons) {
      var column = element("div", "col-12 col-md-6");
      column.appendChild(element("h3", "h6 mb-2", settings.models[kind]));
      [["up", function (r) { return r.contribution > 0; }], ["down", function (r) { return r.contribution < 0; }]]
        .forEach(function (way) {
          var items = reasons.filter(way[1]).slice(0, settings.each_way);
          if (!items.length) {
            return;
          }
          column.appendChild(element("p", "factor-heading factor-" + way[0] + " mb-1", settings.words[way[0]]));
          var list = column.appendChild(element("ul", "list-unstyled small mb-2"));
          items.forEach(function (reason) {
            var item = list.appendChild(element("li", "d-flex justify-content-between gap-2"));
            item.appendChild(element("span", "min-w-0", settings.labels[reason.feature] || reason.feature));
            var effect = kind === "sales" ? signedMoney(reason.contribution) : points(reason.contribution);
            item.appendChild(element("span", "text-nowrap tabular factor-effect-" + way[0], effect));
          });
        });
      return column;
    }

    function show(answer) {
      var current = settings.current;
      setText("what-if-forecast", money.format(answer.forecast.value));
      setText("what-if-chance", chance(answer.purchase.probability));
      setText("what-if-forecast-change",
        current.forecast === null ? "\u2014" : signedMoney(answer.forecast.value - current.forecast));
      setText("what-if-chance-change",
        current.probability === null ? "\u2014" : points(answer.purchase.probability - current.probability));
      var box = document.getElementById("what-if-factors");
      box.replaceChildren(factors("sales", answer.reasons.sales), factors("purchase", answer.reasons.purchase));
      document.getElementById("what-if-numbers").hidden = false;
    }

    function refuse(message, fields) {
      var result = document.getElementById("what-if-result");
      var alert = document.getElementById("what-if-problem");
      if (!alert) {
        alert = result.insertBefore(element("div", "alert alert-warning mb-3"), result.firstChild);
        alert.id = "what-if-problem";
        alert.setAttribute("role", "alert");
      }
      alert.textContent = message;
      (fields || []).forEach(function (name) {
        var field = document.getElementById(prefix + name);
        if (field) {
          field.classList.add("is-invalid");
          field.setAttribute("aria-invalid", "true");
        }
      });
    }

    function clear() {
      var alert = document.getElementById("what-if-problem");
      if (alert) {
        alert.remove();
      }
      form.querySelectorAll(".is-invalid").forEach(function (field) {
        field.classList.remove("is-invalid");
        field.removeAttribute("aria-invalid");
      });
    }

    function ask() {
      var asking = ++asked;
      var values = changes();
      if (values.unreadable.length) {
        clear();
        refuse(settings.words.refused, values.unreadable);
        return;
      }
      fetch(form.getAttribute("data-api-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": form.elements[prefix + "csrf_token"].value
        },
        body: JSON.stringify(values.body)
      })
        .then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        })
        .then(function (answer) {
          if (asking !== asked) {
            return; // a later change has been sent since
          }
          clear();
          if (answer.status === 200) {
            show(answer.body);
          } else if (answer.status === 422) {
            refuse(settings.words.refused, (answer.body.errors || []).map(function (e) { return e.field; }));
          } else {
            refuse(answer.body.detail || settings.words.failed);
          }
        })
        .catch(function () {
          if (asking === asked) {
            refuse(settings.words.failed);
          }
        });
    }

    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT_MS);
    }

    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      ask();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("what-if-form");
    if (form && window.fetch) {
      start(form);
    }
  });
})();
