"""Creates what the cloud needs beyond Keystone's bootstrap, idempotently.

Run by hack/openstack/up once every service answers. One Python process with
one admin token instead of ~40 `openstack` CLI calls (each starts Python
and authenticates: about a minute on this machine).

Creates: the service project and users, the catalog (image, placement,
network, compute, block-storage/volumev3), the test project and user, an
application credential for that user, a second project and user (the
consumer: another tenant booting from shared images), a flavor and a tiny
public image. Writes clouds.yaml
(operator-facing entries) and clouds-admin.yaml (the admin, for up itself
and for debugging) into the state directory.
"""

import json
import os
import sys

import openstack

# Phase "identity" runs once Keystone answers (the services need their
# users before they start: nova-conductor calls Placement at once);
# "resources" once Nova and Glance answer.
STATE, PHASE = sys.argv[1], sys.argv[2]
URL = "http://127.0.0.1"
KEYSTONE = URL + ":5000/v3"
REGION = "RegionOne"

# Names the end-to-end suite looks for (test/openstack/cloud_test.go).
TEST_PROJECT = "serverimage-e2e"
TEST_USER = "serverimage-e2e"
APP_CRED = "serverimage-e2e"
CONSUMER = "serverimage-consumer"
FLAVOR = "si.tiny"
IMAGE = "si-base"

CATALOG = [
    # (name, type, url)
    # The trailing slash is common in real catalogs, and it is what makes
    # Nova's createImage Location header (microversion < 2.45) come out as
    # http://127.0.0.1:9292//images/<id>: Nova appends "/images/" to the
    # endpoint as written. The operator must cope with that.
    ("glance", "image", URL + ":9292/"),
    ("placement", "placement", URL + ":8778"),
    ("neutron", "network", URL + ":9696"),
    ("nova", "compute", URL + ":8774/v2.1"),
    # Cinder under both names real clouds use: block-storage is the
    # official type, volumev3 the one Nova 26 requires ([cinder]
    # catalog_info rejects a type with a dash). One service user, cinder.
    ("cinder", "block-storage", URL + ":8776/v3/%(project_id)s"),
    ("cinderv3", "volumev3", URL + ":8776/v3/%(project_id)s"),
]

# Service names whose service user is another entry's.
SERVICE_USER = {"cinderv3": "cinder"}


def secrets():
    out = {}
    with open(os.path.join(STATE, "secrets.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            out[k] = v
    return out


def connect(user, password, project):
    return openstack.connect(
        auth_url=KEYSTONE, username=user, password=password, project_name=project,
        user_domain_name="Default", project_domain_name="Default",
        region_name=REGION, identity_api_version="3",
        # Nova 2.1 would do for flavors; the newest version is harmless.
        compute_api_version="2.45")


def ensure_catalog(conn, sec):
    ident = conn.identity
    admin_role = ident.find_role("admin")
    member_role = ident.find_role("member")
    default = ident.find_domain("default")
    service_project = ident.find_project("service") or ident.create_project(
        name="service", domain_id=default.id, description="OpenStack services")
    for name, kind, url in CATALOG:
        user_name = SERVICE_USER.get(name, name)
        user = ident.find_user(user_name, domain_id=default.id) or ident.create_user(
            name=user_name, domain_id=default.id, password=sec["SERVICE_PASS"])
        conn.grant_role(admin_role.id, user=user.id, project=service_project.id)
        svc = ident.find_service(name) or ident.create_service(name=name, type=kind)
        have = {e.interface: e for e in ident.endpoints(service_id=svc.id)}
        for iface in ("public", "internal", "admin"):
            if iface not in have:
                ident.create_endpoint(service_id=svc.id, interface=iface, url=url, region_id=REGION)
            elif have[iface].url != url:
                ident.update_endpoint(have[iface], url=url)
    ensure_member(conn, default, member_role, CONSUMER, CONSUMER, sec["CONSUMER_PASS"],
                  "serverimage-operator end-to-end tests: a second tenant")
    return ensure_member(conn, default, member_role, TEST_PROJECT, TEST_USER, sec["DEMO_PASS"],
                         "serverimage-operator end-to-end tests")


def ensure_member(conn, domain, role, project_name, user_name, password, description):
    """A project and a user with the member role in it: enough to boot
    servers on the public flavor and image with "networks": "none"."""
    ident = conn.identity
    project = ident.find_project(project_name) or ident.create_project(
        name=project_name, domain_id=domain.id, description=description)
    user = ident.find_user(user_name, domain_id=domain.id) or ident.create_user(
        name=user_name, domain_id=domain.id, password=password, default_project_id=project.id)
    conn.grant_role(role.id, user=user.id, project=project.id)
    return project, user


def ensure_app_credential(sec, user_id):
    """The secret is shown only at creation, so it is kept in the state
    directory; without it the credential is recreated."""
    path = os.path.join(STATE, "appcred.json")
    conn = connect(TEST_USER, sec["DEMO_PASS"], TEST_PROJECT)
    old = conn.identity.find_application_credential(user_id, APP_CRED)
    if old is not None and os.path.exists(path):
        with open(path) as f:
            saved = json.load(f)
        if saved.get("id") == old.id:
            return saved
    if old is not None:
        conn.identity.delete_application_credential(user_id, old.id)
    cred = conn.identity.create_application_credential(
        user_id, name=APP_CRED, description="serverimage-operator end-to-end tests")
    saved = {"id": cred.id, "secret": cred.secret}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(saved, f)
    return saved


def ensure_flavor_and_image(conn):
    flavor = conn.compute.find_flavor(FLAVOR)
    if flavor is None:
        flavor = conn.compute.create_flavor(name=FLAVOR, ram=64, vcpus=1, disk=1, is_public=True)
    image = conn.image.find_image(IMAGE)
    if image is None or image.status != "active":
        if image is not None:
            conn.image.delete_image(image)
        # The fake hypervisor never reads it: a few bytes are enough.
        image = conn.image.create_image(
            name=IMAGE, data=b"serverimage-operator test image\n" * 32,
            disk_format="raw", container_format="bare", visibility="public")
    return flavor, image


def warm_up_neutron(conn):
    """Neutron's GET /v2.0/ports names the relationship
    Port.port_forwardings before running any query; SQLAlchemy creates that
    backref only when the mappers are configured, which the first query
    does. A fresh neutron-server whose first request lists ports (Nova's
    GET /servers/{id} does) therefore answers 500 AttributeError, and keeps
    doing so. Listing networks first configures the mappers."""
    list(conn.network.networks())
    list(conn.network.ports())


def write_clouds(sec, cred):
    auth = {"auth_url": KEYSTONE}
    clouds = {
        "serverimage-e2e": {
            "auth": dict(auth, username=TEST_USER, password=sec["DEMO_PASS"], project_name=TEST_PROJECT,
                         user_domain_name="Default", project_domain_name="Default"),
            "region_name": REGION,
            "identity_api_version": 3,
        },
        "serverimage-e2e-consumer": {
            "auth": dict(auth, username=CONSUMER, password=sec["CONSUMER_PASS"], project_name=CONSUMER,
                         user_domain_name="Default", project_domain_name="Default"),
            "region_name": REGION,
            "identity_api_version": 3,
        },
        "serverimage-e2e-appcred": {
            "auth_type": "v3applicationcredential",
            "auth": dict(auth, application_credential_id=cred["id"],
                         application_credential_secret=cred["secret"]),
            "region_name": REGION,
            "identity_api_version": 3,
        },
    }
    admin = {
        "serverimage-admin": {
            "auth": dict(auth, username="admin", password=sec["ADMIN_PASS"], project_name="admin",
                         user_domain_name="Default", project_domain_name="Default"),
            "region_name": REGION,
            "identity_api_version": 3,
        },
    }
    # JSON is YAML: no YAML library needed, and every reader of clouds.yaml
    # accepts it.
    for name, doc in (("clouds.yaml", clouds), ("clouds-admin.yaml", admin)):
        fd = os.open(os.path.join(STATE, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"clouds": doc}, f, indent=2)
            f.write("\n")


def main():
    sec = secrets()
    conn = connect("admin", sec["ADMIN_PASS"], "admin")
    if PHASE == "identity":
        _, user = ensure_catalog(conn, sec)
        cred = ensure_app_credential(sec, user.id)
        write_clouds(sec, cred)
        print("catalog, users and application credential are in place")
    else:
        warm_up_neutron(conn)
        flavor, image = ensure_flavor_and_image(conn)
        print("flavor %s (%s), image %s (%s)" % (FLAVOR, flavor.id, IMAGE, image.id))


if __name__ == "__main__":
    main()
