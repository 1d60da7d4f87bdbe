# Shared by ops/lms, ops/test and ops/bench: installs what is missing, builds, and runs a
# PostgreSQL cluster of our own. Sourced, not run.
set -euo pipefail

LMS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LMS_PACKAGES=(build-essential cmake ninja-build pkg-config git
  libpoco-dev libboost1.74-dev librdkafka-dev libpq-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libssl-dev libargon2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib kcat procps python3 python3-aiosmtpd openssl clang libclang-rt-14-dev
  clang-format clang-tidy
  libcairo2-dev libpango1.0-dev libharfbuzz-dev zlib1g-dev libqrencode-dev fonts-noto-core fonts-noto-cjk poppler-utils zbar-tools qpdf)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

lms_install_deps() {
  local missing=()
  for p in "${LMS_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm (tests/providers: the payment providers' own libraries), looked for as commands,
  # not as packages: NodeSource's nodejs carries npm and conflicts with Debian's npm package.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

lms_build() {  # lms_build PRESET [targets...]
  local preset="$1"; shift
  say "building ($preset)"
  cmake --preset "$preset" -S "$LMS_ROOT" >/dev/null
  cmake --build "$LMS_ROOT/build/$preset" -j "$(nproc)" ${1:+--target "$@"}
}

# npm ci in DIR (tests/providers) unless its node_modules was installed from the same
# package-lock.json: a copy of the lock kept in node_modules says so, and spares the registry.
lms_npm_ci() {
  local dir="$1" stamp="$1/node_modules/.lms-installed-lock.json"
  cmp -s "$dir/package-lock.json" "$stamp" && return 0
  say "npm ci in ${dir#"$LMS_ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$dir/package-lock.json" "$stamp"
}

lms_pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# Runs a command as the cluster's owner: postgres when we are root (PostgreSQL refuses root).
lms_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# True when the postgres user can reach and write DIR (a clone under a root-only home cannot).
lms_pg_can_use() {
  [ "$(id -u)" -ne 0 ] && return 0
  runuser -u postgres -- test -w "$1" 2>/dev/null
}

lms_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# lms_pg_start DATADIR PORT [durable]: initialises DATADIR when new, then starts the server on
# 127.0.0.1:PORT with its socket in DATADIR. Without "durable", fsync is off (throw-away clusters).
lms_pg_start() {
  local data="$1" port="$2" durable="${3:-}" bin
  bin="$(lms_pg_bin)"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data" && chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    lms_as_pg "$bin/initdb" -D "$data" --username=lms --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$data'"
      echo "max_connections = 200"
      echo "shared_buffers = 256MB"
      if [ -z "$durable" ]; then
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } | lms_as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi
  lms_as_pg "$bin/pg_ctl" -D "$data" -o "-p $port" -l "$data/server.log" -w -t 60 start >/dev/null
}

lms_pg_stop() {  # lms_pg_stop DATADIR
  local bin; bin="$(lms_pg_bin)"
  [ -f "$1/postmaster.pid" ] && lms_as_pg "$bin/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

lms_pg_createdb() {  # lms_pg_createdb PORT NAME
  local bin; bin="$(lms_pg_bin)"
  lms_as_pg "$bin/psql" -h 127.0.0.1 -p "$1" -U lms -d postgres -qAtc \
    "SELECT 1 FROM pg_database WHERE datname = '$2'" | grep -q 1 ||
    lms_as_pg "$bin/createdb" -h 127.0.0.1 -p "$1" -U lms "$2"
}

# A scratch directory the cluster owner can use (under /tmp when we are root).
lms_scratch_dir() {
  local d; d="$(mktemp -d "${TMPDIR:-/tmp}/lms-$1.XXXXXX")"
  chmod 755 "$d"
  echo "$d"
}
