/*
 * E-BB (extended bandwidth broker, paper 2 §4-5) wire codec: the UDP
 * payload of the messages routers' E-BBs exchange on their transit
 * links.  Pure: no I/O, no globals, no allocation.
 *
 * Every message is authenticated with HMAC-SHA256 under a region key
 * (key id in the header), over the IPv6 source address and every byte
 * before the tag; the 64-bit sequence number (time-based, strictly
 * increasing per sender) is checked against replays by the receiver,
 * which keeps the last one per sender (ebb_decode() does not).
 *
 * Messages (docs/ebb.md gives the byte layout):
 *   DISCOVER     origin's request for group A, flooded hop by hop; path
 *                (router ids crossed, origin first), hops and the widest
 *                residual bandwidth so far are updated by each hop
 *   ANSWER       from an E-BB that has a member of A: the path, hops,
 *                the path's residual bandwidth, server U and its load
 *   RESERVE      bandwidth along a path (kbit, lifetime), hop by hop
 *   RESERVE_ACK  every hop accepted (back to the origin)
 *   RESERVE_NAK  a hop had not enough residual bandwidth
 *   RELEASE      a reservation ends early
 */
#ifndef COMMON_EBB_PROTO_H
#define COMMON_EBB_PROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EBB_PORT		5300	/* UDP, link-local between routers */
#define EBB_VERSION		1
#define EBB_HOP_LIMIT		255
#define EBB_MAX_PATH		16	/* routers on a path */
#define EBB_KEY_LEN		32
#define EBB_TAG_LEN		32
#define EBB_MAX_LEN		1024	/* any message fits */

/*
 * Byte layout (docs/ebb.md, "Wire format"): a fixed header, the fields
 * of the type, npath router ids, the tag.  Offsets in the header:
 */
#define EBB_OFF_VERSION		0	/* 1 byte */
#define EBB_OFF_TYPE		1	/* 1 */
#define EBB_OFF_KEY_ID		2	/* 2 */
#define EBB_OFF_FLAGS		4	/* 2, sent as 0, ignored */
#define EBB_OFF_NPATH		6	/* 1 */
#define EBB_OFF_HOPS		7	/* 1 */
#define EBB_OFF_SEQ		8	/* 8 */
#define EBB_OFF_SENDER		16	/* 16 */
#define EBB_OFF_REQ_ID		32	/* 4 */
#define EBB_OFF_BW		36	/* 4, Mbit/s */
#define EBB_OFF_ORIGIN		40	/* 16 */
#define EBB_OFF_GROUP		56	/* 16 */
#define EBB_HDR_LEN		72
#define EBB_ANSWER_LEN		20	/* server 16, load 1, zero 3 */
#define EBB_RESV_LEN		8	/* kbit 4, lifetime_ms 4 */
#define EBB_MIN_LEN		(EBB_HDR_LEN + EBB_TAG_LEN)

enum ebb_type {
	EBB_DISCOVER = 1,
	EBB_ANSWER,
	EBB_RESERVE,
	EBB_RESERVE_ACK,
	EBB_RESERVE_NAK,
	EBB_RELEASE,
	EBB_TYPE_MAX
};
const char *ebb_type_name(enum ebb_type);

/* Why a message was refused: each one a counter. */
#define EBB_ERRORS(X)							\
	X(short,	"Shorter than its header and tag.")		\
	X(version,	"Version other than 1.")			\
	X(type,		"Unknown message type.")			\
	X(length,	"Length not what the type and path count give.") \
	X(path,		"Path longer than 16 routers, or hop count "	\
			"beyond it.")					\
	X(key,		"Unknown key id.")				\
	X(tag,		"HMAC tag does not match.")			\
	X(field,	"A field out of range (load over 100, zero "	\
			"group, multicast server).")

enum ebb_err {
	EBB_OK = 0,
#define X(n, help) EBB_E_##n,
	EBB_ERRORS(X)
#undef X
	EBB_E_MAX
};
const char *ebb_err_name(enum ebb_err);
const char *ebb_err_help(enum ebb_err);

struct ebb_msg {
	uint8_t		 type;		/* enum ebb_type */
	uint16_t	 key_id;
	uint64_t	 seq;
	struct in6_addr	 sender;	/* router id of the sender */
	uint32_t	 req_id;	/* the origin's request (or reservation) */
	struct in6_addr	 origin;	/* router id of the resolver */
	struct in6_addr	 group;		/* anycast address A */
	uint8_t		 npath;
	struct in6_addr	 path[EBB_MAX_PATH];	/* origin first */
	uint8_t		 hops;		/* links crossed */
	uint32_t	 bw_mbit;	/* widest residual bandwidth of the path */
	/* ANSWER */
	struct in6_addr	 server;	/* member U */
	uint8_t		 load_pct;
	/* RESERVE, RESERVE_ACK, RESERVE_NAK, RELEASE */
	uint32_t	 kbit;
	uint32_t	 lifetime_ms;
};

struct ebb_key {
	uint16_t	 id;
	uint8_t		 key[EBB_KEY_LEN];
};

/*
 * The exact length of a message of type t with npath router ids, or 0
 * for an unknown type or npath over EBB_MAX_PATH.
 */
size_t	 ebb_msg_len(enum ebb_type t, unsigned int npath);

/*
 * Encode m, tag it with key under the IPv6 source address src; returns
 * the length written or -1 (buffer too small, path too long).
 * The key id written is key->id (m->key_id is ignored); fields of other
 * types are not sent.  Also -1 for what ebb_decode() would refuse:
 * unknown type, hops over EBB_MAX_PATH, a field out of range.
 */
int	 ebb_encode(const struct ebb_msg *m, const struct ebb_key *key,
	    const struct in6_addr *src, uint8_t *buf, size_t buflen);

/*
 * Check and decode one message from src: length, version, type, key
 * (one of nkeys), tag in constant time, then the fields.  EBB_OK and
 * *m filled, or the reason.  *m is zeroed first: fields of other
 * types, and all of *m on a refusal, are 0.
 */
enum ebb_err ebb_decode(const uint8_t *buf, size_t len,
	    const struct in6_addr *src, const struct ebb_key *keys,
	    size_t nkeys, struct ebb_msg *m);

#endif /* COMMON_EBB_PROTO_H */
