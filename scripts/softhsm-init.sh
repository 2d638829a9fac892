#!/usr/bin/env bash
# Initialises a SoftHSM2 token for the remote signer (`npm run signer -- --module ...`), shaped like a real one:
#   - an RSA-2048 and an ECDSA P-256 key pair generated ON the token (sensitive, never extractable),
#     CKA_ID 01 / 02, labels edo-rsa / edo-ec;
#   - for each, a certificate issued by a throwaway test CA (openssl; the token's public key is put into the
#     certificate with -force_pubkey), stored on the token as CKO_CERTIFICATE with the same CKA_ID and label;
#   - the CA certificate on the token too (label edo-ca, no key), so the signer can return the chain.
#
# Usage: scripts/softhsm-init.sh [DIR]      (default DIR: ./.softhsm; its tokens/ are wiped and re-created)
# Environment: TOKEN_LABEL (edo), USER_PIN (1234), SO_PIN (12345678), SOFTHSM_MODULE (found automatically),
#              CERT_DAYS (365).
# Needs: softhsm2 and opensc (Debian: apt-get install -y softhsm2 opensc), openssl.
# Then:  export SOFTHSM2_CONF=DIR/softhsm2.conf
#        npm run signer -- --module <module> --slot-label edo --client-id ... --client-secret ...
set -euo pipefail

DIR="${1:-.softhsm}"
TOKEN_LABEL="${TOKEN_LABEL:-edo}"
USER_PIN="${USER_PIN:-1234}"
SO_PIN="${SO_PIN:-12345678}"
CERT_DAYS="${CERT_DAYS:-365}"

find_module() {
	for candidate in "${SOFTHSM_MODULE:-}" /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
		/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so /usr/lib64/pkcs11/libsofthsm2.so; do
		if [ -n "$candidate" ] && [ -f "$candidate" ]; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

for tool in softhsm2-util pkcs11-tool openssl; do
	command -v "$tool" >/dev/null || { echo "softhsm-init: $tool is missing (apt-get install -y softhsm2 opensc openssl)" >&2; exit 1; }
done
MODULE="$(find_module)" || { echo "softhsm-init: libsofthsm2.so not found; set SOFTHSM_MODULE" >&2; exit 1; }

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
rm -rf "$DIR/tokens" "$DIR/work"
mkdir -p "$DIR/tokens" "$DIR/work"
chmod 700 "$DIR" "$DIR/tokens" "$DIR/work"
cat >"$DIR/softhsm2.conf" <<EOF
directories.tokendir = $DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF="$DIR/softhsm2.conf"
export OPENSSL_CONF=/dev/null
WORK="$DIR/work"

softhsm2-util --init-token --free --label "$TOKEN_LABEL" --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null

p11() { pkcs11-tool --module "$MODULE" --token-label "$TOKEN_LABEL" "$@" >/dev/null 2>"$WORK/p11.err" || { cat "$WORK/p11.err" >&2; exit 1; }; }

# The test CA (software): issues the certificates of the token keys.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" -out "$DIR/ca.pem" \
	-subj "/CN=EDO SoftHSM test CA/O=n8n-nodes-edo tests/C=RU" -days 3650 -sha256 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl x509 -in "$DIR/ca.pem" -outform DER -out "$WORK/ca.der"

issue() { # id label key-type usage subject-suffix
	local id="$1" label="$2" keytype="$3" usage="$4" kind="$5"
	p11 --login --pin "$USER_PIN" --keypairgen --key-type "$keytype" --id "$id" --label "$label" $6
	p11 --read-object --type pubkey --id "$id" --output-file "$WORK/$label.pub.der"
	openssl pkey -pubin -inform DER -in "$WORK/$label.pub.der" -out "$WORK/$label.pub.pem"
	# The request only carries the subject (signed by a throwaway key); -force_pubkey puts the token's key in.
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/throwaway.key" -out "$WORK/$label.csr" -utf8 \
		-subj "/CN=Иванов Иван Иванович/O=ООО Ромашка/C=RU/1.2.643.3.131.1.1=007701234567/1.2.643.100.1=1027700132195/1.2.643.100.3=11223344595/OU=SoftHSM $kind" 2>/dev/null
	printf 'keyUsage=critical,%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nbasicConstraints=CA:FALSE\n' "$usage" >"$WORK/$label.ext"
	openssl x509 -req -in "$WORK/$label.csr" -CA "$DIR/ca.pem" -CAkey "$WORK/ca.key" -set_serial "0x$(openssl rand -hex 12)" \
		-force_pubkey "$WORK/$label.pub.pem" -days "$CERT_DAYS" -sha256 -extfile "$WORK/$label.ext" -outform DER -out "$WORK/$label.der" 2>/dev/null
	openssl x509 -inform DER -in "$WORK/$label.der" -out "$DIR/$label.pem"
	p11 --login --pin "$USER_PIN" --write-object "$WORK/$label.der" --type cert --id "$id" --label "$label"
}

issue 01 edo-rsa rsa:2048 "digitalSignature,nonRepudiation,keyEncipherment" "RSA-2048" "--usage-sign --usage-decrypt"
issue 02 edo-ec EC:prime256v1 "digitalSignature,nonRepudiation,keyAgreement" "ECDSA P-256" "--usage-sign --usage-derive"
p11 --login --pin "$USER_PIN" --write-object "$WORK/ca.der" --type cert --id ca --label edo-ca

rm -rf "$WORK"
cat <<EOF
SoftHSM2 token '$TOKEN_LABEL' ready in $DIR
  export SOFTHSM2_CONF=$DIR/softhsm2.conf
  module:       $MODULE
  credentials:  edo-rsa (RSA-2048, CKA_ID 01), edo-ec (ECDSA P-256, CKA_ID 02); user PIN from USER_PIN (default 1234)
  certificates: $DIR/edo-rsa.pem, $DIR/edo-ec.pem, issued by the test CA $DIR/ca.pem
EOF
