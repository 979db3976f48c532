/*
 * Anycast (paper 1): anycast.c (groups, members, selection, the anycast
 * data path), probe.c (ICMPv6 echo probes of members), member_ctl.c
 * (the membership protocol, ICMPv6 type 200) and anycast_recover.c
 * (members asked who holds a connection the router has no flow for).  Flows are in flow.h,
 * policies in policy.h, the membership codec in member_proto.h.
 */
#ifndef VROUTER_ANYCAST_H
#define VROUTER_ANYCAST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "member_proto.h"
#include "policy.h"

struct iface;
struct pbuf;
struct pkt;
struct router;

#define MEMBER_STATES(X)						\
	X(JOINING,	"joining")					\
	X(UP,		"up")						\
	X(SUSPECT,	"suspect")					\
	X(DOWN,		"down")

enum member_state {
#define X(id, name) MS_##id,
	MEMBER_STATES(X)
#undef X
	MS_MAX
};
extern const char *const member_state_names[MS_MAX];

/* Why a member went down, for the API and logs. */
enum member_why { MW_NONE, MW_PROBE, MW_HEALTH, MW_REPORTS, MW_ADMIN,
	MW_EXPIRED };
const char *member_why_name(enum member_why);

/* A member's counters (see IFACE_COUNTERS in iface.h). */
#define MEMBER_COUNTERS(X)						\
	X(selections,	"Flows given to the member.")			\
	X(probes_sent,	"Echo probes sent to the member.")		\
	X(probes_lost,	"Echo probes the member left unanswered.")	\
	X(probes_ok,	"Echo probes the member answered.")		\
	X(packets,	"Client packets forwarded to the member.")	\
	X(bytes,	"Bytes of the client packets forwarded to the member.") \
	X(reports,	"Reports received from the member.")		\
	X(session_msgs,	"Session start and end messages from the member.")

struct member_stats {
#define X(f, help) uint64_t f;
	MEMBER_COUNTERS(X)
#undef X
};

struct group;
struct ebb_route;

/* Where a score input comes from (the API shows it). */
enum input_src { SRC_CONFIGURED, SRC_MEASURED, SRC_REPORTED, SRC_MAX };

/* A member's score inputs as the score policy takes them. */
struct member_inputs {
	uint32_t	 hops;
	uint32_t	 load_pct;
	uint32_t	 bw_mbps;
	enum input_src	 hops_src, load_src, bw_src;
};

struct member {
	struct group	*group;
	bool		 used;		/* slot in use */
	uint32_t	 id;		/* stable within the group */
	struct in6_addr	 addr;		/* unicast address U */
	struct iface	*ifp;		/* link it is reached through */
	bool		 is_static;	/* config or API, not joined */
	bool		 remote;	/* behind another router (E-BB) */
	struct ebb_route *ebb;		/* its route cache entry (remote) */
	enum member_state state;
	enum member_why	 why;		/* of the last down */
	uint64_t	 state_ns;	/* when the state last changed */
	/* reported by the member */
	uint32_t	 sessions;
	uint32_t	 load_pct;
	uint32_t	 capacity;
	bool		 health;	/* its own check */
	uint64_t	 last_report_ns;
	uint64_t	 last_seq;	/* replay protection */
	uint16_t	 key_id;
	uint32_t	 report_ms;	/* interval granted in ACCEPT */
	/* configured or measured */
	uint32_t	 weight;
	uint32_t	 hops;
	uint32_t	 bandwidth;	/* residual Mbit/s */
	bool		 hops_measured;	/* set from the routes (RIPng) */
	bool		 bw_reported;	/* bandwidth came in a REPORT */
	bool		 draining;	/* admin: no new flows, a flag */
	/* counted by the router */
	uint32_t	 flows;
	/* probing */
	uint64_t	 last_ok_ns;	/* last sign of life (probe) */
	uint64_t	 last_probe_ns;
	uint64_t	 probe_rtt_ns;
	bool		 probing;	/* an echo is in flight */
	uint16_t	 probe_seq;
	uint64_t	 probe_deadline_ns;
	uint32_t	 ok_streak;
	uint32_t	 fail_streak;
	uint64_t	 retest_ns;	/* next probe while down */
	uint64_t	 backoff_ms;
	uint64_t	 next_bg_ns;	/* next background probe */
	struct pbuf	*qhead;		/* packets parked for its probe */
	struct pbuf	*qtail;
	uint32_t	 qlen;
	struct member_stats stats;
};

/* A group's counters (see IFACE_COUNTERS in iface.h). */
#define GROUP_COUNTERS(X)						\
	X(packets,	"Packets to the anycast address.")		\
	X(new_flows,	"New flows to the anycast address.")		\
	X(selections,	"Flows given to a member.")			\
	X(no_flow_maglev, "Mid-connection TCP packets without a flow, "	\
	    "sent to the consistent-hash choice.")			\
	X(recoveries,	"Mid-connection TCP flows the members were asked " \
	    "about (FLOW_QUERY).")					\
	X(flow_queries,	"FLOW_QUERY messages sent to members.")		\
	X(flows_recovered, "Flows pinned to the member that claimed them " \
	    "(FLOW_CLAIM).")						\
	X(recover_timeouts, "Flows no member claimed in time: their packets " \
	    "went to the consistent-hash choice.")			\
	X(claims_unmatched, "FLOW_CLAIMs for no flow being asked about.") \
	X(probes_sent,	"Echo probes sent to members.")			\
	X(probes_lost,	"Echo probes unanswered in time.")		\
	X(fallbacks,	"Packets sent to the next best member after a "	\
	    "failed probe.")						\
	X(unreachables,	"Destination Unreachable errors sent because no " \
	    "member was usable.")					\
	X(rerouted,	"Packets sent on to another site by a RIPng route "	\
	    "because no member here was usable.")			\
	X(pending_dropped, "Packets parked for a probe and dropped.")	\
	X(rh_inserted,	"Routing headers inserted towards members.")	\
	X(rh_to_client,	"Routing headers inserted towards clients.")	\
	X(rh_too_big,	"Packets too big to take the routing header.")	\
	X(joins,	"Members that joined.")				\
	X(leaves,	"Members that left.")				\
	X(rejects,	"Membership messages answered with a REJECT.")	\
	X(expired,	"Joined members removed after their reports stopped.")

struct group_stats {
#define X(f, help) uint64_t f;
	GROUP_COUNTERS(X)
#undef X
	uint64_t	 auth_fail[MP_REASON_SLOTS];	/* by enum mp_reason */
};

struct group {
	uint32_t	 id;		/* index in router->groups */
	struct cfg_group conf;
	struct member	 members[CFG_MAX_MEMBERS];
	uint32_t	 next_member_id;
	uint32_t	 pending;	/* packets parked, all members */
	struct policy_state pstate;
	struct profile_state profile;	/* conf.profiles, when enabled */
	bool		 maglev_dirty;
	struct group_stats stats;
	/* last sequence numbers of members that left (replay protection) */
	struct {
		struct in6_addr	 addr;
		uint64_t	 seq;
	}		 left[CFG_MAX_MEMBERS];
	uint32_t	 left_next;
	/* RIPng: A/128 advertised (a member can be chosen), and since */
	bool		 rip_serving;
	bool		 rip_changed;	/* for the next triggered update */
	uint64_t	 rip_since_ns;
};

struct flow_table;

void	 anycast_init(struct router *);
void	 anycast_shutdown(struct router *);
struct group *group_find(struct router *, const struct in6_addr *);
int	 group_add(struct router *, const struct cfg_group *, char *err,
	    size_t errlen);
int	 group_del(struct router *, const struct in6_addr *);
/* Can a member here (not a remote one) be chosen for a new flow? */
bool	 group_serving(const struct group *);
/* Can this member be chosen for a new flow? */
bool	 member_usable(const struct member *);
int	 group_set_policy(struct router *, struct group *, enum policy_kind);
struct member *member_find(struct group *, const struct in6_addr *);
struct member *member_by_id(struct group *, uint32_t);
/* Add a static member (config/API) or a joined one; NULL + err. */
struct member *member_add(struct router *, struct group *,
	    const struct cfg_member *, bool is_static, char *err,
	    size_t errlen);
void	 member_del(struct router *, struct member *);
void	 member_set_state(struct router *, struct member *,
	    enum member_state, enum member_why);
/* Score parts as the score policy sees this member. */
void	 member_score(const struct member *, struct score_parts *);

/* anycast_score.c: measured score inputs and the ratio profiles */
const char *input_src_name(enum input_src);
/*
 * hops: 1 on-link, the RIPng metric behind another router, else as
 * configured.  load: reported by a joined member, configured for a
 * static one.  bandwidth: for a joined member the residual bandwidth
 * of its link (iface_residual_mbit()), or the bandwidth it reported
 * if lower; for a static one as configured.
 */
void	 member_inputs(const struct member *, struct member_inputs *);
/* The highest utilisation of the links towards the group's members. */
uint32_t group_util_pct(const struct group *);
/* Start a group's profile state and apply its ratios. */
void	 group_profile_init(struct router *, struct group *);
/* Measure, maybe switch profile (logged); every group, each tick. */
void	 anycast_score_tick(struct router *);
uint32_t member_sessions(const struct member *);	/* effective */
/* Data path: a packet for an anycast address; takes ownership. */
void	 anycast_input(struct router *, struct iface *, struct group *,
	    struct pbuf *, const struct pkt *);
/* Data path: a transit packet from an anycast address (a reply). */
void	 anycast_reply(struct router *, struct group *, struct pbuf *,
	    struct pkt *);
void	 anycast_tick(struct router *);
/* Forward a parked or new packet to a member (probe done or fresh). */
void	 anycast_deliver(struct router *, struct member *, struct pbuf *);
/* A member's probe settled: ok or not; re-dispatch its parked packets. */
void	 anycast_probe_done(struct router *, struct member *, bool ok);

/* The consistent-hash guess for a mid-connection packet; takes pb. */
void	 anycast_guess(struct router *, struct group *, struct pbuf *);
/* A parked new flow's packet to the group's policy; takes pb. */
void	 anycast_redispatch(struct router *, struct group *, struct pbuf *);

/* anycast_recover.c: flows recovered from the members */
struct flow_key;
struct mp_flow;
void	 recover_init(struct router *);
void	 recover_shutdown(struct router *);
void	 recover_group_gone(struct router *, const struct group *);
/*
 * Park pb, a mid-connection packet of k with no flow, and ask g's
 * members who holds k (once per connection).  True when pb was taken
 * (parked, or dropped because the queue is full); false when recovery
 * is off or the table is full: the caller guesses.
 */
bool	 recover_park(struct router *, struct group *, struct pbuf *,
	    const struct flow_key *);
void	 recover_member_joined(struct router *, struct member *);
/* Member m claims the connection mf: pin it, send its packets on. */
void	 recover_claim(struct router *, struct member *,
	    const struct mp_flow *);
void	 recover_tick(struct router *);

/* probe.c: ICMPv6 echo probes of members */
#define PROBE_IDENT_BASE	0xac00	/* echo identifier: base + group */
void	 probe_send(struct router *, struct member *);
void	 probe_reply(struct router *, const struct in6_addr *src,
	    uint16_t ident, uint16_t seq);
void	 probe_tick(struct router *);
bool	 member_fresh(const struct router *, const struct member *);

/* member_ctl.c: the membership protocol (ICMPv6 type 200) */
void	 member_ctl_input(struct router *, struct iface *, struct pbuf *,
	    const struct pkt *);
void	 member_ctl_tick(struct router *);
/*
 * The sequence number of the next message the router sends: the wall
 * clock in ns, and always above the last one, even for two messages in
 * one pass of the event loop (one clock reading).
 */
uint64_t member_ctl_next_seq(struct router *);
/* FLOW_QUERY to m: does its kernel hold the connection k? */
void	 member_ctl_flow_query(struct router *, struct member *,
	    const struct flow_key *);

#endif /* VROUTER_ANYCAST_H */
