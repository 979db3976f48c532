"""
repro/fig6.py: the tables and plots of repro/run.sh from its raw files.

  fig6.py OUT ROUNDS SECONDS QPS MACHINE
      OUT/raw/fig6-POLICY-ROUND.{csv,txt} (stamp.py, dnsperf) and the
      members' counters after each round -> OUT/fig6.md, fig6_cdf.png,
      fig6_time.png
  fig6.py --failure OUT T0_MS T1_MS
      OUT/raw/failure.{csv,txt} -> markdown on standard output and
      OUT/failure.png (answers per 250 ms and latencies; knotd killed
      at T0, 0 on the plot, and nsd at T1)
"""
import csv
import json
import os
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

POLICIES = ["round-robin", "least-sessions", "score"]
COLORS = {"round-robin": "tab:red", "least-sessions": "tab:blue",
          "score": "tab:green"}
MEMBERS = [("2001:db8:31::10", "d1"), ("2001:db8:32::10", "d2"),
           ("2001:db8:33::10", "d3"), ("2001:db8:34::10", "d4")]


def read_csv(path):
    t, lat = [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            t.append(float(row["time"]))
            lat.append(float(row["latency_s"]) * 1000.0)
    return t, lat


def summary(path):
    """dnsperf's counts: sent, completed, lost, qps."""
    s = open(path).read()

    def num(label):
        m = re.search(r"%s:\s+([0-9.]+)" % label, s)
        return float(m.group(1)) if m else 0.0
    return {"sent": int(num("Queries sent")),
            "completed": int(num("Queries completed")),
            "lost": int(num("Queries lost")),
            "qps": num("Queries per second")}


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 *
        (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def selections(path):
    d = json.load(open(path))
    out = {}
    for m in d.get("members", []):
        out[m["address"]] = m.get("counters", {}).get("selections", 0)
    return out


def fig6(out, rounds, secs, qps, machine):
    raw = os.path.join(out, "raw")
    order = [line.split() for line in open(os.path.join(raw, "fig6-rounds"))]
    lat = {p: [] for p in POLICIES}
    series = {p: [] for p in POLICIES}     # (t since round start, ms)
    stats = {p: {"sent": 0, "completed": 0, "lost": 0, "qps": []}
             for p in POLICIES}
    share = {p: {a: 0 for a, _ in MEMBERS} for p in POLICIES}
    per_round = []
    for p, r in order:
        base = os.path.join(raw, "fig6-%s-%s" % (p, r))
        t, l = read_csv(base + ".csv")
        s = summary(base + ".txt")
        lat[p] += l
        if t:
            series[p] += [(x - t[0], y) for x, y in zip(t, l)]
        for k in ("sent", "completed", "lost"):
            stats[p][k] += s[k]
        stats[p]["qps"].append(s["qps"])
        pre = selections(base + "-members-pre.json")
        cur = selections(base + "-members.json")
        for a, _ in MEMBERS:
            n = cur.get(a, 0) - pre.get(a, 0)
            # A remote member the E-BB re-created counts from then on.
            share[p][a] += n if n >= 0 else cur.get(a, 0)
        sl = sorted(l)
        per_round.append((p, r, len(l), sum(l) / len(l) if l else 0,
                          pct(sl, 99), sl[-1] if sl else 0, s["lost"]))

    rows = {}
    for p in POLICIES:
        sl = sorted(lat[p])
        n = len(sl)
        rows[p] = {"n": n, "mean": sum(sl) / n if n else float("nan"),
                   "p50": pct(sl, 50), "p90": pct(sl, 90),
                   "p99": pct(sl, 99), "max": sl[-1] if sl else 0,
                   "qps": sum(stats[p]["qps"]) / len(stats[p]["qps"]),
                   "lost": stats[p]["lost"], "sent": stats[p]["sent"]}

    md = []
    md.append("# Paper 2, Fig. 6, in the DNS cluster lab")
    md.append("")
    md.append("`repro/run.sh fig6`, lab `dns` (netns/topologies/dns.json): rc "
              "chooses among the four DNS servers (its E-BB's remote members) "
              "per query; dnsperf from c1, the same file of 100 000 names, "
              "%d s per round, %d rounds per policy interleaved "
              "(round robin, least sessions, score, round robin, ...), "
              "%d queries/s offered (`-Q`), 4 sockets, 200 outstanding at "
              "most, 1 s timeout.  Latencies are dnsperf's own per query "
              "(`-v`), in milliseconds.  %s." % (secs, rounds, qps, machine))
    md.append("")
    md.append("| policy | answers | mean | p50 | p90 | p99 | max | queries/s | lost |")
    md.append("|---|---|---|---|---|---|---|---|---|")
    for p in POLICIES:
        r = rows[p]
        md.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %d of %d |"
                  % (p, r["n"], r["mean"], r["p50"], r["p90"], r["p99"],
                     r["max"], r["qps"], r["lost"], r["sent"]))
    md.append("")
    rr, sc = rows["round-robin"], rows["score"]

    def ratio(k):
        return sc[k] / rr[k] if rr[k] else float("nan")
    md.append("Score against round robin: mean %.2f×, p99 %.2f×, max %.2f× "
              "(target: p99 and max at most 0.80×, mean below 1, no more "
              "queries lost).  Target %s." % (ratio("mean"), ratio("p99"),
              ratio("max"), "met" if ratio("p99") <= 0.8 and
              ratio("max") <= 0.8 and ratio("mean") < 1 and
              sc["lost"] <= rr["lost"] else "NOT met"))
    md.append("")
    md.append("The same without each round's first second (a round's "
              "start can show as a burst of slow answers in the plot over "
              "time):")
    md.append("")
    md.append("| policy | answers | mean | p50 | p90 | p99 | max |")
    md.append("|---|---|---|---|---|---|---|")
    for p in POLICIES:
        sl = sorted(y for x, y in series[p] if x >= 1.0)
        if sl:
            md.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |"
                      % (p, len(sl), sum(sl) / len(sl), pct(sl, 50),
                         pct(sl, 90), pct(sl, 99), sl[-1]))
    md.append("")
    md.append("Queries each member was given, all rounds (rc's `selections` "
              "counter of each member, read before and after each round; "
              "a remote member that the E-BB re-created during a round "
              "counts from then on, so a share may be short):")
    md.append("")
    md.append("| policy | " + " | ".join(n for _, n in MEMBERS) + " |")
    md.append("|---|" + "---|" * len(MEMBERS))
    for p in POLICIES:
        tot = sum(share[p].values()) or 1
        md.append("| %s | " % p + " | ".join(
            "%d (%.0f %%)" % (share[p][a], 100.0 * share[p][a] / tot)
            for a, _ in MEMBERS) + " |")
    md.append("")
    md.append("What rc saw of each member after each policy's last round "
              "(`GET /api/v1/groups/A/members`: hops, load %, residual "
              "Mbit/s, score):")
    md.append("")
    md.append("| policy | " + " | ".join(n for _, n in MEMBERS) + " |")
    md.append("|---|" + "---|" * len(MEMBERS))
    for p in POLICIES:
        last = [r for q, r in order if q == p][-1]
        d = json.load(open(os.path.join(raw, "fig6-%s-%s-members.json"
                                        % (p, last))))
        by = {m["address"]: m for m in d.get("members", [])}
        cells = []
        for a, _ in MEMBERS:
            m = by.get(a)
            cells.append("—" if m is None else "%s h, %s %%, %s Mbit/s, %s"
                         % (m.get("hops"), m.get("load_pct"),
                            m.get("bandwidth_mbps"),
                            m.get("score", {}).get("score")))
        md.append("| %s | " % p + " | ".join(cells) + " |")
    md.append("")
    md.append("Each round:")
    md.append("")
    md.append("| policy | round | answers | mean | p99 | max | lost |")
    md.append("|---|---|---|---|---|---|---|")
    for p, r, n, mean, p99, mx, lost in per_round:
        md.append("| %s | %s | %d | %.2f | %.2f | %.2f | %d |"
                  % (p, r, n, mean, p99, mx, lost))
    md.append("")
    md.append("![latency CDF](fig6_cdf.png)")
    md.append("")
    md.append("![latency over time](fig6_time.png)")
    open(os.path.join(out, "fig6.md"), "w").write("\n".join(md) + "\n")

    fig, ax = plt.subplots(figsize=(8, 5))
    for p in POLICIES:
        sl = sorted(lat[p])
        if not sl:
            continue
        n = len(sl)
        ax.plot(sl, [(i + 1) / n for i in range(n)], label=p,
                color=COLORS[p])
    ax.set_xscale("log")
    ax.set_xlabel("response time (ms, log scale)")
    ax.set_ylabel("fraction of answers")
    ax.set_title("DNS cluster lab: response time CDF per policy "
                 "(%d × %d s each, %d q/s offered)" % (rounds, secs, qps))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "fig6_cdf.png"), dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 5))
    width = 0.5
    for p in POLICIES:
        bins = {}
        for x, y in series[p]:
            bins.setdefault(int(x / width), []).append(y)
        xs = sorted(bins)
        ax.plot([(b + 0.5) * width for b in xs],
                [sum(bins[b]) / len(bins[b]) for b in xs],
                color=COLORS[p], label="%s mean" % p)
        ax.plot([(b + 0.5) * width for b in xs],
                [pct(sorted(bins[b]), 99) for b in xs], color=COLORS[p],
                linestyle="--", label="%s p99" % p)
    ax.set_xlabel("seconds since the round began (%d rounds each, "
                  "pooled per 0.5 s)" % rounds)
    ax.set_ylabel("response time (ms)")
    ax.set_title("DNS cluster lab: response time over a round")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "fig6_time.png"), dpi=100)
    plt.close(fig)


def failure(out, t0_ms, t1_ms):
    raw = os.path.join(out, "raw")
    t, l = read_csv(os.path.join(raw, "failure.csv"))
    t0 = t0_ms / 1000.0
    width = 0.25
    bins = {}
    for x, y in zip(t, l):
        bins.setdefault(int((x - t0) // width), []).append(y)
    end = int((t[-1] - t0) // width) if t else 0
    xs = [b for b in sorted(bins) if b < end]      # the last bin is partial
    t1 = t1_ms / 1000.0 - t0
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    a1.plot([b * width for b in xs], [len(bins[b]) / width for b in xs])
    a1.set_ylabel("answers/s")
    for a in (a1, a2):
        a.axvline(0, color="red", linestyle=":")
        a.axvline(t1, color="purple", linestyle=":")
    a1.grid(True, alpha=0.3)
    a2.scatter([x - t0 for x in t], l, s=1)
    a2.set_ylabel("response time (ms)")
    a2.set_xlabel("seconds after knotd was killed on d1")
    a2.grid(True, alpha=0.3)
    a1.set_title("Daemon failure under dnsperf load (knotd killed on d1 "
                 "at 0, nsd on d2 at %.1f s)" % t1)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "failure.png"), dpi=100)
    plt.close(fig)
    s = summary(os.path.join(raw, "failure.txt"))
    before = [len(bins[b]) / width for b in xs if -12 <= b < 0]
    rate = sum(before) / len(before) if before else 0
    low = [b * width for b in xs if b >= 0 and len(bins[b]) / width <
           0.8 * rate]
    print("")
    print("%d queries sent, %d answered, %d lost (%.2f %%); %.0f answers/s "
          "in the 3 s before the kill; 250 ms bins after it with less than "
          "80 %% of that: %s." % (s["sent"], s["completed"], s["lost"],
          100.0 * s["lost"] / s["sent"] if s["sent"] else 0, rate,
          ", ".join("%.2f s" % x for x in low) or "none"))
    print("")
    print("![failure](failure.png)")


def main():
    a = sys.argv[1:]
    if a and a[0] == "--failure" and len(a) == 4:
        failure(a[1], int(a[2]), int(a[3]))
    elif len(a) == 5:
        fig6(a[0], int(a[1]), int(a[2]), int(a[3]), a[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
