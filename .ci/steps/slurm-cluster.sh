#!/usr/bin/env bash
# Starts or stops a real single-node Slurm cluster (munged, slurmctld, slurmd) on this machine,
# as ../shared/docs/slurm-single-node.md describes: Debian's packages, proctrack/linuxproc and
# task/none (the cgroup default fails silently here), the node's CPUs and memory from `slurmd -C`,
# batch_sched_delay=0, and daemons checked and stopped through their PID files.
#
#   .ci/steps/slurm-cluster.sh install   # apt-get install munge slurmctld slurmd slurm-client
#   .ci/steps/slurm-cluster.sh start     # write slurm.conf, start the daemons, wait for an idle node
#   .ci/steps/slurm-cluster.sh stop      # cancel jobs left, stop the daemons by their PID files
#
# Needs root. It will not touch a daemon it cannot identify through its PID file.
set -euo pipefail

conf=/etc/slurm/slurm.conf
node=ci-node

# Whether process $1 is alive: it exists and is not a zombie (PID 1 here may not reap them).
alive() {
    local state
    state=$(sed -E 's/^.*\) ([A-Z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# The PID in $1 when it names a live process whose command is $2; empty otherwise.
live_pid() {
    local file=$1 comm=$2 pid
    [ -f "$file" ] || return 0
    pid=$(tr -dc 0-9 < "$file")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && alive "$pid" && echo "$pid"
    return 0
}

# Waits up to $1 tenths of a second for the command in the rest of the arguments to succeed.
wait_for() {
    local tries=$1; shift
    for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

install_packages() {
    if command -v sbatch >/dev/null && [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && [ -x /usr/sbin/munged ]; then
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends munge slurmctld slurmd slurm-client >/dev/null
}

write_conf() {
    local fields
    # `slurmd -C` prints "NodeName=<host> CPUs=2 Boards=1 … RealMemory=24000"; keep what follows the name.
    fields=$(/usr/sbin/slurmd -C | head -1 | sed -E 's/^NodeName=[^ ]+ //')
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
    cat > "$conf" <<CONF
ClusterName=ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 $fields State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    [ "$(id -u)" = 0 ] || { echo "slurm-cluster: start needs root" >&2; exit 1; }
    if [ ! -f /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0600 /etc/munge/munge.key
    fi
    write_conf
    install -d -o munge -g munge -m 0755 /run/munge
    if [ -z "$(live_pid /run/munge/munged.pid munged)" ]; then
        runuser -u munge -- /usr/sbin/munged
    fi
    munge -n | unmunge | grep -q 'STATUS: *Success' || { echo "slurm-cluster: munge does not work" >&2; exit 1; }
    if [ -z "$(live_pid /run/slurmctld.pid slurmctld)" ]; then
        /usr/sbin/slurmctld
    fi
    # slurmctld forks and exits 0 even when it then dies: wait for it to answer.
    wait_for 150 sh -c "scontrol ping | grep -q 'is UP'" || {
        echo "slurm-cluster: slurmctld did not come up; /var/log/slurm/slurmctld.log ends:" >&2
        tail -20 /var/log/slurm/slurmctld.log >&2; exit 1; }
    if [ -z "$(live_pid /run/slurmd.pid slurmd)" ]; then
        /usr/sbin/slurmd -N "$node"
    fi
    # A node drained once stays drained across restarts (saved state).
    scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
    wait_for 300 sh -c "[ \"\$(sinfo -h -n $node -o %t)\" = idle ]" || {
        echo "slurm-cluster: node $node is not idle: $(sinfo -h -n $node -o '%t %E')" >&2
        tail -20 /var/log/slurm/slurmd.log >&2; exit 1; }
    echo "slurm-cluster: up ($(sinfo -h -n $node -o '%c CPUs, %m MB'), partition main)"
}

# Sends SIGTERM to the daemon of PID file $1 (command $2) and waits for it to go.
stop_daemon() {
    local pid
    pid=$(live_pid "$1" "$2")
    [ -n "$pid" ] || return 0
    kill "$pid"
    for _ in $(seq 100); do alive "$pid" || return 0; sleep 0.1; done
    echo "slurm-cluster: $2 ($pid) ignores SIGTERM; killing it" >&2
    kill -9 "$pid" || true
}

stop() {
    if [ -n "$(live_pid /run/slurmctld.pid slurmctld)" ]; then
        scancel --user=root >/dev/null 2>&1 || true
        wait_for 100 sh -c '[ -z "$(squeue -h -o %i)" ]' || true
    fi
    stop_daemon /run/slurmd.pid slurmd
    stop_daemon /run/slurmctld.pid slurmctld
    stop_daemon /run/munge/munged.pid munged
    echo "slurm-cluster: stopped"
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
