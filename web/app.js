// The vrouter dashboard: reads /api/v1/ every REFRESH_MS and redraws.
// Text reaches the page through textContent only, never as markup.
// topology.js draws the topology, charts.js keeps each member's history
// and draws its sparklines, controls.js sends policy and drain changes.
"use strict";

const API = "/api/v1/";
const REFRESH_MS = 2000;
const TIMEOUT_MS = 1500;
const NONE = "\u2014";

let previous = null;	// the last interfaces sample, for rates

// ---------------------------------------------------------------------
// formatting

function num(v) {
	return typeof v === "number" ? v.toLocaleString("en-US") : NONE;
}

function bytes(v) {
	if (typeof v !== "number")
		return NONE;
	const units = ["B", "KiB", "MiB", "GiB", "TiB"];
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function duration(s) {
	const d = Math.floor(s / 86400);
	const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60]
	    .map((n) => String(n).padStart(2, "0")).join(":");
	return d > 0 ? d + "d " + hms : hms;
}

function ago(ms) {
	if (typeof ms !== "number")
		return NONE;
	if (ms < 60000)
		return (ms / 1000).toFixed(1) + " s";
	return ms < 3600000 ? Math.floor(ms / 60000) + " min" :
	    duration(Math.floor(ms / 1000));
}

function rtt(us) {
	if (typeof us !== "number")
		return NONE;
	return us < 1000 ? us + " \u00b5s" : (us / 1000).toFixed(1) + " ms";
}

function orNone(v) {
	return v === null || v === undefined || v === "" ? NONE : String(v);
}

// ---------------------------------------------------------------------
// DOM

function el(tag, cls, text) {
	const e = document.createElement(tag);
	if (cls)
		e.className = cls;
	if (text !== undefined)
		e.textContent = text;
	return e;
}

// A badge whose colour class comes from a fixed list, never from data.
function badge(text, known) {
	const t = orNone(text);
	return el("span", "badge " + (known.includes(t) ? "s-" + t : "s-other"),
	    t);
}

// columns: [title, cell(row) -> string or Node, "num" for numbers]
function table(columns, rows, empty) {
	if (rows.length === 0)
		return el("p", "muted", empty);
	const t = el("table");
	const hr = t.createTHead().insertRow();
	for (const [title, , cls] of columns)
		hr.appendChild(el("th", cls, title));
	const body = t.createTBody();
	for (const row of rows) {
		const tr = body.insertRow();
		for (const [, cell, cls] of columns) {
			const td = tr.insertCell();
			if (cls)
				td.className = cls;
			const v = cell(row);
			if (v instanceof Node)
				td.appendChild(v);
			else
				td.textContent = orNone(v);
		}
	}
	return t;
}

function lines(list) {
	const f = document.createDocumentFragment();
	for (const s of list || [])
		f.appendChild(el("div", null, s));
	return f;
}

function show(id, node) {
	document.getElementById(id).replaceChildren(node);
}

// key value pairs as a definition list
function pairs(cls, list) {
	const dl = el("dl", cls);
	for (const [k, v] of list) {
		dl.appendChild(el("dt", null, k));
		dl.appendChild(el("dd", null, orNone(v)));
	}
	return dl;
}

// ---------------------------------------------------------------------
// sections

function renderStatus(s) {
	show("status", pairs("status", [
		["version", s.version], ["mode", s.mode],
		["uptime", duration(s.uptime_s)], ["interfaces", s.interfaces],
		["routes", s.routes], ["neighbours", s.neighbors],
		["free buffers", num(s.buffers_free)],
		["captures", s.captures_running],
	]));
}

function rate(name, key, now, c) {
	const p = previous && previous.ifs[name];
	if (!p || now <= previous.t || c[key] < p[key])
		return NONE;
	return num(Math.round((c[key] - p[key]) * 1000 / (now - previous.t)));
}

function renderInterfaces(list, now) {
	show("interfaces", table([
		["Name", (i) => i.name],
		["Netns / ifname", (i) => i.netns ? i.netns + " / " + i.ifname :
		    "(router)"],
		["MAC", (i) => i.mac],
		["MTU", (i) => i.mtu, "num"],
		["Addresses", (i) => lines(i.addresses)],
		["RX pkts", (i) => num(i.counters.rx_packets), "num"],
		["RX bytes", (i) => bytes(i.counters.rx_bytes), "num"],
		["RX pkt/s", (i) => rate(i.name, "rx_packets", now, i.counters),
		    "num"],
		["TX pkts", (i) => num(i.counters.tx_packets), "num"],
		["TX bytes", (i) => bytes(i.counters.tx_bytes), "num"],
		["TX pkt/s", (i) => rate(i.name, "tx_packets", now, i.counters),
		    "num"],
		["Forwarded", (i) => num(i.counters.forwarded), "num"],
		["Drops", (i) => num(i.counters.drops), "num"],
	], list, "no interfaces"));
	const ifs = {};
	for (const i of list)
		ifs[i.name] = i.counters;
	previous = { t: now, ifs: ifs };
}

function renderRoutes(list) {
	show("routes", table([
		["Prefix", (r) => r.prefix],
		["Type", (r) => r.type],
		["Via", (r) => r.via],
		["Interface", (r) => r.interface],
		["Metric", (r) => orNone(r.metric), "num"],
		["Packets", (r) => num(r.packets), "num"],
		["Bytes", (r) => bytes(r.bytes), "num"],
	], list, "no routes"));
}

const RIPNG_STATES = ["live", "garbage"];

// RIPng: hidden when the router does not run it.
function renderRipng(rip) {
	const sec = document.getElementById("ripng-section");
	sec.hidden = !rip.enabled;
	if (!rip.enabled)
		return;
	const f = document.createDocumentFragment();
	f.appendChild(el("p", "muted", "updates every " + rip.update_interval +
	    " s (timeout " + rip.timeout + " s, garbage " + rip.garbage +
	    " s); next in " + ago(rip.next_update_ms)));
	f.appendChild(table([
		["Neighbour", (n) => n.address],
		["Interface", (n) => n.interface],
		["Last heard", (n) => ago(n.last_heard_ms), "num"],
		["Routes", (n) => num(n.routes), "num"],
		["Responses", (n) => num(n.responses), "num"],
		["Bad packets", (n) => num(n.bad_packets), "num"],
		["Bad routes", (n) => num(n.bad_routes), "num"],
	], rip.neighbors || [], "no neighbour heard yet"));
	f.appendChild(table([
		["Learned prefix", (r) => r.prefix],
		["Metric", (r) => r.metric, "num"],
		["Via", (r) => r.via],
		["Interface", (r) => r.interface],
		["Age", (r) => ago(r.age_ms), "num"],
		["State", (r) => badge(r.state, RIPNG_STATES)],
		["Installed", (r) => r.installed ? "yes" : "no"],
	], rip.routes || [], "no routes learned"));
	const errs = nonZero(rip.errors || {});
	if (errs.length)
		f.appendChild(pairs("drops", errs));
	show("ripng", f);
}

const ND_STATES = ["incomplete", "reachable", "stale", "delay", "probe",
    "failed"];

function renderNeighbors(list) {
	show("neighbors", table([
		["Address", (n) => n.address],
		["Interface", (n) => n.interface],
		["MAC", (n) => n.mac],
		["State", (n) => badge(n.state, ND_STATES)],
		["Router", (n) => n.router ? "yes" : "no"],
		["Queued", (n) => n.queued, "num"],
		["Age", (n) => ago(n.age_ms), "num"],
	], list, "no neighbours"));
}

const MEMBER_STATES = ["joining", "up", "suspect", "down"];

function memberState(m) {
	const f = document.createDocumentFragment();
	f.appendChild(badge(m.state, MEMBER_STATES));
	if (m.down_reason)
		f.appendChild(el("span", "muted", " " + m.down_reason));
	if (m.draining)
		f.appendChild(badge("draining", ["draining"]));
	return f;
}

function loadBar(pct) {
	const wrap = el("span", "bar");
	const fill = el("span", "fill");
	fill.style.width = Math.max(0, Math.min(100, Number(pct) || 0)) + "%";
	wrap.appendChild(fill);
	const f = document.createDocumentFragment();
	f.appendChild(wrap);
	f.appendChild(document.createTextNode(" " + orNone(pct) + "%"));
	return f;
}

// Paper 2's normalised parts of the score.
function scoreParts(m) {
	const s = m.score;
	return s ? [s.hop, s.load, s.bandwidth].map(orNone).join(" / ") : NONE;
}

function nonZero(obj) {
	return Object.entries(obj || {}).filter(([, v]) =>
	    typeof v === "number" && v !== 0);
}

function renderGroup(g) {
	const box = el("div", "group");
	const h = el("h3");
	h.appendChild(el("span", "addr", g.address));
	if (g.any_name || g.name)
		h.appendChild(el("span", "muted", " " + (g.any_name || g.name)));
	box.appendChild(h);

	const r = g.score || {};
	const policy = el("div", "policy");
	policy.appendChild(el("span", "muted", "policy "));
	policy.appendChild(policyControl(g));
	box.appendChild(policy);
	box.appendChild(noticeLine(g));
	box.appendChild(pairs("settings", [
		["rh_mode", g.rh_mode],
		["score ratios", r.hop + " / " + r.load + " / " + r.bandwidth +
		    " (hop / load / bw)"],
		["flows", num(g.flows)], ["pending", num(g.pending)],
		["members", (g.members || []).length + " of " + g.max_members],
	]));

	const c = g.counters || {};
	const shown = nonZero(c).concat(nonZero(c.auth_failures)
	    .map(([k, v]) => ["auth " + k, v]));
	box.appendChild(shown.length ? pairs("counters",
	    shown.map(([k, v]) => [k, num(v)])) :
	    el("p", "muted", "no packets yet"));

	box.appendChild(table([
		["Member", (m) => m.address],
		["Interface", (m) => m.interface + " (" + m.source + ")"],
		["State", memberState],
		["Drain", (m) => drainControl(g, m)],
		["Sessions", (m) => m.sessions, "num"],
		["Sessions, 5 min", (m) => sparkline(g, m, "sessions", "")],
		["Pkt/s, 5 min", (m) => sparkline(g, m, "pps", "/s")],
		["Flows", (m) => m.flows, "num"],
		["Load", (m) => loadBar(m.load_pct)],
		["Score", (m) => m.score && m.score.score, "num strong"],
		["hop / load / bw", scoreParts, "num"],
		["Probe RTT", (m) => rtt(m.probe_rtt_us), "num"],
		["Health", (m) => badge(m.health ? "ok" : "bad", ["ok", "bad"])],
		["Weight", (m) => m.weight, "num"],
		["Capacity", (m) => m.capacity, "num"],
		["Selected", (m) => num(m.counters && m.counters.selections),
		    "num"],
		["Packets", (m) => num(m.counters && m.counters.packets),
		    "num"],
	], g.members || [], "no members"));
	return box;
}

function renderGroups(list) {
	if (controlsBusy())
		return;
	const f = document.createDocumentFragment();
	for (const g of list)
		f.appendChild(renderGroup(g));
	show("groups", list.length ? f :
	    el("p", "muted", "no anycast groups configured"));
}

// What ordinary traffic makes (traceroute, path MTU discovery, the
// hosts' MLD reports): shown, never as an alarm.
const INFO_REASONS = ["hop_limit_exceeded", "packet_too_big",
    "mcast_not_joined"];

// [where, reason, count, alarm]: per interface only (the router's
// totals repeat them), the ignored multicast, membership refusals.
function dropRows(c) {
	const rows = [];
	for (const [name, ic] of Object.entries(c.interfaces || {})) {
		for (const [k, v] of nonZero(ic.drop))
			rows.push([name, k, v, !INFO_REASONS.includes(k)]);
		if (ic.mcast_not_joined)
			rows.push([name, "mcast_not_joined", ic.mcast_not_joined,
			    false]);
	}
	const mp = c.anycast && c.anycast.membership;
	for (const [k, v] of nonZero(mp && mp.failures))
		rows.push(["membership", k, v, true]);
	return rows.sort((a, b) => b[3] - a[3] || b[2] - a[2]);
}

function renderDrops(c) {
	const rows = dropRows(c);
	const alarms = rows.filter((r) => r[3]).length;
	const f = document.createDocumentFragment();
	f.appendChild(el("p", alarms ? "alarm" : "muted", alarms ?
	    alarms + " kind(s) of drop or refusal to look at" :
	    "nothing wrong: only what ordinary traffic makes"));
	const t = table([
		["Where", (r) => r[0]],
		["Reason", (r) => r[1]],
		["Count", (r) => num(r[2]), "num"],
		["", (r) => r[3] ? badge("alarm", ["alarm"]) :
		    el("span", "muted", "informational")],
	], rows, "no drops");
	for (const [i, r] of rows.entries())
		if (r[3] && t.tBodies)
			t.tBodies[0].rows[i].className = "alarm-row";
	f.appendChild(t);
	show("drops", f);
}

// ---------------------------------------------------------------------
// polling

async function get(path) {
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
	try {
		const res = await fetch(API + path,
		    { signal: ctl.signal, cache: "no-store" });
		if (!res.ok)
			throw new Error(path + ": HTTP " + res.status);
		return await res.json();
	} catch (e) {
		throw new Error(e.name === "AbortError" ?
		    path + ": no answer within " + TIMEOUT_MS + " ms" :
		    e.message);
	} finally {
		clearTimeout(timer);
	}
}

function connected(ok, why) {
	const b = document.getElementById("banner");
	b.hidden = ok;
	b.textContent = ok ? "" : "Disconnected: " + why +
	    ". Showing the last data; retrying every " + REFRESH_MS / 1000 +
	    " s.";
	document.getElementById("main").classList.toggle("stale", !ok);
}

let timer = null;

// Poll again now (after a change), then every REFRESH_MS.
function refreshSoon() {
	clearTimeout(timer);
	timer = setTimeout(refresh, 200);
}

async function refresh() {
	try {
		const [status, ifs, routes, neigh, groups, counters, rip] =
		    await Promise.all(["status", "interfaces", "routes",
		    "neighbors", "groups", "counters", "ripng"].map(get));
		const now = Date.now();
		recordMembers(groups.groups || [], now);
		renderStatus(status);
		renderGroups(groups.groups || []);
		show("topology", renderTopology(ifs.interfaces || [],
		    neigh.neighbors || [], groups.groups || [], rip));
		renderInterfaces(ifs.interfaces || [], now);
		renderRoutes(routes.routes || []);
		renderNeighbors(neigh.neighbors || []);
		renderRipng(rip);
		renderDrops(counters);
		document.getElementById("updated").textContent =
		    "updated " + new Date(now).toLocaleTimeString();
		connected(true);
	} catch (e) {
		connected(false, e.message);
	} finally {
		clearTimeout(timer);
		timer = setTimeout(refresh, REFRESH_MS);
	}
}

initToken();
refresh();
