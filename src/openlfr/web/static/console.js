// The console's one script: live alerts (server-sent events), camera tiles, the closing
// banner and the reference image check. No inline script anywhere (the CSP forbids it).
"use strict";

function text(tag, value, cls) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (cls) node.className = cls;
  return node;
}

function alertCard(a, csrf, template) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.id = "alert-" + a.id;
  card.querySelector(".subject").textContent = a.subject_name + " (" + a.category + ")";
  card.querySelector(".score").textContent = a.score.toFixed(3);
  card.querySelector(".camera").textContent = a.camera;
  card.querySelector(".time").textContent = a.raised_at;
  // The images and the verdict's form are there only for a role that may see and use them.
  for (const which of ["probe", "reference"]) {
    const image = card.querySelector("." + which);
    if (image) image.src = "/api/v1/alerts/" + a.id + "/images/" + which;
  }
  const form = card.querySelector("form");
  if (form) {
    form.action = "/console/alerts/" + a.id + "/adjudication";
    form.querySelector("input[name=csrf]").value = csrf;
    form.querySelector("input[name=version]").value = a.version;
  }
  return card;
}

// An alert written since the page showed it (adjudicated on another handset, amended,
// purged): its card is read again as it reads now, so no one decides on a stale view.
async function refreshCard(id) {
  const card = document.getElementById("alert-" + id);
  if (!card) return;
  const answer = await fetch("/console/alerts/" + id + "/card");
  if (!answer.ok) return;
  const fresh = document.createElement("template");
  fresh.innerHTML = (await answer.text()).trim();
  const replacement = fresh.content.querySelector("article");
  replacement.classList.add("changed");
  card.replaceWith(replacement);
}

function watchAlerts(list) {
  const after = list.dataset.after;
  const csrf = list.dataset.csrf;
  const template = document.getElementById("alert-template");
  const query = new URLSearchParams({ after: after });
  if (list.dataset.deployment) query.set("deployment", list.dataset.deployment);
  const feed = new EventSource("/api/v1/alerts/feed?" + query.toString());
  const state = document.getElementById("feed-state");
  feed.addEventListener("open", () => { state.textContent = "live"; });
  feed.addEventListener("error", () => { state.textContent = "reconnecting"; });
  feed.addEventListener("alert", (event) => {
    const a = JSON.parse(event.data);
    if (document.getElementById("alert-" + a.id)) return;
    list.prepend(alertCard(a, csrf, template));
  });
  feed.addEventListener("update", (event) => { refreshCard(event.data); });
  feed.addEventListener("end", (event) => {
    state.textContent = "ended: " + event.data;
    feed.close();
  });
}

function watchCameras(tiles) {
  const refresh = async () => {
    const answer = await fetch("/api/v1/cameras/status");
    if (!answer.ok) return;
    const cameras = await answer.json();
    tiles.replaceChildren(...cameras.map((c) => {
      const tile = text("div", "", "tile " + c.state);
      tile.append(text("strong", c.camera), text("div", c.state),
        text("div", c.fps_analysed.toFixed(1) + " fps analysed, " + c.fps_in.toFixed(1) + " in"),
        text("div", c.frames_dropped + " dropped, " + c.reconnects + " reconnects"));
      if (c.last_error) tile.append(text("div", c.last_error));
      return tile;
    }));
    if (!cameras.length) tiles.append(text("p", "No camera is running."));
  };
  refresh();
  setInterval(refresh, 2000);
}

function watchWindow(banner) {
  const ends = new Date(banner.dataset.endsAt);
  const check = () => {
    const minutes = (ends - new Date()) / 60000;
    if (minutes <= 15) {
      banner.textContent = banner.dataset.name + ": the authorised window closes at " +
        ends.toISOString().slice(11, 16) + " UTC (" + Math.max(0, Math.ceil(minutes)) +
        " min); the run stops by itself then.";
      banner.classList.remove("hidden");
    }
  };
  check();
  setInterval(check, 10000);
}

function checkImages(form) {
  const input = form.querySelector("input[type=file]");
  const verdict = document.getElementById("image-verdict");
  input.addEventListener("change", async () => {
    verdict.textContent = "checking...";
    const lines = [];
    for (const file of input.files) {
      const body = new FormData();
      body.append("image", file);
      const answer = await fetch("/api/v1/subjects/check", {
        method: "POST", body: body, headers: { "X-CSRF-Token": form.dataset.csrf },
      });
      const said = await answer.json();
      lines.push((answer.ok ? "accepted: " + said.verdict : "refused: " + said.detail));
    }
    verdict.textContent = lines.join("\n");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("alerts");
  if (list) watchAlerts(list);
  const tiles = document.getElementById("tiles");
  if (tiles) watchCameras(tiles);
  document.querySelectorAll(".banner[data-ends-at]").forEach(watchWindow);
  const enrol = document.getElementById("enrol");
  if (enrol) checkImages(enrol);
});
