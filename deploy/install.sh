#!/usr/bin/env bash
# Installs this published PiStreaming build as the systemd service "pistreaming" (Debian, Raspberry Pi OS):
#   sudo ./install.sh [--config FILE]   copy to /opt/pistreaming, make the user, install the unit, start it
#   ./install.sh --root DIR             the same into DIR as if it were /, started nowhere (for tests and images)
# The options live in /etc/pistreaming/pistreaming.conf: kept when it exists, unless --config FILE replaces it.
# Running it again updates the build and restarts the service. /opt/pistreaming/uninstall.sh removes it all.
set -euo pipefail

NAME=pistreaming
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { echo "install.sh: $*" >&2; }
usage() {
  echo "usage: sudo ./install.sh [--config FILE] [--root DIR]" >&2
  exit 2
}

main() {
  local root="" config=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --config)
        [ $# -ge 2 ] || usage
        config=$2
        shift 2
        ;;
      --root)
        [ $# -ge 2 ] || usage
        root=$(cd "$2" && pwd) || { say "no such folder: $2"; exit 2; }
        shift 2
        ;;
      -h | --help) usage ;;
      *)
        say "unknown argument: $1"
        usage
        ;;
    esac
  done

  for file in PiStreaming pistreaming.service pistreaming.sysusers pistreaming.conf uninstall.sh static/index.html; do
    [ -e "$SOURCE/$file" ] || { say "$SOURCE/$file is missing: run this from a build made by ./build.sh publish RID"; exit 2; }
  done
  if [ -n "$config" ] && [ ! -f "$config" ]; then
    say "no such configuration file: $config"
    exit 2
  fi
  if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    say "run it as root: sudo $0 $*"
    exit 2
  fi

  local opt="$root/opt/$NAME" etc="$root/etc/$NAME" unit="$root/etc/systemd/system/$NAME.service"
  if [ -z "$root" ]; then
    # The server must run on this machine (a linux-arm64 build on 64-bit Raspberry Pi OS, ...).
    if ! "$SOURCE/PiStreaming" --version >/dev/null 2>&1; then
      say "this build does not run here ($(uname -m)): publish the RID of this system (linux-arm64, linux-arm or linux-x64)"
      exit 2
    fi
    if ! command -v ffmpeg >/dev/null 2>&1; then
      say "installing ffmpeg (Debian package)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg
    fi
    systemctl stop "$NAME" 2>/dev/null || true
  fi

  # The build: a fresh copy, so files of an older version do not linger.
  if [ "$SOURCE" != "$opt" ]; then
    mkdir -p "$(dirname "$opt")"
    rm -rf "$opt.new"
    cp -a "$SOURCE" "$opt.new"
    rm -rf "$opt"
    mv "$opt.new" "$opt"
  fi
  chown -R root:root "$opt" 2>/dev/null || true
  chmod -R u+rwX,go+rX,go-w "$opt"

  # The configuration: kept across updates.
  mkdir -p "$etc"
  if [ -n "$config" ]; then
    install -m 0644 "$config" "$etc/$NAME.conf"
  elif [ ! -e "$etc/$NAME.conf" ]; then
    install -m 0644 "$SOURCE/pistreaming.conf" "$etc/$NAME.conf"
  fi

  # The user (systemd-sysusers creates it, in the group video) and the unit.
  mkdir -p "$root/etc/sysusers.d" "$(dirname "$unit")"
  install -m 0644 "$SOURCE/pistreaming.sysusers" "$root/etc/sysusers.d/$NAME.conf"
  install -m 0644 "$SOURCE/pistreaming.service" "$unit"
  if [ -n "$root" ]; then
    systemd-sysusers --root="$root" "$root/etc/sysusers.d/$NAME.conf"
    systemctl --root="$root" enable "$NAME.service" 2>/dev/null
    say "installed into $root"
    return 0
  fi

  systemd-sysusers "/etc/sysusers.d/$NAME.conf"
  systemctl daemon-reload
  systemctl enable "$NAME.service" 2>/dev/null
  # Type=notify: this returns once the server listens, or fails if it does not start.
  if ! systemctl restart "$NAME.service"; then
    say "the service did not start; its log:"
    journalctl -u "$NAME" -n 20 --no-pager >&2 || true
    exit 1
  fi
  say "pistreaming runs: $(systemctl show -p StatusText --value "$NAME")"
  say "options: $etc/$NAME.conf (then: sudo systemctl restart $NAME); log: journalctl -u $NAME -f; remove: sudo $opt/uninstall.sh"
}

main "$@"
