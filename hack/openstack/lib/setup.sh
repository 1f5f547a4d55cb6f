# shellcheck shell=bash
# One-time set-up steps, each guarded by a stamp in $STATE/done/ so that a
# second up skips them: databases, schema migrations, Keystone's keys and
# admin, Nova's cells.

done_step() { [[ -e $STATE/done/$1 ]]; }
mark_done() { touch "$STATE/done/$1"; }

# as USER CMD...: runs an OpenStack tool as its service user, output in
# logs/setup.log (shown when it fails).
as() {
	local user=$1
	shift
	if ! setpriv "--reuid=$user" "--regid=$user" --init-groups "$@" >>"$LOGS/setup.log" 2>&1; then
		tail -n 30 "$LOGS/setup.log" >&2
		die "failed: $*"
	fi
}

create_databases() {
	# Stamps without the databases (MariaDB's data wiped) are stale.
	[[ -n $(sql "SHOW DATABASES LIKE 'nova_cell0'") ]] || rm -f "$STATE"/done/*
	done_step databases && return 0
	log "creating databases"
	# No stamp: this state directory, and so its passwords, is new.
	# Databases an earlier one left behind are dropped, not reused: their
	# users and services have other passwords.
	local sql="" db user
	for pair in keystone:keystone glance:glance placement:placement neutron:neutron \
		nova:nova_api nova:nova nova:nova_cell0; do
		user=${pair%%:*} db=${pair#*:}
		sql+="DROP DATABASE IF EXISTS $db;"
		sql+="DROP USER IF EXISTS '$user'@'127.0.0.1';"
	done
	for pair in keystone:keystone glance:glance placement:placement neutron:neutron \
		nova:nova_api nova:nova nova:nova_cell0; do
		user=${pair%%:*} db=${pair#*:}
		sql+="CREATE DATABASE $db;"
		sql+="CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';"
		sql+="GRANT ALL PRIVILEGES ON $db.* TO '$user'@'127.0.0.1';"
	done
	sql "$sql" || die "creating the databases failed"
	mark_done databases
}

# migrate_schemas runs the services' schema migrations; they are
# independent, so they run side by side (Nova's and Neutron's take the
# longest).
migrate_schemas() {
	done_step schemas && return 0
	log "migrating database schemas"
	local -a pids=()
	as keystone keystone-manage db_sync &
	pids+=($!)
	as glance glance-manage db_sync &
	pids+=($!)
	as placement placement-manage db sync &
	pids+=($!)
	as neutron neutron-db-manage --config-file /etc/neutron/neutron.conf \
		--config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads &
	pids+=($!)
	migrate_nova &
	pids+=($!)
	local p rc=0
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	((rc == 0)) || die "a schema migration failed (see $LOGS/setup.log)"
	mark_done schemas
}

# migrate_nova: the API database, cell0 and cell1, then the cell databases.
# nova-manage's output is captured before it is looked at: piping it into
# grep -q under pipefail fails at random (BrokenPipe).
migrate_nova() {
	local cells
	as nova nova-manage api_db sync
	as nova nova-manage cell_v2 map_cell0
	cells=$(setpriv --reuid=nova --regid=nova --init-groups nova-manage cell_v2 list_cells 2>>"$LOGS/setup.log")
	if ! grep -q ' cell1 ' <<<"$cells"; then
		as nova nova-manage cell_v2 create_cell --name cell1
	fi
	as nova nova-manage db sync
}

# setup_cinder: Cinder's database and schema, stamped on their own so that a
# cloud made before Cinder was added gets them on its next up.
setup_cinder() {
	done_step cinder && return 0
	log "creating Cinder's database"
	sql "DROP DATABASE IF EXISTS cinder; DROP USER IF EXISTS 'cinder'@'127.0.0.1';
		CREATE DATABASE cinder; CREATE USER 'cinder'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
		GRANT ALL PRIVILEGES ON cinder.* TO 'cinder'@'127.0.0.1';" || die "creating Cinder's database failed"
	as cinder cinder-manage --config-file /etc/cinder/cinder.conf db sync
	mark_done cinder
}

setup_keystone() {
	done_step keystone && return 0
	log "setting up Keystone (fernet keys, admin)"
	install -d -o keystone -g keystone -m 0700 /etc/keystone/fernet-keys /etc/keystone/credential-keys
	as keystone keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone
	as keystone keystone-manage credential_setup --keystone-user keystone --keystone-group keystone
	as keystone keystone-manage bootstrap \
		--bootstrap-password "$ADMIN_PASS" \
		--bootstrap-username admin \
		--bootstrap-project-name admin \
		--bootstrap-role-name admin \
		--bootstrap-service-name keystone \
		--bootstrap-region-id RegionOne \
		--bootstrap-admin-url "$KEYSTONE_URL/v3" \
		--bootstrap-internal-url "$KEYSTONE_URL/v3" \
		--bootstrap-public-url "$KEYSTONE_URL/v3"
	mark_done keystone
}

# discover_compute waits until nova-compute has reported its resources
# (its compute node row is written at start-up, on a restart too), then maps
# the host into cell1 the first time. Progress is read from the databases
# directly: each nova-manage call spends seconds importing Nova.
discover_compute() {
	local i
	for ((i = 0; i < 300; i++)); do
		[[ $(sql "SELECT COUNT(*) FROM nova.compute_nodes WHERE host='serverimage-compute' AND deleted=0 AND updated_at >= '$COMPUTE_STARTED'") != 0 ]] && break
		alive nova-compute || fail_service nova-compute "exited while starting"
		sleep 0.5
	done
	((i < 300)) || fail_service nova-compute "did not register with Nova in 150s"
	if [[ $(sql "SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='serverimage-compute'") == 0 ]]; then
		as nova nova-manage cell_v2 discover_hosts
	fi
	[[ $(sql "SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='serverimage-compute'") != 0 ]] ||
		fail_service nova-compute "cell_v2 discover_hosts did not map the compute host"
}

sql() { mariadb -uroot -N -B -e "$1"; }

# bootstrap PHASE: see bootstrap.py.
bootstrap() {
	/usr/bin/python3 "$HERE/bootstrap.py" "$STATE" "$1" >>"$LOGS/setup.log" 2>&1 || {
		tail -n 30 "$LOGS/setup.log" >&2
		die "bootstrap.py $1 failed"
	}
}
bootstrap_identity() { bootstrap identity; }
bootstrap_resources() { bootstrap resources; }
