#!/usr/bin/env bash
# PiStreaming build script: installs what is missing, builds, and runs the server, the tests or the benchmarks.
#   ./build.sh run [server options]   build and start the server (arguments go to it)
#   ./build.sh test                   run all tests; ends with "N passed, N failed"
#   ./build.sh bench [latency|load|outputs|lean]   run a benchmark against the real server and print its numbers
#   ./build.sh build                  only install and build
#   ./build.sh publish RID            a self-contained server in artifacts/publish/RID/ (linux-x64, linux-arm64: Native AOT; linux-arm: ReadyToRun)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIGURATION=Release
SERVER_DLL="$ROOT/PiStreaming/bin/$CONFIGURATION/net10.0/PiStreaming.dll"

say() { echo "build.sh: $*" >&2; }

# Debian packages, installed only when missing: command:package pairs, or /path/of/a/file:package for a
# package that brings no command (a library).
ensure_packages() {
  local missing=() command package
  for pair in "$@"; do
    command=${pair%%:*} package=${pair##*:}
    if [[ $command == /* ]]; then
      [ -e "$command" ] || missing+=("$package")
    else
      command -v "$command" >/dev/null 2>&1 || missing+=("$package")
    fi
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

# jsmpg.js comes from the npm package jsmpeg@1.0.0 and jmuxer.min.js from jmuxer, never from the repository.
ensure_decoder() {
  [ -f static/node_modules/jsmpeg/jsmpg.js ] && [ -f static/node_modules/jmuxer/dist/jmuxer.min.js ] && return 0
  ensure_packages npm:npm
  say "installing jsmpg.js and jmuxer.min.js (npm packages jsmpeg@1.0.0 and jmuxer@2.1.1)"
  (cd static && npm ci --no-audit --no-fund --loglevel=error >&2)
}

build() {
  ensure_dotnet
  ensure_decoder
  dotnet build PiStreaming.sln -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly -clp:NoSummary >&2
}

# nginx in front of relays, and as the media server publishing is tested against (its service is never started:
# the tests run their own nginx on loopback).
NGINX=(
  /usr/sbin/nginx:nginx
  /usr/lib/nginx/modules/ngx_rtmp_module.so:libnginx-mod-rtmp
)

# What the ARM build test needs: qemu user-mode emulation and the ARM64 C and C++ runtimes it loads the
# emulated server with (qemu-aarch64-static -L /usr/aarch64-linux-gnu).
ARM_EMULATION=(
  qemu-aarch64-static:qemu-user-static
  update-binfmts:binfmt-support
  /usr/aarch64-linux-gnu/lib/libc.so.6:libc6-arm64-cross
  /usr/aarch64-linux-gnu/lib/libstdc++.so.6:libstdc++6-arm64-cross
  /usr/aarch64-linux-gnu/lib/libgcc_s.so.1:libgcc-s1-arm64-cross
)

# The emulated server also needs OpenSSL (.NET hashes the WebSocket handshake with it), which no *-cross
# package carries: Debian's libssl3 for arm64 is downloaded with apt-get and unpacked into
# artifacts/qemu/arm64 (the machine's apt sources, architectures and installed packages stay as they are).
ARM64_LIBSSL="$ROOT/artifacts/qemu/arm64/usr/lib/aarch64-linux-gnu"
ensure_arm64_libssl() {
  [ -f "$ARM64_LIBSSL/libssl.so.3" ] && return 0
  local apt="$ROOT/artifacts/qemu/apt" options
  options=(-o APT::Architectures::=arm64 -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
  rm -rf "$apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  say "unpacking libssl3:arm64 (Debian package) into artifacts/qemu/arm64"
  # An index that cannot be had (e.g. one for another architecture) is reported and skipped; the download below
  # fails if the one it needs is missing.
  apt-get update -qq "${options[@]}" >&2 || true
  (cd "$apt" && apt-get download -qq "${options[@]}" libssl3:arm64 >&2)
  dpkg-deb -x "$apt"/libssl3_*_arm64.deb "$ROOT/artifacts/qemu/arm64"
  [ -f "$ARM64_LIBSSL/libssl.so.3" ] || { say "libssl3:arm64 has no libssl.so.3 in $ARM64_LIBSSL"; exit 1; }
}

# A self-contained server for a Raspberry Pi (or a PC): runs without .NET installed. linux-x64 and linux-arm64 are
# compiled with Native AOT: one native executable, half the memory and a tenth of the start-up of ReadyToRun
# (docs/lean.md); for ARM64 it is cross-compiled and linked with Debian's aarch64 cross toolchain. linux-arm (32-bit)
# is ReadyToRun (ahead-of-time compiled code beside the IL, by crossgen2 from NuGet).
publish() {
  local rid=${1:-}
  case "$rid" in
    linux-arm64 | linux-arm | linux-x64) ;;
    *)
      echo "usage: ./build.sh publish linux-arm64 | linux-arm | linux-x64" >&2
      exit 2
      ;;
  esac
  local form=native-aot
  [ "$rid" = linux-arm ] && form=ready-to-run
  local out="$ROOT/artifacts/publish/$rid"
  publish_server "$rid" "$form" "$out"
  say "published $rid ($form, self-contained, no .NET needed on the target; sudo ./install.sh there installs the service) to:"
  echo "$out"
}

# publish_server RID native-aot|ready-to-run FOLDER: the server, its pages and the service's files in FOLDER.
publish_server() {
  local rid=$1 form=$2 out=$3 properties
  ensure_dotnet
  ensure_decoder
  if [ "$form" = native-aot ]; then
    # The ILCompiler links with clang and zlib (https://aka.ms/nativeaot-prerequisites).
    ensure_packages clang:clang /usr/include/zlib.h:zlib1g-dev
    if [ "$rid" = linux-arm64 ]; then
      # Cross-linking: clang --target aarch64-linux-gnu with the GNU cross linker, C runtime and libgcc, and
      # llvm-objcopy, which reads ARM64 objects, to split off the debug symbols.
      ensure_packages aarch64-linux-gnu-ld:binutils-aarch64-linux-gnu aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu \
        /usr/aarch64-linux-gnu/lib/crt1.o:libc6-dev-arm64-cross llvm-objcopy:llvm
    fi
    properties=(-p:PublishAot=true)
    say "publishing $rid with Native AOT (a few minutes on 2 cores)"
  else
    properties=(-p:PublishReadyToRun=true -p:PublishSingleFile=false)
  fi
  rm -rf "$out"
  dotnet publish PiStreaming/PiStreaming.csproj -c "$CONFIGURATION" -r "$rid" --self-contained "${properties[@]}" \
    -o "$out" -nologo -v quiet -clp:ErrorsOnly -clp:NoSummary >&2
  # Native AOT's debug symbols (PiStreaming.dbg, 40 MB) stay out of what is copied to a machine.
  rm -f "$out"/*.dbg
  local file
  for file in PiStreaming static/index.html static/status.html static/jsmpg.js static/jmuxer.min.js install.sh uninstall.sh pistreaming.service pistreaming.sysusers pistreaming.conf; do
    [ -f "$out/$file" ] || { say "publish $rid: $out/$file is missing"; exit 1; }
  done
}

# Today's server for ./build.sh bench lean: main as it was before issue 14 (commit 653a9e5), built once into
# artifacts/lean-baseline, so its figures are measured in the same run as the new ones.
LEAN_BASELINE_COMMIT=653a9e5
LEAN_BASELINE="$ROOT/artifacts/lean-baseline/server"
lean_baseline() {
  [ -f "$LEAN_BASELINE/PiStreaming.dll" ] && return 0
  local source="$ROOT/artifacts/lean-baseline/src"
  say "building today's server (commit $LEAN_BASELINE_COMMIT) into artifacts/lean-baseline"
  rm -rf "$source"
  mkdir -p "$source"
  git -C "$ROOT" archive "$LEAN_BASELINE_COMMIT" | tar -x -C "$source"
  cp -r "$ROOT/static/node_modules" "$source/static/"
  dotnet build "$source/PiStreaming/PiStreaming.csproj" -c "$CONFIGURATION" -o "$LEAN_BASELINE" -nologo -v quiet -clp:ErrorsOnly -clp:NoSummary >&2
}

# The x64 server as the 32-bit ARM build ships it (ReadyToRun), only to measure it beside the published Native AOT build
# (./build.sh bench lean).
LEAN_R2R="$ROOT/artifacts/lean-r2r"

# Each failed test in a .trx file: its name, then the first lines of its message.
failed_tests() {
  if command -v python3 >/dev/null; then
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for result in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
    print("  " + result.get("testName"))
    message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", ns).strip().splitlines()
    for line in message[:6]:
        print("    " + line)
PY
  else
    grep -o '<UnitTestResult [^>]*outcome="Failed"' "$1" | sed 's/.*testName="\([^"]*\)".*/  \1/'
  fi
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
  # The failures again, last, where a CI page that shows only the end of the output still has them.
  if [ "${failed:-0}" -gt 0 ] && [ -f "$trx" ]; then
    echo "failed tests:"
    failed_tests "$trx"
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
    # The browser tests drive Debian's chromium through Playwright (never a downloaded browser). nginx:
    # the reverse-proxy, relay and RTMP tests run their own on loopback. systemd-analyze and systemd-sysusers
    # check and install the service's unit and user (into a folder, not this system).
    ensure_packages ffmpeg:ffmpeg chromium:chromium "${NGINX[@]}" systemd-analyze:systemd systemd-sysusers:systemd userdel:passwd "${ARM_EMULATION[@]}"
    ensure_arm64_libssl
    build
    run_tests
    ;;
  publish)
    publish "$@"
    ;;
  bench)
    ensure_packages ffmpeg:ffmpeg chromium:chromium
    build
    if [ "${1:-}" = "lean" ]; then
      shift
      lean_baseline
      publish_server linux-x64 ready-to-run "$LEAN_R2R"
      publish linux-x64 >/dev/null
      set -- lean --baseline "$LEAN_BASELINE/PiStreaming.dll" --build "r2r=$LEAN_R2R/PiStreaming" \
        --build "published=$ROOT/artifacts/publish/linux-x64/PiStreaming" "$@"
    fi
    exec dotnet "$ROOT/PiStreaming.Benchmarks/bin/$CONFIGURATION/net10.0/PiStreaming.Benchmarks.dll" "$@"
    ;;
  *)
    echo "usage: ./build.sh run [server options] | test | bench [latency|load|outputs|lean] | build | publish RID" >&2
    exit 2
    ;;
esac
