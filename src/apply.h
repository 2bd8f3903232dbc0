/*
 * apply.h - the apply engine: give one image, in an open appliance, the
 * identity a recipe states.  `imprint apply IMAGE...` (cmd_apply.c) and
 * the batch runner (batch.c) both call it; neither knows how a plan is
 * carried out.
 */
#ifndef IMPRINT_APPLY_H
#define IMPRINT_APPLY_H

#include <json-c/json.h>
#include <stdbool.h>

#include "guest.h"
#include "recipe.h"
#include "util.h"

struct domcfg;
struct ident_macs;
struct rootdir;

#define APPLY_SCHEMA	1

/* The options of `imprint apply`, plain and batch. */
struct apply_opts {
	bool			 dry_run, force, json;
	const char		*vmcfg;
	const char		*domain;	/* --domain: libvirt */
	const char		*connect;	/* --connect URI */
	const char		*mac_prefix;
	const char		*root_dir;	/* --root-dir: a tree */
	struct strlist		 scan;
	struct recipe_vars	 vars;
	struct root_spec	 root;
	bool			 have_root;
	/* `imprint clone`: a failed image is removed, not left for undo */
	bool			 discard_on_failure;
	/* batch only */
	const char		*inventory;
	const char		*report;
	const char		*shard;
	unsigned		 jobs;		/* 0: choose */
	unsigned		 per_launch;	/* 0: default */
};

/*
 * One image of a run.  touched is set once a file of the image or its
 * config has changed (plan_carry_out counts them), so a failure after it
 * is "partly changed, undo puts it back" and before it "unchanged".
 */
struct apply_job {
	const char		*image;		/* as the user named it */
	char			*real;		/* realpath, for the record */
	struct domcfg		*cfg;		/* NULL: no domain config */
	struct strlist		 disks;		/* the guest's images,
						   absolute (disks.h) */
	int			 lockfd;
	json_object		*json;		/* the image's JSON object */
	bool			 touched;
};

/* Called with "planning", "writing" as image work advances (batch). */
typedef void apply_phase_fn(void *arg, const char *phase);

/* What apply_image needs besides the image. */
struct apply_ctx {
	const struct apply_opts	*o;
	const struct recipe	*r;
	struct ident_macs	*macs;
	/* ROOT_AUTO in a batch: the root found on an earlier image, given
	 * to guest_probe_root and updated; NULL: full inspection. */
	struct guest_root	*like;
	apply_phase_fn		*phase;
	void			*phase_arg;
	/* --root-dir: the guest is this tree, not image k of gs (which
	 * is NULL then); it is the root, and needs no mount. */
	const struct rootdir	*tree;
};

/*
 * The domain config that goes with image: --vmcfg (o->vmcfg), --domain
 * (a libvirt domain reference, virtdom.h, in --connect's URI), the
 * recipe's config or domain, or vm.cfg beside the image; *path_r is NULL
 * for none.
 * Returns 0, or -1 after one message (the recipe names the domain but no
 * config is found).
 */
int	 apply_config_for(const struct apply_opts *o, const struct recipe *r,
	    const char *image, char **path_r);

/*
 * Load j's domain config (cfgpath may be NULL): a file resolved to an
 * absolute path, since the undo record names it and undo may run
 * elsewhere, or a libvirt domain (refused unless shut off when WRITE).
 * Returns 0, or -1 after one message.
 */
int	 apply_load_config(struct apply_job *j, const char *cfgpath,
	    bool write);

/*
 * Fill j->disks with the guest's images[0..n-1] as its config is to name
 * them: an absolute path as given, a relative one through realpath(3);
 * then, when j has a config, check that r's disk policy can write them
 * into it (disks_check), so that a refusal comes before any launch.
 * Returns 0, or -1 after messages.
 */
int	 apply_job_disks(struct apply_job *j, const struct recipe *r,
	    char *const *images, size_t n);

/*
 * Plan image k of gs (or c->tree) and carry the plan out: the undo record, then the
 * guest files, flushed, then the host config.  Prints the text report
 * (o->json false) or fills j->json.  Returns 0, or 1 (failed; nothing
 * written unless j->touched, which the message says; an untouched image
 * keeps the undo record it had before, or none).
 */
int	 apply_image(const struct apply_ctx *, struct guest *gs, size_t k,
	    struct apply_job *j);

/*
 * `imprint apply` once its options are parsed and its recipe loaded
 * (cmd_apply.c; `imprint clone` runs its apply through it too): check
 * images[0..n-1] (or o->root_dir, n 1) and their configs, refuse a live
 * guest unless o->force, launch one appliance and apply_image each.
 * disks (NULL: each image alone) are job 0's disks when n is 1, for a
 * guest of several images (apply_job_disks).  With doc, its "schema" and
 * "images" are filled, for the caller to print.  Returns the exit
 * status: 0, 1 (failed or refused; see apply_image), 2 (an input cannot
 * be read, nothing written).
 */
int	 apply_run(struct apply_opts *o, const struct recipe *r,
	    char *const *images, size_t n, char *const *disks, size_t ndisks,
	    json_object *doc);

#endif
