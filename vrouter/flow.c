/*
 * The anycast flow table.
 *
 * All flows live in one array reserved up front.  A slot is never
 * used yet (from fresh on), on the free list (through fl_queue.older),
 * or live: in the index (flow_index.h) and on the queue (fl_queue) at
 * once.  Embryonic TCP flows are also on a second list, in insertion
 * order (fl_emb), so that flood mode finds the oldest at once.  Links
 * are array indices, FLOW_NIL ends a list.
 *
 * Lookups touch no list: they read the flow's bucket and its first
 * cache line, and set fl_ref there at most once per stay in the queue.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "proto.h"
#include "flow.h"
#include "flow_index.h"

#define FLOW_NIL	UINT32_MAX
#define NS_PER_MS	1000000ull
/* fin_seen bits: one per direction (FLOW_DIR_*); both once each side sent FIN. */
#define FIN_BOTH	(1u << FLOW_DIR_TO_MEMBER | 1u << FLOW_DIR_TO_CLIENT)

/* A list of flows linked through the struct flow_link at offset off. */
struct flow_list {
	uint32_t		 newest;
	uint32_t		 oldest;
	size_t			 off;
};

/*
 * Keys flow_lookup_bulk() reads ahead at once: a burst of frames (32
 * measured faster than 16 or 8 in a table of 1 M flows).
 */
#define FLOW_BULK_AHEAD	32

_Static_assert(sizeof(struct flow) == 128, "struct flow: two cache lines");
_Static_assert(offsetof(struct flow, group_id) == 64,
    "struct flow: what a lookup reads in its first cache line");

struct flow_table {
	struct flow		*flows;
	size_t			 flows_mapped;
	struct flow_index	 ix;
	uint32_t		 capacity;
	uint32_t		 count;
	uint32_t		 fresh;		/* slots from here never used */
	uint32_t		 free;
	struct flow_list	 queue;
	uint32_t		 cursor;	/* next flow flow_expire() sweeps */
	struct flow_list	 emb;
	uint32_t		 kinds[FLOW_NKINDS];
	uint32_t		 high_water;	/* flows; 0: no flood mode */
	uint32_t		 low_water;
	bool			 flood;
	struct flow_timeouts	 to;
	uint64_t		 syn_ns, est_ns, fin_ns, closed_ns;
	uint64_t		 udp_ns, other_ns;
	struct flow_stats	 stats;
	flow_release_cb		 release_cb;
	void			*release_arg;
	flow_session_cb		 session_cb;
	void			*session_arg;
	flow_flood_cb		 flood_cb;
	void			*flood_arg;
};

static struct flow *flow_find(struct flow_table *, const struct flow_key *,
		    uint64_t);
static struct flow *flow_lookup_hashed(struct flow_table *,
		    const struct flow_key *, uint64_t, uint64_t);
static void	 flow_list_unlink(struct flow_table *, struct flow_list *,
		    uint32_t);
static void	 flow_list_push(struct flow_table *, struct flow_list *,
		    uint32_t);
static void	 flow_queue_unlink(struct flow_table *, struct flow *);
static void	 flow_queue_push(struct flow_table *, struct flow *);
static struct flow *flow_victim(struct flow_table *, uint64_t);
static void	 flow_release_slot(struct flow_table *, struct flow *,
		    uint64_t *);
static void	 flow_release(struct flow_table *, struct flow *, uint64_t *);
static void	 flow_session(struct flow_table *, const struct flow *, int);
static uint64_t	 flow_timeout_ns(const struct flow_table *,
		    const struct flow *);
static bool	 flow_valid(const struct flow_table *, const struct flow *);
static void	 flow_kind_set(struct flow_table *, struct flow *);
static void	 flow_flood_check(struct flow_table *);
static bool	 flow_flood_room(struct flow_table *, uint64_t);

static const char *const flow_kind_names[FLOW_NKINDS] = {
#define X(id, name) [FLOW_KIND_##id] = name,
	FLOW_KINDS(X)
#undef X
};

static const char *const flow_state_names[FLOW_NSTATES] = {
	[FLOW_NEW] = "new",
	[FLOW_SYN] = "syn",
	[FLOW_ESTABLISHED] = "established",
	[FLOW_FIN] = "fin",
	[FLOW_CLOSED] = "closed",
	[FLOW_UDP] = "datagram",
};

/*
 * The TCP state machine.  A packet is reduced to one event, the most
 * significant of its flags; LASTACK is an ACK once both sides have
 * sent their FIN.
 */
enum flow_tcp_event {
	EV_NONE,
	EV_SYN,			/* SYN without ACK */
	EV_SYNACK,
	EV_FIN,
	EV_ACK,
	EV_LASTACK,
	EV_RST,
	EV_MAX
};

static const uint8_t flow_tcp_next[FLOW_NSTATES][EV_MAX] = {
	[FLOW_NEW] = {
		[EV_NONE] = FLOW_NEW,		[EV_SYN] = FLOW_SYN,
		[EV_SYNACK] = FLOW_SYN,		[EV_FIN] = FLOW_FIN,
		[EV_ACK] = FLOW_ESTABLISHED,	[EV_LASTACK] = FLOW_ESTABLISHED,
		[EV_RST] = FLOW_CLOSED,
	},
	[FLOW_SYN] = {
		[EV_NONE] = FLOW_SYN,		[EV_SYN] = FLOW_SYN,
		[EV_SYNACK] = FLOW_ESTABLISHED,	[EV_FIN] = FLOW_FIN,
		[EV_ACK] = FLOW_ESTABLISHED,	[EV_LASTACK] = FLOW_ESTABLISHED,
		[EV_RST] = FLOW_CLOSED,
	},
	[FLOW_ESTABLISHED] = {
		[EV_NONE] = FLOW_ESTABLISHED,	[EV_SYN] = FLOW_ESTABLISHED,
		[EV_SYNACK] = FLOW_ESTABLISHED,	[EV_FIN] = FLOW_FIN,
		[EV_ACK] = FLOW_ESTABLISHED,	[EV_LASTACK] = FLOW_ESTABLISHED,
		[EV_RST] = FLOW_CLOSED,
	},
	[FLOW_FIN] = {
		[EV_NONE] = FLOW_FIN,		[EV_SYN] = FLOW_FIN,
		[EV_SYNACK] = FLOW_FIN,		[EV_FIN] = FLOW_FIN,
		[EV_ACK] = FLOW_FIN,		[EV_LASTACK] = FLOW_CLOSED,
		[EV_RST] = FLOW_CLOSED,
	},
	[FLOW_CLOSED] = {
		[EV_NONE] = FLOW_CLOSED,	[EV_SYN] = FLOW_SYN,
		[EV_SYNACK] = FLOW_CLOSED,	[EV_FIN] = FLOW_CLOSED,
		[EV_ACK] = FLOW_CLOSED,		[EV_LASTACK] = FLOW_CLOSED,
		[EV_RST] = FLOW_CLOSED,
	},
	[FLOW_UDP] = {
		[EV_NONE] = FLOW_UDP,		[EV_SYN] = FLOW_UDP,
		[EV_SYNACK] = FLOW_UDP,		[EV_FIN] = FLOW_UDP,
		[EV_ACK] = FLOW_UDP,		[EV_LASTACK] = FLOW_UDP,
		[EV_RST] = FLOW_UDP,
	},
};

struct flow_table *
flow_table_new(uint32_t capacity, const struct flow_timeouts *to)
{
	struct flow_table	*t;

	if (capacity > FLOW_MAX_CAPACITY) {
		errno = EINVAL;
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->capacity = capacity;
	t->flows = flow_mem_alloc((capacity ? capacity : 1) *
	    sizeof(*t->flows), &t->flows_mapped);
	flow_index_init(&t->ix, capacity);
	t->free = FLOW_NIL;
	t->queue = (struct flow_list){ FLOW_NIL, FLOW_NIL,
	    offsetof(struct flow, fl_queue) };
	t->emb = (struct flow_list){ FLOW_NIL, FLOW_NIL,
	    offsetof(struct flow, fl_emb) };
	t->cursor = FLOW_NIL;

	if (to != NULL)
		t->to = *to;
#define DEFAULT(f, d) do { if (t->to.f == 0) t->to.f = (d); } while (0)
	DEFAULT(syn_ms, FLOW_DEFAULT_SYN_MS);
	DEFAULT(established_ms, FLOW_DEFAULT_ESTABLISHED_MS);
	DEFAULT(fin_ms, FLOW_DEFAULT_FIN_MS);
	DEFAULT(udp_ms, FLOW_DEFAULT_UDP_MS);
	DEFAULT(other_ms, FLOW_DEFAULT_OTHER_MS);
	DEFAULT(closed_ms, FLOW_DEFAULT_CLOSED_MS);
#undef DEFAULT
	t->syn_ns = t->to.syn_ms * NS_PER_MS;
	t->est_ns = t->to.established_ms * NS_PER_MS;
	t->fin_ns = t->to.fin_ms * NS_PER_MS;
	t->udp_ns = t->to.udp_ms * NS_PER_MS;
	t->other_ns = t->to.other_ms * NS_PER_MS;
	t->closed_ns = t->to.closed_ms * NS_PER_MS;
	return t;
}

void
flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	flow_mem_free(t->flows, t->flows_mapped);
	flow_index_free(&t->ix);
	free(t);
}

void
flow_set_release_cb(struct flow_table *t, flow_release_cb cb, void *arg)
{
	t->release_cb = cb;
	t->release_arg = arg;
}

void
flow_set_session_cb(struct flow_table *t, flow_session_cb cb, void *arg)
{
	t->session_cb = cb;
	t->session_arg = arg;
}

static void
flow_session(struct flow_table *t, const struct flow *f, int delta)
{
	if (t->session_cb != NULL)
		t->session_cb(f, delta, t->session_arg);
}

bool
flow_is_session(const struct flow *f)
{
	return f->state != FLOW_CLOSED;
}

int
flow_set_flood(struct flow_table *t, uint32_t high_pct, uint32_t low_pct)
{
	if (high_pct > 100 || (high_pct != 0 && low_pct >= high_pct)) {
		errno = EINVAL;
		return -1;
	}
	/* Rounded up: a tiny table still reaches its mark. */
	t->high_water = (uint32_t)(((uint64_t)t->capacity * high_pct + 99) /
	    100);
	if (high_pct != 0 && t->high_water == 0)
		t->high_water = 1;
	t->low_water = (uint32_t)((uint64_t)t->capacity * low_pct / 100);
	flow_flood_check(t);
	return 0;
}

void
flow_set_flood_cb(struct flow_table *t, flow_flood_cb cb, void *arg)
{
	t->flood_cb = cb;
	t->flood_arg = arg;
}

bool
flow_flood(const struct flow_table *t)
{
	return t->flood;
}

/* Enter flood mode at the high-water mark, leave it below the low one. */
static void
flow_flood_check(struct flow_table *t)
{
	bool	on;

	if (t->high_water == 0)
		on = false;
	else if (!t->flood)
		on = t->count >= t->high_water;
	else
		on = t->count >= t->low_water;
	if (on == t->flood)
		return;
	t->flood = on;
	if (on)
		t->stats.flood_entered++;
	if (t->flood_cb != NULL)
		t->flood_cb(on, t->count, t->flood_arg);
}

enum flow_kind
flow_kind(const struct flow *f)
{
	if (f->key.proto != IPPROTO_TCP_)
		return FLOW_KIND_DATAGRAM;
	return f->client_acked ? FLOW_KIND_CONNECTED : FLOW_KIND_EMBRYONIC;
}

size_t
flow_count_kind(const struct flow_table *t, enum flow_kind k)
{
	return (unsigned)k < FLOW_NKINDS ? t->kinds[k] : 0;
}

const char *
flow_kind_name(enum flow_kind k)
{
	return name_get(flow_kind_names, NITEMS(flow_kind_names), k);
}

/* Take a flow off the embryonic list if it is there. */
static void
flow_emb_unlink(struct flow_table *t, struct flow *f)
{
	if (f->fl_kind == FLOW_KIND_EMBRYONIC)
		flow_list_unlink(t, &t->emb, (uint32_t)(f - t->flows));
}

/* Count a flow (just inserted, or changed) under its kind now. */
static void
flow_kind_set(struct flow_table *t, struct flow *f)
{
	enum flow_kind	 k = flow_kind(f);

	if (k == f->fl_kind)
		return;
	flow_emb_unlink(t, f);
	t->kinds[f->fl_kind]--;
	t->kinds[k]++;
	f->fl_kind = (uint8_t)k;
	if (k == FLOW_KIND_EMBRYONIC)
		flow_list_push(t, &t->emb, (uint32_t)(f - t->flows));
}

void
flow_get_timeouts(const struct flow_table *t, struct flow_timeouts *to)
{
	*to = t->to;
}

/* murmur3's finaliser: a bijection with good avalanche. */
static inline uint64_t
flow_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

uint64_t
flow_hash(const struct flow_key *k)
{
	uint64_t	 w[5], h = 0x243f6a8885a308d3ull;

	flow_key_words(k, w);
	/* Each step is a bijection of h for a given word. */
	for (int i = 0; i < 5; i++)
		h = flow_mix64(h ^ w[i]) + 0x9e3779b97f4a7c15ull;
	return flow_mix64(h);
}

void
flow_key_set(struct flow_key *k, const struct in6_addr *src,
    const struct in6_addr *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	memset(k, 0, sizeof(*k));
	k->client = *src;
	k->group = *dst;
	k->cport = sport;
	k->gport = dport;
	k->proto = proto;
}

void
flow_key_reverse(struct flow_key *k, const struct in6_addr *src,
    const struct in6_addr *dst, uint16_t sport, uint16_t dport, uint8_t proto)
{
	flow_key_set(k, dst, src, dport, sport, proto);
}

/* Word by word, without branches: the padding is left out. */
static inline bool
flow_key_same(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t	 wa[5], wb[5];

	flow_key_words(a, wa);
	flow_key_words(b, wb);
	return ((wa[0] ^ wb[0]) | (wa[1] ^ wb[1]) | (wa[2] ^ wb[2]) |
	    (wa[3] ^ wb[3]) | (wa[4] ^ wb[4])) == 0;
}

bool
flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return flow_key_same(a, b);
}

static inline struct flow *
flow_find(struct flow_table *t, const struct flow_key *k, uint64_t hash)
{
	const struct flow_bucket *b = flow_index_bucket(&t->ix, hash);
	uint16_t		 sig = flow_index_sig(hash);
	uint32_t		 m, slot;
	struct flow		*f;

	for (;;) {
		for (m = flow_bucket_match(b, sig); m != 0; m &= m - 1) {
			slot = b->slot[__builtin_ctz(m) / 2];
			if (slot == 0)
				continue;
			f = &t->flows[slot - 1];
			if (flow_key_same(&f->key, k))
				return f;
		}
		if (b->next == 0)
			return NULL;
		b = &t->ix.buckets[b->next];
	}
}

static struct flow_link *
flow_link(struct flow_table *t, const struct flow_list *l, uint32_t i)
{
	return (struct flow_link *)(void *)((char *)&t->flows[i] + l->off);
}

static void
flow_list_unlink(struct flow_table *t, struct flow_list *l, uint32_t i)
{
	struct flow_link	*e = flow_link(t, l, i);

	if (e->newer != FLOW_NIL)
		flow_link(t, l, e->newer)->older = e->older;
	else
		l->newest = e->older;
	if (e->older != FLOW_NIL)
		flow_link(t, l, e->older)->newer = e->newer;
	else
		l->oldest = e->newer;
	e->newer = e->older = FLOW_NIL;
}

/* Make flow i the newest of list l. */
static void
flow_list_push(struct flow_table *t, struct flow_list *l, uint32_t i)
{
	struct flow_link	*e = flow_link(t, l, i);

	e->newer = FLOW_NIL;
	e->older = l->newest;
	if (l->newest != FLOW_NIL)
		flow_link(t, l, l->newest)->newer = i;
	else
		l->oldest = i;
	l->newest = i;
}

static void
flow_queue_unlink(struct flow_table *t, struct flow *f)
{
	uint32_t	 i = (uint32_t)(f - t->flows);

	/* The expiry sweep resumes after a flow that leaves its place. */
	if (t->cursor == i)
		t->cursor = f->fl_queue.newer;
	flow_list_unlink(t, &t->queue, i);
}

static void
flow_queue_push(struct flow_table *t, struct flow *f)
{
	flow_list_push(t, &t->queue, (uint32_t)(f - t->flows));
}

/*
 * Take a flow out of the table, counting it in *stat, for a slot taken
 * back at once: the count does not really drop, flood mode stays.
 */
static void
flow_release_slot(struct flow_table *t, struct flow *f, uint64_t *stat)
{
	(*stat)++;
	if (flow_is_session(f))
		flow_session(t, f, -1);
	if (t->release_cb != NULL)
		t->release_cb(f, t->release_arg);
	flow_index_del(&t->ix, flow_index_hash(&t->ix, &f->key),
	    (uint32_t)(f - t->flows));
	flow_queue_unlink(t, f);
	flow_emb_unlink(t, f);
	t->kinds[f->fl_kind]--;
	f->fl_used = false;
	f->fl_queue.older = t->free;
	t->free = (uint32_t)(f - t->flows);
	t->count--;
}

/* Take a flow out of the table, counting it in *stat. */
static void
flow_release(struct flow_table *t, struct flow *f, uint64_t *stat)
{
	flow_release_slot(t, f, stat);
	flow_flood_check(t);
}

static inline uint64_t
flow_timeout_ns(const struct flow_table *t, const struct flow *f)
{
	/*
	 * A handshake the client never completed (the member's SYN-ACK
	 * alone makes the state established) keeps the short timeout.
	 */
	if (f->key.proto == IPPROTO_TCP_ && !f->client_acked &&
	    f->state != FLOW_CLOSED)
		return t->syn_ns;
	switch (f->state) {
	case FLOW_NEW:
	case FLOW_SYN:
		return t->syn_ns;
	case FLOW_ESTABLISHED:
		return t->est_ns;
	case FLOW_FIN:
		return t->fin_ns;
	case FLOW_CLOSED:
		return t->closed_ns;
	default:
		return f->key.proto == IPPROTO_UDP_ ? t->udp_ns : t->other_ns;
	}
}

uint32_t
flow_timeout_ms(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(flow_timeout_ns(t, f) / NS_PER_MS);
}

bool
flow_is_expired(const struct flow_table *t, const struct flow *f,
    uint64_t now)
{
	/* A clock behind last_ns means no idle time, not a huge one. */
	return now > f->last_ns && now - f->last_ns > flow_timeout_ns(t, f);
}

static bool
flow_valid(const struct flow_table *t, const struct flow *f)
{
	return f >= t->flows && f < t->flows + t->capacity && f->fl_used;
}

static inline struct flow *
flow_lookup_hashed(struct flow_table *t, const struct flow_key *k,
    uint64_t hash, uint64_t now)
{
	struct flow	*f;

	if ((f = flow_find(t, k, hash)) == NULL)
		return NULL;
	if (flow_is_expired(t, f, now)) {
		flow_release(t, f, &t->stats.expired);
		return NULL;
	}
	/* Written once: a hot flow's line stays clean. */
	if (!f->fl_ref)
		f->fl_ref = true;
	return f;
}

struct flow *
flow_lookup(struct flow_table *t, const struct flow_key *k, uint64_t now)
{
	return flow_lookup_hashed(t, k, flow_index_hash(&t->ix, k), now);
}

/*
 * Three passes over up to FLOW_BULK_AHEAD keys: hash them and fetch
 * their buckets; fetch the flow of the first matching signature in
 * each bucket; then the lookups proper, in order, which find buckets
 * and flows in the cache.  The first two passes only read ahead: the
 * last is an ordinary lookup, so releases by earlier keys and
 * signatures matching by chance are handled as usual.
 */
void
flow_lookup_bulk(struct flow_table *t, const struct flow_key *keys,
    size_t n, uint64_t now, struct flow **out)
{
	uint64_t			 h[FLOW_BULK_AHEAD];
	const struct flow_bucket	*b;
	uint32_t			 mask, slot;
	size_t				 m;

	for (; n > 0; keys += m, out += m, n -= m) {
		m = n < FLOW_BULK_AHEAD ? n : FLOW_BULK_AHEAD;
		for (size_t j = 0; j < m; j++) {
			h[j] = flow_index_hash(&t->ix, &keys[j]);
			__builtin_prefetch(flow_index_bucket(&t->ix, h[j]));
		}
		for (size_t j = 0; j < m; j++) {
			b = flow_index_bucket(&t->ix, h[j]);
			mask = flow_bucket_match(b, flow_index_sig(h[j]));
			if (mask != 0 && (slot = b->slot[__builtin_ctz(mask) /
			    2]) != 0)
				__builtin_prefetch(&t->flows[slot - 1]);
		}
		for (size_t j = 0; j < m; j++)
			out[j] = flow_lookup_hashed(t, &keys[j], h[j], now);
	}
}

/*
 * Second chance: the oldest of the queue unless a lookup marked it;
 * a marked one is queued again as the newest, unmarked.
 */
static struct flow *
flow_victim(struct flow_table *t, uint64_t now)
{
	struct flow	*f;

	for (int n = 0;; n++) {
		f = &t->flows[t->queue.oldest];
		if (!f->fl_ref || n == FLOW_EVICT_SCAN ||
		    flow_is_expired(t, f, now))
			return f;
		f->fl_ref = false;
		flow_queue_unlink(t, f);
		flow_queue_push(t, f);
	}
}

struct flow *
flow_insert(struct flow_table *t, const struct flow_key *k,
    uint32_t group_id, uint32_t member, uint64_t now)
{
	struct flow	*f;
	uint64_t	 hash;
	uint32_t	 i;

	if (t->capacity == 0)
		return NULL;
	hash = flow_index_hash(&t->ix, k);
	if ((f = flow_find(t, k, hash)) != NULL)
		/* Its slot is reused: the count does not grow. */
		flow_release_slot(t, f, flow_is_expired(t, f, now) ?
		    &t->stats.expired : &t->stats.removed);
	else if (t->flood && !flow_flood_room(t, now)) {
		t->stats.flood_stateless++;
		return NULL;
	}
	if (t->free == FLOW_NIL && t->fresh == t->capacity) {
		f = flow_victim(t, now);
		flow_release_slot(t, f, flow_is_expired(t, f, now) ?
		    &t->stats.expired : &t->stats.evicted);
	}

	if (t->free != FLOW_NIL) {
		i = t->free;
		t->free = t->flows[i].fl_queue.older;
	} else
		i = t->fresh++;
	f = &t->flows[i];
	memset(f, 0, sizeof(*f));
	flow_key_set(&f->key, &k->client, &k->group, k->cport, k->gport,
	    k->proto);
	f->key.tag = k->tag;
	f->group_id = group_id;
	f->member = member;
	f->state = k->proto == IPPROTO_TCP_ ? FLOW_NEW : FLOW_UDP;
	f->created_ns = f->last_ns = now;
	f->fl_used = true;
	f->fl_emb.newer = f->fl_emb.older = FLOW_NIL;
	f->fl_kind = FLOW_KIND_DATAGRAM;
	t->kinds[FLOW_KIND_DATAGRAM]++;
	flow_kind_set(t, f);

	flow_index_add(&t->ix, hash, i);
	flow_queue_push(t, f);
	t->count++;
	t->stats.inserted++;
	flow_session(t, f, 1);
	flow_flood_check(t);
	return f;
}

/*
 * Flood mode: free a slot for a new flow without touching established
 * ones, the table not growing.  The oldest flow of the queue if it is
 * idle past its timeout, else the oldest embryonic flow.
 */
static bool
flow_flood_room(struct flow_table *t, uint64_t now)
{
	struct flow	*f;

	if (t->queue.oldest != FLOW_NIL &&
	    flow_is_expired(t, &t->flows[t->queue.oldest], now))
		f = &t->flows[t->queue.oldest];
	else if (t->emb.oldest != FLOW_NIL)
		f = &t->flows[t->emb.oldest];
	else
		return false;
	flow_release_slot(t, f, flow_is_expired(t, f, now) ?
	    &t->stats.expired : &t->stats.embryonic_evicted);
	return true;
}

void
flow_update(struct flow_table *t, struct flow *f, int dir, uint8_t flags,
    uint32_t len, uint64_t now)
{
	enum flow_tcp_event	 ev;
	enum flow_tcp_state	 next;
	bool			 was;

	if (dir == FLOW_DIR_TO_MEMBER) {
		f->packets_in++;
		f->bytes_in += len;
	} else {
		dir = FLOW_DIR_TO_CLIENT;
		f->packets_out++;
		f->bytes_out += len;
	}
	if (now > f->last_ns)
		f->last_ns = now;
	if (f->key.proto != IPPROTO_TCP_)
		return;
	if (dir == FLOW_DIR_TO_MEMBER && (flags & FLOW_TCP_ACK) &&
	    !f->client_acked) {
		f->client_acked = true;
		flow_kind_set(t, f);
	}

	if (flags & FLOW_TCP_RST)
		ev = EV_RST;
	else if (flags & FLOW_TCP_SYN)
		ev = (flags & FLOW_TCP_ACK) ? EV_SYNACK : EV_SYN;
	else if (flags & FLOW_TCP_FIN)
		ev = EV_FIN;
	else if (flags & FLOW_TCP_ACK)
		ev = f->fin_seen == FIN_BOTH ? EV_LASTACK : EV_ACK;
	else
		ev = EV_NONE;

	next = flow_tcp_next[f->state][ev];
	if (ev == EV_FIN && next == FLOW_FIN)
		f->fin_seen |= 1 << dir;
	if (f->state == FLOW_CLOSED && next == FLOW_SYN) {
		/* A new connection on the same ports. */
		f->fin_seen = 0;
		f->rh_to_member_done = f->rh_to_client_done = false;
	}
	/* Closed: service end; the entry stays for stragglers only. */
	was = flow_is_session(f);
	f->state = next;
	if (flow_is_session(f) != was)
		flow_session(t, f, was ? -1 : 1);
}

void
flow_remove(struct flow_table *t, struct flow *f)
{
	if (f == NULL || !flow_valid(t, f))
		return;
	flow_release(t, f, &t->stats.removed);
}

size_t
flow_expire(struct flow_table *t, uint64_t now, size_t budget)
{
	struct flow	*f;
	size_t		 n = 0, sweep;

	/* The oldest flows of the queue are the likeliest to be idle. */
	while (budget > 0 && t->queue.oldest != FLOW_NIL) {
		budget--;
		f = &t->flows[t->queue.oldest];
		if (!flow_is_expired(t, f, now))
			break;
		flow_release(t, f, &t->stats.expired);
		n++;
	}

	/*
	 * Timeouts differ by state, so a short-lived flow may be idle
	 * far from the tail: sweep on from the cursor, wrapping around,
	 * each flow at most once per call.
	 */
	sweep = t->count;
	if (sweep > budget)
		sweep = budget;
	while (sweep-- > 0) {
		if (t->cursor == FLOW_NIL)
			t->cursor = t->queue.oldest;
		f = &t->flows[t->cursor];
		t->cursor = f->fl_queue.newer;
		if (flow_is_expired(t, f, now)) {
			flow_release(t, f, &t->stats.expired);
			n++;
		}
	}
	return n;
}

size_t
flow_count(const struct flow_table *t)
{
	return t->count;
}

uint32_t
flow_capacity(const struct flow_table *t)
{
	return t->capacity;
}

const struct flow_stats *
flow_stats(const struct flow_table *t)
{
	return &t->stats;
}

size_t
flow_walk(struct flow_table *t, uint32_t group_id, size_t offset,
    size_t limit, flow_walk_cb cb, void *arg)
{
	const struct flow	*f;
	size_t			 n = 0;

	for (uint32_t i = t->queue.newest; i != FLOW_NIL && n < limit;
	    i = f->fl_queue.older) {
		f = &t->flows[i];
		if (group_id != UINT32_MAX && f->group_id != group_id)
			continue;
		if (offset > 0) {
			offset--;
			continue;
		}
		cb(f, arg);
		n++;
	}
	return n;
}

void
flow_flush(struct flow_table *t, uint32_t group_id)
{
	struct flow	*f;
	uint32_t	 i, next;

	for (i = t->queue.oldest; i != FLOW_NIL; i = next) {
		f = &t->flows[i];
		next = f->fl_queue.newer;
		if (group_id == UINT32_MAX || f->group_id == group_id)
			flow_release(t, f, &t->stats.removed);
	}
}

size_t
flow_flush_member(struct flow_table *t, uint32_t group_id, uint32_t member)
{
	struct flow	*f;
	uint32_t	 i, next;
	size_t		 n = 0;

	for (i = t->queue.oldest; i != FLOW_NIL; i = next) {
		f = &t->flows[i];
		next = f->fl_queue.newer;
		if (f->member == member &&
		    (group_id == UINT32_MAX || f->group_id == group_id)) {
			flow_release(t, f, &t->stats.removed);
			n++;
		}
	}
	return n;
}

const char *
flow_state_name(enum flow_tcp_state s)
{
	return name_get(flow_state_names, NITEMS(flow_state_names), s);
}
