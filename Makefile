# newsfold -- one non-recursive Makefile.
#
#   make                      build ./newsfold
#   make check                build and run every test (unit + integration)
#   make check T=store        only the tests whose file name contains "store"
#   make unit                 build and run the unit tests alone
#   make SANITIZE=address,undefined check
#                             the same, built in build/san/ with sanitizers
#   make run                  poll feeds.d once into ./state and list the stories
#   make bench | make fuzz    long runs, never part of check
#   make install              PREFIX (/usr/local) and DESTDIR honoured
#
# The user's CFLAGS/LDFLAGS are kept apart from the project's NF_* flags.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= $(PREFIX)/etc
CC      ?= cc
CFLAGS  ?= -O2 -g
PKG_CONFIG ?= pkg-config

LIBS_PC := libcurl libxml-2.0 lmdb libxxhash jansson libutf8proc libpsl libsystemd
DEBS    := build-essential pkg-config libcurl4-openssl-dev libxml2-dev liblmdb-dev \
           libxxhash-dev libjansson-dev libutf8proc-dev libpsl-dev publicsuffix \
           libsystemd-dev libstemmer-dev libcmocka-dev python3 ca-certificates mandoc

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

ifdef SANITIZE
VARIANT := san
NF_SAN  := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
else
VARIANT := rel
NF_SAN  :=
endif
B := build/$(VARIANT)

NF_CFLAGS  := -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Wshadow -Wstrict-prototypes \
              -Wno-unused-parameter -Ipkg -DNF_VERSION='"$(VERSION)"' $(NF_SAN) \
              $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
NF_LDLIBS  := $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lstemmer -lm -pthread
ALL_CFLAGS  = $(NF_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(NF_SAN) $(LDFLAGS)

PKG_SRC  := $(sort $(wildcard pkg/*/*.c))
CMD_SRC  := $(sort $(wildcard cmd/newsfold/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
PKG_OBJ  := $(PKG_SRC:%.c=$(B)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(B)/%.o)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
LIB      := $(B)/libnewsfold.a
PROG     := $(B)/newsfold

.SECONDARY: $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%.o)
.PHONY: all deps check unit run bench fuzz install clean
all: newsfold

# ./newsfold is the release build; a sanitizer build stays in build/san/.
ifeq ($(VARIANT),rel)
newsfold: $(PROG)
	cp $(PROG) $@
else
newsfold: $(PROG)
endif

# Rebuild everything when the flags change.
$(B)/flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@
FORCE:

$(B)/%.o: %.c $(B)/flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(PKG_OBJ)
	rm -f $@
	ar rcs $@ $^

$(PROG): $(CMD_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIB) $(NF_LDLIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(NF_LDLIBS) -lcmocka

# deps: install the Debian packages the build needs when missing (as root),
# otherwise print the exact command and stop.
deps:
	@missing=; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "deps: missing packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

check: deps
	$(MAKE) --no-print-directory newsfold $(PROG) $(UNITS)
	NEWSFOLD=$(CURDIR)/$(PROG) UNIT_DIR=$(CURDIR)/$(B)/tests SANITIZE='$(SANITIZE)' tests/run.sh $(T)

unit: deps
	$(MAKE) --no-print-directory $(UNITS)
	@set -e; for t in $(UNITS); do echo "== $$t"; $$t; done

run: deps
	$(MAKE) --no-print-directory newsfold
	@mkdir -p state
	./newsfold -c /dev/null -d state/db -f feeds.d poll
	./newsfold -c /dev/null -d state/db -f feeds.d stories --all

bench: newsfold
	tests/bench/run.sh

fuzz:
	tests/fuzz/run.sh

install: newsfold
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/newsfold/feeds.d
	install -m 755 newsfold $(DESTDIR)$(BINDIR)/newsfold
	install -m 644 dist/newsfold.1 $(DESTDIR)$(MANDIR)/man1/newsfold.1
	install -m 644 dist/newsfold.service $(DESTDIR)$(UNITDIR)/newsfold.service
	install -m 644 dist/newsfold.conf $(DESTDIR)$(SYSCONFDIR)/newsfold/newsfold.conf.example

clean:
	rm -rf build newsfold

-include $(shell find build/$(VARIANT) -name '*.d' 2>/dev/null)
