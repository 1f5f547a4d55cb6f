# shellcheck shell=bash
# Starts each daemon in the background, bound to 127.0.0.1, and waits until
# it answers. Order matters: MariaDB and RabbitMQ first, Keystone before
# everything that validates tokens, Nova's control services before compute.

# The OpenStack Python services, all run by Debian's /usr/bin/python3 (their
# scripts' shebang) as their own package user.
start_mariadb() {
	install -d -o mysql -g mysql -m 0755 /run/mysqld
	run_bg mariadb root /usr/sbin/mariadbd --user=mysql
	wait_port mariadb 3306 60
}

# start_rabbitmq_bg starts RabbitMQ without waiting: the Erlang VM takes
# a while to boot, and the schema migrations need only MariaDB.
start_rabbitmq_bg() {
	# epmd is started by us, in the foreground, bound to loopback: when the
	# Erlang VM starts it by itself it daemonizes, listens on every
	# address and outlives down.
	run_bg epmd rabbitmq /usr/bin/epmd -address 127.0.0.1 -port 4369
	wait_port epmd 4369 20
	run_bg rabbitmq rabbitmq env \
		HOME=/var/lib/rabbitmq \
		RABBITMQ_NODENAME=rabbit@localhost \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT=5672 \
		RABBITMQ_DIST_PORT=25672 \
		ERL_EPMD_ADDRESS=127.0.0.1 \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
		RABBITMQ_LOGS=- \
		/usr/lib/rabbitmq/bin/rabbitmq-server
}

wait_rabbitmq() { wait_port rabbitmq 5672 90; }

start_keystone() {
	run_bg keystone root /usr/bin/uwsgi --ini "$STATE/etc/keystone-uwsgi.ini"
	wait_http keystone "$KEYSTONE_URL/v3" 60
}

# start_openstack_apis starts Glance, Placement, Neutron and Nova's control
# services together (each spends seconds importing Python), then waits for
# each one's version document.
start_openstack_apis() {
	run_bg glance glance /usr/bin/glance-api --config-file /etc/glance/glance-api.conf
	run_bg placement root /usr/bin/uwsgi --ini "$STATE/etc/placement-uwsgi.ini"
	run_bg neutron neutron /usr/bin/neutron-server \
		--config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini
	run_bg nova-conductor nova /usr/bin/nova-conductor --config-file /etc/nova/nova.conf
	run_bg nova-scheduler nova /usr/bin/nova-scheduler --config-file /etc/nova/nova.conf
	run_bg nova-api nova /usr/bin/nova-api --config-file /etc/nova/nova.conf
	wait_http glance http://127.0.0.1:9292/ 120
	wait_http placement http://127.0.0.1:8778/ 120
	wait_http neutron http://127.0.0.1:9696/ 120
	wait_http nova-api http://127.0.0.1:8774/ 120
	alive nova-conductor || fail_service nova-conductor "exited while starting"
	alive nova-scheduler || fail_service nova-scheduler "exited while starting"
}

# start_cinder starts Cinder's API, scheduler and volume service, and waits
# until the volume service has reported to the scheduler: before that, a
# volume create fails with "No valid backend".
start_cinder() {
	# UTC, as Cinder stores it.
	local started
	started=$(date -u '+%F %T')
	run_bg cinder-api root /usr/bin/uwsgi --ini "$STATE/etc/cinder-uwsgi.ini"
	run_bg cinder-scheduler cinder /usr/bin/cinder-scheduler --config-file /etc/cinder/cinder.conf
	# The cinder-volume package would pull in lvm2, tgt and open-iscsi;
	# python3-cinder already has the service.
	run_bg cinder-volume cinder /usr/bin/python3 -c \
		'import sys; from cinder.cmd.volume import main; sys.exit(main())' \
		--config-file /etc/cinder/cinder.conf
	wait_http cinder-api http://127.0.0.1:8776/ 120
	local i
	for ((i = 0; i < 240; i++)); do
		[[ $(sql "SELECT COUNT(*) FROM cinder.services WHERE topic='cinder-volume' AND deleted=0 AND disabled=0 AND COALESCE(updated_at, created_at) >= '$started'") != 0 ]] && return 0
		alive cinder-volume || fail_service cinder-volume "exited while starting"
		alive cinder-scheduler || fail_service cinder-scheduler "exited while starting"
		sleep 0.5
	done
	fail_service cinder-volume "did not report to Cinder in 120s"
}

start_nova_compute() {
	# UTC, as Nova stores it; discover_compute waits for a report after it.
	# shellcheck disable=SC2034
	COMPUTE_STARTED=$(date -u '+%F %T')
	run_bg nova-compute nova /usr/bin/python3 "$STATE/nova-compute/nova-compute" --config-file /etc/nova/nova-compute.conf
}

# check_ports_free fails, naming the holder, when another process already
# listens on one of the cloud's ports: the service would fail to bind, or
# worse, the wait would find the other process answering.
check_ports_free() {
	local port holder
	for port in 3306 4369 5672 25672 5000 9292 8778 9696 8774 8776; do
		holder=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)
		[[ -z $holder ]] || die "port $port is taken, the cloud needs it: $holder"
	done
}

# SERVICES is every daemon up starts, in start order; down stops them in
# reverse.
SERVICES=(mariadb epmd rabbitmq keystone glance placement neutron nova-conductor nova-scheduler nova-api
	cinder-api cinder-scheduler cinder-volume nova-compute)

all_alive() {
	local s
	for s in "${SERVICES[@]}"; do
		alive "$s" || return 1
	done
}
