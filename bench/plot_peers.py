#!/usr/bin/env python3
"""Plot bench/peers' figures: requests/s per peer (new connection per
request and keep-alive) and the latency of new connections, the median
as a bar and every round as a dot.

    plot_peers.py PEERS.TSV OUT.PNG

PEERS.TSV has one line per peer and figure: peer, figure, the rounds'
values separated by spaces (written by bench/peers).
"""
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    data = {}
    order = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            peer, fig, vals = parts
            if peer not in order:
                order.append(peer)
            data[(peer, fig)] = [float(v) for v in vals.split()]
    return order, data


def panel(ax, order, data, fig, title, unit):
    for i, peer in enumerate(order):
        vals = data.get((peer, fig), [])
        if not vals:
            continue
        color = "tab:blue" if peer.startswith("vrouter") else "tab:gray"
        ax.bar(i, statistics.median(vals), color=color, alpha=0.6)
        ax.plot([i] * len(vals), vals, "k.", markersize=5)
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels(order, rotation=20)
    ax.set_title(title)
    ax.set_ylabel(unit)
    ax.grid(axis="y", alpha=0.3)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: plot_peers.py PEERS.TSV OUT.PNG")
    order, data = load(sys.argv[1])
    if not order:
        sys.exit("plot_peers.py: no figures in " + sys.argv[1])
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.5))
    panel(axes[0], order, data, "close", "new connection per request",
          "requests/s")
    panel(axes[1], order, data, "keep", "keep-alive", "requests/s")
    panel(axes[2], order, data, "close.p50", "new connection: p50", "ms")
    panel(axes[3], order, data, "close.p99", "new connection: p99", "ms")
    fig.suptitle("HTTP through each balancer to the same three nginx "
                 "members (bar: median; dots: rounds)")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=90)


if __name__ == "__main__":
    main()
