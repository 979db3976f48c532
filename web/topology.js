// The topology drawing: this router in the middle, one box per
// interface (the namespace or link behind it), with the hosts the
// router knows there: anycast members with their state, neighbours
// heard over ND, RIPng routers.  Inline SVG, built from the API's data
// only; text through textContent.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const TOPO = { boxW: 300, lineH: 16, pad: 8, gap: 12, routerW: 150,
    sideGap: 90 };

function svgEl(tag, attrs, text) {
	const e = document.createElementNS(SVG_NS, tag);
	for (const [k, v] of Object.entries(attrs || {}))
		e.setAttribute(k, String(v));
	if (text !== undefined)
		e.textContent = text;
	return e;
}

// The first global address of an interface, without its length.
function globalAddr(i) {
	const a = (i.addresses || []).find((s) => !s.startsWith("fe80"));
	return a ? a.replace(/\/.*/, "") : "";
}

// One entry per interface: {iface, members: [], neighbours: [], rip: []}
function topoSites(ifs, neigh, groups, rip) {
	const sites = new Map();
	for (const i of ifs)
		sites.set(i.name, { iface: i, members: [], hosts: [], rip: [] });
	for (const g of groups)
		for (const m of g.members || [])
			if (sites.has(m.interface))
				sites.get(m.interface).members.push(m);
	for (const n of (rip && rip.neighbors) || [])
		if (sites.has(n.interface))
			sites.get(n.interface).rip.push(n.address);
	for (const n of neigh) {
		const s = sites.get(n.interface);
		if (!s || n.address.startsWith("fe80") ||
		    s.members.some((m) => m.address === n.address))
			continue;
		s.hosts.push(n);
	}
	return [...sites.values()];
}

// The lines of text of one site's box: [text, state class or null]
function siteLines(s) {
	const out = [];
	for (const m of s.members)
		out.push(["member " + m.address + "  " + m.state +
		    (m.draining ? ", draining" : "") + "  " + m.sessions +
		    " sess", m.draining ? "draining" : m.state]);
	for (const h of s.hosts)
		out.push(["host " + h.address + "  " + h.state, h.state]);
	for (const a of s.rip)
		out.push(["RIPng router " + a, "up"]);
	if (out.length === 0)
		out.push(["no host heard yet", null]);
	return out;
}

// The worst state among a site's members, for the colour of its link.
function siteState(s) {
	const order = ["down", "suspect", "joining", "up"];
	let worst = null;
	for (const m of s.members)
		if (worst === null || order.indexOf(m.state) <
		    order.indexOf(worst))
			worst = m.state;
	return worst || (s.hosts.length || s.rip.length ? "up" : "idle");
}

function siteBox(s, x, y) {
	const lines = siteLines(s);
	const h = TOPO.pad * 2 + TOPO.lineH * (lines.length + 1);
	const g = svgEl("g", { class: "site", "data-iface": s.iface.name });
	g.appendChild(svgEl("rect", { x: x, y: y, width: TOPO.boxW, height: h,
	    rx: 4, class: "box" }));
	const where = s.iface.netns ? "netns " + s.iface.netns :
	    s.iface.name;
	g.appendChild(svgEl("text", { x: x + TOPO.pad, y: y + TOPO.pad + 11,
	    class: "title" }, s.iface.name + "  (" + where + ")  " +
	    globalAddr(s.iface)));
	lines.forEach(([t, st], k) => {
		const ty = y + TOPO.pad + 11 + TOPO.lineH * (k + 1);
		if (st)
			g.appendChild(svgEl("circle", { cx: x + TOPO.pad + 4,
			    cy: ty - 4, r: 4, class: "dot s-" + st }));
		g.appendChild(svgEl("text", { x: x + TOPO.pad + 14, y: ty,
		    class: st ? "node node-" + st : "node muted" }, t));
	});
	return { g: g, h: h };
}

// Left column: interfaces without members; right: those with members.
function renderTopology(ifs, neigh, groups, rip) {
	const sites = topoSites(ifs, neigh, groups, rip);
	const cols = [sites.filter((s) => s.members.length === 0),
	    sites.filter((s) => s.members.length > 0)];
	if (cols[1].length === 0)
		cols.push(cols[0].splice(Math.ceil(cols[0].length / 2)));
	const routerX = TOPO.boxW + TOPO.sideGap;
	const width = routerX * 2 + TOPO.routerW;
	const svg = svgEl("svg", { class: "topology", role: "img",
	    "aria-label": "topology" });
	const links = svgEl("g");
	svg.appendChild(links);
	let height = 0;
	const ports = [];
	cols.filter((c) => c.length).forEach((col, side) => {
		let y = 0;
		const x = side === 0 ? 0 : routerX + TOPO.routerW + TOPO.sideGap;
		for (const s of col) {
			const b = siteBox(s, x, y);
			svg.appendChild(b.g);
			ports.push({ s: s, side: side, y: y + b.h / 2,
			    x: side === 0 ? x + TOPO.boxW : x });
			y += b.h + TOPO.gap;
		}
		height = Math.max(height, y - TOPO.gap);
	});
	svg.appendChild(svgEl("rect", { x: routerX, y: 0,
	    width: TOPO.routerW, height: height, rx: 6, class: "router" }));
	svg.appendChild(svgEl("text", { x: routerX + TOPO.routerW / 2,
	    y: height / 2, class: "router-name" }, "vrouter"));
	for (const p of ports) {
		const rx = p.side === 0 ? routerX : routerX + TOPO.routerW;
		links.appendChild(svgEl("line", { x1: p.x, y1: p.y, x2: rx,
		    y2: p.y, class: "link s-" + siteState(p.s) }));
	}
	svg.setAttribute("viewBox", "0 0 " + width + " " + height);
	svg.setAttribute("width", width);
	svg.setAttribute("height", height);
	return svg;
}
