/*
 * The "ripng" block of the configuration and the "ripng" object of an
 * interface: timers, route tag, what is exported, and per interface
 * whether RIPng runs there and the cost added to what it learns.
 */
#include "config_json.h"

#define DEFAULT_UPDATE_S	30	/* RFC 2080 §2.3 */
#define MAX_UPDATE_S		3600
#define MAX_TIMER_S		(6 * MAX_UPDATE_S)
#define RIPNG_MAX_COST		15

void
cfg_ripng_defaults(struct cfg_ripng *c)
{
	c->enabled = false;
	c->update_s = DEFAULT_UPDATE_S;
	c->export_connected = true;
	c->export_static = true;
	c->export_anycast = true;
}

static int
parse_export(struct cfgp *p, json_t *obj, struct cfg_ripng *c)
{
	static const char *const keys[] = { "connected", "static", "anycast",
	    NULL };

	if (cfg_keys(p, obj, "ripng.export", keys) == -1 ||
	    cfg_bool(p, obj, "ripng.export", "connected",
	    &c->export_connected) == -1 ||
	    cfg_bool(p, obj, "ripng.export", "static",
	    &c->export_static) == -1 ||
	    cfg_bool(p, obj, "ripng.export", "anycast",
	    &c->export_anycast) == -1)
		return -1;
	return 0;
}

int
cfg_parse_ripng(struct cfgp *p, json_t *obj)
{
	static const char *const keys[] = { "enabled", "update_interval",
	    "timeout", "garbage", "tag", "export", NULL };
	struct cfg_ripng	*c = &p->conf->ripng;
	uint32_t		 tag = 0;
	json_t			*v;
	int			 rc;

	c->enabled = true;		/* the block's presence asks for it */
	if (cfg_keys(p, obj, "ripng", keys) == -1 ||
	    cfg_bool(p, obj, "ripng", "enabled", &c->enabled) == -1 ||
	    cfg_u32(p, obj, "ripng", "update_interval", 1, MAX_UPDATE_S,
	    &c->update_s) == -1 ||
	    cfg_u32(p, obj, "ripng", "timeout", 2, MAX_TIMER_S,
	    &c->timeout_s) == -1 ||
	    cfg_u32(p, obj, "ripng", "garbage", 1, MAX_TIMER_S,
	    &c->garbage_s) == -1 ||
	    cfg_u32(p, obj, "ripng", "tag", 0, UINT16_MAX, &tag) == -1)
		return -1;
	c->tag = (uint16_t)tag;
	if ((v = cfg_member(p, obj, "ripng", "export", JSON_OBJECT, false,
	    &rc)) != NULL)
		rc = parse_export(p, v, c);
	if (rc == -1)
		return -1;

	/* RFC 2080 §2.3: 180 and 120 s for 30 s updates, kept in scale. */
	if (c->timeout_s == 0)
		c->timeout_s = 6 * c->update_s;
	if (c->garbage_s == 0)
		c->garbage_s = 4 * c->update_s;
	if (c->timeout_s <= c->update_s)
		return cfg_err(p, "ripng.timeout: must be longer than "
		    "update_interval (%u s)", c->update_s);
	return 0;
}

int
cfg_parse_iface_ripng(struct cfgp *p, json_t *obj, const char *path,
    struct cfg_ripng_iface *ri)
{
	static const char *const keys[] = { "enabled", "cost", NULL };
	uint32_t	 cost = 1;

	ri->enabled = true;
	if (cfg_keys(p, obj, path, keys) == -1 ||
	    cfg_bool(p, obj, path, "enabled", &ri->enabled) == -1 ||
	    cfg_u32(p, obj, path, "cost", 1, RIPNG_MAX_COST, &cost) == -1)
		return -1;
	ri->cost = (uint8_t)cost;
	return 0;
}
