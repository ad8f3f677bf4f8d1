# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared test data and helpers: the emulator's scenario pieces, a transport on it, a fake clock.

The unit tests talk to the real loopback emulator (tests/emulator/ota_emulator.py) over
HTTP; nothing of the collection's own client is patched. Time is injected (``sleep=``,
``clock=``, ``utcnow=``, ``rng=``) so that retries and waits run without real sleeping.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.credentials import Credential, StaticCredentials
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import connection_argument_spec, connection_settings
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.tasks import argument_spec as task_argument_spec
from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.transport import Transport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'emulator'))

from ota_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position,unused-import

AK = 'LTAI-unit-0001-ak'
SECRET = 'unit-secret-5c1e9b7a3f0d2468'   # long and unusual, so a leak is easy to spot
ROLE_ARN = 'acs:ram::1234567890123456:role/ota-reader'
STS_AK = 'STS.unit-static-0001'
STS_SECRET = 'unit-sts-secret-8d2f6a4c0e1b3957'
STS_TOKEN = 'unit-sts-token-b7e3a9c5d1f2'
START = '2022-08-04T14:36:00+08:00'


def account(**extra):
    data = {'access_key_id': AK, 'access_key_secret': SECRET, 'roles': [ROLE_ARN]}
    data.update(extra)
    return data


def sts_account(**extra):
    data = {'access_key_id': STS_AK, 'access_key_secret': STS_SECRET, 'security_token': STS_TOKEN}
    data.update(extra)
    return data


def task(task_id, status='FINISHED', version='0.0.1-R-20220708.110604', start=START, **extra):
    """One scenario task; ``status=None`` leaves the status to a ``timeline=`` given in extra."""
    data = {'TaskId': task_id, 'OtaVersion': version, 'TaskStartTime': start}
    if status is not None:
        data['TaskDisplayStatus'] = status
    data.update(extra)
    return data


def group(group_id='aig-1', **changes):
    """One AppInstanceGroupModels entry as ListAppInstanceGroup answers it; a change to ... leaves the field out."""
    data = {'AppInstanceGroupId': group_id, 'AppInstanceGroupName': 'office-' + group_id, 'RegionId': 'cn-shanghai',
            'ProductType': 'CloudApp', 'Status': 'PUBLISHED', 'OsType': 'Windows', 'GmtCreate': '2026-01-01T00:00:00.000+00:00',
            'AppCenterImageId': 'img-1', 'OtaInfo': {'OtaVersion': 'v1', 'NewOtaVersion': 'v2', 'TaskId': 'ota-p'},
            'Unknown': 'ignored'}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def generated(count, status='FINISHED'):
    """A group of ``count`` generated tasks (empty when 0)."""
    return {'generate': {'count': count, 'status': status}} if count else {'tasks': []}


def params(server, **extra):
    """Module parameters for the emulator with the default account."""
    data = {'endpoint': server.endpoint, 'access_key_id': AK, 'access_key_secret': SECRET}
    data.update(extra)
    return data


def validated(server, **extra):
    """Module parameters for the emulator as the module sees them: checked and defaulted by its argument spec."""
    spec = connection_argument_spec()
    if 'app_instance_group_ids' in extra:
        spec.update(task_argument_spec())
    result = ArgumentSpecValidator(spec).validate(params(server, **extra))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def settings(server, **extra):
    """ConnectionSettings for the emulator, with the argument spec's defaults."""
    return connection_settings(validated(server, **extra))


class Sleeps(list):
    """A ``sleep=`` stand-in that records the delays instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


def transport(server, key=(AK, SECRET, None), sleep=None, rng=lambda: 1.0, **extra):
    """A Transport to the emulator; ``extra`` holds connection options and Transport keywords."""
    keywords = {name: extra.pop(name) for name in ('clock', 'utcnow') if name in extra}
    return Transport(settings(server, **extra), StaticCredentials(Credential(*key), 'test'),
                     sleep=Sleeps() if sleep is None else sleep, rng=rng, **keywords)


def list_params(group='aig-1', number=1, size=100):
    return {'AppInstanceGroupId': group, 'OtaType': 'Fota', 'PageNumber': number, 'PageSize': size}


def api_log(server):
    """The emulator's log of ListOtaTask requests (group, page_number, page_size, status, code, fault)."""
    return [entry for entry in server.stats()['log'] if entry['action'] == 'ListOtaTask']


class FakeClock:
    """A monotonic clock that only moves when ``sleep`` is called; ``on_sleep`` hooks run after each move."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []
        self.on_sleep = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        for hook in list(self.on_sleep):
            hook(self.now)


def sent_headers(client_transport):
    """Record the headers of every request the transport sends (a requests response hook: observes, changes nothing)."""
    seen = []
    client_transport._session.hooks['response'].append(  # pylint: disable=protected-access
        lambda response, *args, **kwargs: seen.append(dict(response.request.headers)))
    return seen


def concurrently(function, count):
    """Run ``function`` in ``count`` threads started together; returns when all have ended."""
    barrier = threading.Barrier(count)

    def run():
        barrier.wait()
        function()

    threads = [threading.Thread(target=run) for _i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=unused-import
except ImportError:  # ansible-core 2.17/2.18: AnsibleModule reads basic._ANSIBLE_ARGS
    import contextlib
    import json

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """What ansible.module_utils.testing.patch_module_args does on newer cores."""
        from ansible.module_utils import basic
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode('utf-8')  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access
