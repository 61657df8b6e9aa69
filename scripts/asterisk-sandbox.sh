#!/usr/bin/env bash
# Builds (once, cached) and starts a real Asterisk 22 from Debian sid in a chroot.
# Usage: scripts/asterisk-sandbox.sh build|start|stop|crash|status  (crash = kill -9, as in a PBX crash)
# The chroot lives in .cache/asterisk-root (git-ignored). AMI listens on 127.0.0.1:5038.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${CALLROUTER_ASTERISK_ROOT:-$here/.cache/asterisk-root}
apt_opts=(-o Acquire::Check-Valid-Until=false)

ensure_host_tools() {
  command -v debootstrap >/dev/null && return
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

build() {
  if [ -x "$root/usr/sbin/asterisk" ]; then return; fi
  ensure_host_tools
  rm -rf "$root.partial"
  mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase sid "$root.partial" http://deb.debian.org/debian >/dev/null
  mount_proc "$root.partial"
  chroot "$root.partial" apt-get "${apt_opts[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root.partial" apt-get "${apt_opts[@]}" install -y -qq \
    --no-install-recommends asterisk asterisk-core-sounds-en-gsm >/dev/null
  umount_proc "$root.partial"
  mv "$root.partial" "$root"
}

mount_proc() { mountpoint -q "$1/proc" || mount -t proc proc "$1/proc" 2>/dev/null || true; }
umount_proc() { umount "$1/proc" 2>/dev/null || true; }

install_config() {
  local etc=$root/etc/asterisk
  cp "$here/tests/asterisk/"*.conf "$etc/"
  mkdir -p "$etc/callrouter"
  cp "$here/dialplan/asterisk/"*.conf "$etc/callrouter/"
  sed -i "s/^secret = CHANGE-ME.*/secret = ${CALLROUTER_AMI_SECRET:-sandbox-secret}/" "$etc/callrouter/manager-callrouter.conf"
  for d in etc/asterisk var/lib/asterisk var/log/asterisk var/spool/asterisk var/run/asterisk \
           var/cache/asterisk usr/share/asterisk; do
    mkdir -p "$root/$d"; chown -R root:root "$root/$d"
  done
}

start() {
  build
  install_config
  if status >/dev/null; then stop; fi
  mount_proc "$root"
  rm -f "$root/var/run/asterisk/asterisk.ctl" "$root/var/run/asterisk/asterisk.pid"
  nohup chroot "$root" /usr/sbin/asterisk -f -n >"$root/../asterisk.out" 2>&1 &
  # AMI opens before the dialplan is loaded: wait for "Asterisk Ready" too (fully booted).
  for _ in $(seq 1 150); do
    if grep -q "Asterisk Ready" "$root/../asterisk.out" 2>/dev/null &&
       (exec 3<>/dev/tcp/127.0.0.1/5038) 2>/dev/null; then
      echo "asterisk up (AMI 127.0.0.1:5038)"; return
    fi
    sleep 0.2
  done
  echo "asterisk did not open AMI on 127.0.0.1:5038; see $root/../asterisk.out" >&2
  exit 1
}

status() { pgrep -f "^/usr/sbin/asterisk -f -n" >/dev/null && echo running; }

stop() {
  pkill -f "^/usr/sbin/asterisk -f -n" 2>/dev/null || true
  for _ in $(seq 1 50); do status >/dev/null || break; sleep 0.1; done
  pkill -9 -f "^/usr/sbin/asterisk -f -n" 2>/dev/null || true
  # Unmount the chroot's /proc so that removing a checkout never walks into the host's /proc.
  for _ in $(seq 1 20); do status >/dev/null || break; sleep 0.1; done
  umount_proc "$root"
}

crash() { pkill -9 -f "^/usr/sbin/asterisk -f -n" 2>/dev/null || true; }

"${1:-start}"
