# shellcheck shell=bash
# Writes every configuration file the cloud uses. OpenStack's own files in
# /etc are replaced by ours (the packages' copies are long commented
# examples); the uwsgi and MariaDB settings are ours alone. Rewritten on
# every start, so a change here takes effect with down + up.

# Passwords are made once per machine and kept in $STATE/secrets.env
# (root only). Everything listens on 127.0.0.1, but a fixed password in a
# repository is a bad habit to teach.
load_secrets() {
	local f=$STATE/secrets.env
	if [[ ! -s $f ]]; then
		(
			umask 077
			: >"$f"
		)
	fi
	# A password added by a later version of these scripts is appended, so
	# an existing cloud keeps the ones it was made with.
	local v
	for v in DB_PASS ADMIN_PASS SERVICE_PASS DEMO_PASS CONSUMER_PASS; do
		grep -q "^$v=" "$f" || echo "$v=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')" >>"$f"
	done
	# shellcheck disable=SC1090
	source "$f"
}

# ini FILE OWNER: writes stdin to FILE, readable by root and OWNER's group
# only (it holds passwords).
ini() {
	install -m 0640 -o root -g "$2" /dev/stdin "$1"
}

RABBIT_URL=rabbit://guest:guest@127.0.0.1:5672/
KEYSTONE_URL=http://127.0.0.1:5000

db_url() { echo "mysql+pymysql://$1:$DB_PASS@127.0.0.1/$2?charset=utf8"; }

# authtoken SERVICE: keystonemiddleware's section. token_cache_time = -1
# makes every API call validate its token with Keystone, so a token that
# Keystone no longer accepts (rotate-tokens) is refused at once instead of
# after the default 5-minute cache.
authtoken() {
	cat <<-INI
		[keystone_authtoken]
		www_authenticate_uri = $KEYSTONE_URL
		auth_url = $KEYSTONE_URL
		auth_type = password
		project_domain_name = Default
		user_domain_name = Default
		project_name = service
		username = $1
		password = $SERVICE_PASS
		token_cache_time = -1
	INI
}

# service_creds SECTION: a keystoneauth section for a service calling
# another one with the nova service user.
service_creds() {
	cat <<-INI
		[$1]
		auth_type = password
		auth_url = $KEYSTONE_URL
		project_domain_name = Default
		user_domain_name = Default
		project_name = service
		username = nova
		password = $SERVICE_PASS
		region_name = RegionOne
	INI
}

write_mariadb_config() {
	# Small and unsafe for production on purpose: a throwaway database on
	# a 2-core machine, where fsync per commit makes the schema
	# migrations (hundreds of DDL statements) several times slower.
	cat >/etc/mysql/mariadb.conf.d/99-serverimage-openstack.cnf <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[mysqld]
		bind-address = 127.0.0.1
		port = 3306
		skip-name-resolve
		max_connections = 400
		innodb_buffer_pool_size = 96M
		innodb_log_file_size = 48M
		innodb_flush_log_at_trx_commit = 0
		innodb_doublewrite = 0
		sync_binlog = 0
		performance_schema = OFF
	INI
}

# uwsgi_ini SERVICE PORT WSGI_FILE [EXTRA_LINE] writes the uwsgi config
# that serves SERVICE as its own user from /var/lib/SERVICE on PORT.
# Connection: close: under http-socket, clients that reuse connections get
# "connection reset" on their 2nd or 3rd request otherwise.
uwsgi_ini() {
	cat >"$STATE/etc/$1-uwsgi.ini" <<-INI
		[uwsgi]
		plugins = python3
		http-socket = 127.0.0.1:$2
		wsgi-file = $3
		uid = $1
		gid = $1
		chdir = /var/lib/$1
		master = true
		processes = 1
		threads = 4
		lazy-apps = true
		need-app = true
		die-on-term = true
		buffer-size = 65535
		add-header = Connection: close
		${4:-}
	INI
}

write_keystone_config() {
	ini /etc/keystone/keystone.conf keystone <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[DEFAULT]
		use_stderr = true
		[database]
		connection = $(db_url keystone keystone)
		[token]
		provider = fernet
		# Short on purpose (see README.md, "Tokens"): long enough for every
		# scenario, short enough that clients renew during a test run.
		expiration = ${TOKEN_LIFETIME:-150}
		caching = false
		cache_on_issue = false
		[identity]
		# bcrypt's default cost makes every password token cost ~0.3 s of
		# CPU; this cloud issues hundreds of them on a 2-core machine.
		password_hash_rounds = 4
		[fernet_tokens]
		key_repository = /etc/keystone/fernet-keys/
		max_active_keys = 3
		# Without a cache every request expands role assignments with ~200
		# SQL queries (0.3 s of CPU). An in-process cache is consistent
		# because Keystone runs as one uwsgi process. Token validation
		# itself stays uncached ([token] caching), so that rotate-tokens
		# takes effect at once.
		[cache]
		enabled = true
		backend = dogpile.cache.memory
	INI
	uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public \
		'log-format = %(addr) "%(method) %(uri)" %(status) %(msecs)ms "%(uagent)"'
}

write_glance_config() {
	ini /etc/glance/glance-api.conf glance <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[DEFAULT]
		bind_host = 127.0.0.1
		bind_port = 9292
		workers = 1
		use_stderr = true
		enabled_backends = fs:file
		[database]
		connection = $(db_url glance glance)
		[glance_store]
		default_backend = fs
		[fs]
		filesystem_store_datadir = /var/lib/glance/images/
		$(authtoken glance)
		[paste_deploy]
		flavor = keystone
		[oslo_concurrency]
		lock_path = /var/lib/glance/lock
		[oslo_messaging_notifications]
		driver = noop
	INI
}

write_placement_config() {
	ini /etc/placement/placement.conf placement <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[DEFAULT]
		use_stderr = true
		[placement_database]
		connection = $(db_url placement placement)
		[api]
		auth_strategy = keystone
		$(authtoken placement)
	INI
	uwsgi_ini placement 8778 /usr/bin/placement-api
}

# Neutron is here only because Nova's GET /servers/{id} asks it for the
# ports' security groups, even for a server booted with "networks": "none".
# ML2 with no mechanism drivers: no agents needed. The router plugin is
# there only because GET /v2.0/ports reads Port.port_forwardings, a
# relationship that exists once the L3 models are imported (without it:
# 500 AttributeError, and Nova's GET /servers/{id} fails with it); see also
# warm_up_neutron in bootstrap.py.
write_neutron_config() {
	ini /etc/neutron/neutron.conf neutron <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[DEFAULT]
		bind_host = 127.0.0.1
		bind_port = 9696
		use_stderr = true
		core_plugin = ml2
		service_plugins = router
		auth_strategy = keystone
		api_workers = 1
		rpc_workers = 0
		rpc_state_report_workers = 0
		notify_nova_on_port_status_changes = false
		notify_nova_on_port_data_changes = false
		transport_url = $RABBIT_URL
		[database]
		connection = $(db_url neutron neutron)
		$(authtoken neutron)
		[oslo_concurrency]
		lock_path = /var/lib/neutron/lock
		[oslo_messaging_notifications]
		driver = noop
	INI
	ini /etc/neutron/plugins/ml2/ml2_conf.ini neutron <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[ml2]
		type_drivers = local
		tenant_network_types = local
		mechanism_drivers =
		extension_drivers =
		[securitygroup]
		enable_security_group = false
	INI
}

# nova_default and nova_sections: what every Nova service shares; a
# service's own [DEFAULT] keys go between the two.
nova_default() {
	cat <<-INI
		[DEFAULT]
		host = serverimage-compute
		my_ip = 127.0.0.1
		use_stderr = true
		state_path = /var/lib/nova
		transport_url = $RABBIT_URL
	INI
}

nova_sections() {
	cat <<-INI
		[oslo_concurrency]
		lock_path = /var/lib/nova/tmp
		[oslo_messaging_notifications]
		driver = noop
		[vnc]
		enabled = false
		$(service_creds placement)
		$(service_creds neutron)
		[cinder]
		# Nova 26 accepts only a service type without dashes here
		# (volumev3), not Cinder's block-storage.
		catalog_info = volumev3::publicURL
		os_region_name = RegionOne
	INI
}

write_nova_config() {
	ini /etc/nova/nova.conf nova <<-INI
		# Written by serverimage-operator hack/openstack/up.
		# nova-api, nova-conductor and nova-scheduler; nova-compute has
		# its own file (it must not see the database settings).
		$(nova_default)
		enabled_apis = osapi_compute
		osapi_compute_listen = 127.0.0.1
		osapi_compute_listen_port = 8774
		osapi_compute_workers = 1
		$(nova_sections)
		[api]
		auth_strategy = keystone
		[api_database]
		connection = $(db_url nova nova_api)
		[database]
		connection = $(db_url nova nova)
		$(authtoken nova)
		[conductor]
		workers = 1
		[scheduler]
		workers = 1
		# Tests boot many small servers; unlimited quotas keep leftovers of
		# an aborted run from failing the next one.
		[quota]
		instances = -1
		cores = -1
		ram = -1
	INI
	ini /etc/nova/nova-compute.conf nova <<-INI
		# Written by serverimage-operator hack/openstack/up.
		$(nova_default)
		compute_driver = snapshot_driver.SnapshotFakeDriver
		instances_path = /var/lib/nova/instances
		$(nova_sections)
		[serverimage_snapshot]
		switch_dir = $STATE/snapshot
	INI
}

# Cinder: API under uwsgi, scheduler, and cinder-volume with Cinder's own
# FakeLoggingVolumeDriver (an LVM driver whose commands are only logged):
# these machines have no device-mapper and no NFS, so no real backend can
# work, and the operator only needs volumes and snapshots as records that
# go creating -> available -> gone. Quotas are unlimited for the same
# reason as Nova's: leftovers of an aborted run must not fail the next one.
write_cinder_config() {
	ini /etc/cinder/cinder.conf cinder <<-INI
		# Written by serverimage-operator hack/openstack/up.
		[DEFAULT]
		host = serverimage-volume
		my_ip = 127.0.0.1
		use_stderr = true
		state_path = /var/lib/cinder
		transport_url = $RABBIT_URL
		auth_strategy = keystone
		api_paste_config = /etc/cinder/api-paste.ini
		glance_api_servers = http://127.0.0.1:9292
		enabled_backends = fake
		quota_volumes = -1
		quota_snapshots = -1
		quota_gigabytes = -1
		[database]
		connection = $(db_url cinder cinder)
		$(authtoken cinder)
		[oslo_concurrency]
		lock_path = /var/lib/cinder/tmp
		[oslo_messaging_notifications]
		driver = noop
		[fake]
		volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
		volume_backend_name = fake
		target_helper = fake
	INI
	uwsgi_ini cinder 8776 /usr/bin/cinder-wsgi
}
