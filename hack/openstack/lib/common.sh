# shellcheck shell=bash
# Shared by up and down: where the cloud keeps its state, how daemons are
# started and stopped, and how a failure is reported.

# OpenStack is Debian's Python: a pyenv or virtualenv python3 earlier on PATH
# cannot import Debian's modules, so every command runs with the system PATH.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV PYENV_VERSION
export LC_ALL=C.UTF-8

# STATE holds everything up creates at run time (PIDs, logs, secrets,
# clouds.yaml, the snapshot driver's switches). Outside the repository on
# purpose: a running cloud outlives a clone, and CI clones afresh.
STATE=${OPENSTACK_STATE_DIR:-/var/lib/serverimage-openstack}
PIDS=$STATE/pids
LOGS=$STATE/logs
# shellcheck disable=SC2034 # used by the scripts that source this file
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '%s openstack: %s\n' "$(date +%H:%M:%S)" "$*"; }

die() {
	printf '%s openstack: ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2
	exit 1
}

# tail_log prints the end of a service's log, the first thing anyone needs
# when that service did not come up.
tail_log() {
	local f=$LOGS/$1.log
	[[ -s $f ]] || return 0
	printf -- '----- last lines of %s -----\n' "$f" >&2
	tail -n 40 "$f" >&2
}

# fail_service reports a service that did not start, with its log tail.
fail_service() {
	local name=$1
	shift
	tail_log "$name"
	die "$name: $* (full log: $LOGS/$name.log; the services already started keep running for inspection: hack/openstack/down stops them)"
}

pid_of() { [[ -s $PIDS/$1.pid ]] && cat "$PIDS/$1.pid"; }

# alive: the recorded PID exists and is still the process we started (the
# start time recorded next to it guards against a reused PID).
alive() {
	local pid
	pid=$(pid_of "$1") || return 1
	[[ -d /proc/$pid ]] || return 1
	[[ $(proc_start "$pid") == "$(cat "$PIDS/$1.start" 2>/dev/null)" ]]
}

# proc_start is field 22 of /proc/PID/stat: the process's start time in
# clock ticks since boot, unique per PID incarnation.
proc_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

record_pid() {
	echo "$2" >"$PIDS/$1.pid"
	proc_start "$2" >"$PIDS/$1.start"
}

# run_bg NAME USER CMD...: starts CMD as USER in its own session (so that
# down can signal the whole process group), stdout and stderr into
# logs/NAME.out, and records its PID. setpriv execs, so the recorded PID is
# the daemon itself, not a wrapper.
run_bg() {
	local name=$1 user=$2
	shift 2
	local -a as_user=()
	if [[ $user != root ]]; then
		as_user=(setpriv "--reuid=$user" "--regid=$user" --init-groups --reset-env)
	fi
	setsid "${as_user[@]}" env -i PATH="$PATH" LC_ALL=C.UTF-8 HOME="$(getent passwd "$user" | cut -d: -f6)" \
		"$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
	record_pid "$name" $!
}

# wait_http NAME URL SECONDS: waits until URL answers at all (any HTTP
# status), failing with the log tail if the process dies or time runs out.
wait_http() {
	local name=$1 url=$2 secs=$3 i
	for ((i = 0; i < secs * 5; i++)); do
		if curl -s -o /dev/null --max-time 2 "$url"; then
			return 0
		fi
		alive "$name" || fail_service "$name" "exited while starting"
		sleep 0.2
	done
	fail_service "$name" "no answer on $url after ${secs}s"
}

# wait_port NAME PORT SECONDS: waits until something listens on
# 127.0.0.1:PORT.
wait_port() {
	local name=$1 port=$2 secs=$3 i
	for ((i = 0; i < secs * 5; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		alive "$name" || fail_service "$name" "exited while starting"
		sleep 0.2
	done
	fail_service "$name" "nothing listens on 127.0.0.1:$port after ${secs}s"
}

# stop_service sends SIGTERM to the process group up started, waits, then
# SIGKILLs what is left. Only recorded PIDs are touched.
stop_service() {
	local name=$1 pid i
	if ! alive "$name"; then
		rm -f "$PIDS/$name.pid" "$PIDS/$name.start"
		return 0
	fi
	pid=$(pid_of "$name")
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	if [[ -d /proc/$pid ]]; then
		log "$name did not stop in 10s: SIGKILL"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$PIDS/$name.pid" "$PIDS/$name.start"
}
