// Run page charts (uPlot) and the action buttons. Chart data comes pre-aligned from
// /api/runs/:id/chart; markers are point-only series so the legend names them.
(function () {
  "use strict";
  var runEl = document.getElementById("run");
  var runId = runEl.getAttribute("data-run-id");
  var base = "/api/runs/" + encodeURIComponent(runId);
  var charts = {};
  window.__neoxctlCharts = charts;

  function sci(u, v) {
    return v == null ? "--" : v.toExponential(3);
  }

  function width(el) {
    return Math.max(320, el.clientWidth || 900);
  }

  function marker(label, color, size) {
    return {
      label: label,
      stroke: color,
      fill: color,
      width: 0,
      paths: function () {
        return null;
      },
      points: { show: true, size: size, stroke: color, fill: color }
    };
  }

  var specs = {
    loss: {
      el: "chart-loss",
      title: "Loss",
      series: [
        { label: "loss", stroke: "#2e86ab", width: 1.5 },
        { label: "loss (discarded by rollback/resume)", stroke: "#a8adb3", width: 2, dash: [5, 4] },
        marker("spike", "#d7263d", 10),
        marker("rollback", "#7768ae", 12),
        marker("LR change", "#ff9f1c", 9),
        marker("restart", "#3bb273", 7)
      ],
      data: function (d) {
        return [
          d.steps,
          d.loss.kept,
          d.loss.discarded,
          d.loss.markers.spike,
          d.loss.markers.rollback,
          d.loss.markers.lr_change,
          d.loss.markers.restart
        ];
      }
    },
    lr: {
      el: "chart-lr",
      title: "Learning rate",
      series: [
        { label: "LR", stroke: "#ff9f1c", width: 1.5, value: sci },
        { label: "LR (discarded)", stroke: "#9aa0a6", dash: [6, 4], value: sci }
      ],
      axis: {
        values: function (u, vals) {
          return vals.map(function (v) {
            return v.toExponential(1);
          });
        },
        size: 70
      },
      data: function (d) {
        return [d.steps, d.lr.kept, d.lr.discarded];
      }
    },
    step_time: {
      el: "chart-step-time",
      title: "Step time (s)",
      series: [{ label: "step time", stroke: "#3bb273", width: 1 }],
      data: function (d) {
        return [d.steps, d.stepTime.kept];
      }
    }
  };

  function describe(el, key, d) {
    el.setAttribute("data-series-count", String(specs[key].series.length));
    el.setAttribute("data-points", String(d.steps.length));
    if (key === "loss") {
      el.setAttribute("data-discarded-points", String(d.counts.discardedPoints));
      el.setAttribute("data-markers", JSON.stringify(d.markerSteps));
    }
  }

  function draw(d) {
    Object.keys(specs).forEach(function (key) {
      var spec = specs[key];
      var el = document.getElementById(spec.el);
      var data = spec.data(d);
      describe(el, key, d);
      if (charts[key]) {
        charts[key].setData(data);
        return;
      }
      charts[key] = new uPlot(
        {
          title: spec.title,
          width: width(el),
          height: key === "loss" ? 320 : 180,
          scales: { x: { time: false } },
          cursor: { drag: { x: true, y: false } },
          axes: [{}, spec.axis || {}],
          series: [{ label: "step" }].concat(
            spec.series.map(function (s) {
              return Object.assign({ spanGaps: false }, s);
            })
          )
        },
        data,
        el
      );
      el.setAttribute("data-ready", "true");
    });
  }

  function load() {
    return fetch(base + "/chart", { cache: "no-store" })
      .then(function (r) {
        return r.json();
      })
      .then(draw);
  }

  load();
  document.addEventListener("neoxctl:change", load);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) {
      var el = document.getElementById(specs[k].el);
      charts[k].setSize({ width: width(el), height: k === "loss" ? 320 : 180 });
    });
  });

  var result = document.getElementById("action-result");
  document.querySelectorAll("button[data-action]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var kind = btn.getAttribute("data-action");
      var token = document.getElementById("action-token").value;
      var body = {};
      if (kind === "rollback") {
        body.toStep = Number(document.getElementById("rollback-step").value);
        body.lrFactor = document.getElementById("rollback-lr").value;
      }
      if (kind === "exclude") {
        body.node = document.getElementById("exclude-node").value;
        if (!window.confirm("Exclude " + body.node + " and restart run " + runId + "?")) return;
      }
      if (kind === "cancel" && !window.confirm("Cancel run " + runId + "?")) return;
      fetch(base + "/actions/" + kind, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + token },
        body: JSON.stringify(body)
      })
        .then(function (r) {
          return r.json().then(function (j) {
            result.setAttribute("data-status", String(r.status));
            result.textContent = r.status + ": " + (j.message || j.error || "");
          });
        })
        .catch(function (e) {
          result.setAttribute("data-status", "error");
          result.textContent = String(e);
        });
    });
  });
})();
