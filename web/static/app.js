// Polls the ingestion status of uploads (/api/jobs/<id>) and updates the page.
// No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  function render(item, job) {
    item.dataset.status = job.status;
    item.className = item.className.replace(/\b(queued|running|done|error)\b/g, "").trim() + " " + job.status;
    var status = item.querySelector(".status");
    if (status) {
      status.textContent = status.dataset["label" + job.status.charAt(0).toUpperCase() + job.status.slice(1)] || job.status;
    }
    var bar = item.querySelector("progress");
    if (bar) {
      bar.max = job.total || 1;
      bar.value = (job.status === "done" || job.status === "error") ? bar.max : job.done_files;
    }
    var summary = item.querySelector(".summary");
    if (summary) {
      summary.textContent = "";
      (job.summary || []).forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line;
        summary.appendChild(li);
      });
    }
    var message = item.querySelector(".job-message");
    if (message) { message.textContent = job.message || ""; }
  }

  function poll(item) {
    var url = item.dataset.jobUrl;
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        render(item, job);
        if (job.status === "queued" || job.status === "running") {
          window.setTimeout(function () { poll(item); }, 800);
        } else if (job.status === "done") {
          // the new documents and organisations are in the registry: refresh the lists
          window.setTimeout(function () { window.location.reload(); }, 600);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(item); }, 3000); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-url]").forEach(function (item) {
      var s = item.dataset.status;
      if (s === "queued" || s === "running") { poll(item); }
    });
  });
})();
