// Per-member history kept in the browser from the 2 s polling, and
// the small charts (sparklines) drawn from it.  Nothing is stored on
// the router: a reload starts the history again.
"use strict";

const HISTORY_MS = 5 * 60 * 1000;	// what a chart spans
const SPARK = { w: 80, h: 20 };

const memberHistory = new Map();	// "group member" -> [{t, sessions, pps}]

function memberKey(g, m) {
	return g.address + " " + m.address;
}

// Record one sample per member; the packet rate comes from the
// difference with the previous sample of the same member.
function recordMembers(groups, now) {
	const seen = new Set();
	for (const g of groups)
		for (const m of g.members || []) {
			const k = memberKey(g, m);
			seen.add(k);
			const h = memberHistory.get(k) || [];
			const pkts = (m.counters && m.counters.packets) || 0;
			const last = h[h.length - 1];
			const pps = last && now > last.t && pkts >= last.pkts ?
			    (pkts - last.pkts) * 1000 / (now - last.t) : null;
			h.push({ t: now, sessions: m.sessions || 0, pkts: pkts,
			    pps: pps });
			while (h.length && h[0].t < now - HISTORY_MS)
				h.shift();
			memberHistory.set(k, h);
		}
	for (const k of [...memberHistory.keys()])
		if (!seen.has(k))
			memberHistory.delete(k);
}

// An inline SVG polyline of field over the history of one member,
// scaled to its own maximum and to the time it covers (up to
// HISTORY_MS, so that a fresh page draws a whole line), with the
// latest value as text beside it.
function sparkline(g, m, field, unit) {
	const h = (memberHistory.get(memberKey(g, m)) || [])
	    .filter((s) => typeof s[field] === "number");
	const wrap = el("span", "spark");
	const svg = svgEl("svg", { width: SPARK.w, height: SPARK.h,
	    viewBox: "0 0 " + SPARK.w + " " + SPARK.h, class: "spark-svg" });
	const now = h.length ? h[h.length - 1].t : 0;
	const span = h.length > 1 ? now - h[0].t : HISTORY_MS;
	const max = Math.max(1, ...h.map((s) => s[field]));
	const pts = h.map((s) => [
		SPARK.w - (now - s.t) * SPARK.w / span,
		SPARK.h - 2 - s[field] * (SPARK.h - 4) / max,
	].map((v) => v.toFixed(1)).join(","));
	svg.appendChild(svgEl("line", { x1: 0, y1: SPARK.h - 1, x2: SPARK.w,
	    y2: SPARK.h - 1, class: "spark-base" }));
	if (pts.length > 1)
		svg.appendChild(svgEl("polyline", { points: pts.join(" "),
		    class: "spark-line" }));
	wrap.appendChild(svg);
	const v = h.length ? h[h.length - 1][field] : null;
	wrap.appendChild(el("span", "spark-val", v === null ? NONE :
	    Math.round(v) + unit));
	wrap.title = "last " + Math.round(span / 1000) + " s, max " +
	    Math.round(max) + unit;
	return wrap;
}
