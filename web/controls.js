// The controls that change the router: a group's policy and a
// member's drain, sent as PATCH with the bearer token typed in the
// header's token field (kept in sessionStorage, for this tab only).
"use strict";

const TOKEN_KEY = "vrouter-token";
const POLICIES = ["least-sessions", "round-robin", "weighted-round-robin",
    "random", "maglev", "score"];
const notices = new Map();	// group address -> {text, cls}

function token() {
	return sessionStorage.getItem(TOKEN_KEY) || "";
}

function initToken() {
	const input = document.getElementById("token");
	input.value = token();
	input.addEventListener("change", () => {
		sessionStorage.setItem(TOKEN_KEY, input.value.trim());
	});
}

function notify(group, text, cls) {
	notices.set(group, { text: text, cls: cls });
	const p = document.querySelector(
	    '.notice[data-group="' + CSS.escape(group) + '"]');
	if (p) {
		p.textContent = text;
		p.className = "notice " + cls;
	}
}

// PATCH path with body; the outcome is shown in the group's notice.
async function patch(group, path, body, what) {
	if (!token()) {
		notify(group, what + ": no API token; type it in the token " +
		    "field at the top", "err");
		return;
	}
	notify(group, what + "\u2026", "muted");
	try {
		const res = await fetch(API + path, { method: "PATCH",
		    headers: { "Authorization": "Bearer " + token(),
		    "Content-Type": "application/json" },
		    body: JSON.stringify(body), cache: "no-store" });
		if (res.ok)
			notify(group, what + ": done", "ok");
		else if (res.status === 401)
			notify(group, what + ": the router refused the token " +
			    "(HTTP 401)", "err");
		else
			notify(group, what + ": HTTP " + res.status + " " +
			    ((await res.json().catch(() => ({}))).error || ""),
			    "err");
	} catch (e) {
		notify(group, what + ": " + e.message, "err");
	}
	refreshSoon();
}

function groupPath(g) {
	return "groups/" + encodeURIComponent(g.address);
}

function policyControl(g) {
	const f = el("span", "controls");
	const sel = el("select");
	sel.setAttribute("aria-label", "policy of " + g.address);
	for (const p of POLICIES) {
		const o = el("option", null, p);
		o.value = p;
		o.selected = p === g.policy;
		sel.appendChild(o);
	}
	sel.addEventListener("change", () => patch(g.address, groupPath(g),
	    { policy: sel.value }, "policy " + sel.value));
	f.appendChild(sel);
	return f;
}

function drainControl(g, m) {
	const b = el("button", "drain", m.draining ? "Undrain" : "Drain");
	b.type = "button";
	b.addEventListener("click", () => patch(g.address, groupPath(g) +
	    "/members/" + encodeURIComponent(m.address),
	    { drain: !m.draining }, (m.draining ? "undrain " : "drain ") +
	    m.address));
	return b;
}

function noticeLine(g) {
	const n = notices.get(g.address) || { text: "", cls: "muted" };
	const p = el("p", "notice " + n.cls, n.text);
	p.dataset.group = g.address;
	return p;
}

// Redrawing under an open control would close it: wait.
function controlsBusy() {
	const a = document.activeElement;
	return a !== null && a.tagName === "SELECT" &&
	    a.closest("#groups") !== null;
}
