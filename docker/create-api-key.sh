#!/bin/sh
# One-shot set-up (docker-compose service es-setup, run as root): create a least-privilege
# API key for the crawler, the scheduler and the search page, and leave it where they read
# it (ES_API_KEY_FILE), readable by their user (KEY_OWNER, the image's uid) only. The
# elastic password is used here only, never by the crawler.
# No pipe: a failed call stops here with Elasticsearch's answer, not at a later step.
set -eu
url=${ES_URL:-http://elasticsearch:9200}
key_file=${KEY_FILE:-/keys/crawler.key}
owner=${KEY_OWNER:?set KEY_OWNER to the crawler user, uid:gid}

give() {  # the key to its user alone
  chown "$owner" "$1"
  chmod 0400 "$1"
}

if [ -s "$key_file" ]; then
  give "$key_file"
  echo "es-setup: $key_file exists, kept"
  exit 0
fi
answer=$(mktemp)
trap 'rm -f "$answer" "$key_file.tmp"' EXIT
status=0
code=$(curl -sS -o "$answer" -w '%{http_code}' -u "elastic:${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD}" \
  -H 'Content-Type: application/json' -X POST "$url/_security/api_key" -d '{
    "name": "vn-police-crawler",
    "role_descriptors": {
      "crawler": {
        "cluster": ["monitor"],
        "indices": [{
          "names": ["articles", "articles-*", "crawl-runs", "watches"],
          "privileges": ["read", "write", "create_index", "manage", "view_index_metadata"]
        }]
      }
    }
  }') || status=$?
if [ "$status" -ne 0 ]; then
  echo "es-setup: POST $url/_security/api_key failed: curl exit $status (see above)" >&2
  exit 1
fi
if [ "$code" != 200 ]; then
  echo "es-setup: POST $url/_security/api_key answered HTTP $code: $(head -c 2000 "$answer")" >&2
  exit 1
fi
key=$(sed -n 's/.*"encoded" *: *"\([^"]*\)".*/\1/p' "$answer")
if [ -z "$key" ]; then
  echo "es-setup: POST $url/_security/api_key answered HTTP 200 without an \"encoded\" key" >&2
  exit 1
fi
umask 077
printf '%s\n' "$key" > "$key_file.tmp"
give "$key_file.tmp"
mv "$key_file.tmp" "$key_file"
echo "es-setup: API key written to $key_file (owner $owner, mode 0400)"
