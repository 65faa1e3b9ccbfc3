# shellcheck shell=bash
# shellcheck disable=SC2034 # FX_* variables are for the scripts sourcing this
# tests/lib-https.sh: a real HTTPS git server on 127.0.0.1 for the tests,
# after tests/lib.sh (source both, then call fixture_setup first):
#   - a throwaway CA made with openssl, a server certificate it signs for
#     127.0.0.1 and localhost, and another CA that signed nothing of ours,
#   - Debian's nginx (nginx-light) as the test's own process, with its own
#     prefix, config, pid file and logs under FX_DIR/https,
#   - fcgiwrap on a unix socket there, running `git http-backend`,
#   - basic auth (a user and a random token, the htpasswd made with
#     openssl passwd -apr1) on /git/, and none on /open/.
# Both programs are started with start_bg, so tests/lib.sh's cleanup stops
# them on exit and on interrupt, with all they forked.
#
# https_certs and https_start_nginx serve other setups (a TLS reverse
# proxy in front of sentry-source): the certificates, and an nginx whose
# server block holds what the caller writes.

# https_ca DIR NAME: a CA key and self-signed certificate, DIR/NAME.key and
# DIR/NAME.pem. ECDSA P-256: made in milliseconds, and mbedTLS takes it.
https_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -subj "/CN=sentry-source test $2" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		>/dev/null 2>&1 || fx_fail "openssl could not make the CA $2"
}

# https_certs: under FX_HTTPS_DIR, the CA (FX_CA_FILE), the server's key
# and certificate for IP 127.0.0.1 and DNS localhost (FX_SERVER_KEY,
# FX_SERVER_CERT), and another CA (FX_CA_OTHER).
https_certs() {
	local d=$FX_HTTPS_DIR
	FX_CA_FILE="$d/ca.pem"
	FX_CA_OTHER="$d/other-ca.pem"
	FX_SERVER_KEY="$d/server.key"
	FX_SERVER_CERT="$d/server.pem"
	https_ca "$d" ca && https_ca "$d" other-ca || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$FX_SERVER_KEY" -out "$d/server.csr" -subj "/CN=127.0.0.1" \
		>/dev/null 2>&1 || fx_fail "openssl could not make the server's request" || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		"basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$FX_CA_FILE" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/server.ext" -out "$FX_SERVER_CERT" \
		>/dev/null 2>&1 || fx_fail "openssl could not sign the server's certificate" || return 1
	chmod 600 "$d"/*.key
	# The CAs' files as CA_FILE would be: nobody else may write them.
	chmod 644 "$FX_CA_FILE" "$FX_CA_OTHER"
}

# https_start_nginx SERVER_BLOCK: nginx with TLS on a free port of
# 127.0.0.1, SERVER_BLOCK (nginx directives) inside its server block.
# Sets FX_HTTPS_PORT and FX_NGINX_PID; retries with another port on a
# lost race. Logs: FX_HTTPS_DIR/error.log and access.log.
https_start_nginx() {
	https_start_nginx_http https_server_block "$1"
}

# https_server_block PORT SERVER_BLOCK: https_start_nginx's server block.
https_server_block() {
	cat <<-EOF
		server {
			listen 127.0.0.1:$1 ssl;
			server_name localhost;
			ssl_certificate "$FX_SERVER_CERT";
			ssl_certificate_key "$FX_SERVER_KEY";
			$2
		}
	EOF
}

# https_start_nginx_http FUNCTION [ARG...]: nginx whose http block holds
# what "FUNCTION PORT ARG..." prints, PORT a free port of 127.0.0.1 for it
# to listen on; as https_start_nginx otherwise.
https_start_nginx_http() {
	local d=$FX_HTTPS_DIR attempt port block user=""
	mkdir -p "$d/tmp" || return 1
	# As root, nginx's workers would become nobody, who cannot enter
	# the fixture: they stay the test's user.
	[ "$(id -u)" != 0 ] || user="user $(id -un) $(id -gn);"
	for attempt in 1 2 3 4 5; do
		port=$(free_port) || return 1
		block=$("$1" "$port" "${@:2}") || return 1
		cat >"$d/nginx.conf" <<-EOF
			daemon off;
			master_process on;
			worker_processes 1;
			$user
			pid "$d/nginx.pid";
			error_log "$d/error.log" info;
			events { worker_connections 64; }
			http {
				access_log "$d/access.log";
				client_body_temp_path "$d/tmp/body";
				fastcgi_temp_path "$d/tmp/fastcgi";
				proxy_temp_path "$d/tmp/proxy";
				scgi_temp_path "$d/tmp/scgi";
				uwsgi_temp_path "$d/tmp/uwsgi";
				default_type application/octet-stream;
				$block
			}
		EOF
		start_bg "$d/nginx.out" /usr/sbin/nginx -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
		if wait_port "$port" "$FX_BG_PID" 10; then
			FX_HTTPS_PORT=$port
			FX_NGINX_PID=$FX_BG_PID
			return 0
		fi
		stop_bg "$FX_BG_PID"
		note "nginx did not come up on port $port (attempt $attempt)"
	done
	sed 's/^/# nginx: /' "$d/nginx.out" "$d/error.log" >&2
	fx_fail "could not start nginx"
}

# https_git_location PREFIX [DIRECTIVE...]: a location serving the
# repositories under FX_HTTPS_ROOT at PREFIX/, through git http-backend.
https_git_location() {
	local prefix=$1
	shift
	cat <<-EOF
		location ~ ^$prefix(/.*)\$ {
			$*
			fastcgi_pass unix:$FX_HTTPS_DIR/fcgiwrap.sock;
			fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
			fastcgi_param GIT_PROJECT_ROOT $FX_HTTPS_ROOT;
			fastcgi_param GIT_HTTP_EXPORT_ALL "";
			fastcgi_param PATH_INFO \$1;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param REMOTE_USER \$remote_user;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
		}
	EOF
}

# https_setup [ROOT]: the git server over the repositories under ROOT
# (default: FX_REPO's directory). Sets, for the tests:
#   FX_HTTPS_DIR FX_HTTPS_PORT FX_CA_FILE FX_CA_OTHER FX_HTTP_USER
#   FX_HTTP_TOKEN FX_HTTP_TOKEN_FILE (mode 600)
#   FX_HTTPS_URL (FX_REPO under /git/, basic auth)
#   FX_HTTPS_OPEN_URL (the same under /open/, no auth)
#   FX_HTTPS_MOVED_URL (/moved/: a 301 to another host, 127.0.0.1)
https_setup() {
	local d
	FX_HTTPS_DIR="$FX_DIR/https"
	FX_HTTPS_ROOT=${1:-$(dirname "$FX_REPO")}
	d=$FX_HTTPS_DIR
	mkdir -p "$d" || return 1
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || fx_fail "no nginx (apt-get install nginx-light)" || return 1
	command -v fcgiwrap >/dev/null || [ -x /usr/sbin/fcgiwrap ] || fx_fail "no fcgiwrap" || return 1
	https_certs || return 1
	FX_HTTP_USER=deploy
	FX_HTTP_TOKEN=tok-$(openssl rand -hex 16) || return 1
	FX_HTTP_TOKEN_FILE="$d/token"
	(umask 077 && printf '%s\n' "$FX_HTTP_TOKEN" >"$FX_HTTP_TOKEN_FILE") || return 1
	printf '%s:%s\n' "$FX_HTTP_USER" "$(openssl passwd -apr1 "$FX_HTTP_TOKEN")" >"$d/htpasswd" ||
		return 1
	# nginx's workers read it; the token's hash, not the token.
	chmod 644 "$d/htpasswd"
	start_bg "$d/fcgiwrap.log" /usr/sbin/fcgiwrap -f -c 2 -s "unix:$d/fcgiwrap.sock"
	local i
	for i in $(seq 1 50); do
		[ -S "$d/fcgiwrap.sock" ] && break
		sleep 0.1
	done
	[ -S "$d/fcgiwrap.sock" ] || fx_fail "fcgiwrap did not make its socket" || return 1
	https_start_nginx "$(https_git_location /git auth_basic '"git";' \
		auth_basic_user_file "\"$d/htpasswd\";")
		$(https_git_location /open)
		location ~ ^/moved(/.*)\$ { return 301 https://127.0.0.1:\$server_port/git\$1\$is_args\$args; }" ||
		return 1
	FX_HTTPS_URL="https://localhost:$FX_HTTPS_PORT/git/$(basename "$FX_REPO")"
	FX_HTTPS_OPEN_URL="https://localhost:$FX_HTTPS_PORT/open/$(basename "$FX_REPO")"
	FX_HTTPS_MOVED_URL="https://localhost:$FX_HTTPS_PORT/moved/$(basename "$FX_REPO")"
}
