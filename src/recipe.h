/*
 * recipe.h - the recipe language: parse a recipe file, substitute
 * ${variables}, validate every value, and hand back a struct recipe.
 *
 * The grammar, the variable and comment rules and every limit are
 * documented in man/imprint.recipe.5; this header states the C contract.
 * The module is pure: it reads at most the recipe file itself
 * (recipe_load), never a guest, a domain config or a "file:" password
 * hash, and generates nothing (a "mac = auto" stays RECIPE_MAC_AUTO; the
 * caller makes the MAC).  A value left out of the recipe means "keep
 * what the guest and the config already have".
 */
#ifndef IMPRINT_RECIPE_H
#define IMPRINT_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define RECIPE_MAX_SIZE		65536	/* bytes in a recipe file */
#define RECIPE_MAX_LINE		4096	/* bytes in a line, without EOL */
#define RECIPE_MAX_NICS		64	/* [nic] sections */
#define RECIPE_MAX_ERRORS	20	/* messages before giving up */
#define RECIPE_MAX_VARNAME	63	/* bytes in a variable name */
#define RECIPE_MAX_IFNAME	15	/* bytes in a NIC or bridge name */

/* --- variables ------------------------------------------------------ */

/*
 * An ordered list of variables (-D KEY=VALUE, later inventory columns).
 * Names match [A-Za-z_][A-Za-z0-9_-]*, at most RECIPE_MAX_VARNAME bytes.
 * Initialise with RECIPE_VARS_INIT, release with recipe_vars_release.
 * The list owns copies of every key and value.
 */
struct recipe_vars {
	char	**keys;
	char	**values;
	size_t	  n;
	size_t	  cap;
};
#define RECIPE_VARS_INIT { NULL, NULL, 0, 0 }

/* Is name a valid variable name? */
int	 recipe_var_name_valid(const char *name);
/*
 * Set key to value (both copied), replacing an earlier value of key.
 * Returns 0, or -1 with a message when key is not a valid name.
 */
int	 recipe_vars_set(struct recipe_vars *, const char *key,
	    const char *value);
/*
 * Parse one "-D KEY=VALUE" argument and add it.  VALUE may be empty and
 * may hold any byte but NUL; it is checked only where the recipe uses
 * it.  Returns 0, or -1 after one message: no '=', a bad name, or a name
 * already defined.
 */
int	 recipe_vars_parse_define(struct recipe_vars *, const char *def);
/* The value of key (owned by the list), or NULL when undefined. */
const char *recipe_vars_get(const struct recipe_vars *, const char *key);
void	 recipe_vars_release(struct recipe_vars *);

/* --- the parsed recipe ---------------------------------------------- */

enum recipe_root_kind {
	RECIPE_ROOT_AUTO,	/* inspect the image (also when left out) */
	RECIPE_ROOT_PARTITION,	/* partition:N, root_partition = N */
	RECIPE_ROOT_DEVICE	/* a /dev path, root_device */
};

enum recipe_password_kind {
	RECIPE_PASSWORD_KEEP,	/* left out */
	RECIPE_PASSWORD_RANDOM,	/* generate, print once */
	RECIPE_PASSWORD_HASH,	/* password = the crypt hash */
	RECIPE_PASSWORD_FILE	/* password = absolute path of a hash file */
};

/* Bits of recipe_guest.forget. */
#define RECIPE_FORGET_UDEV_NET		0x01u
#define RECIPE_FORGET_MACHINE_ID	0x02u
#define RECIPE_FORGET_SSH_HOSTKEYS	0x04u
#define RECIPE_FORGET_DHCP_LEASES	0x08u
#define RECIPE_FORGET_FS_UUIDS		0x10u	/* opt-in: new filesystem UUIDs */

struct recipe_guest {
	enum recipe_root_kind	 root_kind;
	int			 root_partition;	/* 1..128 */
	char			*root_device;		/* or NULL */
	size_t			 root_line;		/* 0: left out */
	char			*hostname;		/* NULL: keep */
	size_t			 hostname_line;
	enum recipe_password_kind password_kind;
	char			*password;		/* hash or path */
	size_t			 password_line;
	unsigned int		 forget;		/* RECIPE_FORGET_* */
	size_t			 forget_line;
	bool			 ssh_hostkeys_new;	/* ssh-hostkeys = new */
	size_t			 ssh_hostkeys_line;
	size_t			 line;			/* [guest], or 0 */
};

enum recipe_mac_kind {
	RECIPE_MAC_KEEP,	/* left out */
	RECIPE_MAC_AUTO,	/* generate (or keep a consistent pair) */
	RECIPE_MAC_FIXED,	/* mac holds the value */
	RECIPE_MAC_FROM_CONFIG,	/* the guest takes the config's vif MAC */
	RECIPE_MAC_FROM_GUEST	/* the config takes the guest's MAC */
};

enum recipe_boot_kind {
	RECIPE_BOOT_KEEP,	/* no boot: as the guest has it, or, for a
				   NIC it does not configure, as its other
				   NICs are (ifcfg, ifupdown) */
	RECIPE_BOOT_STATIC,	/* address set, gateway maybe */
	RECIPE_BOOT_DHCP,	/* address and gateway NULL */
	RECIPE_BOOT_EXISTING	/* boot = keep: only a configuration the
				   guest has; none is written */
};

struct recipe_nic {
	char			*name;		/* "eth0": [a-z][a-z0-9]{0,14} */
	size_t			 line;		/* of the [nic NAME] header */
	enum recipe_mac_kind	 mac_kind;
	char			 mac[18];	/* lower case when FIXED */
	size_t			 mac_line;
	char			*bridge;	/* NULL: keep */
	enum recipe_boot_kind	 boot;
	char			*address;	/* "192.168.56.10" or NULL */
	int			 prefix;	/* 1..32 when address set */
	char			 netmask[16];	/* "255.255.255.0" */
	char			*gateway;	/* NULL: keep (or none) */
};

enum recipe_config_kind {
	RECIPE_CONFIG_AUTO,	/* vm.cfg beside the image (default) */
	RECIPE_CONFIG_PATH,	/* config_path */
	RECIPE_CONFIG_NONE,	/* no domain config: guest only */
	RECIPE_CONFIG_DOMAIN	/* the libvirt domain config_path names */
};

enum recipe_uuid_kind {
	RECIPE_UUID_KEEP,
	RECIPE_UUID_NEW,
	RECIPE_UUID_FIXED	/* uuid holds the value, lower case */
};

enum recipe_disk_kind {
	RECIPE_DISK_FOLLOW,	/* the disks follow the images (default) */
	RECIPE_DISK_KEEP	/* disk = keep, or diskN values given */
};

#define RECIPE_MAX_DISKS	64	/* diskN: N below this */

/* One "diskN = PATH" of [host]: disk N of the config gets path. */
struct recipe_disk {
	size_t			 index;		/* N */
	char			*path;		/* absolute, substituted */
	size_t			 line;
};

struct recipe_host {
	enum recipe_config_kind	 config_kind;
	char			*config_path;	/* or NULL; the domain's name
						   or uuid for DOMAIN */
	size_t			 config_line;	/* 0: left out */
	char			*name;		/* NULL: keep */
	enum recipe_uuid_kind	 uuid_kind;
	char			 uuid[37];
	enum recipe_disk_kind	 disk_kind;	/* KEEP when disks given */
	size_t			 disk_line;	/* "disk =", 0: left out */
	struct recipe_disk	*disks;		/* in recipe order */
	size_t			 ndisks;
	size_t			 line;		/* [host], or 0 */
};

struct recipe {
	char			*path;		/* as given, for messages */
	struct recipe_guest	 guest;
	struct recipe_nic	*nics;		/* in section order = vif order */
	size_t			 nnics;
	struct recipe_host	 host;
	struct strlist		 vars_used;	/* names, first use order */
};

/*
 * Parse len bytes of recipe text; path names it in messages.  vars may be
 * NULL (no variables defined).  On success *r is a new recipe (free with
 * recipe_free) and 0 is returned.  On failure every problem found (up to
 * RECIPE_MAX_ERRORS) is printed, sorted by line, as "PATH:LINE: message"
 * with warnx(3), *r is NULL and -1 is returned.
 */
int	 recipe_parse(const char *path, const char *text, size_t len,
	    const struct recipe_vars *vars, struct recipe **r);
/*
 * Read the file at path (at most RECIPE_MAX_SIZE bytes) and parse it as
 * recipe_parse does.  Returns 0 or -1 as recipe_parse.
 */
int	 recipe_load(const char *path, const struct recipe_vars *vars,
	    struct recipe **r);
/* Free a recipe from recipe_parse or recipe_load; NULL is allowed. */
void	 recipe_free(struct recipe *);

/*
 * Append the canonical form of r to out: the sections [guest], each
 * [nic NAME], [host], one "key = value" line per value that is set, keys
 * in a fixed order, a blank line between sections.  The output is itself
 * a recipe that parses to the same values.  Used by tests and by
 * "imprint apply --dry-run".
 */
void	 recipe_dump(const struct recipe *r, struct buf *out);

/*
 * Add to names (without duplicates, in order of first use) the name of
 * every variable the recipe text refers to, without needing their values,
 * so that a batch can check its inventory columns before anything is
 * written.  Every error that does not depend on a variable's value is
 * reported as recipe_parse does (bad lines, sections and keys, bad or
 * unterminated ${...}, bad values that hold no reference); returns 0, or
 * -1 after them.  On -1, names may hold some of the names.
 */
int	 recipe_var_refs(const char *path, const char *text, size_t len,
	    struct strlist *names);

/*
 * Whether every plan of r that succeeds on a guest with no undo record
 * of an earlier apply writes to it, whatever the guest holds: a random
 * root password, new SSH host keys (guest_expect_write).
 */
bool	 recipe_always_writes(const struct recipe *r);

#endif
