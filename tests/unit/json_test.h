/*
 * Assertions on JSON documents for the API's unit tests: parse a text,
 * check a key's string, integer or null value, parse an IPv6 address.
 */
#ifndef JSON_TEST_H
#define JSON_TEST_H

#include <arpa/inet.h>

#include <criterion/criterion.h>
#include <jansson.h>

static inline struct in6_addr
jt_addr(const char *s)
{
	struct in6_addr	 a;

	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "%s", s);
	return a;
}

static inline json_t *
jt_parse(const char *s)
{
	json_error_t	 e;
	json_t		*j = json_loads(s, 0, &e);

	cr_assert_not_null(j, "%s: %s", s, e.text);
	return j;
}

static inline void
jt_str(json_t *o, const char *key, const char *want)
{
	json_t	*v = json_object_get(o, key);

	cr_assert(json_is_string(v), "%s is not a string", key);
	cr_assert_str_eq(json_string_value(v), want, "%s", key);
}

static inline void
jt_int(json_t *o, const char *key, json_int_t want)
{
	json_t	*v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	cr_assert_eq(json_integer_value(v), want, "%s: %lld != %lld", key,
	    (long long)json_integer_value(v), (long long)want);
}

static inline void
jt_null(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	cr_assert(v != NULL && json_is_null(v), "%s is not null", key);
}

#endif
