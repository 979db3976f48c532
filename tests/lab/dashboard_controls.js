// node tests/lab/dashboard_controls.js WEB URL TOKEN GROUP MEMBER:
// runs the dashboard's web/controls.js with its DOM stubbed and the real
// fetch against a router, and prints what each control said:
//   none|wrong|right|policy CLASS TEXT
// (no token, a wrong token and the right one for drain; then the policy).
"use strict";

const vm = require("vm");
const fs = require("fs");

const [web, url, tok, group, member] = process.argv.slice(2);
const store = new Map();

function el(tag, cls, text) {
	return { tag: tag, textContent: text, handlers: {}, dataset: {},
	    addEventListener(t, f) { this.handlers[t] = f; },
	    children: [], appendChild(c) { this.children.push(c); },
	    setAttribute() {} };
}

const ctx = vm.createContext({ fetch: fetch, JSON: JSON, console: console,
    encodeURIComponent: encodeURIComponent, API: url + "/api/v1/",
    sessionStorage: { getItem: (k) => store.has(k) ? store.get(k) : null,
	setItem: (k, v) => store.set(k, v) },
    document: { querySelector: () => null }, CSS: { escape: (s) => s },
    el: el, refreshSoon: () => {} });
vm.runInContext(fs.readFileSync(web + "/controls.js", "utf8"), ctx);

const g = { address: group, policy: "least-sessions" };
const m = { address: member, draining: false };

function said(what) {
	const n = vm.runInContext("notices.get(" + JSON.stringify(group) + ")",
	    ctx);
	console.log(what, n.cls, n.text);
}

(async () => {
	const drain = vm.runInContext("drainControl", ctx)(g, m);
	await drain.handlers.click();
	said("none");
	store.set("vrouter-token", "wrong-token");
	await drain.handlers.click();
	said("wrong");
	store.set("vrouter-token", tok);
	await drain.handlers.click();
	said("right");
	const sel = vm.runInContext("policyControl", ctx)(g).children[0];
	sel.value = "round-robin";
	await sel.handlers.change();
	said("policy");
})().catch((e) => {
	console.log("error", e.message);
	process.exit(1);
});
