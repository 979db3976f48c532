# vrouter: userspace IPv6 anycast router appliance.
#
#   make            build build/vrouter
#   make check      unit tests (plain and ASan+UBSan), packet fixtures,
#                   the OpenAPI document, man pages, install, lab
#                   end-to-end tests (root), a short fuzz run, and the
#                   Docker demo's test when a Docker engine can be had
#   make openapi    docs/openapi.yaml: validators, routes of vrouter/api.c
#   make dissector  the E-BB Wireshark dissector against the codec (tshark)
#   make check-docker  the Docker demo end to end (root)
#   make docker-base   build the base image debian:bookworm-slim locally
#                   (debootstrap) when it is missing
#   make lab        bring the anycast lab up (root)
#   make lab-down   tear it down
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#   make check-asan vrouter and the host programs with ASan+UBSan in
#                   $(BUILD)/asan-lab, the whole lab suite against them:
#                   no sanitizer report, no leak at exit (root, slow)
#   make fuzz-long  every target, FUZZ_LONG_SECONDS in all, two at once
#                   (niced), seeded from the packet fixtures; minimises
#                   the corpus kept in tests/fuzz/corpus/
#   make bench      micro-benchmarks (LPM, flow table, maglev), then
#                   vrouter against kernel forwarding, then anycast HTTP
#                   balancing against HAProxy and nftables DNAT, then the
#                   REST API's requests/s (root)
#   make bench-api  the REST API's requests/s alone (root)
#   make bench-peers  anycast HTTP balancing against HAProxy and nftables
#                   DNAT (root)
#   make bench-dns  the .any responder against knotd (root)
#   make repro      paper 2's Table 2, Fig. 6 and a daemon failure, measured
#                   again in the lab into repro/results (root)
#   make install    install into $(DESTDIR)$(PREFIX): programs, manual
#                   pages, dashboard, API document, sample configuration,
#                   systemd unit (make uninstall removes them)
#   make manlint    the manual pages: mandoc -Tlint, options of --help
#   make deps       install missing Debian packages (root)

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
SHAREDIR	?= $(PREFIX)/share/vrouter
MANDIR		?= $(PREFIX)/share/man
SYSTEMDDIR	?= $(PREFIX)/lib/systemd/system
BUILD		?= build
CC		?= cc
FUZZ_SECONDS	?= 60
FUZZ_LONG_SECONDS ?= 3600
PKGS		 = libevent jansson libpcap libsodium libmnl ldns liburing

WARN		 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wcast-qual
PKG_CFLAGS	 = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS		?= -O2 -g
# Host programs see common/ only; the router sees common/ and vrouter/.
BASE_CFLAGS	 = -std=gnu11 $(WARN) -D_GNU_SOURCE $(PKG_CFLAGS) -MMD -MP \
		   $(CFLAGS)
# Where "make install" puts the dashboard and the API document.
ALL_CFLAGS	 = $(BASE_CFLAGS) -Icommon -Ivrouter \
		   -DSHAREDIR=\"$(SHAREDIR)\"
HOST_CFLAGS	 = $(BASE_CFLAGS) -Icommon
LDLIBS		 = $(PKG_LIBS)

# common/: code that more than one program links (wire formats, codecs,
# checksum, logging, addresses), built into every program and target.
COMMON_SRCS	 = $(wildcard common/*.c)
COMMON_OBJS	 = $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
SRCS		 = $(wildcard vrouter/*.c)
LIB_SRCS	 = $(filter-out vrouter/main.c, $(SRCS)) $(COMMON_SRCS)
OBJS		 = $(SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_OBJS)
LIB_OBJS	 = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS	 = $(wildcard tests/unit/*.c)
MEMBER_SRCS	 = $(wildcard hosts/member/*.c)
MEMBER_OBJS	 = $(MEMBER_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libcommon.a
MEMBER_LIB_SRCS	 = $(filter-out hosts/member/main.c, $(MEMBER_SRCS))
CLIENT_SRCS	 = $(wildcard hosts/client/*.c)
CLIENT_OBJS	 = $(CLIENT_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libcommon.a
CLIENT_LIB_SRCS	 = $(filter-out hosts/client/main.c, $(CLIENT_SRCS))
CTL_SRCS	 = $(wildcard tools/vrouterctl/*.c)
CTL_OBJS	 = $(CTL_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/libcommon.a
CTL_LIB_SRCS	 = $(filter-out tools/vrouterctl/main.c \
		   tools/vrouterctl/http.c, $(CTL_SRCS))
HOST_LIB_SRCS	 = $(MEMBER_LIB_SRCS) $(CLIENT_LIB_SRCS) $(CTL_LIB_SRCS)
FUZZ_SRCS	 = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS	 = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

ASAN_FLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
ASAN_OBJS	 = $(LIB_SRCS:%.c=$(BUILD)/asan/%.o)

.PHONY: all check unit unit-asan fixtures openapi labtest fuzz fuzz-build \
	fuzz-long check-asan bench bench-api bench-peers \
	bench-dns repro lab lab-down install uninstall installcheck manlint deps clean \
	check-docker docker-base

all: $(BUILD)/vrouter $(if $(MEMBER_SRCS),$(BUILD)/anycast-member) \
	$(if $(CLIENT_SRCS),$(BUILD)/anycast-client) $(BUILD)/vrouterctl

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/hosts/%.o: hosts/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

$(BUILD)/libvrouter.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libvrouter-asan.a: $(ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/vrouter: $(BUILD)/obj/vrouter/main.o $(BUILD)/libvrouter.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/anycast-member: $(MEMBER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/anycast-client: $(CLIENT_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vrouterctl: $(CTL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench-micro: bench/micro.c $(BUILD)/libvrouter.a
	$(CC) $(ALL_CFLAGS) -o $@ bench/micro.c $(BUILD)/libvrouter.a $(LDLIBS)

$(BUILD)/unit: $(UNIT_SRCS) $(HOST_LIB_SRCS) $(BUILD)/libvrouter.a
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $(UNIT_SRCS) \
	    $(HOST_LIB_SRCS) $(BUILD)/libvrouter.a $(LDLIBS) \
	    $(shell pkg-config --libs criterion)

$(BUILD)/unit-asan: $(UNIT_SRCS) $(HOST_LIB_SRCS) $(BUILD)/libvrouter-asan.a
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -Wno-missing-prototypes -o $@ \
	    $(UNIT_SRCS) $(HOST_LIB_SRCS) $(BUILD)/libvrouter-asan.a \
	    $(LDLIBS) $(shell pkg-config --libs criterion)

# libFuzzer targets, built with clang: the library once, instrumented
# for coverage, then one small link per target.
FUZZ_CFLAGS	 = -std=gnu11 -g -O1 -D_GNU_SOURCE -Icommon -Ivrouter $(PKG_CFLAGS) \
		   -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
FUZZ_OBJS	 = $(LIB_SRCS:%.c=$(BUILD)/fuzzobj/%.o)

$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(BUILD)/libvrouter-fuzz.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libvrouter-fuzz.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(BUILD)/libvrouter-fuzz.a $(LDLIBS)

# The client shim's parser, built with its target (it is not in the library).
$(BUILD)/fuzz/fuzz_client_learn: tests/fuzz/fuzz_client_learn.c \
	    hosts/client/learn.c $(BUILD)/libvrouter-fuzz.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< hosts/client/learn.c \
	    $(BUILD)/libvrouter-fuzz.a $(LDLIBS)

# The member agent's cgroup parsers, likewise.
$(BUILD)/fuzz/fuzz_cgroup: tests/fuzz/fuzz_cgroup.c hosts/member/cgroup.c \
	    $(BUILD)/libvrouter-fuzz.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< hosts/member/cgroup.c \
	    $(BUILD)/libvrouter-fuzz.a $(LDLIBS)

# The E-BB Wireshark dissector on messages the codec wrote (tshark, no root).
$(BUILD)/ebb-pcap: tests/wireshark/ebb_pcap.c $(BUILD)/libcommon.a
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: dissector
dissector: $(BUILD)/ebb-pcap
	/usr/bin/python3 tests/wireshark/check_ebb.py $(BUILD)/ebb-pcap

deps:
	@bash tests/deps.sh

unit: $(BUILD)/unit
	$(BUILD)/unit --jobs=2

unit-asan: $(BUILD)/unit-asan
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/unit-asan --jobs=2

fixtures: $(BUILD)/vrouter
	/usr/bin/python3 tests/fixtures/run.py $(BUILD)/vrouter

openapi:
	sh tests/openapi/run.sh

labtest: all
	VROUTER=$(BUILD)/vrouter bash tests/lab/run.sh

fuzz-build: $(FUZZ_BINS)

fuzz: deps fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-long: deps fuzz-build $(BUILD)/vrouter
	VROUTER=$(BUILD)/vrouter FUZZ_LONG_WORK=$(BUILD)/fuzz-long \
	    bash tests/fuzz/long.sh $(FUZZ_LONG_SECONDS) $(FUZZ_BINS)

# The lab under sanitizers: its own build directory, every program built
# with ASan+UBSan, one log per process and report (tests/lab/asan.sh).
ASAN_LAB	?= $(BUILD)/asan-lab

check-asan: deps
	$(MAKE) BUILD=$(ASAN_LAB) CFLAGS="-O1 -g $(ASAN_FLAGS)" all
	bash tests/lab/asan.sh $(ASAN_LAB)

check: deps
	$(MAKE) all $(BUILD)/unit $(BUILD)/unit-asan fuzz-build
	$(MAKE) unit unit-asan fixtures openapi manlint installcheck dissector
	bash tests/fuzz/run.sh 10 $(FUZZ_BINS)
	$(MAKE) labtest
	bash tests/docker/run.sh --optional

# The Docker demo (docker-compose.yml, docker/): its own engine, images
# and network namespaces; nothing runs in the host's lab.
check-docker:
	bash tests/docker/run.sh

docker-base:
	sh docker/engine.sh
	sh docker/base-image.sh

lab: deps all
	VROUTER=$(BUILD)/vrouter bash netns/lab.sh up

lab-down:
	bash netns/lab.sh down

bench: deps all $(BUILD)/bench-micro
	$(BUILD)/bench-micro
	VROUTER=$(BUILD)/vrouter bash bench/forwarding
	VROUTER=$(BUILD)/vrouter bash bench/peers
	VROUTER=$(BUILD)/vrouter bash bench/api

bench-api: deps all
	VROUTER=$(BUILD)/vrouter bash bench/api

bench-peers: deps all
	VROUTER=$(BUILD)/vrouter bash bench/peers

bench-dns: deps all
	VROUTER=$(BUILD)/vrouter bash bench/dns

repro: deps all
	VROUTER=$(BUILD)/vrouter bash repro/run.sh

# What "make install" puts under $(DESTDIR): the *DIR variables above.
PROGRAMS	 = vrouter vrouterctl anycast-member anycast-client
MAN5		 = $(wildcard man/*.5)
MAN8		 = $(wildcard man/*.8)
WEB_FILES	 = $(wildcard web/*)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SHAREDIR)/web \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSTEMDDIR)
	install -m 755 $(PROGRAMS:%=$(BUILD)/%) $(DESTDIR)$(SBINDIR)/
	install -m 644 $(WEB_FILES) $(DESTDIR)$(SHAREDIR)/web/
	install -m 644 docs/openapi.yaml $(DESTDIR)$(SHAREDIR)/
	install -m 644 dist/vrouter.json \
	    $(DESTDIR)$(SHAREDIR)/vrouter.json.sample
	cp -r netns $(DESTDIR)$(SHAREDIR)/
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SHAREDIR@|$(SHAREDIR)|g' \
	    dist/vrouter.service.in >$(DESTDIR)$(SYSTEMDDIR)/vrouter.service
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/vrouter.service

uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(SBINDIR)/%)
	rm -f $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)
	rm -f $(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%)
	rm -f $(DESTDIR)$(SYSTEMDDIR)/vrouter.service
	rm -rf $(DESTDIR)$(SHAREDIR)

installcheck: all
	sh tests/install/check.sh $(BUILD)

manlint: all
	sh tests/man/check.sh $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(MEMBER_SRCS:%.c=$(BUILD)/obj/%.d) \
	$(CLIENT_SRCS:%.c=$(BUILD)/obj/%.d) $(CTL_SRCS:%.c=$(BUILD)/obj/%.d) \
	$(FUZZ_OBJS:.o=.d)
