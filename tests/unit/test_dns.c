/*
 * The ".any" responder (dns_any.c) and the zone's text (dns_zone.c):
 * queries built with ldns, answers parsed back with ldns and checked
 * section by section.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include "dns.h"

static struct in6_addr	 a_www, a_mail, a_ns;
static struct dns_entry	 entries[2];
static struct dns_zone	 zone;

static void
setup(void)
{
	inet_pton(AF_INET6, "2001:db8:ac::1", &a_www);
	inet_pton(AF_INET6, "2001:db8:ac::2", &a_mail);
	inet_pton(AF_INET6, "2001:db8:1::1", &a_ns);
	entries[0].name = "www.example.edu";
	entries[0].addr = &a_www;
	entries[1].name = "mail";
	entries[1].addr = &a_mail;
	zone.entries = entries;
	zone.nentries = 2;
	zone.ns_addrs = &a_ns;
	zone.nns = 1;
	zone.serial = dns_zone_serial(entries, 2);
	zone.ttl = 60;
}

TestSuite(dns, .init = setup);

/* A query as wire bytes (malloc'd, *len set); edns: UDP size or 0. */
static uint8_t *
query(const char *name, ldns_rr_type type, ldns_rr_class cls,
    uint16_t edns, size_t *len)
{
	ldns_pkt	*q;
	uint8_t		*wire = NULL;

	q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, cls,
	    LDNS_RD);
	cr_assert_not_null(q);
	ldns_pkt_set_id(q, 0x1234);
	if (edns != 0) {
		ldns_pkt_set_edns_udp_size(q, edns);
		ldns_pkt_set_edns_do(q, true);
	}
	cr_assert_eq(ldns_pkt2wire(&wire, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

/* Answer wire bytes; returns the parsed answer (NULL if none sent). */
static ldns_pkt *
ask_wire(const uint8_t *wire, size_t len, bool tcp, enum dns_outcome *o)
{
	uint8_t		 out[DNS_UDP_MAX];
	size_t		 n;
	ldns_pkt	*a = NULL;

	n = dns_answer(wire, len, tcp, &zone, out, sizeof(out), o);
	if (n == 0)
		return NULL;
	cr_assert_eq(ldns_wire2pkt(&a, out, n), LDNS_STATUS_OK);
	cr_assert_eq(ldns_pkt_id(a), 0x1234);
	cr_assert(ldns_pkt_qr(a));
	cr_assert(ldns_pkt_rd(a));
	cr_assert_eq(ldns_pkt_qdcount(a), 1);
	return a;
}

static ldns_pkt *
ask(const char *name, ldns_rr_type type, uint16_t edns,
    enum dns_outcome *o)
{
	uint8_t		*wire;
	size_t		 len;
	ldns_pkt	*a;

	wire = query(name, type, LDNS_RR_CLASS_IN, edns, &len);
	a = ask_wire(wire, len, false, o);
	free(wire);
	cr_assert_not_null(a, "no answer for %s", name);
	return a;
}

/* The text of the record at i of a section, "" when absent. */
static char *
rr_text(const ldns_rr_list *l, size_t i)
{
	if (i >= ldns_rr_list_rr_count(l))
		return strdup("");
	return ldns_rr2str(ldns_rr_list_rr(l, i));
}

static void
expect_rr(const ldns_rr_list *l, size_t i, const char *want)
{
	char	*got = rr_text(l, i);

	cr_expect_str_eq(got, want);
	free(got);
}

static void
expect_soa(const ldns_pkt *a)
{
	char	 want[256];

	cr_assert_eq(ldns_pkt_nscount(a), 1);
	snprintf(want, sizeof(want), "any.\t60\tIN\tSOA\tns.any. "
	    "hostmaster.any. %u 3600 600 86400 60\n", zone.serial);
	expect_rr(ldns_pkt_authority(a), 0, want);
}

Test(dns, aaaa_of_a_group)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("www.example.edu.any.",
	    LDNS_RR_TYPE_AAAA, 0, &o);

	cr_assert_eq(o, DNS_NOERROR);
	cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	cr_assert(ldns_pkt_aa(a));
	cr_assert_eq(ldns_pkt_ancount(a), 1);
	expect_rr(ldns_pkt_answer(a), 0,
	    "www.example.edu.any.\t60\tIN\tAAAA\t2001:db8:ac::1\n");
	cr_assert_eq(ldns_pkt_nscount(a), 0);
	cr_assert(!ldns_pkt_edns(a), "OPT in an answer to a query without");
	ldns_pkt_free(a);
}

Test(dns, names_are_case_insensitive)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("WwW.ExAmPlE.eDu.AnY.",
	    LDNS_RR_TYPE_AAAA, 0, &o);

	cr_assert_eq(o, DNS_NOERROR);
	/* The owner is the name as asked (0x20 randomisation). */
	expect_rr(ldns_pkt_answer(a), 0,
	    "WwW.ExAmPlE.eDu.AnY.\t60\tIN\tAAAA\t2001:db8:ac::1\n");
	ldns_pkt_free(a);
	a = ask("MAIL.ANY.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NOERROR);
	expect_rr(ldns_pkt_answer(a), 0,
	    "MAIL.ANY.\t60\tIN\tAAAA\t2001:db8:ac::2\n");
	ldns_pkt_free(a);
}

Test(dns, other_type_is_nodata_with_soa)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_MX, LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_SOA };
	enum dns_outcome	 o;
	ldns_pkt		*a;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		a = ask("www.example.edu.any.", types[i], 0, &o);
		cr_assert_eq(o, DNS_NODATA);
		cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
		cr_assert(ldns_pkt_aa(a));
		cr_assert_eq(ldns_pkt_ancount(a), 0);
		expect_soa(a);
		ldns_pkt_free(a);
	}
}

Test(dns, unknown_name_is_nxdomain_with_soa)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("nope.example.edu.any.",
	    LDNS_RR_TYPE_AAAA, 0, &o);

	cr_assert_eq(o, DNS_NXDOMAIN);
	cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NXDOMAIN);
	cr_assert(ldns_pkt_aa(a));
	cr_assert_eq(ldns_pkt_ancount(a), 0);
	expect_soa(a);
	ldns_pkt_free(a);
	/* A name under a group's name does not exist either. */
	a = ask("a.www.example.edu.any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NXDOMAIN);
	ldns_pkt_free(a);
	/* Nor one with a label no group name can hold. */
	a = ask("w\\.w.any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NXDOMAIN);
	ldns_pkt_free(a);
}

Test(dns, empty_non_terminal_is_nodata)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("example.edu.any.",
	    LDNS_RR_TYPE_AAAA, 0, &o);

	cr_assert_eq(o, DNS_NODATA);
	cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOERROR);
	expect_soa(a);
	ldns_pkt_free(a);
	/* "edu" is a suffix of a name but "du" is not a label of one. */
	a = ask("du.any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NXDOMAIN);
	ldns_pkt_free(a);
}

Test(dns, apex_soa_and_ns)
{
	enum dns_outcome	 o;
	ldns_pkt		*a;
	char			 want[256];

	a = ask("any.", LDNS_RR_TYPE_SOA, 0, &o);
	cr_assert_eq(o, DNS_NOERROR);
	cr_assert(ldns_pkt_aa(a));
	cr_assert_eq(ldns_pkt_ancount(a), 1);
	snprintf(want, sizeof(want), "any.\t60\tIN\tSOA\tns.any. "
	    "hostmaster.any. %u 3600 600 86400 60\n", zone.serial);
	expect_rr(ldns_pkt_answer(a), 0, want);
	ldns_pkt_free(a);

	a = ask("ANY.", LDNS_RR_TYPE_NS, 0, &o);
	cr_assert_eq(o, DNS_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(a), 1);
	/* The apex's records carry its name as the zone writes it. */
	expect_rr(ldns_pkt_answer(a), 0, "any.\t60\tIN\tNS\tns.any.\n");
	cr_assert_eq(ldns_pkt_arcount(a), 1);
	expect_rr(ldns_pkt_additional(a), 0,
	    "ns.any.\t60\tIN\tAAAA\t2001:db8:1::1\n");
	ldns_pkt_free(a);

	/* The apex has no AAAA. */
	a = ask("any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NODATA);
	expect_soa(a);
	ldns_pkt_free(a);

	/* ANY at the apex: SOA and NS. */
	a = ask("any.", LDNS_RR_TYPE_ANY, 0, &o);
	cr_assert_eq(o, DNS_NOERROR);
	cr_assert_eq(ldns_pkt_ancount(a), 2);
	ldns_pkt_free(a);
}

Test(dns, the_router_itself)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("ns.any.", LDNS_RR_TYPE_AAAA, 0, &o);

	cr_assert_eq(o, DNS_NOERROR);
	expect_rr(ldns_pkt_answer(a), 0,
	    "ns.any.\t60\tIN\tAAAA\t2001:db8:1::1\n");
	ldns_pkt_free(a);
}

Test(dns, outside_any_is_refused)
{
	static const char *const names[] = { "www.example.edu.", ".",
	    "any.example.", "www.example.edu.anyx.", "xany.", "www.any\\000.",
	    "www.an\\000.", "www.any\\.." };
	enum dns_outcome	 o;
	ldns_pkt		*a;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		a = ask(names[i], LDNS_RR_TYPE_AAAA, 0, &o);
		cr_assert_eq(o, DNS_REFUSED, "%s", names[i]);
		cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_REFUSED);
		cr_assert(!ldns_pkt_aa(a));
		cr_assert_eq(ldns_pkt_ancount(a) + ldns_pkt_nscount(a), 0);
		ldns_pkt_free(a);
	}
}

Test(dns, class_other_than_in_and_transfers_are_refused)
{
	enum dns_outcome	 o;
	uint8_t			*wire;
	size_t			 len;
	ldns_pkt		*a;

	wire = query("www.example.edu.any.", LDNS_RR_TYPE_AAAA,
	    LDNS_RR_CLASS_CH, 0, &len);
	a = ask_wire(wire, len, false, &o);
	free(wire);
	cr_assert_not_null(a);
	cr_assert_eq(o, DNS_REFUSED);
	ldns_pkt_free(a);
	a = ask("any.", LDNS_RR_TYPE_AXFR, 0, &o);
	cr_assert_eq(o, DNS_REFUSED);
	ldns_pkt_free(a);
}

Test(dns, edns_is_answered_with_opt)
{
	enum dns_outcome	 o;
	ldns_pkt		*a = ask("www.example.edu.any.",
	    LDNS_RR_TYPE_AAAA, 4096, &o);

	cr_assert_eq(o, DNS_NOERROR);
	cr_assert(ldns_pkt_edns(a));
	cr_assert_eq(ldns_pkt_edns_udp_size(a), DNS_EDNS_ADVERTISED);
	cr_assert_eq(ldns_pkt_edns_version(a), 0);
	cr_assert(ldns_pkt_edns_do(a), "DO bit copied");
	cr_assert_eq(ldns_pkt_ancount(a), 1);
	ldns_pkt_free(a);
	/* Negative answers carry it too. */
	a = ask("nope.any.", LDNS_RR_TYPE_AAAA, 1232, &o);
	cr_assert_eq(o, DNS_NXDOMAIN);
	cr_assert(ldns_pkt_edns(a));
	ldns_pkt_free(a);
}

Test(dns, edns_version_1_is_badvers)
{
	enum dns_outcome	 o;
	ldns_pkt		*q, *a;
	uint8_t			*wire = NULL;
	size_t			 len;

	q = ldns_pkt_query_new(ldns_dname_new_frm_str("www.example.edu.any."),
	    LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_id(q, 0x1234);
	ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_version(q, 1);
	cr_assert_eq(ldns_pkt2wire(&wire, q, &len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	a = ask_wire(wire, len, false, &o);
	free(wire);
	cr_assert_not_null(a);
	cr_assert_eq(o, DNS_BADVERS);
	cr_assert_eq(ldns_pkt_edns_extended_rcode(a), 1);	/* 16 >> 4 */
	cr_assert_eq(ldns_pkt_get_rcode(a), 0);
	cr_assert_eq(ldns_pkt_ancount(a), 0);
	ldns_pkt_free(a);
}

Test(dns, other_opcode_is_notimp)
{
	enum dns_outcome	 o;
	uint8_t			*wire;
	size_t			 len;
	ldns_pkt		*a;

	wire = query("www.example.edu.any.", LDNS_RR_TYPE_AAAA,
	    LDNS_RR_CLASS_IN, 0, &len);
	wire[2] = (uint8_t)((wire[2] & ~0x78) | (LDNS_PACKET_STATUS << 3));
	a = ask_wire(wire, len, false, &o);
	free(wire);
	cr_assert_not_null(a);
	cr_assert_eq(o, DNS_NOTIMP);
	cr_assert_eq(ldns_pkt_get_rcode(a), LDNS_RCODE_NOTIMPL);
	cr_assert_eq(ldns_pkt_ancount(a), 0);
	ldns_pkt_free(a);
}

Test(dns, a_group_added_or_removed_answers_at_once)
{
	enum dns_outcome	 o;
	ldns_pkt		*a;

	zone.nentries = 1;		/* "mail" gone */
	a = ask("mail.any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NXDOMAIN);
	ldns_pkt_free(a);
	zone.nentries = 2;
	a = ask("mail.any.", LDNS_RR_TYPE_AAAA, 0, &o);
	cr_assert_eq(o, DNS_NOERROR);
	ldns_pkt_free(a);
	cr_assert_neq(dns_zone_serial(entries, 1), dns_zone_serial(entries, 2));
}

/* Each is dropped and counted, never answered. */
static void
expect_dropped(const uint8_t *wire, size_t len, enum dns_outcome want)
{
	enum dns_outcome	 o = DNS_NOERROR;
	uint8_t			 out[DNS_UDP_MAX];
	struct dns_stats	 st;

	memset(&st, 0, sizeof(st));
	cr_assert_eq(dns_answer(wire, len, false, &zone, out, sizeof(out),
	    &o), 0);
	cr_assert_eq(o, want, "outcome %d, want %d", o, want);
	dns_count(&st, o, out, 0);
	cr_assert_eq(st.queries, 1);
	cr_assert_eq(st.answers, 0);
	cr_assert_eq(want == DNS_MALFORMED ? st.malformed : st.oversize, 1);
}

Test(dns, malformed_queries_are_dropped)
{
	uint8_t		*wire, buf[DNS_UDP_MAX + 16];
	size_t		 len, i;

	wire = query("www.example.edu.any.", LDNS_RR_TYPE_AAAA,
	    LDNS_RR_CLASS_IN, 0, &len);
	memcpy(buf, wire, len);
	free(wire);

	/* every truncation */
	for (i = 0; i < len; i++)
		expect_dropped(buf, i, DNS_MALFORMED);
	/* the response bit */
	buf[2] |= 0x80;
	expect_dropped(buf, len, DNS_MALFORMED);
	buf[2] &= 0x7f;
	/* qdcount 0 and 2 */
	buf[5] = 0;
	expect_dropped(buf, len, DNS_MALFORMED);
	buf[5] = 2;
	expect_dropped(buf, len, DNS_MALFORMED);
	buf[5] = 1;
	/* a compression pointer to itself, then a loop of two */
	{
		uint8_t	loop[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
		    0, 0, 0xc0, 12, 0, 28, 0, 1 };
		uint8_t	loop2[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
		    0, 0, 1, 'a', 0xc0, 12, 0, 28, 0, 1 };

		expect_dropped(loop, sizeof(loop), DNS_MALFORMED);
		expect_dropped(loop2, sizeof(loop2), DNS_MALFORMED);
	}
	/* a label running past the end */
	{
		uint8_t	past[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
		    0, 0, 63, 'a', 0, 28, 0, 1 };

		expect_dropped(past, sizeof(past), DNS_MALFORMED);
	}
	/* too long: over 512 without EDNS, over 4096 at all */
	memset(buf + len, 0, sizeof(buf) - len);
	expect_dropped(buf, 600, DNS_OVERSIZE);
	expect_dropped(buf, DNS_UDP_MAX + 1, DNS_OVERSIZE);
}

Test(dns, answers_fit_the_udp_size)
{
	struct in6_addr		 many[DNS_MAX_NS];
	enum dns_outcome	 o;
	uint8_t			*wire, out[DNS_UDP_MAX];
	size_t			 len, n;

	for (size_t i = 0; i < DNS_MAX_NS; i++)
		many[i] = a_ns;
	zone.ns_addrs = many;
	zone.nns = DNS_MAX_NS;
	wire = query("any.", LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, 0, &len);
	/* room for the header and question only: TC, no records */
	n = dns_answer(wire, len, false, &zone, out, len + 10, &o);
	free(wire);
	cr_assert_gt(n, 0);
	cr_assert_leq(n, len + 10);
	cr_assert(out[2] & 0x02, "TC set");
	cr_assert_eq(out[7] | out[9] | out[11], 0, "no records");
}

Test(dns, zone_text)
{
	char	*t = dns_zone_text(&zone), want[512];

	cr_assert_not_null(t);
	snprintf(want, sizeof(want),
	    "; the any. zone of vrouter, serial %u\n"
	    "$ORIGIN any.\n$TTL 60\n"
	    "any.\t60\tIN\tSOA\tns.any. hostmaster.any. %u 3600 600 86400 60\n"
	    "any.\t60\tIN\tNS\tns.any.\n"
	    "ns.any.\t60\tIN\tAAAA\t2001:db8:1::1\n"
	    "www.example.edu.any.\t60\tIN\tAAAA\t2001:db8:ac::1\n"
	    "mail.any.\t60\tIN\tAAAA\t2001:db8:ac::2\n", zone.serial,
	    zone.serial);
	cr_assert_str_eq(t, want);
	free(t);
}
