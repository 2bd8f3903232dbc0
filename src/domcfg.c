/*
 * domcfg.c - one interface to a domain config of either format (see
 * domcfg.h): a dispatch to hostcfg.c or domxml.c, plus the few things
 * the formats do differently (XML item summaries, a new XML NIC's type).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"
#include "domxml.h"
#include "hostcfg.h"
#include "util.h"
#include "valid.h"

#if DOMCFG_MAX_SIZE != HOSTCFG_MAX_SIZE || DOMCFG_MAX_SIZE != DOMXML_MAX_SIZE
#error "domcfg reads what both engines accept, no more"
#endif

struct domcfg {
	enum domcfg_kind kind;
	struct hostcfg	*x;
	struct domxml	*d;
	struct strlist	 nic_sum, disk_sum;	/* XML only, see domcfg.h */
};

#define XEN(c)	((c)->kind == DOMCFG_XEN)

/* Append "KEY=VALUE" (or KEY alone when VALUE is "") to B, comma first. */
static void
sum_add(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	if (b->len)
		buf_adds(b, ",");
	buf_adds(b, key);
	if (*value != '\0') {
		buf_adds(b, "=");
		buf_adds(b, value);
	}
}

/* The XML summaries, rebuilt after the parse and after every edit. */
static void
summarize(struct domcfg *c)
{
	static const char *const dkeys[] = { "type", "format", "dev" };
	struct strlist keys = STRLIST_INIT;
	struct buf b = BUF_INIT;
	char *v;
	size_t i, k, n;

	strlist_release(&c->nic_sum);
	strlist_release(&c->disk_sum);
	if (XEN(c))
		return;
	n = domxml_nic_count(c->d);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		domxml_nic_keys(c->d, i, &keys);
		for (k = 0; k < keys.n; k++) {
			v = domxml_nic_get(c->d, i, keys.v[k]);
			sum_add(&b, keys.v[k], v);
			free(v);
		}
		strlist_release(&keys);
		strlist_add(&c->nic_sum, b.len ? b.data : "");
	}
	n = domxml_disk_count(c->d);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		for (k = 0; k < ARRAY_SIZE(dkeys); k++) {
			v = domxml_disk_get(c->d, i, dkeys[k]);
			sum_add(&b, dkeys[k], v);
			free(v);
		}
		if (domcfg_disk_readonly(c, i))
			sum_add(&b, "readonly", "");
		if (domcfg_disk_shared(c, i))
			sum_add(&b, "shareable", "");
		v = domxml_disk_target(c->d, i);
		sum_add(&b, "target", v);
		free(v);
		strlist_add(&c->disk_sum, b.len ? b.data : "");
	}
	buf_release(&b);
}

int
domcfg_parse(const char *path, const char *buf, size_t len,
    struct domcfg **cfg_r)
{
	struct domcfg *c = xcalloc(1, sizeof(*c));
	int rc;

	if (domxml_is_xml(buf, len)) {
		c->kind = DOMCFG_XML;
		rc = domxml_parse(path, buf, len, &c->d);
	} else {
		c->kind = DOMCFG_XEN;
		rc = hostcfg_parse(path, buf, len, &c->x);
	}
	if (rc == -1) {
		free(c);
		return -1;
	}
	summarize(c);
	*cfg_r = c;
	return 0;
}

int
domcfg_load(const char *path, struct domcfg **cfg_r)
{
	char *buf;
	size_t len;
	int rc;

	if (read_host_file(path, DOMCFG_MAX_SIZE, &buf, &len) == -1)
		return -1;
	rc = domcfg_parse(path, buf, len, cfg_r);
	free(buf);
	return rc;
}

void
domcfg_free(struct domcfg *c)
{
	if (c == NULL)
		return;
	hostcfg_free(c->x);
	domxml_free(c->d);
	strlist_release(&c->nic_sum);
	strlist_release(&c->disk_sum);
	free(c);
}

enum domcfg_kind
domcfg_kind(const struct domcfg *c)
{
	return c->kind;
}

const char *
domcfg_kind_name(const struct domcfg *c)
{
	return XEN(c) ? "xen" : "libvirt";
}

const char *
domcfg_path(const struct domcfg *c)
{
	return XEN(c) ? hostcfg_path(c->x) : domxml_path(c->d);
}

const char *
domcfg_text(const struct domcfg *c, size_t *len_r)
{
	return XEN(c) ? hostcfg_text(c->x, len_r) : domxml_text(c->d, len_r);
}

const char *
domcfg_original(const struct domcfg *c, size_t *len_r)
{
	return XEN(c) ? hostcfg_original(c->x, len_r) :
	    domxml_original(c->d, len_r);
}

bool
domcfg_changed(const struct domcfg *c)
{
	return XEN(c) ? hostcfg_changed(c->x) : domxml_changed(c->d);
}

const char *
domcfg_get_string(const struct domcfg *c, const char *key)
{
	return XEN(c) ? hostcfg_get_string(c->x, key) :
	    domxml_get_string(c->d, key);
}

int
domcfg_key_line(const struct domcfg *c, const char *key)
{
	return XEN(c) ? hostcfg_key_line(c->x, key) :
	    domxml_key_line(c->d, key);
}

size_t
domcfg_nic_count(const struct domcfg *c)
{
	return XEN(c) ? hostcfg_nic_count(c->x) : domxml_nic_count(c->d);
}

const char *
domcfg_nic_spec(const struct domcfg *c, size_t i)
{
	if (XEN(c))
		return hostcfg_nic_spec(c->x, i);
	return i < c->nic_sum.n ? c->nic_sum.v[i] : NULL;
}

int
domcfg_nic_line(const struct domcfg *c, size_t i)
{
	return XEN(c) ? hostcfg_nic_line(c->x, i) : domxml_nic_line(c->d, i);
}

char *
domcfg_nic_get(const struct domcfg *c, size_t i, const char *key)
{
	return XEN(c) ? hostcfg_nic_get(c->x, i, key) :
	    domxml_nic_get(c->d, i, key);
}

size_t
domcfg_nic_keys(const struct domcfg *c, size_t i, struct strlist *keys)
{
	return XEN(c) ? hostcfg_nic_keys(c->x, i, keys) :
	    domxml_nic_keys(c->d, i, keys);
}

size_t
domcfg_disk_count(const struct domcfg *c)
{
	return XEN(c) ? hostcfg_disk_count(c->x) : domxml_disk_count(c->d);
}

const char *
domcfg_disk_spec(const struct domcfg *c, size_t i)
{
	if (XEN(c))
		return hostcfg_disk_spec(c->x, i);
	return i < c->disk_sum.n ? c->disk_sum.v[i] : NULL;
}

int
domcfg_disk_line(const struct domcfg *c, size_t i)
{
	return XEN(c) ? hostcfg_disk_line(c->x, i) :
	    domxml_disk_line(c->d, i);
}

char *
domcfg_disk_target(const struct domcfg *c, size_t i)
{
	return XEN(c) ? hostcfg_disk_target(c->x, i) :
	    domxml_disk_target(c->d, i);
}

bool
domcfg_disk_is_cdrom(const struct domcfg *c, size_t i)
{
	return XEN(c) ? hostcfg_disk_is_cdrom(c->x, i) : false;
}

static bool
xml_disk_flag(const struct domcfg *c, size_t i, const char *key)
{
	char *v;
	bool yes;

	if (XEN(c))
		return false;
	v = domxml_disk_get(c->d, i, key);
	yes = v != NULL && strcmp(v, "yes") == 0;
	free(v);
	return yes;
}

bool
domcfg_disk_readonly(const struct domcfg *c, size_t i)
{
	return xml_disk_flag(c, i, "readonly");
}

bool
domcfg_disk_shared(const struct domcfg *c, size_t i)
{
	return xml_disk_flag(c, i, "shareable");
}

int
domcfg_set(struct domcfg *c, const char *key, const char *value)
{
	int rc;

	char u[37];

	if (XEN(c))
		return hostcfg_set(c->x, key, value);
	/* libvirt writes the lower-case dashed form, whatever the current */
	if (strcmp(key, "uuid") == 0 && uuid_form(value) != -1) {
		uuid_to_form(value, 0, u);
		value = u;
	}
	if ((rc = domxml_set(c->d, key, value)) == 0)
		summarize(c);
	return rc;
}

/* Does the KEY=VALUE,... SPEC have a field KEY? */
static bool
spec_has(const char *spec, const char *key)
{
	size_t n = strlen(key);
	const char *f;

	for (f = spec; f != NULL; f = strchr(f, ',')) {
		if (*f == ',')
			f++;
		if (strncmp(f, key, n) == 0 && f[n] == '=')
			return true;
	}
	return false;
}

/*
 * A new <interface> is of the same kind as the domain's last one: a clone
 * whose NICs sit on libvirt networks gets one more on the same network,
 * with the same model.  A bridge the recipe names is the source of the
 * new NIC, a network's name when that kind is type='network'.
 */
static char *
xml_nic_spec(const struct domcfg *c, const char *spec)
{
	size_t n = domxml_nic_count(c->d);
	char *type = NULL, *src = NULL, *model = NULL, *out = NULL;
	const char *br;
	struct buf b = BUF_INIT;

	if (n > 0) {
		type = domxml_nic_get(c->d, n - 1, "type");
		src = domxml_nic_get(c->d, n - 1, "bridge");
		model = domxml_nic_get(c->d, n - 1, "model");
	}
	br = spec_has(spec, "bridge") ? strstr(spec, "bridge=") + 7 : NULL;
	buf_adds(&b, spec);
	if (spec_has(spec, "network")) {
		/* the NIC's own source: nothing to copy but the model */
	} else if (type != NULL && strcmp(type, "network") == 0 &&
	    br != NULL) {
		/* the recipe's bridge names a network: say so */
		buf_reset(&b);
		buf_add(&b, spec, (size_t)(br - 7 - spec));
		buf_addf(&b, "network=%s", br);
	} else if (br == NULL) {
		if (src == NULL || type == NULL || (strcmp(type, "bridge") != 0
		    && strcmp(type, "network") != 0)) {
			warnx("%s: no bridge or network to put a new NIC on: "
			    "name one (recipe: bridge = NAME; vmcfg: add-nic "
			    "bridge=NAME)",
			    domxml_path(c->d));
			goto out;
		}
		buf_addf(&b, ",%s=%s", type, src);
	}
	if (model != NULL && !spec_has(spec, "model"))
		buf_addf(&b, ",model=%s", model);
	out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	free(type);
	free(src);
	free(model);
	return out;
}

int
domcfg_add_nic(struct domcfg *c, const char *spec)
{
	char *s;
	int rc;

	if (XEN(c))
		return hostcfg_add_nic(c->x, spec);
	if ((s = xml_nic_spec(c, spec)) == NULL)
		return -1;
	if ((rc = domxml_add_nic(c->d, s)) == 0)
		summarize(c);
	free(s);
	return rc;
}

int
domcfg_remove_nic(struct domcfg *c, size_t i)
{
	int rc;

	if (XEN(c))
		return hostcfg_remove_nic(c->x, i);
	if ((rc = domxml_remove_nic(c->d, i)) == 0)
		summarize(c);
	return rc;
}
