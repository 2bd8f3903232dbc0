/*
 * inventory.h - the batch inventory: read a CSV file with one row per
 * clone, check it, and hand back rows (images, domain config, recipe
 * variables) that the batch runner can apply one by one.
 *
 * The format and every limit are documented in man/imprint.1
 * (INVENTORY); this header states the C contract.  The module is pure:
 * it reads the inventory file (inventory_load), looks at the images only
 * with stat(2) to find two names of one file, parses the recipe per row
 * with recipe_parse, and never opens a guest, a domain config or a lock.
 * Selecting and running the rows (-j, --per-launch, locks, the report)
 * is the runner's job.
 */
#ifndef IMPRINT_INVENTORY_H
#define IMPRINT_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "recipe.h"
#include "util.h"

#define INVENTORY_MAX_SIZE	(16 * 1024 * 1024) /* bytes in the file */
#define INVENTORY_MAX_ROWS	100000	/* data rows */
#define INVENTORY_MAX_COLUMNS	1024	/* header names */
#define INVENTORY_MAX_ERRORS	20	/* messages before giving up */

/*
 * One clone.  line is the physical line (1-based, every LF counts, also
 * one inside a quoted field) on which the row starts; messages use it.
 * Paths are resolved: a relative cell is taken relative to the directory
 * of the inventory file, and "." and empty components are dropped.
 *
 * image:  images.v[0], not freed on its own.
 * images: the cells of image, image2, image3, ... in that order (at
 *         least one; empty trailing ones left out).  imprint edits the
 *         guest through the first and adds the others only when the
 *         guest's file systems need them.
 * config: the "config" cell, or NULL when empty or absent: the recipe
 *         decides.
 * vars:   every other column, in header order, values as written.
 * ok:     true after inventory_parse; inventory_check_recipe sets it.
 */
struct inventory_row {
	size_t			 line;
	char			*image;
	struct strlist		 images;
	char			*config;
	struct recipe_vars	 vars;
	bool			 ok;
};

/* The rows are in file order; a row's index is its shard index. */
struct inventory {
	char			*path;		/* as given */
	size_t			 header_line;
	struct strlist		 columns;	/* trimmed, in order */
	size_t			 nrows;
	struct inventory_row	*rows;
};

/*
 * Parse len bytes of inventory text; path names it in messages, and its
 * directory is where relative image and config cells are resolved.  On
 * success *inv is a new inventory (free with inventory_free) with at
 * least one row, every row ok, and 0 is returned.  On failure every
 * problem found (up to INVENTORY_MAX_ERRORS) is printed, sorted by line,
 * as "PATH:LINE: message" (or "PATH: message" for the whole file) with
 * warnx(3), *inv is NULL and -1 is returned.
 */
int	 inventory_parse(const char *path, const char *text, size_t len,
	    struct inventory **inv);
/*
 * Read the file at path (at most INVENTORY_MAX_SIZE bytes) and parse it
 * as inventory_parse does.  Returns 0 or -1 as inventory_parse.
 */
int	 inventory_load(const char *path, struct inventory **inv);

/*
 * The inventory of `imprint clone --inventory`: a row per clone still to
 * be made.  A 'name' column is required and its cells may not be empty;
 * the image columns are optional, and so is a row's image cell (the
 * clone's disks then follow the template's paths): such a row has no
 * images and a NULL image.
 */
#define INVENTORY_CLONES	0x1

/* inventory_parse and inventory_load with FLAGS (INVENTORY_CLONES). */
int	 inventory_parse_flags(const char *path, const char *text, size_t len,
	    unsigned flags, struct inventory **inv);
int	 inventory_load_flags(const char *path, unsigned flags,
	    struct inventory **inv);
/* Free an inventory; NULL is allowed. */
void	 inventory_free(struct inventory *);

/*
 * The variables of one row for recipe_parse: a copy of cmdline (the -D
 * definitions, may be NULL) with the row's columns set over it, so a
 * column wins over a -D of the same name, even when its cell is empty.
 * out must be empty (RECIPE_VARS_INIT); the caller releases it.
 */
void	 inventory_row_vars(const struct inventory_row *,
	    const struct recipe_vars *cmdline, struct recipe_vars *out);

/*
 * Check the recipe against the whole inventory before anything is
 * written.  Call it on every row, before choosing a shard, so that every
 * host of a sharded batch marks the same rows.
 *
 * First, every variable the recipe refers to must be a column or in
 * cmdline (may be NULL); each one that is neither is reported as
 * "RECIPE:LINE: variable 'NAME' is neither a column of 'INVENTORY' nor
 * defined with -D", and -1 is returned.  A recipe error that does not
 * depend on variables (see recipe_var_refs) also returns -1.  In both
 * cases no row is marked.
 *
 * Then the recipe is parsed once per row with inventory_row_vars, and
 * every row's ok is set.  A row whose values the recipe refuses gets
 * ok = false and the recipe's messages, each prefixed
 * "INVENTORY:LINE: row for IMAGE: " (so "inv.csv:7: row for
 * /OVS/web2/System.img: clone.rcp:23: bad address ...").  A MAC given
 * explicitly (mac = 00:16:3e:...) that an earlier row already gives
 * marks the later row bad, after the recipe's messages:
 * "INVENTORY:LINE: row for IMAGE: MAC 'M' of NIC is already that of NIC
 * of the row at line N".  (One MAC twice in one row is the recipe's own
 * error.)
 *
 * Returns the number of rows that are not ok (0: all good), or -1 as
 * above.
 */
int	 inventory_check_recipe(struct inventory *, const char *recipe_path,
	    const char *recipe_text, size_t len,
	    const struct recipe_vars *cmdline);

/*
 * --shard I/N: parse "I/N" (decimal, no sign or blanks, 1 <= N, I < N)
 * into *i and *n.  Returns 0, or -1 after one message.
 */
int	 inventory_parse_shard(const char *s, unsigned *i, unsigned *n);
/*
 * Is the row at row_index (0-based among the data rows, in file order,
 * comments and blank lines not counted) in shard i of n, that is
 * row_index % n == i?  n == 0 means no sharding: every row is in.
 */
bool	 inventory_row_in_shard(size_t row_index, unsigned i, unsigned n);

#endif
