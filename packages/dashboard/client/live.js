// Live updates: the server pushes "change" events; the page re-fetches its server-rendered
// fragments (already escaped on the server) instead of building HTML here.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-fragment]"));
  var runEl = document.getElementById("run");
  var runId = runEl ? runEl.getAttribute("data-run-id") : null;
  var busy = false;
  var again = false;
  var refreshes = 0;

  function openDetails(region) {
    var ids = [];
    region.querySelectorAll("li[data-event-id] details[open]").forEach(function (d) {
      ids.push(d.parentElement.getAttribute("data-event-id"));
    });
    return ids;
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    Promise.all(
      regions.map(function (region) {
        return fetch(region.getAttribute("data-fragment"), { cache: "no-store" }).then(function (res) {
          if (!res.ok) return;
          return res.text().then(function (text) {
            var keep = openDetails(region);
            region.innerHTML = text;
            keep.forEach(function (id) {
              var li = region.querySelector('li[data-event-id="' + CSS.escape(id) + '"] details');
              if (li) li.open = true;
            });
          });
        });
      })
    )
      .then(function () {
        refreshes += 1;
        document.body.setAttribute("data-refreshes", String(refreshes));
        document.dispatchEvent(new CustomEvent("neoxctl:change"));
      })
      .catch(function () {
        /* the next change event retries */
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var es = new EventSource("/events");
  es.addEventListener("open", function () {
    live.textContent = "live";
    live.setAttribute("data-live", "open");
  });
  es.addEventListener("error", function () {
    live.textContent = "reconnecting…";
    live.setAttribute("data-live", "error");
  });
  es.addEventListener("change", function (ev) {
    var d = JSON.parse(ev.data);
    if (!runId || d.all || d.runs.indexOf(runId) >= 0) refresh();
  });
})();
