"""A fake hypervisor whose snapshots really reach Glance.

Nova's fake.FakeDriver boots servers but its snapshot() uploads nothing, so
the image stays "queued" forever. This subclass does what the libvirt
driver does, minus the disk: task_state image_pending_upload, then
image_uploading, then the image's formats and data go to Glance with
nova.image.glance.API().update(). The image then goes queued -> saving ->
active, as on a real cloud.

Switches, read at every snapshot from [serverimage_snapshot] switch_dir
(hack/openstack/up sets it to $STATE/snapshot); a file named
NAME.<server-uuid> applies to that server only and wins over NAME:

  upload-seconds  How long the upload takes (a decimal number; 0 when
                  absent). The data is streamed in small pieces over that
                  time, so the image is "saving" meanwhile.
  fail-next       Present: the next snapshot fails after upload-seconds
                  (the file is removed). Nova then deletes the image,
                  reverts the task_state and records an instance fault.

Loaded by hack/openstack/nova-compute as nova.virt.snapshot_driver.
"""

import os

from eventlet import patcher
from oslo_config import cfg
from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.register_opts(
    [cfg.StrOpt("switch_dir", default="/var/lib/serverimage-openstack/snapshot",
                help="Folder holding the upload-seconds and fail-next switches.")],
    group="serverimage_snapshot")

# The upload runs in a native thread (nova's tpool_execute), where
# eventlet's green sleep must not be used: take the original one.
_real_sleep = patcher.original("time").sleep

PIECE = b"serverimage-operator fake disk\n" * 128  # ~4 KiB
PIECE_SECONDS = 0.25


def _switch(name, server_id):
    """Returns the path of the switch that applies to this server, or None."""
    base = CONF.serverimage_snapshot.switch_dir
    for candidate in (os.path.join(base, "%s.%s" % (name, server_id)), os.path.join(base, name)):
        if os.path.exists(candidate):
            return candidate
    return None


def _upload_seconds(server_id):
    path = _switch("upload-seconds", server_id)
    if path is None:
        return 0.0
    try:
        with open(path) as f:
            return max(0.0, float(f.read().strip() or 0))
    except (OSError, ValueError) as e:
        LOG.warning("ignoring unreadable %s: %s", path, e)
        return 0.0


def _take_fail_switch(server_id):
    """True when a fail-next switch applies; it is consumed."""
    path = _switch("fail-next", server_id)
    if path is None:
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False  # another snapshot took it first
    return True


class _SlowData(object):
    """A file-like disk image that yields a small piece every PIECE_SECONDS
    for the given time, so that Glance reports "saving" throughout."""

    def __init__(self, seconds):
        self.pieces = max(1, int(seconds / PIECE_SECONDS + 0.5))
        self.delay = seconds / self.pieces

    def read(self, size=-1):
        if self.pieces <= 0:
            return b""
        self.pieces -= 1
        if self.delay:
            _real_sleep(self.delay)
        return PIECE


class SnapshotFakeDriver(fake.FakeDriver):

    def get_info(self, instance, use_cache=True):
        # The fake hypervisor keeps servers in memory only: after a restart
        # of nova-compute, re-adopt the servers Nova says are here, so
        # that they can still be snapshotted.
        if instance.uuid not in self.instances:
            LOG.info("re-adopting server %s after a restart", instance.uuid)
            self.instances[instance.uuid] = fake.FakeInstance(
                instance.name, power_state.RUNNING, instance.uuid)
        return super().get_info(instance, use_cache)

    def snapshot(self, context, instance, image_id, update_task_state):
        seconds = _upload_seconds(instance.uuid)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        if _take_fail_switch(instance.uuid):
            _real_sleep(seconds)
            LOG.info("failing the snapshot of %s as the fail-next switch asks", instance.uuid)
            raise exception.NovaException(
                "simulated hypervisor failure during the snapshot (serverimage fail-next switch)")
        update_task_state(task_state=task_states.IMAGE_UPLOADING,
                          expected_state=task_states.IMAGE_PENDING_UPLOAD)
        metadata = {
            "disk_format": "raw",
            "container_format": "bare",
            "properties": {"image_location": "snapshot", "image_state": "available"},
        }
        glance.API().update(context, image_id, metadata, _SlowData(seconds), purge_props=False)
        LOG.info("uploaded the snapshot %s of %s in about %.1fs", image_id, instance.uuid, seconds)
