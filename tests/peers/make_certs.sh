#!/bin/sh
# Create throwaway TLS material for the integration-test peers.
#
# Usage: tests/peers/make_certs.sh DIR
#
# Writes into DIR (created if missing):
#   ca.pem / ca.key             test CA (EC P-256, valid 2 days)
#   server.pem / server.key     server certificate signed by that CA,
#                               SAN IP:127.0.0.1 + DNS:localhost, EKU serverAuth
#   other-ca.pem / other-ca.key an unrelated CA, for "verification must fail" tests
# Idempotent: if every file already exists, nothing is regenerated.
# Only the openssl CLI is needed; output is quiet unless something fails.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
DIR=$1
mkdir -p "$DIR"

all_present=1
for f in ca.pem ca.key server.pem server.key other-ca.pem other-ca.key; do
	[ -s "$DIR/$f" ] || all_present=0
done
[ "$all_present" -eq 1 ] && exit 0

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vs-certs.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

# make_ca NAME SUBJECT: self-signed CA certificate NAME.pem with key NAME.key
make_ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -sha256 -days 2 -subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$TMP/$1.key" -out "$TMP/$1.pem" 2>"$TMP/err" \
		|| { cat "$TMP/err" >&2; exit 1; }
}

make_ca ca "/CN=vroegsignaal test CA"
make_ca other-ca "/CN=vroegsignaal unrelated test CA"

# Server key and CSR, then sign with the test CA.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj "/CN=localhost" -keyout "$TMP/server.key" -out "$TMP/server.csr" \
	2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }

cat >"$TMP/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT

openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
	-CAcreateserial -CAserial "$TMP/ca.srl" -days 2 -sha256 \
	-extfile "$TMP/server.ext" -out "$TMP/server.pem" 2>"$TMP/err" \
	|| { cat "$TMP/err" >&2; exit 1; }

chmod 600 "$TMP"/*.key
for f in ca.pem ca.key server.pem server.key other-ca.pem other-ca.key; do
	mv -f "$TMP/$f" "$DIR/$f"
done
