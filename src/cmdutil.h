/*
 * cmdutil.h - what the cmd_*.c files share: the usage-error hint, the
 * --partition/--root options, JSON string arrays, and the "is the guest
 * alive?" refusal.  Nothing here parses files or touches a guest.
 */
#ifndef IMPRINT_CMDUTIL_H
#define IMPRINT_CMDUTIL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "guest.h"
#include "util.h"

/* Print "Try 'imprint CMD --help' ..." and return 2 (usage error). */
int	 cmd_usage_error(const char *cmd);

/* An option that may be given once: *slot gets optarg (getopt's), or -1
 * after "OPT given twice". */
int	 cmd_set_once(const char **slot, const char *opt);

/*
 * Take --partition (opt 'p') or --root (opt 'r') with its argument into
 * *spec; *have says whether one was given already (only one may be).
 * Returns 0, or -1 after one message.
 */
int	 cmd_root_option(struct root_spec *spec, bool *have, int opt,
	    const char *arg);

/*
 * Check --mac-prefix (NULL: none given) and each --mac-scan directory
 * before any file is read: the prefix is valid, each directory exists.
 * Returns 0, or -1 after one message (a usage error, exit 2).
 */
int	 cmd_check_mac_options(const char *prefix, const struct strlist *scan);

/*
 * Print s on stdout escaped as buf_add_text (util.h) does ("\\", "\xHH"),
 * so that a value or path from a config or a guest cannot drive the
 * terminal or forge an output line.
 */
void	 cmd_put_text(const char *s);

/*
 * A decimal count in [lo, hi] for option opt (-j, --per-launch): 0 and
 * *out, or -1 after one message naming the option.
 */
int	 cmd_parse_count(const char *opt, const char *s, unsigned lo,
	    unsigned hi, unsigned *out);

/* A JSON array of the strings of l (new reference). */
json_object *cmd_json_strlist(const struct strlist *l);

/*
 * Before writing to image: ask alive_check (domain name and uuid may be
 * NULL); for a directory (a guest tree, --root-dir) the domain only.  When the guest looks alive, print why and return -1, unless
 * force, which turns the reasons into warnings.  verb names the refused
 * act ("edit", "restore").  Returns 0 to go on, -1 otherwise.
 */
int	 cmd_refuse_alive(const char *image, const char *name,
	    const char *uuid, bool force, const char *verb);

/*
 * The libvirt reference of --domain NAME and --connect URI (either may
 * be NULL): NULL when there is no NAME (and no URI); -1 after a message
 * when --connect comes without a domain.  *ref_r: caller frees.
 */
int	 cmd_domain_ref(const char *name, const char *uri, char **ref_r);
#endif
