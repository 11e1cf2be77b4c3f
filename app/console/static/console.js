// Courier console: the live jobs table. No framework, no inline script (the page's
// Content-Security-Policy forbids it); rows are built with textContent only.
"use strict";

window.courierConsole = { opens: 0, events: [] };

const status = document.getElementById("live-status");

function setStatus(text, state) {
  if (!status) return;
  status.textContent = text;
  status.dataset.status = state;
}

// The tenant's events for this signed-in browser. The first connect resumes from the
// page's own position (taken before the page read its rows); EventSource sends
// Last-Event-ID by itself on every reconnect, so nothing is missed either way.
function follow(since, kind, onEvent) {
  const params = new URLSearchParams({ after: since });
  if (kind) params.set("kind", kind);
  const source = new EventSource("/console/events?" + params.toString());
  let pending = Promise.resolve();
  source.onopen = function () {
    window.courierConsole.opens += 1;
    setStatus("Live", "open");
  };
  source.onerror = async function () {
    // The stream ended or could not open. Whether the session is still live decides
    // what to say: /console/session answers 204, or 303 to sign-in once the session
    // ended (signed out, expired, its key revoked), which "manual" leaves unfollowed.
    const answer = await fetch("/console/session", {
      credentials: "same-origin",
      redirect: "manual",
    }).catch(() => null);
    if (answer && (answer.type === "opaqueredirect" || answer.status === 401)) {
      source.close();
      setStatus("Signed out — sign in again", "signed-out");
    } else if (source.readyState === EventSource.CLOSED) {
      setStatus("Disconnected: reload the page (you may need to sign in again)", "closed");
    } else {
      setStatus("Reconnecting…", "closed");
    }
  };
  source.onmessage = function (message) {
    const event = JSON.parse(message.data);
    window.courierConsole.events.push(event);
    // In order: a job's later event never lands before its earlier one.
    pending = pending.then(() => onEvent(event)).catch(() => {});
  };
  return source;
}

async function summary(id) {
  const answer = await fetch("/console/jobs/" + encodeURIComponent(id) + "/summary", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  return answer.ok ? answer.json() : null;
}

async function reviewSummary(id) {
  const answer = await fetch("/console/reviews/" + encodeURIComponent(id) + "/summary", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  return answer.ok ? answer.json() : null;
}

function setBadge(badge, state) {
  badge.textContent = state;
  badge.className = "state state-" + state;
}

(function liveJobs() {
  const table = document.querySelector("table[data-live-jobs]");
  if (!table) return;

  const tbody = table.tBodies[0];
  const filterState = table.dataset.state;
  const filterKind = table.dataset.kind;
  const firstPage = table.dataset.firstPage === "true";
  const finished = new Set(["succeeded", "failed", "cancelled", "expired", "needs_review"]);

  function age(iso) {
    const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
      if (seconds >= size) return Math.floor(seconds / size) + unit;
    }
    return seconds + "s";
  }

  function usd(amount) {
    return amount == null ? "" : "$" + Number(amount).toFixed(4);
  }

  function rowOf(id) {
    return tbody.querySelector('tr[data-job-id="' + CSS.escape(id) + '"]');
  }

  function cell(row, field) {
    return row.querySelector('[data-field="' + field + '"]');
  }

  function setState(row, state) {
    setBadge(cell(row, "state"), state);
  }

  function newRow(job) {
    const row = document.createElement("tr");
    row.dataset.jobId = job.id;
    row.dataset.createdAt = job.created_at;
    const link = document.createElement("a");
    link.href = "/console/jobs/" + encodeURIComponent(job.id);
    const code = document.createElement("code");
    code.textContent = job.id.slice(0, 12) + "…";
    link.append(code);
    const badge = document.createElement("span");
    badge.dataset.field = "state";
    const cells = [
      [link, "", "", "Job"], [badge, "", "", "State"], [job.kind, "kind", "", "Kind"],
      [age(job.created_at), "age", "num", "Age"],
      [String(job.attempt), "attempt", "num", "Attempts"],
      [job.model || "", "model", "hide-narrow", "Model"],
      [usd(job.cost_usd), "cost", "num", "Cost"],
    ];
    for (const [content, field, cls, label] of cells) {
      const td = document.createElement("td");
      td.dataset.label = label;
      if (field) td.dataset.field = field;
      if (cls) td.className = cls;
      td.append(content);
      row.append(td);
    }
    setState(row, job.state);
    return row;
  }

  function fill(row, job) {
    setState(row, job.state);
    cell(row, "attempt").textContent = String(job.attempt);
    cell(row, "model").textContent = job.model || "";
    cell(row, "cost").textContent = usd(job.cost_usd);
  }

  function matches(job) {
    return (!filterState || job.state === filterState) && (!filterKind || job.kind === filterKind);
  }

  async function apply(event) {
    let row = rowOf(event.job_id);
    if (row) {
      setState(row, event.state);
      cell(row, "attempt").textContent = String(event.attempt);
      if (!finished.has(event.state)) return;
      const job = await summary(event.job_id);
      if (job) fill(row, job);
      return;
    }
    if (!firstPage) return;
    const job = await summary(event.job_id);
    if (!job || !matches(job) || rowOf(job.id)) return;
    const empty = tbody.querySelector("tr.empty");
    if (empty) empty.remove();
    row = newRow(job);
    row.classList.add("fresh");
    tbody.prepend(row);
  }

  follow(table.dataset.since, filterKind, apply);

  setInterval(function () {
    for (const row of tbody.rows) {
      const ageCell = cell(row, "age");
      if (ageCell && row.dataset.createdAt) ageCell.textContent = age(row.dataset.createdAt);
    }
  }, 10000);
})();

(function liveReviewQueue() {
  const table = document.querySelector("table[data-live-reviews]");
  if (!table) return;
  const tbody = table.tBodies[0];

  async function apply(event) {
    const row = tbody.querySelector('tr[data-job-id="' + CSS.escape(event.job_id) + '"]');
    if (row) {
      // Decided (here or in another console), or expired: it leaves the queue.
      setBadge(row.querySelector('[data-field="state"]'), event.state);
      if (event.state !== "needs_review") row.classList.add("decided");
      return;
    }
    if (event.state !== "needs_review") return;
    const job = await reviewSummary(event.job_id);
    if (!job || job.state !== "needs_review") return;
    const empty = tbody.querySelector("tr.empty");
    if (empty) empty.remove();
    const added = document.createElement("tr");
    added.dataset.jobId = job.id;
    added.className = "fresh";
    const link = document.createElement("a");
    link.href = "/console/reviews/" + encodeURIComponent(job.id);
    const code = document.createElement("code");
    code.textContent = job.id.slice(0, 12) + "…";
    link.append(code);
    const badge = document.createElement("span");
    badge.dataset.field = "state";
    setBadge(badge, job.state);
    // The reasons as the reviewer may read them (the server withholds document ids).
    const reasons = document.createElement("ul");
    reasons.className = "reasons";
    for (const reason of job.reasons) {
      const item = document.createElement("li");
      const code = document.createElement("strong");
      code.textContent = reason.code;
      item.append(code, ": " + reason.detail);
      reasons.append(item);
    }
    const deadline = document.createElement("time");
    deadline.dateTime = job.expires_at;
    deadline.textContent = job.expires_at.slice(0, 16).replace("T", " ") + " UTC";
    const cells = [[link, ""], [job.kind, ""], [reasons, ""], ["0s", "num"],
      [deadline, "hide-narrow"], [badge, ""]];
    for (const [content, cls] of cells) {
      const td = document.createElement("td");
      if (cls) td.className = cls;
      td.append(content);
      added.append(td);
    }
    tbody.append(added);
  }

  follow(table.dataset.since, "", apply);
})();

(function liveReview() {
  const facts = document.querySelector("[data-live-review]");
  if (!facts) return;
  const jobId = facts.dataset.jobId;

  follow(facts.dataset.since, "", function (event) {
    if (event.job_id !== jobId || event.state === "needs_review") return;
    setBadge(document.getElementById("review-state"), event.state);
    const decide = document.getElementById("decide");
    if (decide) decide.remove();
    const decision = document.getElementById("decision");
    if (decision.hidden) {
      decision.textContent = "Decided: the job is now " + event.state + ".";
      decision.hidden = false;
    }
  });
})();
