/*
 * The anycast membership protocol codec (docs/protocol.md).
 *
 * Pure: every read is checked against the length the caller gives, any
 * byte string is safe input, and nothing is decoded from a message
 * before its framing has been checked.
 */
#include <string.h>

#include <sodium.h>

#include "member_proto.h"
#include "srctag.h"
#include "wire.h"

_Static_assert(MP_TAG_LEN == SRCTAG_LEN && MP_KEY_LEN == SRCTAG_KEY_LEN,
    "tags are srctag()s");

static const char *const mp_type_names[] = {
	[MP_JOIN] = "join",
	[MP_ACCEPT] = "accept",
	[MP_REJECT] = "reject",
	[MP_LEAVE] = "leave",
	[MP_LEAVE_ACK] = "leave_ack",
	[MP_ANNOUNCE] = "announce",
	[MP_SESSION] = "session",
	[MP_REPORT] = "report",
	[MP_FLOW_QUERY] = "flow_query",
	[MP_FLOW_CLAIM] = "flow_claim",
};

static const char *const mp_reason_names[] = {
	[MP_REASON_NONE] = "ok",
	[MP_REASON_BAD_TAG] = "bad_tag",
	[MP_REASON_UNKNOWN_KEY] = "unknown_key",
	[MP_REASON_UNKNOWN_GROUP] = "unknown_group",
	[MP_REASON_REPLAY] = "replay",
	[MP_REASON_GROUP_FULL] = "group_full",
	[MP_REASON_NOT_ON_LINK] = "not_on_link",
	[MP_REASON_MALFORMED] = "malformed",
	[MP_REASON_RATE_LIMITED] = "rate_limited",
	[MP_REASON_NOT_MEMBER] = "not_member",
};

/* Value length of each known TLV type. */
static const uint8_t mp_tlv_len[MP_TLV_MAX + 1] = {
	[MP_TLV_REASON] = 1,
	[MP_TLV_SESSION_OP] = 1,
	[MP_TLV_SESSIONS] = 4,
	[MP_TLV_LOAD] = 1,
	[MP_TLV_CAPACITY] = 4,
	[MP_TLV_HEALTH] = 1,
	[MP_TLV_WEIGHT] = 2,
	[MP_TLV_HOLD_TIME] = 2,
	[MP_TLV_BANDWIDTH] = 4,
	[MP_TLV_INTERVAL] = 2,
	[MP_TLV_FLOW] = MP_FLOW_LEN,
};

/* The TLVs defined for each message type. */
static const uint32_t mp_allowed[MP_TYPE_MAX + 1] = {
	[MP_JOIN] = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL | MP_HAS_CAPACITY |
	    MP_HAS_WEIGHT | MP_HAS_BANDWIDTH | MP_HAS_SESSIONS,
	[MP_ACCEPT] = MP_HAS_HOLD_TIME | MP_HAS_INTERVAL,
	[MP_REJECT] = MP_HAS_REASON,
	[MP_LEAVE] = 0,
	[MP_LEAVE_ACK] = 0,
	[MP_ANNOUNCE] = 0,
	[MP_SESSION] = MP_HAS_SESSION_OP | MP_HAS_SESSIONS,
	[MP_REPORT] = MP_HAS_SESSIONS | MP_HAS_LOAD | MP_HAS_CAPACITY |
	    MP_HAS_HEALTH | MP_HAS_WEIGHT | MP_HAS_BANDWIDTH,
	[MP_FLOW_QUERY] = MP_HAS_FLOW,
	[MP_FLOW_CLAIM] = MP_HAS_FLOW,
};

const char *
mp_type_name(int type)
{
	if (type < 0 || type >= (int)(sizeof(mp_type_names) /
	    sizeof(mp_type_names[0])) || mp_type_names[type] == NULL)
		return "unknown";
	return mp_type_names[type];
}

const char *
mp_reason_name(int reason)
{
	if (reason < 0 || reason > MP_REASON_MAX)
		return "unknown";
	return mp_reason_names[reason];
}

uint32_t
mp_tlvs_allowed(int type)
{
	if (type < MP_JOIN || type > MP_TYPE_MAX)
		return 0;
	return mp_allowed[type];
}

/* Neither group nor member may be one of these. */
static bool
mp_bad_addr(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
	    IN6_IS_ADDR_MULTICAST(a);
}

/*
 * Values that are out of range, and required TLVs that are missing:
 * the rules shared by the encoder and the parser.
 */
static int
mp_check_values(const struct mp_msg *m)
{
	if ((m->present & MP_HAS_REASON) && m->reason == MP_REASON_NONE)
		return -1;
	if ((m->present & MP_HAS_SESSION_OP) &&
	    m->session_op != MP_SESSION_START &&
	    m->session_op != MP_SESSION_END)
		return -1;
	if ((m->present & MP_HAS_LOAD) && m->load > 100)
		return -1;
	if ((m->present & MP_HAS_HEALTH) && m->health > MP_HEALTH_UP)
		return -1;
	if ((m->present & MP_HAS_HOLD_TIME) && m->hold_time == 0)
		return -1;
	if ((m->present & MP_HAS_INTERVAL) && m->interval == 0)
		return -1;
	if ((m->present & MP_HAS_FLOW) && (mp_bad_addr(&m->flow.client) ||
	    m->flow.proto == 0))
		return -1;

	switch (m->type) {
	case MP_REJECT:
		if (!(m->present & MP_HAS_REASON))
			return -1;
		break;
	case MP_SESSION:
		if (!(m->present & (MP_HAS_SESSION_OP | MP_HAS_SESSIONS)))
			return -1;
		break;
	case MP_FLOW_QUERY:
	case MP_FLOW_CLAIM:
		if (!(m->present & MP_HAS_FLOW))
			return -1;
		break;
	}
	return 0;
}

ssize_t
mp_encode(uint8_t *buf, size_t cap, const struct in6_addr *src,
    const struct mp_msg *m, const uint8_t key[MP_KEY_LEN])
{
	size_t		 tlv_len = 0, off;
	unsigned int	 t;

	if (m->type < MP_JOIN || m->type > MP_TYPE_MAX)
		return -1;
	if (m->present & ~mp_allowed[m->type])
		return -1;
	if (mp_check_values(m) == -1)
		return -1;
	if (mp_bad_addr(&m->group) || mp_bad_addr(&m->member))
		return -1;
	for (t = 1; t <= MP_TLV_MAX; t++)
		if (m->present & MP_HAS(t))
			tlv_len += 2 + mp_tlv_len[t];
	if (cap < MP_HDR_LEN + tlv_len + MP_TAG_LEN)
		return -1;

	buf[MP_OFF_VERSION] = MP_VERSION;
	buf[MP_OFF_TYPE] = m->type;
	wr16(buf + MP_OFF_KEY_ID, m->key_id);
	wr16(buf + MP_OFF_FLAGS, m->flags);
	wr16(buf + MP_OFF_TLV_LEN, (uint16_t)tlv_len);
	memcpy(buf + MP_OFF_GROUP, m->group.s6_addr, 16);
	memcpy(buf + MP_OFF_MEMBER, m->member.s6_addr, 16);
	wr64(buf + MP_OFF_SEQ, m->seq);

	off = MP_OFF_TLV;
	for (t = 1; t <= MP_TLV_MAX; t++) {
		uint8_t	*v;

		if (!(m->present & MP_HAS(t)))
			continue;
		buf[off] = (uint8_t)t;
		buf[off + 1] = mp_tlv_len[t];
		v = buf + off + 2;
		switch (t) {
		case MP_TLV_REASON:
			v[0] = m->reason;
			break;
		case MP_TLV_SESSION_OP:
			v[0] = m->session_op;
			break;
		case MP_TLV_SESSIONS:
			wr32(v, m->sessions);
			break;
		case MP_TLV_LOAD:
			v[0] = m->load;
			break;
		case MP_TLV_CAPACITY:
			wr32(v, m->capacity);
			break;
		case MP_TLV_HEALTH:
			v[0] = m->health;
			break;
		case MP_TLV_WEIGHT:
			wr16(v, m->weight);
			break;
		case MP_TLV_HOLD_TIME:
			wr16(v, m->hold_time);
			break;
		case MP_TLV_BANDWIDTH:
			wr32(v, m->bandwidth);
			break;
		case MP_TLV_INTERVAL:
			wr16(v, m->interval);
			break;
		case MP_TLV_FLOW:
			memcpy(v, m->flow.client.s6_addr, 16);
			wr16(v + 16, m->flow.cport);
			wr16(v + 18, m->flow.gport);
			v[20] = m->flow.proto;
			break;
		}
		off += 2 + mp_tlv_len[t];
	}

	srctag(buf + off, src, buf, off, key);
	return (ssize_t)(off + MP_TAG_LEN);
}

/* Framing only: the lengths agree with each other.  0 or -1. */
static int
mp_framing(const uint8_t *buf, size_t len)
{
	if (len < MP_MIN_LEN || len > MP_MAX_LEN)
		return -1;
	if (MP_HDR_LEN + (size_t)rd16(buf + MP_OFF_TLV_LEN) + MP_TAG_LEN != len)
		return -1;
	return 0;
}

int
mp_peek(const uint8_t *buf, size_t len, struct mp_msg *m)
{
	if (mp_framing(buf, len) == -1)
		return MP_REASON_MALFORMED;
	if (buf[MP_OFF_VERSION] != MP_VERSION)
		return MP_REASON_MALFORMED;
	if (buf[MP_OFF_TYPE] < MP_JOIN || buf[MP_OFF_TYPE] > MP_TYPE_MAX)
		return MP_REASON_MALFORMED;

	memset(m, 0, sizeof(*m));
	m->version = buf[MP_OFF_VERSION];
	m->type = buf[MP_OFF_TYPE];
	m->key_id = rd16(buf + MP_OFF_KEY_ID);
	m->flags = rd16(buf + MP_OFF_FLAGS);
	memcpy(m->group.s6_addr, buf + MP_OFF_GROUP, 16);
	memcpy(m->member.s6_addr, buf + MP_OFF_MEMBER, 16);
	m->seq = rd64(buf + MP_OFF_SEQ);
	if (mp_bad_addr(&m->group) || mp_bad_addr(&m->member))
		return MP_REASON_MALFORMED;
	return 0;
}

int
mp_check_ip6(uint8_t hlim, const struct in6_addr *src,
    const struct in6_addr *dst, int type)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

	if (hlim != MP_HOP_LIMIT)
		return MP_REASON_MALFORMED;
	if (IN6_IS_ADDR_UNSPECIFIED(src) || IN6_IS_ADDR_MULTICAST(src) ||
	    IN6_IS_ADDR_LOOPBACK(src))
		return MP_REASON_MALFORMED;
	if (type == MP_ANNOUNCE) {
		if (memcmp(dst->s6_addr, all_nodes, sizeof(all_nodes)) != 0)
			return MP_REASON_MALFORMED;
	} else if (IN6_IS_ADDR_UNSPECIFIED(dst) ||
	    IN6_IS_ADDR_MULTICAST(dst) || IN6_IS_ADDR_LOOPBACK(dst))
		return MP_REASON_MALFORMED;
	return 0;
}

int
mp_verify(const uint8_t *buf, size_t len, const struct in6_addr *src,
    const uint8_t key[MP_KEY_LEN])
{
	if (mp_framing(buf, len) == -1)
		return -1;
	return srctag_verify(src, buf, len - MP_TAG_LEN, key);
}

bool
mp_seq_fresh(uint64_t seq, uint64_t now, uint64_t window)
{
	if (seq <= now)
		return now - seq <= window;
	return seq - now <= window;
}

bool
mp_seq_since(uint64_t seq, uint64_t since)
{
	return seq >= since;
}

bool
mp_seq_accept(uint64_t *last, uint64_t seq)
{
	if (seq <= *last)
		return false;
	*last = seq;
	return true;
}

/* Store the value of TLV t (whose length is already checked) in m. */
static void
mp_tlv_store(struct mp_msg *m, unsigned int t, const uint8_t *v)
{
	switch (t) {
	case MP_TLV_REASON:
		m->reason = v[0];
		break;
	case MP_TLV_SESSION_OP:
		m->session_op = v[0];
		break;
	case MP_TLV_SESSIONS:
		m->sessions = rd32(v);
		break;
	case MP_TLV_LOAD:
		m->load = v[0];
		break;
	case MP_TLV_CAPACITY:
		m->capacity = rd32(v);
		break;
	case MP_TLV_HEALTH:
		m->health = v[0];
		break;
	case MP_TLV_WEIGHT:
		m->weight = rd16(v);
		break;
	case MP_TLV_HOLD_TIME:
		m->hold_time = rd16(v);
		break;
	case MP_TLV_BANDWIDTH:
		m->bandwidth = rd32(v);
		break;
	case MP_TLV_INTERVAL:
		m->interval = rd16(v);
		break;
	case MP_TLV_FLOW:
		memcpy(m->flow.client.s6_addr, v, 16);
		m->flow.cport = rd16(v + 16);
		m->flow.gport = rd16(v + 18);
		m->flow.proto = v[20];
		break;
	}
}

int
mp_parse_tlvs(const uint8_t *buf, size_t len, struct mp_msg *m)
{
	size_t		 off, end;
	uint32_t	 allowed;
	int		 rv;

	if ((rv = mp_peek(buf, len, m)) != 0)
		return rv;
	allowed = mp_allowed[m->type];
	off = MP_OFF_TLV;
	end = len - MP_TAG_LEN;
	while (off < end) {
		unsigned int	 t, l;

		if (end - off < 2)
			return MP_REASON_MALFORMED;
		t = buf[off];
		l = buf[off + 1];
		if (l > end - off - 2)
			return MP_REASON_MALFORMED;
		/* Unknown here, or unknown altogether: skip. */
		if (t <= MP_TLV_MAX && (allowed & MP_HAS(t))) {
			if (l != mp_tlv_len[t] || (m->present & MP_HAS(t)))
				return MP_REASON_MALFORMED;
			mp_tlv_store(m, t, buf + off + 2);
			m->present |= MP_HAS(t);
		}
		off += 2 + l;
	}
	if (mp_check_values(m) == -1)
		return MP_REASON_MALFORMED;
	return 0;
}

int
mp_key_from_hex(const char *hex, uint8_t key[MP_KEY_LEN])
{
	uint8_t		 tmp[MP_KEY_LEN];
	size_t		 hexlen, binlen = 0;
	const char	*end = NULL;

	hexlen = strnlen(hex, 2 * MP_KEY_LEN + 1);
	if (hexlen != 2 * MP_KEY_LEN)
		return -1;
	if (sodium_hex2bin(tmp, sizeof(tmp), hex, hexlen, NULL, &binlen,
	    &end) != 0 || binlen != MP_KEY_LEN || end != hex + hexlen) {
		sodium_memzero(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(key, tmp, MP_KEY_LEN);
	sodium_memzero(tmp, sizeof(tmp));
	return 0;
}
