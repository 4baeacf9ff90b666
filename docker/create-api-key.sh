#!/bin/sh
# One-shot set-up (docker-compose service es-setup): create a least-privilege API key for
# the crawler, the scheduler and the search page, and leave it where they read it
# (ES_API_KEY_FILE). The elastic password is used here only, never by the crawler.
set -eu
key_file=/keys/crawler.key
[ -s "$key_file" ] && exit 0
curl -fsS -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' \
  -X POST http://elasticsearch:9200/_security/api_key -d '{
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
  }' | sed -n 's/.*"encoded":"\([^"]*\)".*/\1/p' > "$key_file.tmp"
[ -s "$key_file.tmp" ] && mv "$key_file.tmp" "$key_file"
chmod 0440 "$key_file"
