#!/bin/bash
# tests/deps.sh: make sure the Debian 12 packages needed to build and test
# sentry-source are installed.  Installs what is missing when run as root
# (non-interactively: CI has no stdin); otherwise prints the command to run.
set -u

PACKAGES=(
	build-essential pkg-config
	libgit2-dev libssh2-1-dev libcjson-dev
	nettle-dev # HMAC, SHA-256 and base64 for both programs (see the Makefile)
	openssh-server openssh-client git curl
	systemd # systemd-socket-activate, the inetd-style launcher the tests use
	mandoc  # man page lint
	openssl # signing test requests as the hosts do
	procps  # pgrep, to see that every sync has ended
	util-linux # flock, to hold a checkout's lock in the hook test
	clang libclang-rt-14-dev llvm # the ASan+UBSan pass and make fuzz (libFuzzer)
	valgrind # the front's request path under memcheck
)

# is_installed PKG: dpkg says "install ok installed" (not merely known,
# half-configured or removed with its config files left behind).
is_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
	is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps.sh: all ${#PACKAGES[@]} packages present"
	exit 0
fi

echo "deps.sh: missing: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: not root; run:" >&2
	echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Only refresh the index when there is something to install: it is the slow,
# network-bound part.
apt-get update </dev/null || exit 1
apt-get install -y --no-install-recommends "${missing[@]}" </dev/null || exit 1

# Check again: apt-get can succeed without installing what we asked for.
still=()
for p in "${missing[@]}"; do
	is_installed "$p" || still+=("$p")
done
if [ "${#still[@]}" -ne 0 ]; then
	echo "deps.sh: still missing after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "deps.sh: installed ${missing[*]}"
