# imprint - give cloned virtual machines their own identity, offline.
#
# Plain GNU make.  `make deps` installs the Debian packages that the build,
# the tests and the demo need; `make check` runs every test.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
RECIPEDIR ?= $(PREFIX)/share/imprint/recipes
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR	?=
PKG_CONFIG ?= pkg-config
CC	?= cc
WERROR	?= 1
BUILD	?= build

VERSION	:= 0.1.0
PKGS	:= libguestfs uuid libcrypt json-c libxml-2.0 libvirt yaml-0.1 \
	   libselinux

# Recursively expanded on purpose: `make deps check` installs the packages
# before the first recipe asks pkg-config for flags.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))

WARN	:= -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
	   -Wstrict-prototypes -Wwrite-strings -Wvla -Wmissing-declarations
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SAN_FLAGS) -Isrc \
	     -DIMPRINT_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
endif

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q	:=
else
Q	:= @
endif

SRCS	:= $(sort $(wildcard src/*.c))
LIBSRCS	:= $(filter-out src/main.c,$(SRCS))
LIBOBJS	:= $(LIBSRCS:src/%.c=$(BUILD)/%.o)
UNITSRC	:= $(sort $(wildcard tests/unit/test_*.c))
UNITBIN	:= $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)
MANS	:= $(wildcard man/*.1 man/*.5)

.PHONY: all deps check check-lvm unit integration sanitize fuzz demo \
	install uninstall clean bench

all: imprint

imprint: $(BUILD)/main.o $(BUILD)/libimprint.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libimprint.a: $(LIBOBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: src/%.c | $(BUILD)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libimprint.a | $(BUILD)/tests
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libimprint.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

deps:
	@sh contrib/install-deps.sh

unit: $(UNITBIN)
	@BUILD=$(BUILD) ./tests/run.sh --unit $(UNITBIN)

check: imprint $(UNITBIN) $(BUILD)/virt-run
	@BUILD=$(BUILD) ./tests/run.sh $(UNITBIN)

# `imprint clone --disk-mode snapshot` on a real VG (a loop device), as
# root where the kernel has device-mapper; not part of `make check`, which
# runs the LVM tools as stubs (tests/t-clone-lvm.sh).
check-lvm: imprint
	@./tests/check-lvm.sh

integration: imprint $(BUILD)/virt-run
	@BUILD=$(BUILD) ./tests/run.sh --integration

# The unit tests, then the integration scripts, with an ASan + UBSan build
# of everything (build-san/).  Leaks are reported by the unit tests; the
# binary under the integration scripts exits through paths that keep
# libguestfs's handle caches, so there only errors count.
sanitize:
	$(MAKE) BUILD=build-san SANITIZE=1 unit build-san/imprint \
	    build-san/virt-run
	@BUILD=build-san IMPRINT=$(CURDIR)/build-san/imprint \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ./tests/run.sh --integration

# imprint's commands in one process with libvirt's test driver (t-libvirt)
$(BUILD)/virt-run: tests/virt-run.c $(BUILD)/libimprint.a | $(BUILD)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libimprint.a \
	    $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/imprint: $(BUILD)/main.o $(BUILD)/libimprint.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz:
	@./tests/fuzz/run.sh $(FUZZ_SECONDS)

demo: imprint
	@./contrib/demo.sh

bench: imprint
	@./bench/vmcfg.sh
	@./bench/scan.sh
	@./bench/apply.sh

install: imprint
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(RECIPEDIR) \
	    $(DESTDIR)$(COMPLETIONDIR)
	install -m 0755 imprint $(DESTDIR)$(BINDIR)/imprint
	install -m 0644 recipes/*.rcp $(DESTDIR)$(RECIPEDIR)/
	sed 's|^_imprint_recipedir=.*|_imprint_recipedir=$(RECIPEDIR)|' \
	    contrib/bash-completion/imprint >$(DESTDIR)$(COMPLETIONDIR)/imprint
	chmod 0644 $(DESTDIR)$(COMPLETIONDIR)/imprint
	for m in $(MANS); do \
		s=$${m##*.}; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/imprint
	rm -rf $(DESTDIR)$(RECIPEDIR)
	rm -f $(DESTDIR)$(COMPLETIONDIR)/imprint
	for m in $(MANS); do \
		s=$${m##*.}; b=$${m##*/}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$$b; \
	done

clean:
	rm -rf build build-san build-fuzz imprint

-include $(LIBOBJS:.o=.d) $(BUILD)/main.d $(UNITBIN:=.d)
