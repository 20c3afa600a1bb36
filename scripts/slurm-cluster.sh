#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the scheduler tests (test/slurm.spec.ts)
# and for trying `imp slurm submit` by hand. It implements the recipe of
# /work/shared/notes/dependencies.md §10 (Debian's slurm-wlm 22.05 and munge, as root,
# no systemd, no cgroups, no accounting) and installs nothing:
#
#   scripts/slurm-cluster.sh start    # munged (unless one answers already), slurmctld, slurmd; waits for 'idle'
#   scripts/slurm-cluster.sh status   # which of the daemons it started are alive, and sinfo
#   scripts/slurm-cluster.sh stop     # kills exactly the PIDs it recorded at start
#
# The PIDs go to $IMP_SLURM_STATE (default /tmp/imp-slurm-cluster), together with the
# controller's and node's spool directories and logs, so every start begins with an
# empty queue. The config is written to /etc/slurm/slurm.conf (where sbatch, squeue and
# friends look for it) with a marker line; a slurm.conf without that marker is a real
# cluster's and is never overwritten.
# Exit codes: 0 ok, 1 a daemon failed to start (its log is named), 2 Slurm or munge not
# installed, or not root.
set -euo pipefail

STATE=${IMP_SLURM_STATE:-/tmp/imp-slurm-cluster}
CONF=/etc/slurm/slurm.conf
MARK='# written by imp scripts/slurm-cluster.sh'
cmd=${1:-}

need() {
  for b in slurmctld slurmd munged munge sinfo; do
    if ! command -v "$b" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$b" ]; then
      echo "slurm-cluster: $b not found; install with: apt-get install -y --no-install-recommends slurm-wlm munge" >&2
      exit 2
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    echo "slurm-cluster: must run as root (the daemons run as root, munged as the munge user)" >&2
    exit 2
  fi
}
export PATH="$PATH:/usr/sbin:/sbin"

alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

wait_for() { # wait_for <seconds> <command…>: polls every 0.2 s
  local n=$(($1 * 5))
  shift
  while [ "$n" -gt 0 ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
    n=$((n - 1))
  done
  return 1
}

munge_ok() { munge -n | unmunge; }
node_idle() { sinfo --noheader --format=%t | grep -qx idle; }

start_munge() {
  if munge_ok >/dev/null 2>&1; then return 0; fi # someone's munged answers: use it, never stop it
  mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
  chmod 400 /etc/munge/munge.key
  rm -f /run/munge/munged.pid
  su -s /bin/sh munge -c /usr/sbin/munged
  wait_for 10 test -s /run/munge/munged.pid || {
    echo "slurm-cluster: munged did not start (see /var/log/munge/munged.log)" >&2
    exit 1
  }
  cp /run/munge/munged.pid "$STATE/munged.pid"
  wait_for 10 munge_ok || {
    echo "slurm-cluster: munged started but munge -n | unmunge fails (see /var/log/munge/munged.log)" >&2
    exit 1
  }
}

write_conf() {
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    echo "slurm-cluster: $CONF exists and was not written by this script; refusing to overwrite it" >&2
    exit 2
  fi
  local host node
  host=$(hostname)
  # `slurmd -C` prints this machine's real NodeName line (CPUs, sockets, RealMemory), so
  # jobs asking for --mem are checked against the real memory, not Slurm's 1 MB default.
  node=$(slurmd -C | head -n 1)
  mkdir -p /etc/slurm "$STATE/slurmctld" "$STATE/slurmd"
  cat >"$CONF.tmp" <<CONF
$MARK (state, PIDs and logs in $STATE)
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ReturnToService=2
# Finished jobs stay visible to squeue for this long (seconds): the executor reads their
# end state there before falling back to its own exit records.
MinJobAge=300
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.tmp" "$CONF"
}

start() {
  need
  mkdir -p "$STATE"
  if alive slurmctld && alive slurmd; then
    echo "slurm-cluster: already running (slurmctld $(cat "$STATE/slurmctld.pid"), slurmd $(cat "$STATE/slurmd.pid"))"
    return 0
  fi
  start_munge
  write_conf
  # A clean queue at every start: job ids begin again at 1 (the executor checks job names too).
  rm -rf "$STATE/slurmctld" "$STATE/slurmd"
  mkdir -p "$STATE/slurmctld" "$STATE/slurmd"
  slurmctld -i || {
    echo "slurm-cluster: slurmctld failed (see $STATE/slurmctld.log)" >&2
    exit 1
  }
  wait_for 20 test -s "$STATE/slurmctld.pid" || {
    echo "slurm-cluster: slurmctld did not write its PID (see $STATE/slurmctld.log)" >&2
    exit 1
  }
  slurmd || {
    echo "slurm-cluster: slurmd failed (see $STATE/slurmd.log)" >&2
    exit 1
  }
  wait_for 20 test -s "$STATE/slurmd.pid" || {
    echo "slurm-cluster: slurmd did not write its PID (see $STATE/slurmd.log)" >&2
    exit 1
  }
  wait_for 60 node_idle || {
    echo "slurm-cluster: the node is not idle after 60 s: $(sinfo --noheader 2>&1 | head -n 1) (see $STATE/slurmctld.log)" >&2
    exit 1
  }
  echo "slurm-cluster: up: $(sinfo --noheader --format='%P %D %t %c CPUs %m MB' | head -n 1)"
}

stop() {
  local any=0
  for d in slurmd slurmctld munged; do
    if alive "$d"; then
      local pid
      pid=$(cat "$STATE/$d.pid")
      kill "$pid"
      # Wait for it to go, so a following start never races its shutdown.
      wait_for 20 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
      echo "slurm-cluster: stopped $d ($pid)"
      any=1
    fi
    rm -f "$STATE/$d.pid"
  done
  [ "$any" = 1 ] || echo "slurm-cluster: nothing of ours was running"
}

status() {
  local rc=0
  for d in munged slurmctld slurmd; do
    if alive "$d"; then echo "$d: running ($(cat "$STATE/$d.pid"))"; else
      echo "$d: not running (of ours)"
      [ "$d" = munged ] || rc=1
    fi
  done
  if [ "$rc" = 0 ]; then sinfo --noheader --format='%P %D %t %c CPUs %m MB'; fi
  return "$rc"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: scripts/slurm-cluster.sh start|stop|status" >&2
    exit 2
    ;;
esac
