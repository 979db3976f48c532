/*
 * Private to config.c, config_iface.c and config_group.c: the parsing
 * state and typed access to JSON members, each failing with a message
 * that names the key path ("interfaces[0].mtu: must be an integer
 * between 1280 and 65521").
 * Every function returning int returns 0, or -1 with the message set.
 */
#ifndef VROUTER_CONFIG_JSON_H
#define VROUTER_CONFIG_JSON_H

#include <jansson.h>

#include "config.h"

#define CFG_PATH_LEN		128	/* key paths, as "routes[4095].via" */
#define CFG_QUOTE_LEN		80	/* quoted values in messages */

#define MAX_RA_LIFETIME_S	9000

/* The config being filled and where the message goes. */
struct cfgp {
	struct config	*conf;
	char		*err;
	size_t		 errlen;
	bool		 mac_given[CFG_MAX_IFACES];
};

/* cfg_net() flags */
#define NET_NEED_LEN	0x1	/* "/len" is mandatory */
#define NET_NO_HOST	0x2	/* bits beyond the length must be zero */

/* config.c */
int	 cfg_err(struct cfgp *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* s double-quoted, escaped and shortened into buf; returns buf. */
const char *cfg_quote(char *buf, size_t, const char *s);
/* "path.key" ("key" when path is "") into buf[CFG_PATH_LEN]. */
const char *cfg_path(char *buf, const char *path, const char *key);
/* "path[i]" into buf[CFG_PATH_LEN]. */
const char *cfg_index(char *buf, const char *path, size_t i);
int	 cfg_object(struct cfgp *, json_t *, const char *path);
/* Only the NULL-terminated keys may be present in the object. */
int	 cfg_keys(struct cfgp *, json_t *, const char *path,
	    const char *const *keys);
/*
 * Member key of the object when it has the JSON type wanted (-1: any;
 * JSON_TRUE: a boolean), else NULL; *rc is -1 for a wrong type or a
 * required key that is absent.  A borrowed reference.
 */
json_t	*cfg_member(struct cfgp *, json_t *, const char *path,
	    const char *key, int type, bool required, int *rc);
/* Optional members: *out is left alone when the key is absent. */
int	 cfg_bool(struct cfgp *, json_t *, const char *path, const char *key,
	    bool *out);
int	 cfg_uint(struct cfgp *, json_t *, const char *path, const char *key,
	    uint64_t min, uint64_t max, uint64_t *out);
int	 cfg_u32(struct cfgp *, json_t *, const char *path, const char *key,
	    uint32_t min, uint32_t max, uint32_t *out);
/* An integer or a real number. */
int	 cfg_real(struct cfgp *, json_t *, const char *path, const char *key,
	    double min, double max, double *out);
/* *out borrows from the JSON document. */
int	 cfg_str(struct cfgp *, json_t *, const char *path, const char *key,
	    const char **out);
int	 cfg_copy(struct cfgp *, const char *path, const char *s, char *dst,
	    size_t size);
/* 1..max characters of [A-Za-z0-9_.-], neither "." nor "..". */
int	 cfg_name(struct cfgp *, const char *path, const char *s,
	    size_t max);
int	 cfg_net(struct cfgp *, const char *path, const char *s,
	    struct in6_addr *, uint8_t *plen, int flags);
/* Why an address cannot be a unicast address or next hop, or NULL. */
const char *cfg_unicast_problem(const struct in6_addr *);

/* config_iface.c */
int	 cfg_parse_ifaces(struct cfgp *, json_t *);

/* config_iface.c: "emulation" of an interface */
int	 cfg_parse_emulation(struct cfgp *, json_t *, const char *path,
	    struct linkem_conf *em);

/* config_ripng.c */
void	 cfg_ripng_defaults(struct cfg_ripng *);
int	 cfg_parse_ripng(struct cfgp *, json_t *);
int	 cfg_parse_iface_ripng(struct cfgp *, json_t *, const char *path,
	    struct cfg_ripng_iface *);

/* config_ebb.c: after the interfaces and groups */
void	 cfg_ebb_defaults(struct cfg_ebb *);
int	 cfg_parse_ebb(struct cfgp *, json_t *);
/* Groups with "ebb" need the E-BB on. */
int	 cfg_check_ebb(struct cfgp *);

/* config_group.c: after the interfaces, which groups refer to */
/* "keys" of obj (absent: none) into keys[CFG_MAX_KEYS], *nkeys. */
int	 cfg_parse_keys(struct cfgp *, json_t *, const char *path,
	    struct cfg_key *keys, int *nkeys);
int	 cfg_parse_groups(struct cfgp *, json_t *);
void	 cfg_flows_defaults(struct cfg_flows *);
int	 cfg_parse_flows(struct cfgp *, json_t *);

#endif /* VROUTER_CONFIG_JSON_H */
