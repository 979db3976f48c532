/*
 * The anycast flow table.
 *
 * All flows live in one array allocated up front.  A slot is on
 * exactly one of two lists: the free list (through fl_hnext), or a
 * hash chain (fl_hnext) and the LRU list (fl_lru) at once.  Embryonic
 * TCP flows are also on a third list, in insertion order (fl_emb), so
 * that flood mode finds the oldest at once.
 * Links are array indices, FLOW_NIL ends a list.  Buckets are a power
 * of two, at least twice the capacity, so chains stay short.
 */
#include <sys/random.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "proto.h"
#include "flow.h"

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

struct flow_table {
	struct flow		*flows;
	uint32_t		*buckets;
	uint32_t		 capacity;
	uint32_t		 count;
	unsigned int		 bucket_shift;	/* 64 - log2(buckets) */
	uint64_t		 salt_xor;	/* per-table bucket salt */
	uint64_t		 salt_mul;	/* odd */
	uint32_t		 free;
	struct flow_list	 lru;
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

static uint32_t	 flow_bucket(const struct flow_table *, uint64_t);
static struct flow *flow_find(struct flow_table *, const struct flow_key *,
		    uint64_t);
static void	 flow_list_unlink(struct flow_table *, struct flow_list *,
		    uint32_t);
static void	 flow_list_push(struct flow_table *, struct flow_list *,
		    uint32_t);
static void	 flow_lru_unlink(struct flow_table *, struct flow *);
static void	 flow_lru_push(struct flow_table *, struct flow *);
static void	 flow_hash_unlink(struct flow_table *, struct flow *);
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
	uint64_t		 nbuckets = 2;
	unsigned int		 bits = 1;
	uint64_t		 seed[2];

	if (capacity > FLOW_MAX_CAPACITY) {
		errno = EINVAL;
		return NULL;
	}
	while (nbuckets < 2 * (uint64_t)capacity) {
		nbuckets <<= 1;
		bits++;
	}

	t = xcalloc(1, sizeof(*t));
	t->capacity = capacity;
	t->flows = xcalloc(capacity ? capacity : 1, sizeof(*t->flows));
	t->buckets = xcalloc(nbuckets, sizeof(*t->buckets));
	t->bucket_shift = 64 - bits;
	for (uint64_t i = 0; i < nbuckets; i++)
		t->buckets[i] = FLOW_NIL;
	for (uint32_t i = 0; i < capacity; i++)
		t->flows[i].fl_hnext = i + 1 < capacity ? i + 1 : FLOW_NIL;
	t->free = capacity ? 0 : FLOW_NIL;
	t->lru = (struct flow_list){ FLOW_NIL, FLOW_NIL,
	    offsetof(struct flow, fl_lru) };
	t->emb = (struct flow_list){ FLOW_NIL, FLOW_NIL,
	    offsetof(struct flow, fl_emb) };
	t->cursor = FLOW_NIL;

	/*
	 * A secret salt per table, so that nobody outside can aim many
	 * flows at one bucket; flow_hash() itself stays fixed.
	 */
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed)) {
		seed[0] = mono_ns() ^ (uint64_t)(uintptr_t)t;
		seed[1] = seed[0] * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	}
	t->salt_xor = seed[0];
	t->salt_mul = seed[1] | 1;

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
	free(t->flows);
	free(t->buckets);
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

	memcpy(&w[0], &k->client.s6_addr[0], 8);
	memcpy(&w[1], &k->client.s6_addr[8], 8);
	memcpy(&w[2], &k->group.s6_addr[0], 8);
	memcpy(&w[3], &k->group.s6_addr[8], 8);
	w[4] = (uint64_t)k->cport | (uint64_t)k->gport << 16 |
	    (uint64_t)k->proto << 32 | (uint64_t)k->tag << 40;
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

bool
flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->cport == b->cport && a->gport == b->gport &&
	    a->proto == b->proto && a->tag == b->tag &&
	    memcmp(&a->client, &b->client, sizeof(a->client)) == 0 &&
	    memcmp(&a->group, &b->group, sizeof(a->group)) == 0;
}

/* Multiply-shift with a secret odd multiplier: the top bits are mixed. */
static uint32_t
flow_bucket(const struct flow_table *t, uint64_t hash)
{
	return (uint32_t)(((hash ^ t->salt_xor) * t->salt_mul) >>
	    t->bucket_shift);
}

static struct flow *
flow_find(struct flow_table *t, const struct flow_key *k, uint64_t hash)
{
	uint32_t	 i;
	struct flow	*f;

	for (i = t->buckets[flow_bucket(t, hash)]; i != FLOW_NIL;
	    i = f->fl_hnext) {
		f = &t->flows[i];
		if (f->hash == hash && flow_key_equal(&f->key, k))
			return f;
	}
	return NULL;
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
flow_lru_unlink(struct flow_table *t, struct flow *f)
{
	uint32_t	 i = (uint32_t)(f - t->flows);

	/* The expiry sweep resumes after a flow that leaves its place. */
	if (t->cursor == i)
		t->cursor = f->fl_lru.newer;
	flow_list_unlink(t, &t->lru, i);
}

static void
flow_lru_push(struct flow_table *t, struct flow *f)
{
	flow_list_push(t, &t->lru, (uint32_t)(f - t->flows));
}

static void
flow_hash_unlink(struct flow_table *t, struct flow *f)
{
	uint32_t	 i = (uint32_t)(f - t->flows), *pp;

	for (pp = &t->buckets[flow_bucket(t, f->hash)]; *pp != FLOW_NIL;
	    pp = &t->flows[*pp].fl_hnext) {
		if (*pp == i) {
			*pp = f->fl_hnext;
			return;
		}
	}
	fatalx("%s: flow %u not in its bucket", __func__, i);
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
	flow_hash_unlink(t, f);
	flow_lru_unlink(t, f);
	flow_emb_unlink(t, f);
	t->kinds[f->fl_kind]--;
	f->fl_used = false;
	f->fl_hnext = t->free;
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

static uint64_t
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

struct flow *
flow_lookup(struct flow_table *t, const struct flow_key *k, uint64_t now)
{
	struct flow	*f;

	if ((f = flow_find(t, k, flow_hash(k))) == NULL)
		return NULL;
	if (flow_is_expired(t, f, now)) {
		flow_release(t, f, &t->stats.expired);
		return NULL;
	}
	if (t->lru.newest != (uint32_t)(f - t->flows)) {
		flow_lru_unlink(t, f);
		flow_lru_push(t, f);
	}
	return f;
}

struct flow *
flow_insert(struct flow_table *t, const struct flow_key *k,
    uint32_t group_id, uint32_t member, uint64_t now)
{
	struct flow	*f;
	uint64_t	 hash = flow_hash(k);
	uint32_t	 i, b;

	if (t->capacity == 0)
		return NULL;
	if ((f = flow_find(t, k, hash)) != NULL)
		/* Its slot is reused: the count does not grow. */
		flow_release_slot(t, f, flow_is_expired(t, f, now) ?
		    &t->stats.expired : &t->stats.removed);
	else if (t->flood && !flow_flood_room(t, now)) {
		t->stats.flood_stateless++;
		return NULL;
	}
	if (t->free == FLOW_NIL) {
		f = &t->flows[t->lru.oldest];
		flow_release_slot(t, f, flow_is_expired(t, f, now) ?
		    &t->stats.expired : &t->stats.evicted);
	}

	i = t->free;
	f = &t->flows[i];
	t->free = f->fl_hnext;
	memset(f, 0, sizeof(*f));
	flow_key_set(&f->key, &k->client, &k->group, k->cport, k->gport,
	    k->proto);
	f->key.tag = k->tag;
	f->hash = hash;
	f->group_id = group_id;
	f->member = member;
	f->state = k->proto == IPPROTO_TCP_ ? FLOW_NEW : FLOW_UDP;
	f->created_ns = f->last_ns = now;
	f->fl_used = true;
	f->fl_emb.newer = f->fl_emb.older = FLOW_NIL;
	f->fl_kind = FLOW_KIND_DATAGRAM;
	t->kinds[FLOW_KIND_DATAGRAM]++;
	flow_kind_set(t, f);

	b = flow_bucket(t, hash);
	f->fl_hnext = t->buckets[b];
	t->buckets[b] = i;
	flow_lru_push(t, f);
	t->count++;
	t->stats.inserted++;
	flow_session(t, f, 1);
	flow_flood_check(t);
	return f;
}

/*
 * Flood mode: free a slot for a new flow without touching established
 * ones, the table not growing.  The least recently used flow if it is
 * idle past its timeout, else the oldest embryonic flow.
 */
static bool
flow_flood_room(struct flow_table *t, uint64_t now)
{
	struct flow	*f;

	if (t->lru.oldest != FLOW_NIL &&
	    flow_is_expired(t, &t->flows[t->lru.oldest], now))
		f = &t->flows[t->lru.oldest];
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

	/* The least recently used flows are the likeliest to be idle. */
	while (budget > 0 && t->lru.oldest != FLOW_NIL) {
		budget--;
		f = &t->flows[t->lru.oldest];
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
			t->cursor = t->lru.oldest;
		f = &t->flows[t->cursor];
		t->cursor = f->fl_lru.newer;
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

	for (uint32_t i = t->lru.newest; i != FLOW_NIL && n < limit;
	    i = f->fl_lru.older) {
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

	for (i = t->lru.oldest; i != FLOW_NIL; i = next) {
		f = &t->flows[i];
		next = f->fl_lru.newer;
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

	for (i = t->lru.oldest; i != FLOW_NIL; i = next) {
		f = &t->flows[i];
		next = f->fl_lru.newer;
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
