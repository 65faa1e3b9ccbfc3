#!/bin/bash
# tests/integration-units.sh: the systemd units in examples/ (templates as
# an instance) pass
# `systemd-analyze verify` with nothing to say, and each service's
# `systemd-analyze security --offline=true` exposure is at most 2.0; so
# do the services with examples/web-served.conf as their drop-in, which
# sets UMask= and ReadWritePaths= and nothing else; and the reload pair
# (sentry-source-reload.path and .service) watches the file the man
# page's RUN= touches.
# The units name /usr/local/bin/sentry-source; verify wants the binary to
# exist, so copies point at the built one. Prints TAP.
set -u

cd "$(dirname "$0")/.." || exit 70
. tests/lib.sh
. tests/tap.sh

MAX_EXPOSURE=2.0
fixture_init || bail "no work directory"
mkdir -p "$FX_DIR/run" "$FX_DIR/units"
U="$FX_DIR/units"
for f in examples/*.socket examples/*.service examples/*.timer examples/*.path; do
	sed "s|/usr/local/bin/sentry-source|$PWD/sentry-source|g" "$f" >"$U/$(basename "$f")"
done
# A template is verified as one of its instances (a deployment's name for
# the sync's); a socket needs its template beside it, a timer its service.
for f in "$U"/*@.*; do
	cp "$f" "${f/@./@shop-2.}"
done

for f in "$U"/*; do
	case "$f" in *@.*) continue ;; esac
	next_run
	systemd-analyze verify --man=no "$f" >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "systemd-analyze verify $(basename "$f"): exits 0" 0 "$RC"
	check_eq "systemd-analyze verify $(basename "$f"): no warnings" "" "$(cat "$ERR")"
done

# The sync's services; the reload service is root's, checked below.
SERVICES=$(printf '%s\n' "$U"/*.service | grep -v '@\.service$' | grep -v /sentry-source-reload)
check_eq "every service is checked: the two, the config-dir one, the sync template" 4 \
	"$(echo "$SERVICES" | wc -l)"
for f in $SERVICES; do
	next_run
	systemd-analyze security --offline=true --no-pager "$f" >"$OUT" 2>"$ERR"
	RC=$?
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$OUT")
	check "systemd-analyze security $(basename "$f"): exposure ${level:-?} <= $MAX_EXPOSURE" \
		awk -v l="${level:-99}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'
done

# What the hardening must still allow: reach the Git server, write the
# state directory where CLONE_PATH lives.
for f in $SERVICES; do
	check "$(basename "$f") may connect over IPv4 and IPv6" \
		grep -q '^RestrictAddressFamilies=.*AF_INET .*AF_INET6' "$f"
	check "$(basename "$f") has a writable state directory" \
		grep -q '^StateDirectory=sentry-source' "$f"
	check "$(basename "$f") runs as the dedicated user" grep -q '^User=sentry-source' "$f"
done

# Per-connection instances are many and uniquely named: collected when
# they end, and a refused request (exit 2) is not a unit failure.
for svc in "$U"/sentry-source@shop-2.service "$U"/sentry-source-dir@shop-2.service; do
	check "$(basename "$svc"): CollectMode=inactive-or-failed" \
		grep -q '^CollectMode=inactive-or-failed$' "$svc"
	check "$(basename "$svc"): exit 2 (a refused request) counts as success" \
		grep -q '^SuccessExitStatus=2$' "$svc"
done
for sock in "$U"/sentry-source.socket "$U"/sentry-source-dir.socket; do
	check "$(basename "$sock"): MaxConnectionsPerSource= is set, below MaxConnections=" \
		awk -F= '/^MaxConnections=/ { m = $2 } /^MaxConnectionsPerSource=/ { p = $2 }
			END { exit !(p > 0 && p < m) }' "$sock"
done
# The LoadCredential= lines the units show, switched on, verify as clean.
mkdir -p "$FX_DIR/creds"
for f in $SERVICES; do
	check "$(basename "$f") shows LoadCredential= for the key" \
		grep -q '^#LoadCredential=id_ed25519:' "$f"
	sed 's/^#LoadCredential=/LoadCredential=/' "$f" >"$FX_DIR/creds/$(basename "$f")"
	next_run
	systemd-analyze verify --man=no "$FX_DIR/creds/$(basename "$f")" >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "$(basename "$f") with LoadCredential= on: verify exits 0, no warnings" \
		"0 " "$RC $(cat "$ERR")"
done
# The templates, as systemd expands them for an instance.
check "sentry-source-dir@.service serves the config directory" \
	grep -q '^ExecStart=.* --config-dir /etc/sentry-source/deployments$' "$U/sentry-source-dir@.service"
check "sentry-source-sync@.service syncs DIR/NAME.conf for instance NAME" \
	grep -q '^ExecStart=.* -c /etc/sentry-source/deployments/%i\.conf --sync$' \
	"$U/sentry-source-sync@.service"
port=$(sed -n 's/^ListenStream=127\.0\.0\.1:\([0-9]*\)$/\1/p' "$U/sentry-source.socket")
check "sentry-source.socket: not on the contended port 8080 (${port:-none})" \
	test -n "$port" -a "$port" != 8080
for f in README.md man/sentry-source.8; do
	check "$f names the socket's port $port, never 8080" \
		sh -c "grep -q ':$port/webhook' '$f' && ! grep -q 8080 '$f'"
done
check "the sysusers.d entry makes the units' user" \
	grep -q '^u sentry-source ' examples/sentry-source.sysusers

# examples/web-served.conf as the drop-in of each service: clean, as
# hardened, and read (a broken copy of it is warned about).
DROPIN=examples/web-served.conf
check_eq "web-served.conf sets UMask=0022 and ReadWritePaths=, nothing else" \
	"[Service] UMask=0022 ReadWritePaths=/srv/www/example.com" \
	"$(grep -v '^#' "$DROPIN" | grep -v '^$' | tr '\n' ' ' | sed 's/ $//')"
mkdir -p "$FX_DIR/served"
for f in $SERVICES; do
	b=$(basename "$f")
	cp "$f" "$FX_DIR/served/$b"
	# A template's drop-in directory, as an admin would make it.
	t=$(printf '%s' "$b" | sed 's/@shop-2\./@./')
	mkdir -p "$FX_DIR/served/$t.d"
	cp "$DROPIN" "$FX_DIR/served/$t.d/web-served.conf"
	next_run
	systemd-analyze verify --man=no "$FX_DIR/served/$b" >"$OUT" 2>"$ERR"
	RC=$?
	check_eq "$b with web-served.conf in $t.d: verify exits 0, no warnings" \
		"0 " "$RC $(cat "$ERR")"
	next_run
	systemd-analyze security --offline=true --no-pager "$FX_DIR/served/$b" >"$OUT" 2>"$ERR"
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$OUT")
	check "$b with web-served.conf: exposure ${level:-?} <= $MAX_EXPOSURE" \
		awk -v l="${level:-99}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'
	sed 's/^UMask=0022$/UMask=bogus/' "$DROPIN" >"$FX_DIR/served/$t.d/web-served.conf"
	next_run
	systemd-analyze verify --man=no "$FX_DIR/served/$b" >"$OUT" 2>"$ERR"
	check "$b: the drop-in is read (a broken UMask= in it is warned about)" \
		grep -q "web-served.conf:.*bogus" "$ERR"
done

# The reload pair: root's, for what RUN= cannot do under NoNewPrivileges=.
R="$U/sentry-source-reload.service"
P="$U/sentry-source-reload.path"
run_line=$(sed -n 's/^\.Dl RUN=\/usr\/bin\/touch \(.*\)$/\1/p' man/sentry-source.8 | head -n 1)
check "sentry-source(8) gives RUN=/usr/bin/touch FILE (${run_line:-none})" test -n "$run_line"
check "sentry-source-reload.path watches that file" grep -qx "PathChanged=$run_line" "$P"
check "sentry-source-reload.path starts sentry-source-reload.service" \
	grep -qx 'Unit=sentry-source-reload.service' "$P"
check "sentry-source-reload.service reloads php8.2-fpm, and does nothing else" \
	test "$(grep -c '^Exec' "$R")" = 1 -a \
	"$(grep '^ExecStart=' "$R")" = 'ExecStart=/usr/bin/systemctl try-reload-or-restart php8.2-fpm.service'
check "sentry-source-reload.service runs as root (no User=): systemctl needs it" \
	not grep -q '^User=' "$R"
next_run
systemd-analyze security --offline=true --no-pager "$R" >"$OUT" 2>"$ERR"
level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$OUT")
check "sentry-source-reload.service: exposure ${level:-?} <= $MAX_EXPOSURE" \
	awk -v l="${level:-99}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }'
for f in man/sentry-source.8 README.md examples/*; do
	check "$f gives no sudo recipe for RUN= (NoNewPrivileges= refuses it)" \
		not grep -q 'RUN=.*sudo' "$f"
done
printf '1..%d\n' "$n"
