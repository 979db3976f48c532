/*
 * The anycast membership protocol: wire codec shared by the router and
 * the member agent.  docs/protocol.md is the specification.
 *
 * A message is an ICMPv6 message of type MP_ICMP6_TYPE, code 0, sent
 * link-local with hop limit 255.  This codec handles the body after the
 * 4-byte ICMPv6 header (type, code, checksum): the checksum belongs to
 * the sender's IPv6 layer.
 *
 * Pure: no I/O, no globals, no logging, no allocation.  The caller owns
 * every buffer and must have called sodium_init() once at start-up, as
 * libsodium requires.
 *
 * A receiver runs, in this order, and stops at the first failure:
 *   1. mp_peek()        framing, version, type: nothing trusted yet
 *   2. mp_check_ip6()   hop limit 255, addresses
 *      (caller)         rate limit, key lookup by key id
 *   3. mp_verify()      constant-time tag check
 *   4. mp_seq_fresh(),
 *      mp_seq_since(),
 *      mp_seq_accept()  replay protection
 *   5. mp_parse_tlvs()  the body, only now
 * Which key ids exist, and which groups each key may speak for, is the
 * caller's business: the codec only carries the id.
 */
#ifndef MEMBER_PROTO_H
#define MEMBER_PROTO_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_ICMP6_TYPE		200	/* RFC 4443 private experimentation */
#define MP_ICMP6_CODE		0
#define MP_HOP_LIMIT		255	/* sent with it, required on receipt */
#define MP_VERSION		1

#define MP_HDR_LEN		48	/* fixed header, before the TLVs */
#define MP_TAG_LEN		32	/* HMAC-SHA256 */
#define MP_KEY_LEN		32
#define MP_MAX_TLV		256	/* bytes of TLV area */
#define MP_MIN_LEN		(MP_HDR_LEN + MP_TAG_LEN)
#define MP_MAX_LEN		(MP_HDR_LEN + MP_MAX_TLV + MP_TAG_LEN)

/* Byte offsets in the body. */
#define MP_OFF_VERSION		0
#define MP_OFF_TYPE		1
#define MP_OFF_KEY_ID		2
#define MP_OFF_FLAGS		4
#define MP_OFF_TLV_LEN		6
#define MP_OFF_GROUP		8
#define MP_OFF_MEMBER		24
#define MP_OFF_SEQ		40
#define MP_OFF_TLV		48

/* Protocol defaults, shared so that both ends agree out of the box. */
#define MP_DEFAULT_INTERVAL	1000	/* ms between REPORTs */
#define MP_DEFAULT_HOLD_TIME	5	/* s without a message before expiry */
#define MP_DEFAULT_SEQ_WINDOW	(30ULL * 1000000000ULL)	/* ns, see mp_seq_fresh */

enum mp_type {
	MP_JOIN = 1,
	MP_ACCEPT = 2,
	MP_REJECT = 3,
	MP_LEAVE = 4,
	MP_LEAVE_ACK = 5,
	MP_ANNOUNCE = 6,
	MP_SESSION = 7,
	MP_REPORT = 8,
	MP_FLOW_QUERY = 9,	/* router: who holds this connection? */
	MP_FLOW_CLAIM = 10,	/* member: I do */
	MP_TYPE_MAX = MP_FLOW_CLAIM	/* highest type accepted */
};

/*
 * Why a message is refused.  Carried in the REASON TLV of a REJECT, and
 * returned by mp_peek()/mp_parse_tlvs(); 0 means no error.
 */
enum mp_reason {
	MP_REASON_NONE = 0,
	MP_REASON_BAD_TAG = 1,
	MP_REASON_UNKNOWN_KEY = 2,
	MP_REASON_UNKNOWN_GROUP = 3,
	MP_REASON_REPLAY = 4,
	MP_REASON_GROUP_FULL = 5,
	MP_REASON_NOT_ON_LINK = 6,
	MP_REASON_MALFORMED = 7,
	MP_REASON_RATE_LIMITED = 8,
	MP_REASON_NOT_MEMBER = 9,	/* SESSION/REPORT from an unknown member */
	MP_REASON_MAX = MP_REASON_NOT_MEMBER
};
/* Counters kept per reason: room for every enum mp_reason value. */
#define MP_REASON_SLOTS		16

/* Header flags.  Undefined bits are sent as 0 and ignored on receipt. */
#define MP_FLAG_WITHDRAW	0x0001	/* ANNOUNCE: the member has left */

/* TLV types and their value lengths. */
#define MP_TLV_REASON		1	/* 1 byte, enum mp_reason */
#define MP_TLV_SESSION_OP	2	/* 1 byte, MP_SESSION_START/END */
#define MP_TLV_SESSIONS		3	/* 4 bytes, current session count */
#define MP_TLV_LOAD		4	/* 1 byte, percent 0..100 */
#define MP_TLV_CAPACITY		5	/* 4 bytes, sessions */
#define MP_TLV_HEALTH		6	/* 1 byte, 0 down, 1 up */
#define MP_TLV_WEIGHT		7	/* 2 bytes, 0 = take no new sessions */
#define MP_TLV_HOLD_TIME	8	/* 2 bytes, seconds, >= 1 */
#define MP_TLV_BANDWIDTH	9	/* 4 bytes, residual Mbit/s */
#define MP_TLV_INTERVAL		10	/* 2 bytes, ms between REPORTs, >= 1 */
#define MP_TLV_FLOW		11	/* 21 bytes, struct mp_flow */
#define MP_TLV_MAX		MP_TLV_FLOW

#define MP_FLOW_LEN		21	/* client 16, ports 2 + 2, protocol 1 */

#define MP_SESSION_START	1
#define MP_SESSION_END		2
#define MP_HEALTH_DOWN		0
#define MP_HEALTH_UP		1

/* Bits of mp_msg.present, one per decoded TLV. */
#define MP_HAS(tlv)		(1u << (tlv))
#define MP_HAS_REASON		MP_HAS(MP_TLV_REASON)
#define MP_HAS_SESSION_OP	MP_HAS(MP_TLV_SESSION_OP)
#define MP_HAS_SESSIONS		MP_HAS(MP_TLV_SESSIONS)
#define MP_HAS_LOAD		MP_HAS(MP_TLV_LOAD)
#define MP_HAS_CAPACITY		MP_HAS(MP_TLV_CAPACITY)
#define MP_HAS_HEALTH		MP_HAS(MP_TLV_HEALTH)
#define MP_HAS_WEIGHT		MP_HAS(MP_TLV_WEIGHT)
#define MP_HAS_HOLD_TIME	MP_HAS(MP_TLV_HOLD_TIME)
#define MP_HAS_BANDWIDTH	MP_HAS(MP_TLV_BANDWIDTH)
#define MP_HAS_INTERVAL		MP_HAS(MP_TLV_INTERVAL)
#define MP_HAS_FLOW		MP_HAS(MP_TLV_FLOW)

/*
 * A connection to the group's address as the client sent it: source
 * client:cport, destination group:gport, transport protocol.
 */
struct mp_flow {
	struct in6_addr	 client;	/* unicast */
	uint16_t	 cport;
	uint16_t	 gport;
	uint8_t		 proto;		/* IPPROTO_TCP, ... */
};

/* A message, decoded or to be encoded.  Integers in host order. */
struct mp_msg {
	uint8_t		 version;
	uint8_t		 type;		/* enum mp_type */
	uint16_t	 key_id;
	uint16_t	 flags;
	struct in6_addr	 group;		/* the anycast address */
	struct in6_addr	 member;	/* the member's unicast address */
	uint64_t	 seq;

	/* TLVs: a field is meaningful only when its MP_HAS_ bit is set. */
	uint32_t	 present;
	uint8_t		 reason;
	uint8_t		 session_op;
	uint8_t		 load;
	uint8_t		 health;
	uint32_t	 sessions;
	uint32_t	 capacity;
	uint32_t	 bandwidth;
	uint16_t	 weight;
	uint16_t	 hold_time;
	uint16_t	 interval;
	struct mp_flow	 flow;
};

/* member_proto.c */

/* Lower-case names for logs and counters; "unknown" when out of range. */
const char *mp_type_name(int);
const char *mp_reason_name(int);	/* 0 is "ok" */

/*
 * The MP_HAS_ bits of the TLVs defined for a message type (0 for an
 * unknown type).  Senders send no others; receivers skip any others.
 */
uint32_t mp_tlvs_allowed(int type);

/*
 * Encode m as a message body into buf: the header (version MP_VERSION,
 * whatever m->version says), a TLV for each present field in ascending
 * type order, then the tag over src || body under key.  src is the IPv6
 * source address the message will be sent from.
 * Returns the body length (MP_MIN_LEN .. MP_MAX_LEN), or -1 when cap is
 * too small or m is not a message mp_parse_tlvs() would accept (unknown
 * type, a TLV not defined for the type, a value out of range, a required
 * TLV missing); buf is then unspecified.
 */
ssize_t	 mp_encode(uint8_t *buf, size_t cap, const struct in6_addr *src,
	    const struct mp_msg *m, const uint8_t key[MP_KEY_LEN]);

/*
 * Step 1 of a receiver: check the framing of len bytes at buf (length
 * between MP_MIN_LEN and MP_MAX_LEN and equal to what the TLV length
 * field says, version, a type version 1 accepts, group and member not
 * unspecified, loopback or multicast), then fill the fixed-header fields
 * of m and clear its TLV fields.  Nothing in m is authenticated yet:
 * use it to select the key, nothing else.
 * Returns 0 or MP_REASON_MALFORMED.
 */
int	 mp_peek(const uint8_t *buf, size_t len, struct mp_msg *m);

/*
 * Step 2: the IPv6 header of a message of the given type (from
 * mp_peek()): hop limit MP_HOP_LIMIT, so that it cannot have crossed a
 * router; a unicast source; destination ff02::1 for ANNOUNCE, a unicast
 * address for every other type.  Returns 0 or MP_REASON_MALFORMED.
 */
int	 mp_check_ip6(uint8_t hlim, const struct in6_addr *src,
	    const struct in6_addr *dst, int type);

/*
 * Step 3: check the tag at the end of the len bytes at buf against
 * HMAC-SHA256(key, src || the bytes before the tag), in constant time.
 * Reads nothing outside buf[0..len-1]; a length mp_peek() would refuse
 * fails.  Returns 0 when authentic, -1 otherwise.
 */
int	 mp_verify(const uint8_t *buf, size_t len, const struct in6_addr *src,
	    const uint8_t key[MP_KEY_LEN]);

/*
 * Step 4a: sequence numbers are CLOCK_REALTIME nanoseconds at the
 * sender.  True when seq lies within window of now (same clock), so
 * that a message captured long ago cannot be replayed to a receiver
 * that has forgotten the sender (after a LEAVE, or a restart).
 */
bool	 mp_seq_fresh(uint64_t seq, uint64_t now, uint64_t window);

/*
 * Step 4b: true when seq was made at or after since, the receiver's own
 * CLOCK_REALTIME nanoseconds when it started.  A receiver keeps the last
 * sequence number of each sender in memory only: this is what stops a
 * message captured before it restarted from being replayed after,
 * within the freshness window (docs/protocol.md section 7).
 */
bool	 mp_seq_since(uint64_t seq, uint64_t since);

/*
 * Step 4c: accept only seq > *last (strictly increasing per sender);
 * when accepted, *last becomes seq.  *last is the caller's per-sender
 * state, 0 for a sender never heard from.
 */
bool	 mp_seq_accept(uint64_t *last, uint64_t seq);

/*
 * Step 5, only on an authentic message: parse the TLVs into m.  Runs
 * the checks of mp_peek() again and fills all of m, so it is safe on
 * any bytes.  Known TLVs defined for the message type are decoded and
 * flagged in m->present; other TLVs are skipped.  A decoded TLV with
 * the wrong length, a duplicate, a value out of range, a TLV overrunning
 * the area, or a required TLV missing (REASON in REJECT; SESSION_OP or
 * SESSIONS in SESSION) makes the message malformed.
 * Returns 0 or MP_REASON_MALFORMED.
 */
int	 mp_parse_tlvs(const uint8_t *buf, size_t len, struct mp_msg *m);

/*
 * A key from exactly 64 hexadecimal digits (either case, nothing else).
 * Returns 0, or -1 with key untouched.
 */
int	 mp_key_from_hex(const char *hex, uint8_t key[MP_KEY_LEN]);

#endif /* MEMBER_PROTO_H */
