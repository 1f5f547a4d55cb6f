# shellcheck shell=bash
# Installs Debian bookworm's OpenStack (Zed) packages, without letting their
# maintainer scripts configure or start anything: up writes every config
# itself and starts every daemon by hand (there is no systemd here).

PACKAGES=(
	mariadb-server rabbitmq-server
	keystone glance-api placement-api neutron-api nova-api nova-conductor nova-scheduler
	# nova-compute would pull in libvirt and qemu; python3-nova already has
	# nova.cmd.compute, which our launcher runs with the fake hypervisor.
	python3-nova python3-openstackclient
	# Cinder for volume snapshots. cinder-volume would pull in lvm2, tgt
	# and open-iscsi; python3-cinder already has cinder.cmd.volume, which
	# our launcher runs with Cinder's FakeLoggingVolumeDriver (no device
	# mapper or NFS on these machines).
	cinder-api cinder-scheduler python3-cinder
	uwsgi uwsgi-plugin-python3
	curl
)

# Debconf answers: no database, no RabbitMQ, no Keystone registration, no
# admin project from the packages. Every question that would make a
# maintainer script talk to a service is answered "false".
preseed() {
	local pkg q
	{
		for q in configure_db create-admin-tenant register-endpoint; do
			echo "keystone keystone/$q boolean false"
		done
		for pkg in glance placement neutron nova cinder; do
			for q in configure_db configure_rabbit configure_ksat configure_api-endpoint; do
				echo "$pkg-common $pkg/$q boolean false"
			done
		done
		echo "neutron-common neutron/configure_nova boolean false"
		echo "nova-api novaapi/configure_db boolean false"
		echo "nova-common nova/configure_neutron boolean false"
		echo "nova-common nova/configure_placement boolean false"
		echo "nova-common nova/my-ip string 127.0.0.1"
		echo "cinder-common cinder/my-ip string 127.0.0.1"
	} | debconf-set-selections
}

packages_missing() {
	local p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || return 0
	done
	return 1
}

install_packages() {
	if ! packages_missing; then
		log "packages already installed"
		return 0
	fi
	log "installing ${#PACKAGES[@]} packages and their dependencies (apt)"
	export DEBIAN_FRONTEND=noninteractive
	preseed
	# A policy-rc.d that exits 101 stops invoke-rc.d from starting the
	# services the packages ship. Ours is removed afterwards; one that was
	# already there (containers often have it) is left alone.
	local own_policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\n# written by serverimage-operator hack/openstack/up during apt-get install\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	local rc=0
	{
		apt-get update -qq &&
			apt-get install -y -qq --no-install-recommends \
				-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"
	} >"$LOGS/apt.log" 2>&1 || rc=$?
	[[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
	if ((rc != 0)); then
		tail -n 40 "$LOGS/apt.log" >&2
		die "apt-get install failed (exit $rc); full log in $LOGS/apt.log"
	fi
}
