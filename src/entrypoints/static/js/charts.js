// Charts of the panel. Each <canvas data-chart="kind" data-source="id"> is drawn from the JSON in the
// <script type="application/json" id="id"> block the page renders beside it.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;

  var COLORS = {
    blue: "#1f5fd6",
    blueSoft: "rgba(31, 95, 214, 0.12)",
    blueMid: "rgba(31, 95, 214, 0.75)",
    amber: "#e8890c",
    amberSoft: "rgba(232, 137, 12, 0.18)",
    red: "#d0473d",
    redMid: "rgba(208, 71, 61, 0.75)",
    green: "#1f9d55",
    muted: "#64748b",
    grid: "#e3e9f3",
    ink: "#1c2b45",
  };

  var locale = document.documentElement.lang || "en";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.font.family =
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif';
  Chart.defaults.color = COLORS.muted;
  Chart.defaults.borderColor = COLORS.grid;
  Chart.defaults.animation = reducedMotion ? false : { duration: 350 };
  Chart.defaults.plugins.legend.labels.usePointStyle = true;
  Chart.defaults.plugins.tooltip.backgroundColor = COLORS.ink;

  function formatter(options) {
    try {
      return new Intl.NumberFormat(locale, options);
    } catch (error) {
      return new Intl.NumberFormat("en", options);
    }
  }

  // Money is in the company's currency, which each chart's data names ("currency": "EUR").
  var money = null;
  var moneyCompact = null;

  function useCurrency(code) {
    var currency = code || "PLN";
    money = formatter({ style: "currency", currency: currency, maximumFractionDigits: 2, minimumFractionDigits: 2 });
    moneyCompact = formatter({ style: "currency", currency: currency, notation: "compact", maximumFractionDigits: 1 });
  }
  useCurrency();
  var plain = formatter({ maximumFractionDigits: 2 });
  var percent = formatter({ style: "percent", maximumFractionDigits: 0 });
  var percentPrecise = formatter({ style: "percent", maximumFractionDigits: 1 });

  // The decision threshold from 0% to 100%, as the threshold and profit charts share it.
  function thresholdAxis(title) {
    return {
      type: "linear",
      min: 0,
      max: 1,
      title: { display: true, text: title },
      ticks: {
        stepSize: 0.1,
        maxRotation: 0,
        autoSkip: true,
        autoSkipPadding: 8,
        callback: function (value) {
          return percent.format(value);
        },
      },
    };
  }

  // Long category labels break into lines instead of being cut.
  function wrap(label, width) {
    var words = String(label).split(" ");
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function readData(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  // A vertical line at a given x value, e.g. the threshold in force.
  var markerLine = {
    id: "markerLine",
    afterDatasetsDraw: function (chart, args, options) {
      if (options.value === undefined || options.value === null) {
        return;
      }
      var x = chart.scales.x.getPixelForValue(options.value);
      var area = chart.chartArea;
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = options.color || COLORS.ink;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(x, area.top);
      ctx.lineTo(x, area.bottom);
      ctx.stroke();
      if (options.label) {
        ctx.setLineDash([]);
        ctx.fillStyle = options.color || COLORS.ink;
        ctx.font = "600 11px " + Chart.defaults.font.family;
        ctx.textAlign = x > area.left + (area.right - area.left) / 2 ? "right" : "left";
        ctx.fillText(options.label, x + (ctx.textAlign === "right" ? -6 : 6), area.top + 12);
      }
      ctx.restore();
    },
  };

  var builders = {
    // Profit per client against the threshold: expected on the held-out clients, realized on the known
    // outcomes when there are any; a star marks each curve's most profitable threshold, a dashed line
    // the current one.
    "profit-curve": function (data) {
      function points(values) {
        return data.thresholds.map(function (threshold, index) {
          return { x: threshold, y: values[index] };
        });
      }
      function curve(label, values, color) {
        return { label: label, data: points(values), borderColor: color, backgroundColor: color, tension: 0.2, pointRadius: 2 };
      }
      function best(values, threshold, color) {
        var index = data.thresholds.indexOf(threshold);
        return {
          label: data.labels.best,
          data: [{ x: threshold, y: values[index] }],
          showLine: false,
          pointStyle: "star",
          pointRadius: 10,
          pointBorderWidth: 2,
          borderColor: color,
          backgroundColor: color,
        };
      }
      var datasets = [curve(data.labels.expected, data.expected, COLORS.blue), best(data.expected, data.best, COLORS.blue)];
      if (data.realized) {
        datasets.push(curve(data.labels.realized, data.realized, COLORS.green));
        datasets.push(best(data.realized, data.realizedBest, COLORS.green));
      }
      return {
        type: "line",
        data: { datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: {
            x: thresholdAxis(data.labels.threshold),
            y: {
              title: { display: true, text: data.labels.profit },
              ticks: {
                maxTicksLimit: 6,
                callback: function (value) {
                  return moneyCompact.format(value);
                },
              },
            },
          },
          plugins: {
            legend: {
              position: "bottom",
              labels: {
                filter: function (item, chart) {
                  return chart.datasets[item.datasetIndex].pointStyle !== "star" || item.datasetIndex === 1;
                },
              },
            },
            markerLine: { value: data.current, label: data.labels.current + " " + percent.format(data.current) },
            tooltip: {
              callbacks: {
                title: function (items) {
                  return items.length ? data.labels.threshold + " " + percent.format(items[0].raw.x) : "";
                },
                label: function (item) {
                  return item.dataset.label + ": " + money.format(item.raw.y);
                },
              },
            },
          },
        },
        plugins: [markerLine],
      };
    },

    "sales-trend": function (data) {
      var last = data.labels.length - 1;
      return {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            {
              label: data.actualLabel,
              data: data.actual,
              borderColor: COLORS.blue,
              backgroundColor: COLORS.blueSoft,
              fill: true,
              tension: 0.25,
              pointRadius: 4,
              pointBackgroundColor: COLORS.blue,
              spanGaps: false,
            },
            {
              label: data.forecastLabel,
              data: data.forecast,
              borderColor: COLORS.amber,
              backgroundColor: COLORS.amber,
              borderDash: [6, 5],
              borderWidth: 2.5,
              fill: false,
              pointStyle: "rectRot",
              pointRadius: function (context) {
                return context.dataIndex === last ? 8 : 0;
              },
              pointHoverRadius: function (context) {
                return context.dataIndex === last ? 9 : 0;
              },
            },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            y: {
              beginAtZero: true,
              ticks: {
                callback: function (value) {
                  return moneyCompact.format(value);
                },
              },
            },
            x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              filter: function (item) {
                return item.raw !== null && !(item.datasetIndex === 1 && item.dataIndex !== last);
              },
              callbacks: {
                label: function (item) {
                  return item.dataset.label + ": " + money.format(item.raw);
                },
              },
            },
          },
        },
      };
    },

    activity: function (data) {
      return {
        data: {
          labels: data.labels,
          datasets: [
            {
              type: "bar",
              label: data.salesLabel,
              data: data.sales,
              backgroundColor: COLORS.blueMid,
              borderRadius: 4,
              yAxisID: "y",
              order: 2,
            },
            {
              type: "line",
              label: data.visitsLabel,
              data: data.visits,
              borderColor: COLORS.amber,
              backgroundColor: COLORS.amber,
              tension: 0.25,
              pointRadius: 3,
              yAxisID: "visits",
              order: 1,
            },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            y: {
              beginAtZero: true,
              position: "left",
              ticks: {
                maxTicksLimit: 5,
                callback: function (value) {
                  return moneyCompact.format(value);
                },
              },
            },
            visits: {
              beginAtZero: true,
              position: "right",
              grid: { drawOnChartArea: false },
              ticks: { maxTicksLimit: 5, precision: 0 },
            },
            x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
          },
          plugins: {
            legend: {
              position: "bottom",
              labels: {
                sort: function (a, b) {
                  return a.datasetIndex - b.datasetIndex;
                },
              },
            },
            tooltip: {
              callbacks: {
                label: function (item) {
                  var forecast = item.dataset.yAxisID === "y" && data.salesMonths;
                  var label = forecast ? item.dataset.label + " (" + data.salesMonths[item.dataIndex] + ")" : item.dataset.label;
                  if (item.raw === null) {
                    return item.dataset.label + ": " + (item.dataset.yAxisID === "y" ? "—" : data.noData);
                  }
                  var value = item.dataset.yAxisID === "y" ? money.format(item.raw) : plain.format(item.raw);
                  return label + ": " + value;
                },
              },
            },
          },
        },
      };
    },

    coefficients: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            {
              label: data.label,
              data: data.values,
              backgroundColor: data.values.map(function (value) {
                return value >= 0 ? COLORS.blueMid : COLORS.redMid;
              }),
              borderRadius: 4,
              barThickness: 16,
            },
          ],
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            x: { grid: { color: COLORS.grid }, ticks: { maxTicksLimit: 6 } },
            y: {
              grid: { display: false },
              ticks: {
                color: COLORS.ink,
                callback: function (value) {
                  return wrap(this.getLabelForValue(value), 22);
                },
              },
            },
          },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (item) {
                  return item.dataset.label + ": " + plain.format(item.raw);
                },
              },
            },
          },
        },
      };
    },

    "threshold-curve": function (data) {
      function points(values) {
        return data.thresholds.map(function (threshold, index) {
          return { x: threshold, y: values[index] };
        });
      }
      function line(label, values, color, dash) {
        return {
          label: label,
          data: points(values),
          borderColor: color,
          backgroundColor: color,
          borderDash: dash || [],
          tension: 0.2,
          pointRadius: function (context) {
            var point = context.raw;
            return point && Math.abs(point.x - data.current) < 1e-6 ? 6 : 2;
          },
        };
      }
      return {
        type: "line",
        data: {
          datasets: [
            line(data.labels.precision, data.precision, COLORS.blue),
            line(data.labels.recall, data.recall, COLORS.green),
            line(data.labels.share, data.share, COLORS.amber, [5, 4]),
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          scales: {
            x: thresholdAxis(data.labels.threshold),
            y: {
              min: 0,
              max: 1,
              ticks: {
                callback: function (value) {
                  return percent.format(value);
                },
              },
            },
          },
          plugins: {
            legend: { position: "bottom" },
            markerLine: { value: data.current, label: data.labels.current + " " + percent.format(data.current) },
            tooltip: {
              callbacks: {
                title: function (items) {
                  return items.length ? data.labels.threshold + " " + percent.format(items[0].raw.x) : "";
                },
                label: function (item) {
                  return item.dataset.label + ": " + percentPrecise.format(item.raw.y);
                },
              },
            },
          },
        },
        plugins: [markerLine],
      };
    },

    // A model's realized key metric month by month, each version beside the one its training claimed.
    "realized-trend": function (data) {
      var palette = [COLORS.blue, COLORS.amber, COLORS.green, COLORS.red, COLORS.muted];
      var datasets = [];
      data.versions.forEach(function (version, index) {
        var color = palette[index % palette.length];
        datasets.push({
          label: version.label + " · " + data.labels.realized,
          data: version.realized,
          borderColor: color,
          backgroundColor: color,
          pointRadius: 4,
          spanGaps: false,
          tension: 0,
        });
        if (version.claimed !== null) {
          datasets.push({
            label: version.label + " · " + data.labels.claimed,
            data: data.months.map(function () {
              return version.claimed;
            }),
            borderColor: color,
            borderDash: [6, 5],
            borderWidth: 1.5,
            pointRadius: 0,
          });
        }
      });
      return {
        type: "line",
        data: { labels: data.months, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            y: { title: { display: true, text: data.labels.metric }, ticks: { maxTicksLimit: 6 } },
            x: { ticks: { maxRotation: 0, autoSkip: true } },
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              callbacks: {
                label: function (item) {
                  return item.dataset.label + ": " + plain.format(item.raw);
                },
              },
            },
          },
        },
      };
    },

    // The share who bought in each tenth of clients ranked by their chance, against the base rate.
    lift: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.tenths,
          datasets: [
            {
              type: "line",
              label: data.labels.baseRate,
              data: data.tenths.map(function () {
                return data.baseRate;
              }),
              borderColor: COLORS.amber,
              borderDash: [6, 5],
              borderWidth: 1.5,
              pointRadius: 0,
            },
            {
              label: data.labels.share,
              data: data.shares,
              backgroundColor: COLORS.blueMid,
              borderRadius: 4,
            },
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            x: { title: { display: true, text: data.labels.tenth }, grid: { display: false } },
            y: {
              min: 0,
              max: 1,
              ticks: {
                maxTicksLimit: 6,
                callback: function (value) {
                  return percent.format(value);
                },
              },
            },
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              callbacks: {
                label: function (item) {
                  return item.dataset.label + ": " + percentPrecise.format(item.raw);
                },
              },
            },
          },
        },
      };
    },

    // Predicted probability against the share who bought, bin by bin, beside the diagonal of a
    // perfectly calibrated model.
    reliability: function (data) {
      function series(label, points, color, style) {
        return {
          label: label,
          data: points,
          borderColor: color,
          backgroundColor: color,
          pointStyle: style,
          pointRadius: 5,
          pointHoverRadius: 7,
          tension: 0,
          showLine: true,
        };
      }
      var datasets = [
        {
          label: data.labels.diagonal,
          data: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          borderColor: COLORS.muted,
          borderDash: [6, 5],
          borderWidth: 1.5,
          pointRadius: 0,
          pointHoverRadius: 0,
          showLine: true,
        },
      ];
      if (data.holdOut.length) {
        datasets.push(series(data.labels.holdOut, data.holdOut, COLORS.blue, "circle"));
      }
      if (data.realized.length) {
        datasets.push(series(data.labels.realized, data.realized, COLORS.amber, "rectRot"));
      }
      function axis(title) {
        return {
          type: "linear",
          min: 0,
          max: 1,
          title: { display: true, text: title },
          ticks: {
            stepSize: 0.2,
            maxRotation: 0,
            callback: function (value) {
              return percent.format(value);
            },
          },
        };
      }
      return {
        type: "scatter",
        data: { datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: { x: axis(data.labels.predicted), y: axis(data.labels.observed) },
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              filter: function (item) {
                return item.datasetIndex > 0;
              },
              callbacks: {
                label: function (item) {
                  var point = item.raw;
                  return (
                    item.dataset.label +
                    ": " +
                    percentPrecise.format(point.x) +
                    " → " +
                    percentPrecise.format(point.y) +
                    " (" +
                    data.labels.clients +
                    " " +
                    plain.format(point.clients) +
                    ")"
                  );
                },
              },
            },
          },
        },
      };
    },
  };

  function draw(canvas) {
    var build = builders[canvas.getAttribute("data-chart")];
    var data = readData(canvas);
    if (!build || !data) {
      return;
    }
    if (data.currency) {
      useCurrency(data.currency);
    }
    new Chart(canvas, build(data));
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
