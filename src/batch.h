/*
 * batch.h - `imprint apply RECIPE --inventory FILE`: personalize many
 * clones in few appliance launches.
 *
 * The parent process reads and checks the inventory and every row's
 * recipe, domain config and explicit MACs before anything is written,
 * then forks -j workers.  Each worker takes a slice of the images at a
 * time (at most --per-launch), launches one appliance for the slice,
 * and applies the images one after another inside it (apply.c), each
 * with its own undo record.  Workers report every step to the parent
 * over a pipe; the parent draws the progress bar and writes the final
 * table and the JSON report.  See imprint(1), INVENTORY and BATCH.
 */
#ifndef IMPRINT_BATCH_H
#define IMPRINT_BATCH_H

#include <stdbool.h>
#include <stddef.h>

struct apply_opts;
struct inventory;

#define BATCH_MAX_JOBS		64
/* libguestfs attaches up to 255 drives (virtio-scsi). */
#define BATCH_MAX_PER_LAUNCH	200
#define BATCH_DEFAULT_PER_LAUNCH 32
/*
 * Memory one appliance takes, in MiB, when choosing the default -j:
 * measured under TCG, qemu's peak RSS is 0.5 GiB with one drive and
 * 1.45 GiB with 32 (bench/batch.sh), about 31 MiB a drive.
 */
#define BATCH_MIB_BASE		512
#define BATCH_MIB_PER_DRIVE	32

/*
 * Run the batch; returns the exit status: 0 every row succeeded, 1 some
 * row failed, 2 the recipe, the inventory or an option cannot be used
 * (nothing was started).
 */
int	 batch_run(const struct apply_opts *, const char *recipe_path);

/*
 * batch_run on a recipe and an inventory already in memory (`imprint
 * clone --inventory`): recipe_text (recipe_len bytes, copied) is named
 * recipe_path in messages; inv stays the caller's.  ok_r (may be NULL)
 * has a flag per row of inv, set true for each row that succeeded; the
 * caller clears it first.  Returns as batch_run.
 */
int	 batch_run_inventory(const struct apply_opts *, const char *recipe_path,
	    const char *recipe_text, size_t recipe_len, struct inventory *inv,
	    bool *ok_r);

#endif
