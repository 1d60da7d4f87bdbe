#!/usr/bin/env bash
# GET /api/v1/users/me, login, and the course catalog (listing, detail, search over 10,000 courses) beside nginx serving the same bytes.
#
# Run through ops/bench http [--only=users|catalog] [--seconds=N] [--rounds=N] [--connections=N]
# [--many=N] [--courses=N]. Starts a throw-away durable PostgreSQL, seeds the catalog
# (build/release/bench/seed_catalog, through the catalog's use cases), `lms serve` (release build)
# and nginx (static files with exactly the bytes of each measured answer, as many workers as there
# are cores), and measures both with wrk on the same machine, rounds alternating, medians. Ends
# with target lines like every benchmark.
source "$(dirname "${BASH_SOURCE[0]}")/../ops/lib.sh"

seconds=10 rounds=3 connections=64 many=256 courses=10000 only=""
usage="--only=users|catalog --seconds=N --rounds=N --connections=N --many=N --courses=N"
for a in "$@"; do
  case "$a" in
    --seconds=*) seconds="${a#*=}" ;;
    --rounds=*) rounds="${a#*=}" ;;
    --connections=*) connections="${a#*=}" ;;
    --many=*) many="${a#*=}" ;;
    --courses=*) courses="${a#*=}" ;;
    --only=users|--only=catalog) only="${a#*=}" ;;
    *) echo "bench http: unknown option $a ($usage)" >&2; exit 2 ;;
  esac
done
users=1 catalog=1
[ "$only" = "users" ] && catalog=""
[ "$only" = "catalog" ] && users=""

lms_install_deps wrk nginx curl
lms_build release lms seed_catalog >/dev/null

scratch="$(lms_scratch_dir bench-http)"
pgport="$(lms_free_port)"
lmspid="" nginxpid=""
cleanup() {
  [ -n "$lmspid" ] && kill "$lmspid" 2>/dev/null && wait "$lmspid" 2>/dev/null
  [ -n "$nginxpid" ] && kill "$nginxpid" 2>/dev/null
  lms_pg_stop "$scratch/pg"
  rm -rf "$scratch"
}
trap cleanup EXIT
say "starting a throw-away PostgreSQL on port $pgport (durable)"
lms_pg_start "$scratch/pg" "$pgport" durable >/dev/null

export LMS_DATABASE_URL="host=127.0.0.1 port=$pgport user=lms dbname=postgres"
export LMS_HTTP_PORT=0 LMS_LOG_LEVEL=warn LMS_DATA_DIR="$scratch/data" LMS_COOKIE_SECURE=0
# The server's own defaults for its threads (I/O threads per core, 16 handler threads), whatever
# the number of connections; the sign-in limits out of the way.
unset LMS_HTTP_THREADS LMS_HTTP_IO_THREADS
export LMS_DB_POOL_SIZE=16
export LMS_RATE_LOGIN_PER_MIN=100000000 LMS_RATE_REGISTER_PER_MIN=100000000
if [ -n "$catalog" ]; then
  # Before the server: `lms serve` then builds the catalog read model from these events before
  # it listens, so that the listing is complete from its first answer.
  say "seeding $courses published courses"
  "$LMS_ROOT/build/release/bench/seed_catalog" --courses="$courses" >"$scratch/seed.out" || exit 1
  cat "$scratch/seed.out"
  detail_id="$(sed -n 's/^detail: //p' "$scratch/seed.out")"
  search_word="$(sed -n 's/^search: \([^ ]*\) .*/\1/p' "$scratch/seed.out")"
fi
started_at=$SECONDS
"$LMS_ROOT/build/release/ops/lms" serve --only api,projections >"$scratch/lms.out" 2>"$scratch/lms.err" &
lmspid=$!
for _ in $(seq 1 3000); do  # up to 5 minutes: the read models are built from the seeded events first
  grep -q "http: listening" "$scratch/lms.out" 2>/dev/null && break
  kill -0 "$lmspid" 2>/dev/null || { cat "$scratch/lms.err" >&2; exit 1; }
  sleep 0.1
done
lmsport="$(sed -n 's/.*http: listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$scratch/lms.out")"
base="http://127.0.0.1:$lmsport"
if [ -n "$catalog" ]; then
  echo "lms serve listened after $((SECONDS - started_at)) s (read models built from the events)"
  # The read models were built into fresh tables that nobody analysed: until autovacuum does (a
  # minute or more), the listing's generic plan counts lectures for every course and sorts them
  # all (100 ms a request, bench/README.md). Measure what autovacuum leaves, as it would soon after.
  "$(lms_pg_bin)/psql" -h 127.0.0.1 -p "$pgport" -U lms -d postgres -qc "VACUUM (ANALYZE)"
fi

email="bench-$RANDOM@example.com" password="correct horse battery staple"
token="$(curl -sf -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"firstName\":\"Bench\",\"lastName\":\"Mark\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
curl -sf "$base/api/v1/users/me" -H "Authorization: Bearer $token" >"$scratch/me.json"
size="$(stat -c %s "$scratch/me.json")"

mkdir -p "$scratch/www" "$scratch/nginx"
cp "$scratch/me.json" "$scratch/www/me.json"
if [ -n "$catalog" ]; then
  # The catalog's answers, fetched once: nginx serves exactly these bytes.
  curl -sf "$base/api/v1/courses?page=1&limit=20" >"$scratch/www/courses-list.json"
  total="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["totalItems"])' "$scratch/www/courses-list.json")"
  [ "$total" = "$courses" ] || { echo "bench http: the listing has $total courses, not $courses" >&2; exit 1; }
  detail_slug="$(curl -sf "$base/api/v1/courses/$detail_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slug"])')"
  detail_path="/api/v1/courses/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$detail_slug")"
  curl -sf "$base$detail_path" >"$scratch/www/course-detail.json"
  search_path="/api/v1/courses?q=$search_word"
  curl -sf "$base$search_path" >"$scratch/www/courses-search.json"
  search_total="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"]["totalItems"])' "$scratch/www/courses-search.json")"
fi
chmod -R a+rX "$scratch/www"
nginxport="$(lms_free_port)"
cat >"$scratch/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $scratch/nginx/nginx.pid;
error_log $scratch/nginx/error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user root root;" )
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $scratch/nginx/body;
  proxy_temp_path $scratch/nginx/proxy;
  fastcgi_temp_path $scratch/nginx/fastcgi;
  uwsgi_temp_path $scratch/nginx/uwsgi;
  scgi_temp_path $scratch/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginxport;
    root $scratch/www;
    location / { default_type application/json; }
  }
}
CONF
nginx -c "$scratch/nginx/nginx.conf" -p "$scratch/nginx" &
nginxpid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nginxport/me.json" >/dev/null && break; sleep 0.1; done
for f in "$scratch"/www/*.json; do
  cmp -s "$f" <(curl -sf "http://127.0.0.1:$nginxport/$(basename "$f")") ||
    { echo "nginx did not serve $(basename "$f")" >&2; exit 1; }
done

# wrk's output: "Requests/sec: N" and, with --latency, "99% 3.21ms".
run_wrk() {  # run_wrk URL [wrk args...] -> "rate p99_ms"
  local url="$1"; shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url" >"$scratch/wrk.out" 2>&1
  if grep -q "Non-2xx" "$scratch/wrk.out"; then cat "$scratch/wrk.out" >&2; echo "bench http: non-2xx answers" >&2; exit 1; fi
  python3 - "$scratch/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rate = float(re.search(r"Requests/sec:\s*([0-9.]+)", t).group(1))
m = re.search(r"\s99%\s+([0-9.]+)(us|ms|s)\b", t)
v = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
print(f"{rate:.0f} {v:.2f}")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$users" ]; then
  echo "body: $size bytes; $connections and $many connections, wrk -t2, ${seconds} s per side, $rounds rounds alternating"
else
  echo "$connections connections, wrk -t2, ${seconds} s per side, $rounds rounds alternating"
fi
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# measure CONNECTIONS TITLE PATH FILE [wrk args for lms...] -> sets m_ratio and m_p99: lms's PATH
# against nginx's FILE (the same bytes).
measure() {
  local connections="$1" title="$2" path="$3" file="$4"; shift 4
  echo "== $title at $connections connections vs nginx"
  # Warm both up (connections, caches, prepared statements).
  wrk -t2 -c"$connections" -d2s "$@" "$base$path" >/dev/null
  wrk -t2 -c"$connections" -d2s "http://127.0.0.1:$nginxport/$file" >/dev/null
  local lms_rates=() nginx_rates=() lms_p99=() ratios=() r lr lp nr np ratio
  for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then
      read -r lr lp < <(run_wrk "$base$path" "$@")
      read -r nr np < <(run_wrk "http://127.0.0.1:$nginxport/$file")
    else
      read -r nr np < <(run_wrk "http://127.0.0.1:$nginxport/$file")
      read -r lr lp < <(run_wrk "$base$path" "$@")
    fi
    ratio="$(python3 -c "print(f'{$lr/$nr:.2f}')")"
    printf '  round %d: lms %8.0f req/s p99 %6.2f ms   nginx %8.0f req/s p99 %6.2f ms   ratio %s\n' "$r" "$lr" "$lp" "$nr" "$np" "$ratio"
    lms_rates+=("$lr") nginx_rates+=("$nr") lms_p99+=("$lp") ratios+=("$ratio")
  done
  m_ratio="$(median "${ratios[@]}")" m_p99="$(median "${lms_p99[@]}")"
  printf '  median: lms %s req/s, nginx %s req/s, ratio %s, lms p99 %s ms\n' "$(median "${lms_rates[@]}")" "$(median "${nginx_rates[@]}")" "$m_ratio" "$m_p99"
}
me_title="GET /api/v1/users/me (valid bearer token: JWT check, then the session and user from the authentication cache)"
if [ -n "$users" ]; then
measure "$connections" "$me_title" /api/v1/users/me me.json -H "Authorization: Bearer $token"
ratio_64="$m_ratio" p99_64="$m_p99"
echo
measure "$many" "$me_title" /api/v1/users/me me.json -H "Authorization: Bearer $token"
ratio_many="$m_ratio" p99_many="$m_p99"

echo
echo "== POST /api/v1/auth/login (Argon2id m=19 MiB t=2 p=1 per request, by design), 8 connections"
cat >"$scratch/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$email","password":"$password"}'
LUA
read -r login_rate login_p99 < <(connections=8 run_wrk "$base/api/v1/auth/login" -s "$scratch/login.lua")
hash_ms="$(python3 - <<'PY'
import time, ctypes, ctypes.util, os
lib = ctypes.CDLL(ctypes.util.find_library("argon2"))
out = ctypes.create_string_buffer(32)
t = time.perf_counter(); n = 5
for _ in range(n):
    lib.argon2id_hash_raw(2, 19456, 1, b"password", 8, b"saltsaltsaltsalt", 16, out, 32)
print(f"{(time.perf_counter() - t) / n * 1000:.1f}")
PY
)"
printf '  login: %s req/s, p99 %s ms; one Argon2id hash takes %s ms here, so %d cores bound login near %s/s\n' \
  "$login_rate" "$login_p99" "$hash_ms" "$(nproc)" "$(python3 -c "print(f'{$(nproc) * 1000 / $hash_ms:.0f}')")"
fi

if [ -n "$catalog" ]; then
  bytes() { stat -c %s "$scratch/www/$1"; }
  [ -n "$users" ] && echo
  echo "catalog: $courses published courses; listing $(bytes courses-list.json) B, detail $(bytes course-detail.json) B, search $(bytes courses-search.json) B ('$search_word': $search_total courses)"
  echo
  measure "$connections" "GET /api/v1/courses?page=1&limit=20 (public: the count, then a page of 20 newest with instructor names and lecture counts)" \
    "/api/v1/courses?page=1&limit=20" courses-list.json
  list_ratio="$m_ratio" list_p99="$m_p99"
  echo
  measure "$connections" "GET $detail_path (public view by slug: the course, its 3 sections and 9 lectures)" \
    "$detail_path" course-detail.json
  detail_ratio="$m_ratio" detail_p99="$m_p99"
  echo
  measure "$connections" "GET $search_path (full-text, relevance: $search_total of $courses courses match)" \
    "$search_path" courses-search.json
  search_ratio="$m_ratio" search_p99="$m_p99"
fi

echo
ok() { python3 -c "print('ok' if $1 else 'short')"; }
if [ -n "$users" ]; then
echo "target users_me_vs_nginx_ratio: $ratio_64 (goal ≥ 0.7) $(ok "$ratio_64 >= 0.7")"
echo "target users_me_p99_ms: $p99_64 (goal ≤ 10) $(ok "$p99_64 <= 10")"
echo "target users_me_${many}c_p99_ms: $p99_many (goal < 50; ratio to nginx $ratio_many) $(ok "$p99_many < 50")"
fi
if [ -n "$catalog" ]; then
echo "target courses_list_vs_nginx_ratio: $list_ratio (goal ≥ 0.5) $(ok "$list_ratio >= 0.5")"
echo "target courses_list_p99_ms: $list_p99 (goal ≤ 20) $(ok "$list_p99 <= 20")"
# A detail page is a few indexed lookups of one course's rows, less work than the listing's
# count over the catalog: it is held to the listing's goal (bench/README.md).
echo "target courses_detail_vs_nginx_ratio: $detail_ratio (goal ≥ 0.5; p99 $detail_p99 ms) $(ok "$detail_ratio >= 0.5")"
echo "target courses_search_vs_nginx_ratio: $search_ratio (goal ≥ 0.2; p99 $search_p99 ms) $(ok "$search_ratio >= 0.2")"
fi
