#!/usr/bin/env bash
# PiStreaming build script: installs what is missing, builds, and runs the server, the tests or the benchmarks.
#   ./build.sh run [server options]   build and start the server (arguments go to it)
#   ./build.sh test                   run all tests; ends with "N passed, N failed"
#   ./build.sh bench [latency|load]   run a benchmark against the real server and print its numbers
#   ./build.sh build                  only install and build
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIGURATION=Release
SERVER_DLL="$ROOT/PiStreaming/bin/$CONFIGURATION/net10.0/PiStreaming.dll"

say() { echo "build.sh: $*" >&2; }

# Debian packages, installed only when their command is missing.
ensure_packages() {
  local missing=() command package
  for pair in "$@"; do
    command=${pair%%:*} package=${pair##*:}
    command -v "$command" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing ${missing[*]} (Debian packages)"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { say "the .NET 10 SDK is needed: https://learn.microsoft.com/dotnet/core/install/linux-debian"; exit 1; }
}

# jsmpg.js comes from the npm package jsmpeg@1.0.0, never from the repository.
ensure_decoder() {
  [ -f static/node_modules/jsmpeg/jsmpg.js ] && return 0
  ensure_packages npm:npm
  say "installing jsmpg.js (npm package jsmpeg@1.0.0)"
  (cd static && npm ci --no-audit --no-fund --loglevel=error >&2)
}

build() {
  ensure_dotnet
  ensure_decoder
  dotnet build PiStreaming.sln -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly -clp:NoSummary >&2
}

run_tests() {
  # One formatting style (.editorconfig), checked like a test.
  if ! dotnet format whitespace PiStreaming.sln --verify-no-changes >&2; then
    say "formatting differs from .editorconfig: run 'dotnet format whitespace PiStreaming.sln'"
    echo "0 passed, 1 failed"
    return 1
  fi
  local results="$ROOT/artifacts/test-results"
  rm -rf "$results"
  mkdir -p "$results"
  local status=0
  dotnet test PiStreaming.sln -c "$CONFIGURATION" --no-build -nologo \
    --results-directory "$results" --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" || status=$?
  local trx="$results/results.trx" passed=0 failed=0
  if [ -f "$trx" ]; then
    passed=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')
    failed=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
  elif [ "$status" -ne 0 ]; then
    failed=1
  fi
  echo "$passed passed, $failed failed"
  [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
}

command=${1:-run}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    ensure_packages ffmpeg:ffmpeg
    build
    exec dotnet "$SERVER_DLL" "$@"
    ;;
  build)
    ensure_packages ffmpeg:ffmpeg
    build
    ;;
  test)
    # The browser tests drive Debian's chromium through Playwright (never a downloaded browser).
    ensure_packages ffmpeg:ffmpeg chromium:chromium
    build
    run_tests
    ;;
  bench)
    ensure_packages ffmpeg:ffmpeg chromium:chromium
    build
    exec dotnet "$ROOT/PiStreaming.Benchmarks/bin/$CONFIGURATION/net10.0/PiStreaming.Benchmarks.dll" "$@"
    ;;
  *)
    echo "usage: ./build.sh run [server options] | test | bench [latency|load] | build" >&2
    exit 2
    ;;
esac
