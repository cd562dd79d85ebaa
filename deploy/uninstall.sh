#!/usr/bin/env bash
# Removes the pistreaming service that install.sh installed: the service, its unit, its user and /opt/pistreaming.
# The options in /etc/pistreaming and the data in /var/lib/pistreaming (credentials, login keys, certificate)
# stay, unless --purge.
#   sudo /opt/pistreaming/uninstall.sh [--purge]
#   ./uninstall.sh --root DIR [--purge]   the same in DIR as if it were / (for tests and images)
set -euo pipefail

NAME=pistreaming

say() { echo "uninstall.sh: $*" >&2; }
usage() {
  echo "usage: sudo /opt/pistreaming/uninstall.sh [--purge] [--root DIR]" >&2
  exit 2
}

# Read whole before it runs: it deletes its own folder.
main() {
  local root="" purge=false
  while [ $# -gt 0 ]; do
    case "$1" in
      --purge)
        purge=true
        shift
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
  if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    say "run it as root: sudo $0 $*"
    exit 2
  fi

  local unit="$root/etc/systemd/system/$NAME.service"
  if [ -e "$unit" ]; then
    if [ -n "$root" ]; then
      systemctl --root="$root" disable "$NAME.service" 2>/dev/null || true
    else
      systemctl disable --now "$NAME.service" 2>/dev/null || true
    fi
  fi
  rm -f "$unit" "$root/etc/sysusers.d/$NAME.conf"
  [ -z "$root" ] && systemctl daemon-reload

  # The user and its own group (the group video stays).
  local prefix=()
  [ -n "$root" ] && prefix=(--prefix "$root")
  if grep -q "^$NAME:" "$root/etc/passwd" 2>/dev/null; then
    userdel "${prefix[@]}" "$NAME"
  fi
  if grep -q "^$NAME:" "$root/etc/group" 2>/dev/null; then
    groupdel "${prefix[@]}" "$NAME"
  fi

  rm -rf "$root/opt/$NAME"
  if $purge; then
    rm -rf "$root/etc/$NAME" "$root/var/lib/$NAME"
    say "removed, options and data included"
  else
    say "removed; the options stay in $root/etc/$NAME and the data in $root/var/lib/$NAME (remove them too with --purge)"
  fi
}

main "$@"
exit
