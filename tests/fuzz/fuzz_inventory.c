/*
 * fuzz_inventory.c - libFuzzer harness for the batch inventory reader.
 *
 * Parses the input as an inventory; when it parses, checks the row
 * invariants (at least one row, lines increasing after the header, every
 * row with a non-empty first image that is images.v[0] and one variable
 * per variable column), then checks a small recipe against it, whose
 * result must count between 0 and the number of rows.  The input's first
 * 32 bytes also go through the --shard parser.  Any broken invariant
 * aborts.  Messages go to stderr; run.sh closes it with -close_fd_mask=2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "recipe.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static const char rcp[] =
    "[guest]\n"
    "hostname = ${name}.example.com\n"
    "[nic eth0]\n"
    "mac = ${mac}\n"
    "boot = static\n"
    "address = 192.0.2.${octet}/24\n";

static void
check_rows(struct inventory *inv)
{
	struct recipe_vars cmd = RECIPE_VARS_INIT;
	size_t i, nvars = 0, prev;
	const char *c;
	unsigned si, sn;
	int bad;

	REQUIRE(inv->nrows >= 1);
	for (i = 0; i < inv->columns.n; i++) {
		c = inv->columns.v[i];
		if (strcmp(c, "config") != 0 && !(strncmp(c, "image", 5) ==
		    0 && strspn(c + 5, "0123456789") == strlen(c + 5)))
			nvars++;
	}
	prev = inv->header_line;
	for (i = 0; i < inv->nrows; i++) {
		REQUIRE(inv->rows[i].line > prev);
		prev = inv->rows[i].line;
		REQUIRE(inv->rows[i].images.n >= 1);
		REQUIRE(inv->rows[i].image == inv->rows[i].images.v[0]);
		REQUIRE(inv->rows[i].image[0] != '\0');
		REQUIRE(inv->rows[i].config == NULL ||
		    inv->rows[i].config[0] != '\0');
		REQUIRE(inv->rows[i].vars.n == nvars);
		REQUIRE(inv->rows[i].ok);
	}
	REQUIRE(recipe_vars_set(&cmd, "name", "web") == 0);
	REQUIRE(recipe_vars_set(&cmd, "mac", "00:16:3e:00:00:01") == 0);
	REQUIRE(recipe_vars_set(&cmd, "octet", "7") == 0);
	bad = inventory_check_recipe(inv, "fuzz.rcp", rcp, sizeof(rcp) - 1,
	    &cmd);
	REQUIRE(bad >= 0 && (size_t)bad <= inv->nrows);
	recipe_vars_release(&cmd);
	REQUIRE(inventory_parse_shard("1/3", &si, &sn) == 0);
	REQUIRE(inventory_row_in_shard(inv->nrows, si, sn) ==
	    (inv->nrows % 3 == 1));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory *inv = NULL;
	char shard[33];
	unsigned i = 0, n = 0;
	size_t k;

	k = size < 32 ? size : 32;
	memcpy(shard, data, k);
	shard[k] = '\0';
	if (inventory_parse_shard(shard, &i, &n) == 0)
		REQUIRE(n >= 1 && i < n);

	if (inventory_parse("fuzz/inv.csv", (const char *)data, size,
	    &inv) == 0) {
		REQUIRE(inv != NULL);
		check_rows(inv);
	} else
		REQUIRE(inv == NULL);
	inventory_free(inv);
	return 0;
}
