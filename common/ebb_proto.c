/*
 * E-BB message codec (docs/ebb.md, "Wire format"): see ebb_proto.h.
 *
 * Pure: every read is checked against the length the caller gives, any
 * byte string is safe input, and no field is decoded before the length
 * and the tag have been checked.
 */
#include <string.h>

#include "ebb_proto.h"
#include "srctag.h"
#include "wire.h"

_Static_assert(EBB_TAG_LEN == SRCTAG_LEN && EBB_KEY_LEN == SRCTAG_KEY_LEN,
    "tags are srctag()s");

static const char *const type_names[EBB_TYPE_MAX] = {
	[EBB_DISCOVER] = "discover",
	[EBB_ANSWER] = "answer",
	[EBB_RESERVE] = "reserve",
	[EBB_RESERVE_ACK] = "reserve_ack",
	[EBB_RESERVE_NAK] = "reserve_nak",
	[EBB_RELEASE] = "release",
};

/* Bytes of type-specific fields between the header and the path. */
static const uint8_t type_len[EBB_TYPE_MAX] = {
	[EBB_DISCOVER] = 0,
	[EBB_ANSWER] = EBB_ANSWER_LEN,
	[EBB_RESERVE] = EBB_RESV_LEN,
	[EBB_RESERVE_ACK] = EBB_RESV_LEN,
	[EBB_RESERVE_NAK] = EBB_RESV_LEN,
	[EBB_RELEASE] = EBB_RESV_LEN,
};

static const char *const err_names[EBB_E_MAX] = {
	[EBB_OK] = "ok",
#define X(n, help) [EBB_E_##n] = #n,
	EBB_ERRORS(X)
#undef X
};

static const char *const err_help[EBB_E_MAX] = {
	[EBB_OK] = "No error.",
#define X(n, help) [EBB_E_##n] = help,
	EBB_ERRORS(X)
#undef X
};

const char *
ebb_type_name(enum ebb_type t)
{
	if ((unsigned)t >= EBB_TYPE_MAX || type_names[t] == NULL)
		return "unknown";
	return type_names[t];
}

const char *
ebb_err_name(enum ebb_err e)
{
	return (unsigned)e < EBB_E_MAX ? err_names[e] : "unknown";
}

const char *
ebb_err_help(enum ebb_err e)
{
	return (unsigned)e < EBB_E_MAX ? err_help[e] : "";
}

static bool
ebb_type_ok(unsigned int t)
{
	return t >= EBB_DISCOVER && t < EBB_TYPE_MAX;
}

size_t
ebb_msg_len(enum ebb_type t, unsigned int npath)
{
	if (!ebb_type_ok(t) || npath > EBB_MAX_PATH)
		return 0;
	return EBB_HDR_LEN + type_len[t] + 16 * (size_t)npath + EBB_TAG_LEN;
}

/*
 * The field rules shared by the encoder and the decoder: the group is
 * a unicast or anycast address (not unspecified, loopback or
 * multicast), and so is an ANSWER's server; a load is a percentage.
 */
static bool
ebb_bad_addr(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
	    IN6_IS_ADDR_MULTICAST(a);
}

static enum ebb_err
ebb_check_fields(const struct ebb_msg *m)
{
	if (m->npath > EBB_MAX_PATH || m->hops > EBB_MAX_PATH)
		return EBB_E_path;
	if (ebb_bad_addr(&m->group))
		return EBB_E_field;
	if (m->type == EBB_ANSWER &&
	    (ebb_bad_addr(&m->server) || m->load_pct > 100))
		return EBB_E_field;
	return EBB_OK;
}

int
ebb_encode(const struct ebb_msg *m, const struct ebb_key *key,
    const struct in6_addr *src, uint8_t *buf, size_t buflen)
{
	size_t		 len, off;
	uint8_t		*v;
	unsigned int	 i;

	if (!ebb_type_ok(m->type) || ebb_check_fields(m) != EBB_OK)
		return -1;
	len = ebb_msg_len(m->type, m->npath);
	if (buflen < len)
		return -1;

	memset(buf, 0, len);
	buf[EBB_OFF_VERSION] = EBB_VERSION;
	buf[EBB_OFF_TYPE] = m->type;
	wr16(buf + EBB_OFF_KEY_ID, key->id);
	buf[EBB_OFF_NPATH] = m->npath;
	buf[EBB_OFF_HOPS] = m->hops;
	wr64(buf + EBB_OFF_SEQ, m->seq);
	memcpy(buf + EBB_OFF_SENDER, m->sender.s6_addr, 16);
	wr32(buf + EBB_OFF_REQ_ID, m->req_id);
	wr32(buf + EBB_OFF_BW, m->bw_mbit);
	memcpy(buf + EBB_OFF_ORIGIN, m->origin.s6_addr, 16);
	memcpy(buf + EBB_OFF_GROUP, m->group.s6_addr, 16);

	v = buf + EBB_HDR_LEN;
	switch (m->type) {
	case EBB_ANSWER:
		memcpy(v, m->server.s6_addr, 16);
		v[16] = m->load_pct;
		break;
	case EBB_RESERVE:
	case EBB_RESERVE_ACK:
	case EBB_RESERVE_NAK:
	case EBB_RELEASE:
		wr32(v, m->kbit);
		wr32(v + 4, m->lifetime_ms);
		break;
	}
	off = EBB_HDR_LEN + type_len[m->type];
	for (i = 0; i < m->npath; i++, off += 16)
		memcpy(buf + off, m->path[i].s6_addr, 16);

	srctag(buf + off, src, buf, off, key->key);
	return (int)len;
}

enum ebb_err
ebb_decode(const uint8_t *buf, size_t len, const struct in6_addr *src,
    const struct ebb_key *keys, size_t nkeys, struct ebb_msg *m)
{
	const struct ebb_key	*key = NULL;
	const uint8_t		*v;
	size_t			 i, off;
	uint16_t		 key_id;
	enum ebb_err		 err;

	memset(m, 0, sizeof(*m));
	if (len < EBB_MIN_LEN)
		return EBB_E_short;
	if (buf[EBB_OFF_VERSION] != EBB_VERSION)
		return EBB_E_version;
	if (!ebb_type_ok(buf[EBB_OFF_TYPE]))
		return EBB_E_type;
	if (buf[EBB_OFF_NPATH] > EBB_MAX_PATH)
		return EBB_E_path;
	if (len != ebb_msg_len(buf[EBB_OFF_TYPE], buf[EBB_OFF_NPATH]))
		return EBB_E_length;

	key_id = rd16(buf + EBB_OFF_KEY_ID);
	for (i = 0; i < nkeys && key == NULL; i++)
		if (keys[i].id == key_id)
			key = &keys[i];
	if (key == NULL)
		return EBB_E_key;
	if (srctag_verify(src, buf, len - EBB_TAG_LEN, key->key) != 0)
		return EBB_E_tag;

	/* Authentic: only now the fields. */
	m->type = buf[EBB_OFF_TYPE];
	m->key_id = key_id;
	m->npath = buf[EBB_OFF_NPATH];
	m->hops = buf[EBB_OFF_HOPS];
	m->seq = rd64(buf + EBB_OFF_SEQ);
	memcpy(m->sender.s6_addr, buf + EBB_OFF_SENDER, 16);
	m->req_id = rd32(buf + EBB_OFF_REQ_ID);
	m->bw_mbit = rd32(buf + EBB_OFF_BW);
	memcpy(m->origin.s6_addr, buf + EBB_OFF_ORIGIN, 16);
	memcpy(m->group.s6_addr, buf + EBB_OFF_GROUP, 16);

	v = buf + EBB_HDR_LEN;
	switch (m->type) {
	case EBB_ANSWER:
		memcpy(m->server.s6_addr, v, 16);
		m->load_pct = v[16];
		break;
	case EBB_RESERVE:
	case EBB_RESERVE_ACK:
	case EBB_RESERVE_NAK:
	case EBB_RELEASE:
		m->kbit = rd32(v);
		m->lifetime_ms = rd32(v + 4);
		break;
	}
	off = EBB_HDR_LEN + type_len[m->type];
	for (i = 0; i < m->npath; i++, off += 16)
		memcpy(m->path[i].s6_addr, buf + off, 16);

	if ((err = ebb_check_fields(m)) != EBB_OK) {
		memset(m, 0, sizeof(*m));
		return err;
	}
	return EBB_OK;
}
