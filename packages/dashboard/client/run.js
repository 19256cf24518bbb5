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

  // "Since you last looked": incidents newer than this browser's previous visit to the run are
  // marked; the visit time is kept in localStorage, per run.
  var seenKey = "neoxctl:seen:" + runId;
  var lastSeen = null;
  try {
    lastSeen = window.localStorage.getItem(seenKey);
    window.localStorage.setItem(seenKey, new Date().toISOString());
  } catch (e) {
    /* storage off: nothing is marked */
  }
  function markNew() {
    var count = 0;
    document.querySelectorAll("#incidents li.incident").forEach(function (li) {
      var t = li.getAttribute("data-time");
      var fresh = lastSeen !== null && t !== null && t > lastSeen;
      li.classList.toggle("new", fresh);
      if (fresh) count += 1;
    });
    var note = document.getElementById("incidents-new");
    if (note)
      note.textContent =
        lastSeen === null
          ? "(first visit from this browser)"
          : count + " new since " + lastSeen.replace("T", " ").slice(0, 16) + "Z";
  }
  markNew();
  document.addEventListener("neoxctl:change", markNew);

  var result = document.getElementById("action-result");
  var dialog = document.getElementById("confirm");
  if (!dialog) return;
  var pending = null;

  // the run's facts as the status header shows them now (live updates replace it)
  function facts() {
    var s = document.getElementById("summary");
    return {
      state: s.getAttribute("data-state"),
      step: s.getAttribute("data-step"),
      jobId: s.getAttribute("data-job-id"),
      jobLive: s.getAttribute("data-job-live") === "true",
      lr: Number(s.getAttribute("data-lr"))
    };
  }

  function sentence(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function cancelsJob(f) {
    return f.jobLive && f.jobId ? "cancels job " + f.jobId + ", " : "";
  }

  /** What the action will do to this run, in one sentence; null when the supervisor would refuse it. */
  function consequence(kind, body) {
    var f = facts();
    var stopped = f.state === "needs_attention";
    var movable = stopped || f.state === "running" || f.state === "queued";
    switch (kind) {
      case "cancel":
        if (f.state === "completed" || f.state === "cancelled" || f.state === "failed")
          return { refuse: "the run is already " + f.state + "." };
        return {
          text:
            (f.jobId && f.jobLive ? "Cancels job " + f.jobId + " and every" : "Cancels every") +
            " Slurm job of run " +
            runId +
            "; the run ends as cancelled and the supervisor starts nothing more."
        };
      case "resume":
        if (!stopped)
          return { refuse: "resume is for a run that needs attention; this one is " + f.state + "." };
        return {
          text:
            "Submits a new attempt of run " +
            runId +
            " from its newest complete checkpoint, with the same LR (" +
            f.lr.toExponential(1) +
            "); spent recovery budgets stay spent."
        };
      case "ack":
        if (!stopped)
          return { refuse: "acknowledge is for a run that needs attention; this one is " + f.state + "." };
        return {
          text:
            "Resets run " +
            runId +
            "'s recovery budgets and crash-loop count, then submits a new attempt from its newest complete checkpoint with LR " +
            f.lr.toExponential(1) +
            "."
        };
      case "rollback": {
        if (!movable) return { refuse: "a run that is " + f.state + " cannot be rolled back." };
        var lr = body.lrFactor === "" ? f.lr : f.lr * Number(body.lrFactor);
        return {
          text: sentence(
            cancelsJob(f) +
              "resubmits run " +
              runId +
              " from step " +
              body.toStep +
              " with LR " +
              lr.toExponential(1) +
              (body.lrFactor === "" ? "" : " (" + f.lr.toExponential(1) + " × " + body.lrFactor + ")") +
              "; checkpoints after step " +
              body.toStep +
              " leave the run's timeline."
          )
        };
      }
      case "exclude":
        if (!movable) return { refuse: "a run that is " + f.state + " cannot be restarted." };
        if (!body.node) return { refuse: "name the node to exclude." };
        return {
          text: sentence(
            cancelsJob(f) +
              "keeps " +
              body.node +
              " out of run " +
              runId +
              " and resubmits from the newest complete checkpoint without it."
          )
        };
    }
    return { refuse: "unknown action" };
  }

  function send(kind, body) {
    var token = document.getElementById("action-token").value;
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
  }

  document.getElementById("confirm-yes").addEventListener("click", function () {
    var p = pending;
    pending = null;
    dialog.close();
    if (p) send(p.kind, p.body);
  });
  document.getElementById("confirm-no").addEventListener("click", function () {
    pending = null;
    dialog.close();
  });

  document.querySelectorAll("button[data-action]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var kind = btn.getAttribute("data-action");
      var body = {};
      if (kind === "rollback") {
        body.toStep = Number(document.getElementById("rollback-step").value);
        body.lrFactor = document.getElementById("rollback-lr").value;
      }
      if (kind === "exclude") body.node = document.getElementById("exclude-node").value.trim();
      var c = consequence(kind, body);
      var yes = document.getElementById("confirm-yes");
      document.getElementById("confirm-title").textContent = btn.textContent + "?";
      document.getElementById("confirm-text").textContent = c.text || "Not possible now: " + c.refuse;
      dialog.setAttribute("data-action", kind);
      yes.hidden = !c.text;
      pending = c.text ? { kind: kind, body: body } : null;
      dialog.showModal();
    });
  });
})();
