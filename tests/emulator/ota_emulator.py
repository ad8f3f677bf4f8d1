#!/usr/bin/env python
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strict loopback emulator of Alibaba Cloud App Streaming OTA APIs and STS ``AssumeRole``.

Actions: ``ListOtaTask``, ``ListAppInstanceGroup``, ``GetOtaTaskByTaskId``, ``ApproveOtaTask``
(appstream-center 2021-09-01, the OTA lifecycle of docs/api-contract.md section 6)
and STS ``AssumeRole``.

Why it exists: the alibabacloud.appstreaming collection (and playbooks that use it) must be
testable offline against the real wire protocol: ACS3-HMAC-SHA256 ("V3") and legacy
HMAC-SHA1 RPC signatures, STS credentials, Alibaba-style error bodies, paging, throttling
and broken responses.  Nothing here ever contacts Alibaba Cloud.

* Standard library only, Python >= 3.10, one file: importable (``Emulator``) and runnable
  (``python3 ota_emulator.py --help``).
* Binds to loopback addresses only (127.0.0.0/8, ::1).
* Never records secrets, security tokens or signatures (stats, log, stderr).

See README.md beside this file for the data format, CLI flags, admin endpoints and faults.
"""

from __future__ import annotations

import argparse
import base64
import collections
import copy
import datetime as _dt
import hashlib
import hmac
import ipaddress
import itertools
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import string
import struct
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

__all__ = ['Emulator', 'ApiError', 'make_self_signed_cert', 'parse_scenario', 'load_data_file', 'main',
           'v3_canonical_request', 'v3_signature', 'rpc_string_to_sign', 'rpc_signature']

API_VERSION = '2021-09-01'
STS_VERSION = '2015-04-01'
# The appstream-center actions (the "service"): gateway limits and un-targeted faults apply to these.
SERVICE_ACTIONS = ('ListOtaTask', 'ListAppInstanceGroup', 'GetOtaTaskByTaskId', 'ApproveOtaTask')
ACTIONS = dict({name: API_VERSION for name in SERVICE_ACTIONS}, AssumeRole=STS_VERSION)
STATUSES = ('FAILED', 'RUNNING', 'TERMINATED', 'PART_FINISHED', 'STANDBY', 'FINISHED')
TERMINAL = ('FINISHED', 'PART_FINISHED', 'FAILED', 'TERMINATED')
RUN_STATUSES = ('RUNNING',) + TERMINAL
# Precedence order when several 'every' faults fire on the same request.
FAULT_KINDS = ('throttle', 'throttle_api', 'http500', 'http503', 'html502', 'reset', 'reset_after',
               'malformed', 'badshape', 'hang', 'insert_head')
# Faults that answer before the request is authenticated and processed (nothing is applied).
PRE_FAULTS = ('throttle', 'throttle_api', 'http500', 'http503', 'html502', 'reset', 'hang', 'insert_head')
LIST_PARAMS = ('AppInstanceGroupId', 'OtaType', 'PageNumber', 'PageSize')
APPROVE_PARAMS = ('AppInstanceGroupId', 'BizRegionId', 'OtaType', 'StartTime', 'TaskId')
PRODUCT_TYPES = ('CloudApp', 'AndroidCloud')
GROUP_STATUS_RE = re.compile(r'^[A-Z][A-Z_]{1,39}$')
START_TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$')
STATUS_PARAM_RE = re.compile(r'^Status\.([1-9][0-9]{0,3})$')
DEFAULT_RUN = ((0.0, 'RUNNING'), (20.0, 'FINISHED'))
DEFAULT_REGION = 'cn-shanghai'
DEFAULT_GROUP_PAGE_SIZE = 20
V3_REQUIRED_HEADERS = ('x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256')
RPC_REQUIRED_PARAMS = ('AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'Timestamp', 'SignatureNonce')
MAX_SKEW_SECONDS = 900
NONCE_TTL_SECONDS = 900
NONCE_CAPACITY = 200000
LOG_CAPACITY = 10000
ISSUED_CAPACITY = 10000
MAX_API_BODY = 1 << 20
MAX_ADMIN_BODY = 64 << 20
DEFAULT_HANG_SECONDS = 30.0
DATE_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
DATE_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')
AUTH_RE = re.compile(r'^ACS3-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]*),\s*Signature=([0-9a-f]{64})$')
ROLE_ARN_RE = re.compile(r'^acs:ram::(\d+):role/([A-Za-z0-9.@_-]{1,64})$')
SESSION_RE = re.compile(r'^[A-Za-z0-9.@_-]{2,64}$')
INT_RE = re.compile(r'^[0-9]{1,18}$')
SAMPLE_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sample_data.json')
DEFAULT_ACCOUNT = {'access_key_id': 'EMULATOR-AK-0000', 'access_key_secret': 'emulator-secret-0000',
                   'roles': ['acs:ram::1234567890123456:role/ota-reader']}
GENERATE_START = '2022-08-04T14:36:00+08:00'
CHINA_TZ = _dt.timezone(_dt.timedelta(hours=8))
_B36 = string.digits + string.ascii_lowercase
_ALNUM = string.ascii_letters + string.digits

MSG = {
    'IncompleteSignature': 'The request signature does not conform to Aliyun standards.',
    'InvalidAccessKeyId.NotFound': 'Specified access key is not found.',
    'InvalidAccessKeyId.Inactive': 'Specified access key is disabled.',
    'MissingSecurityToken': 'SecurityToken is mandatory for this action.',
    'InvalidSecurityToken.Mismatch': 'Specified SecurityToken mismatch with the AccessKey.',
    'InvalidSecurityToken.Expired': 'Specified SecurityToken is expired.',
    'InvalidTimeStamp.Format': 'Specified time stamp or date value is not well formatted.',
    'InvalidTimeStamp.Expired': 'Specified time stamp or date value is expired.',
    'SignatureDoesNotMatch': 'Specified signature is not matched with our calculation.',
    'SignatureNonceUsed': 'Specified signature nonce was used already.',
    'InvalidSignatureMethod': 'Specified signature method is not valid.',
    'InvalidAction.NotFound': 'Specified api is not found, please check your url and method.',
    'InvalidVersion': 'Specified parameter Version is not valid.',
    'UnsupportedHTTPMethod': 'This http method is not supported.',
    'Throttling.User': 'Request was denied due to user flow control.',
    'Throttling.Api': 'Request was denied due to api flow control.',
    'InternalError': 'The request processing has failed due to some unknown error, exception or failure.',
    'ServiceUnavailable': 'The request has failed due to a temporary failure of the server.',
    'InvalidAppInstanceGroup.NotFound': 'The app instance group is not found.',
    'NoPermission': 'You are not authorized to do this action. You should be authorized by RAM.',
    'EntityNotExist.Role': 'The specified Role not exists .',
    'InvalidParameter.DurationSeconds': 'The Min/Max value of DurationSeconds is 15min/1hr.',
    'InvalidTaskId.NotFound': 'The specified OTA task is not found.',
    'OtaTask.Running': 'The task is running and cannot be sumitted.',
    'OtaTask.NoNewVersion': 'The app instance group has no new OTA version to update to.',
    'InvalidParameter.StartTime': 'The specified parameter "StartTime" is not valid. Use the UTC time format yyyy-MM-ddTHH:mmZ.',
}


class ApiError(Exception):
    """An Alibaba-style API error; raised inside request processing, rendered as the JSON error body."""

    def __init__(self, status, code, message=None, headers=None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message if message is not None else MSG.get(code, code)
        self.headers = dict(headers or {})


def _missing(name):
    return ApiError(400, 'MissingParameter',
                    'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def _invalid(name, detail=''):
    return ApiError(400, 'InvalidParameter.%s' % name,
                    ('The specified parameter "%s" is not valid.' % name) + (' ' + detail if detail else ''))


# ---------------------------------------------------------------------------
# Signature algorithms (written from docs/api-contract.md 1.3 and the V2 RPC rules; independent of any SDK code)
# ---------------------------------------------------------------------------

def percent_encode(value):
    """RFC 3986 encoding as Alibaba specifies it (space -> %20, '*' -> %2A, '~' kept)."""
    return quote(str(value), safe='~', encoding='utf-8')


def v3_canonical_request(method, path, query_pairs, header_values, signed_headers, hashed_payload):
    """Build the ACS3 canonical request.

    ``header_values`` maps lower-case header names to their (already joined) values;
    ``signed_headers`` is the list from the Authorization header, used in the given order.
    """
    canonical_query = '&'.join('%s=%s' % (percent_encode(k), percent_encode(v)) for k, v in sorted(query_pairs))
    canonical_headers = ''.join('%s:%s\n' % (name, header_values[name].strip()) for name in signed_headers)
    return '\n'.join([method.upper(), path or '/', canonical_query, canonical_headers,
                      ';'.join(signed_headers), hashed_payload])


def v3_signature(secret, canonical_request):
    """Signature = hex(HMAC-SHA256(secret, 'ACS3-HMAC-SHA256\\n' + hex(sha256(canonical request))))."""
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()
    return hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def rpc_string_to_sign(method, params, encoder=percent_encode):
    """HMAC-SHA1 RPC StringToSign; ``encoder`` is RFC 3986 or quote_plus (alibabacloud-credentials)."""
    canonical = '&'.join('%s=%s' % (encoder(k), encoder(params[k])) for k in sorted(params))
    return method.upper() + '&' + encoder('/') + '&' + encoder(canonical)


def rpc_signature(secret, string_to_sign):
    """base64(HMAC-SHA1(secret + '&', StringToSign))."""
    digest = hmac.new((secret + '&').encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


def _quote_plus_all(value):
    return quote_plus(str(value), safe='', encoding='utf-8')


# ---------------------------------------------------------------------------
# Scenario data
# ---------------------------------------------------------------------------

def _b36(data, n):
    v = int.from_bytes(data, 'big')
    out = []
    for _digit in range(n):
        v, r = divmod(v, 36)
        out.append(_B36[r])
    return ''.join(out)


def _parse_time(value, where, what='TaskStartTime'):
    if not isinstance(value, str) or not value:
        raise ValueError('%s: %s must be a non-empty ISO 8601 string' % (where, what))
    text = value[:-1] + '+00:00' if value[-1:] in ('Z', 'z') else value
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError('%s: %s %r is not an ISO 8601 date-time' % (where, what, value)) from None
    if parsed.tzinfo is None:
        raise ValueError('%s: %s %r has no UTC offset (write e.g. +08:00 or Z)' % (where, what, value))
    return parsed


def _check_status(value, where):
    if value not in STATUSES:
        raise ValueError('%s: status %r is not one of %s' % (where, value, ', '.join(STATUSES)))
    return value


def _parse_timeline(value, where):
    if not isinstance(value, list) or not value:
        raise ValueError('%s: timeline must be a non-empty list of [seconds, status] pairs' % where)
    out = []
    for i, entry in enumerate(value):
        here = '%s[%d]' % (where, i)
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise ValueError('%s: expected [seconds, status]' % here)
        at, status = entry
        if isinstance(at, bool) or not isinstance(at, (int, float)) or at < 0:
            raise ValueError('%s: seconds must be a number >= 0' % here)
        out.append((float(at), _check_status(status, here)))
    out.sort(key=lambda e: e[0])
    return tuple(out)


def _number(value, where, minimum=0.0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError('%s must be a number >= %s' % (where, minimum))
    return float(value)


class _Task:
    """One OTA task; its status may follow a timeline measured from the scenario load."""

    __slots__ = ('task_id', 'ota_version', 'start_text', 'start_ts', 'status', 'timeline', 'appear_after', 'seq')

    def __init__(self, task_id, ota_version, start, status, timeline=(), appear_after=0.0, start_text=None):
        self.task_id = task_id
        self.ota_version = ota_version
        self.start_text = start_text or start.isoformat()
        self.start_ts = start.timestamp()
        self.status = status if status is not None else timeline[0][1]
        self.timeline = timeline
        self.appear_after = appear_after
        self.seq = None  # set for tasks created at run time (approved, inserted): they are listed first

    def sort_key(self):
        if self.seq is not None:  # the newest creation first
            return (0, -self.seq, self.task_id)
        return (1, -self.start_ts, self.task_id)

    def status_at(self, elapsed):
        status = self.status
        for at, value in self.timeline:
            if at > elapsed:
                break
            status = value
        return status

    def as_api(self, elapsed):
        return {'OtaVersion': self.ota_version, 'TaskDisplayStatus': self.status_at(elapsed),
                'TaskStartTime': self.start_text, 'TaskId': self.task_id}


class _Account:
    """A credential: permanent AK, static STS credential (from data) or an STS credential issued by AssumeRole."""

    __slots__ = ('access_key_id', 'secret', 'roles', 'token', 'expired', 'disabled', 'expires_at')

    def __init__(self, access_key_id, secret, roles=(), token=None, expired=False, disabled=False, expires_at=None):
        self.access_key_id = access_key_id
        self.secret = secret
        self.roles = tuple(roles)
        self.token = token
        self.expired = expired
        self.disabled = disabled
        self.expires_at = expires_at

    def __repr__(self):  # never show the secret or token
        return '<_Account %s>' % self.access_key_id


_CREATED = itertools.count(1)


class _ApprovedTask(_Task):
    """A task created by ApproveOtaTask: STANDBY until its StartTime, then its run timeline.

    Its clock is the emulator's OTA clock (``clock(elapsed)`` -> epoch seconds: the server wall
    clock including clock_offset and advance()), so StartTime is compared as an instant.
    """

    __slots__ = ('run', 'run_from', 'clock', 'group_id')

    def __init__(self, task_id, ota_version, start, run, run_from, clock, group_id):
        # ListOtaTask writes start times with the +08:00 offset (both regions are UTC+8)
        super().__init__(task_id, ota_version, start, 'STANDBY', (), 0.0, start.astimezone(CHINA_TZ).isoformat())
        self.run = run
        self.run_from = run_from
        self.clock = clock
        self.group_id = group_id
        self.seq = next(_CREATED)  # approved tasks are the newest: listed first, whatever their StartTime

    def status_at(self, elapsed):
        since = self.clock(elapsed) - self.run_from
        if since < 0:
            return 'STANDBY'
        status = 'RUNNING'
        for at, value in self.run:
            if at > since:
                break
            status = value
        return status

    def ended_at(self):
        """Epoch seconds at which the run reaches its first terminal status (None: never)."""
        for at, value in self.run:
            if value in TERMINAL:
                return self.run_from + at
        return None


class _GroupInfo:
    """A delivery group's attributes and OTA state (docs/api-contract.md section 6).

    ``active`` is the approved task that is STANDBY or RUNNING (or None); ``pending_id`` the
    not yet approved TaskId while an update is available and nothing is active.
    """

    __slots__ = ('group_id', 'name', 'region_id', 'status', 'product_type', 'os_type', 'gmt_create', 'gmt_ts',
                 'image_id', 'ota_version', 'new_ota_version', 'pending_id', 'pending_since', 'notes', 'runs',
                 'active', 'done_task_id', 'attempts')

    def __init__(self, group_id):
        self.group_id = group_id
        self.pending_since = None
        self.attempts = 0  # approved tasks of this group still listed (indexes ``runs``)

    def release_note(self, version):
        return self.notes.get(version, '')


class _Scenario:
    __slots__ = ('accounts', 'groups', 'infos', 'ordered', 'role_owners', 'last_appear')

    def __init__(self, accounts, groups, infos=None):
        self.accounts = accounts
        self.groups = groups  # group id -> task list, newest first (ListOtaTask)
        self.infos = infos if infos is not None else {gid: _default_info(gid, tasks, {}) for gid, tasks in groups.items()}
        # ListAppInstanceGroup order: newest GmtCreate first, ties by id.
        self.ordered = sorted(self.infos.values(), key=lambda i: (-i.gmt_ts, i.group_id))
        self.role_owners = {}
        # After this many seconds every task is visible: pages need no appear_after filter.
        self.last_appear = max((t.appear_after for tasks in groups.values() for t in tasks), default=0.0)
        for acct in accounts.values():
            for role in acct.roles:
                self.role_owners.setdefault(role, set()).add(acct.access_key_id)


def _check_keys(obj, allowed, where):
    for key in obj:
        if key not in allowed and not (isinstance(key, str) and key.startswith('_')):
            raise ValueError('%s: unknown key %r (allowed: %s; keys starting with "_" are ignored)'
                             % (where, key, ', '.join(allowed)))


def _parse_account(obj, where):
    if not isinstance(obj, dict):
        raise ValueError('%s: must be an object' % where)
    _check_keys(obj, ('access_key_id', 'access_key_secret', 'roles', 'security_token', 'expired', 'disabled'), where)
    for key in ('access_key_id', 'access_key_secret'):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            raise ValueError('%s: %s must be a non-empty string' % (where, key))
    roles = obj.get('roles', [])
    if not isinstance(roles, list):
        raise ValueError('%s: roles must be a list of role ARNs' % where)
    for i, role in enumerate(roles):
        if not isinstance(role, str) or not ROLE_ARN_RE.match(role):
            raise ValueError('%s.roles[%d]: %r is not acs:ram::<digits>:role/<name>' % (where, i, role))
    token = obj.get('security_token')
    if token is not None and (not isinstance(token, str) or not token):
        raise ValueError('%s: security_token must be a non-empty string' % where)
    for key in ('expired', 'disabled'):
        if not isinstance(obj.get(key, False), bool):
            raise ValueError('%s: %s must be true or false' % (where, key))
    return _Account(obj['access_key_id'], obj['access_key_secret'], roles, token,
                    obj.get('expired', False), obj.get('disabled', False))


def _parse_task(obj, where):
    if not isinstance(obj, dict):
        raise ValueError('%s: must be an object' % where)
    _check_keys(obj, ('TaskId', 'OtaVersion', 'TaskStartTime', 'starts_in', 'TaskDisplayStatus', 'timeline', 'appear_after'), where)
    for key in ('TaskId', 'OtaVersion'):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            raise ValueError('%s: %s must be a non-empty string' % (where, key))
    if 'starts_in' in obj:   # a start time relative to the load (an update approved for next month stays in the future)
        if 'TaskStartTime' in obj:
            raise ValueError('%s: give TaskStartTime or starts_in, not both' % where)
        start = _dt.datetime.now(CHINA_TZ).replace(microsecond=0) + _dt.timedelta(seconds=_number(obj['starts_in'], where + '.starts_in'))
        obj = dict(obj, TaskStartTime=start.isoformat())
    start = _parse_time(obj.get('TaskStartTime'), where)
    status = obj.get('TaskDisplayStatus')
    if status is not None:
        _check_status(status, where + '.TaskDisplayStatus')
    timeline = _parse_timeline(obj['timeline'], where + '.timeline') if 'timeline' in obj else ()
    if status is None and not timeline:
        raise ValueError('%s: needs TaskDisplayStatus or timeline' % where)
    appear = _number(obj.get('appear_after', 0), where + '.appear_after')
    return _Task(obj['TaskId'], obj['OtaVersion'], start, status, timeline, appear, obj['TaskStartTime'])


def _generate(group_id, gen, where):
    if not isinstance(gen, dict):
        raise ValueError('%s: must be an object' % where)
    _check_keys(gen, ('count', 'status', 'ota_version', 'start', 'interval_minutes'), where)
    count = gen.get('count')
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000000:
        raise ValueError('%s.count must be an integer 0..1000000' % where)
    status_spec = gen.get('status', 'FINISHED')
    if isinstance(status_spec, list):
        status, timeline = None, _parse_timeline(status_spec, where + '.status')
    else:
        status, timeline = _check_status(status_spec, where + '.status'), ()
    version = gen.get('ota_version')
    if version is not None and (not isinstance(version, str) or not version):
        raise ValueError('%s.ota_version must be a non-empty string' % where)
    newest = _parse_time(gen.get('start', GENERATE_START), where + '.start')
    interval = _dt.timedelta(minutes=_number(gen.get('interval_minutes', 360), where + '.interval_minutes', 0.001))
    tasks = []
    for index in range(count):
        digest = hashlib.sha1(('%s/%d' % (group_id, index)).encode('utf-8')).digest()
        start = newest - interval * index
        built = start - _dt.timedelta(days=1, minutes=digest[0] % 60, seconds=digest[1] % 60)
        tasks.append(_Task('ota-' + _b36(digest, 17), version or '0.0.1-R-%s' % built.strftime('%Y%m%d.%H%M%S'),
                           start, status, timeline))
    return tasks


GROUP_KEYS = ('tasks', 'generate', 'name', 'region_id', 'status', 'product_type', 'os_type', 'gmt_create',
              'app_center_image_id', 'ota')
OTA_KEYS = ('ota_version', 'new_ota_version', 'task_id', 'release_note', 'run')
GENERATE_GROUPS_KEYS = ('count', 'seed', 'name', 'region_id', 'versions', 'pending', 'retried', 'failed_pending',
                        'maintaining', 'os_type', 'product_type', 'run')
REGION_RE = re.compile(r'^[a-z]{2,}(-[a-z0-9]+){1,3}$')
DEFAULT_GMT_CREATE = '2024-06-03T10:00:00.000+08:00'


def _derived_id(prefix, text):
    return prefix + _b36(hashlib.sha1(text.encode('utf-8')).digest(), 17)


def _gmt_text(moment):
    return moment.astimezone(CHINA_TZ).strftime('%Y-%m-%dT%H:%M:%S.000+08:00')


def _text(obj, key, where, default, empty=False):
    value = obj.get(key, default)
    if not isinstance(value, str) or (not value and not empty):
        raise ValueError('%s.%s must be a %sstring' % (where, key, '' if empty else 'non-empty '))
    return value


def _parse_run(value, where):
    """``run``: one timeline ([[seconds, status], ...]) or a list of them (one per successive attempt)."""
    if not isinstance(value, list) or not value:
        raise ValueError('%s must be a timeline [[seconds, status], ...] or a non-empty list of timelines' % where)
    nested = isinstance(value[0], list) and bool(value[0]) and isinstance(value[0][0], list)
    timelines = value if nested else [value]
    out = []
    for i, timeline in enumerate(timelines):
        here = '%s[%d]' % (where, i) if nested else where
        parsed = _parse_timeline(timeline, here)
        for at, status in parsed:
            if status not in RUN_STATUSES:
                raise ValueError('%s: status %s at %gs is not one of %s (a run starts when StartTime is reached)'
                                 % (here, status, at, ', '.join(RUN_STATUSES)))
        out.append(parsed)
    return tuple(out)


def _parse_group_info(gid, group, tasks, release_notes, where):
    """Attributes and initial OTA state of one group; defaults follow its task history (README.md)."""
    info = _GroupInfo(gid)
    info.name = _text(group, 'name', where, gid)
    info.region_id = _text(group, 'region_id', where, DEFAULT_REGION)
    if not REGION_RE.match(info.region_id):
        raise ValueError('%s.region_id %r is not a region id such as cn-shanghai' % (where, info.region_id))
    info.status = _text(group, 'status', where, 'PUBLISHED')
    if not GROUP_STATUS_RE.match(info.status):
        raise ValueError('%s.status %r must be an upper-case status such as PUBLISHED or MAINTAINING' % (where, info.status))
    info.product_type = _text(group, 'product_type', where, 'CloudApp')
    if info.product_type not in PRODUCT_TYPES:
        raise ValueError('%s.product_type %r is not one of %s' % (where, info.product_type, ', '.join(PRODUCT_TYPES)))
    info.os_type = _text(group, 'os_type', where, 'Windows')
    info.image_id = _text(group, 'app_center_image_id', where, _derived_id('img-', gid + '/image'))
    if 'gmt_create' in group:
        info.gmt_create = _text(group, 'gmt_create', where, None)
        info.gmt_ts = _parse_time(info.gmt_create, where + '.gmt_create', 'gmt_create').timestamp()
    elif tasks:
        oldest = min(t.start_ts for t in tasks) - 2 * 86400
        info.gmt_ts = float(int(oldest))
        info.gmt_create = _gmt_text(_dt.datetime.fromtimestamp(info.gmt_ts, _dt.timezone.utc))
    else:
        info.gmt_create = DEFAULT_GMT_CREATE
        info.gmt_ts = _parse_time(DEFAULT_GMT_CREATE, where).timestamp()
    ota = group.get('ota', {})
    if not isinstance(ota, dict):
        raise ValueError('%s.ota must be an object' % where)
    _check_keys(ota, OTA_KEYS, where + '.ota')
    here = where + '.ota'
    # The history as it stands at t=0: a STANDBY/RUNNING newest task is the group's current (approved) task.
    visible = [t for t in tasks if t.appear_after <= 0]
    head = visible[0] if visible else None
    head_status = head.status_at(0.0) if head is not None else None
    active = head if head_status in ('STANDBY', 'RUNNING') else None
    finished = next((t for t in visible if t is not active and t.status_at(0.0) == 'FINISHED'), None)
    info.ota_version = _text(ota, 'ota_version', here, finished.ota_version if finished else '', empty=True)
    if active is not None:
        new = _text(ota, 'new_ota_version', here, active.ota_version, empty=True)
        if new != active.ota_version:
            detail = (here, new, active.task_id, head_status, active.ota_version)
            raise ValueError('%s.new_ota_version %r: the newest task %s is %s with version %r, so that is the version '
                             'being applied (leave new_ota_version out)' % detail)
        if ota.get('task_id', active.task_id) != active.task_id:
            raise ValueError('%s.task_id: the newest task %s is %s, so it is the group\'s current TaskId (leave task_id out)'
                             % (here, active.task_id, head_status))
    elif head is not None and head_status != 'FINISHED' and head.ota_version != info.ota_version:
        new = _text(ota, 'new_ota_version', here, head.ota_version, empty=True)  # a failed attempt: still available
    else:
        new = _text(ota, 'new_ota_version', here, '', empty=True)
    if new and new == info.ota_version and active is None:
        raise ValueError('%s.new_ota_version %r equals ota_version (use "" for no update)' % (here, new))
    info.new_ota_version = new
    info.active = active
    task_id = _text(ota, 'task_id', here, '', empty=True) if 'task_id' in ota else None
    known = {t.task_id for t in tasks}
    info.pending_id = None
    info.done_task_id = finished.task_id if finished else ''
    if active is None and new:
        info.pending_id = task_id or _derived_id('ota-', gid + '/pending')
        if info.pending_id in known:
            raise ValueError('%s.task_id %r is already a task in the history; the pending task is not listed yet'
                             % (here, info.pending_id))
    elif task_id is not None and active is None:
        info.done_task_id = task_id
    info.notes = dict(release_notes)
    if 'release_note' in ota:
        if not new:
            raise ValueError('%s.release_note: the group has no pending update (new_ota_version is empty)' % here)
        info.notes[new] = _text(ota, 'release_note', here, '', empty=True)
    info.runs = _parse_run(ota['run'], here + '.run') if 'run' in ota else (DEFAULT_RUN,)
    return info


def _default_info(gid, tasks, release_notes):
    return _parse_group_info(gid, {}, tasks, release_notes, 'groups.%s' % gid)


def _fraction(spec, key, where):
    value = spec.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError('%s.%s must be a number 0..1' % (where, key))
    return value


def _generate_groups(spec, index, where):
    """Expand one ``generate_groups`` entry into (group id, group object) pairs in the explicit data format."""
    if not isinstance(spec, dict):
        raise ValueError('%s: must be an object' % where)
    _check_keys(spec, GENERATE_GROUPS_KEYS, where)
    count = spec.get('count')
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100000:
        raise ValueError('%s.count must be an integer 0..100000' % where)
    seed = _text(spec, 'seed', where, 'groups-%d' % index)
    name = _text(spec, 'name', where, seed + '-{n:04d}')
    try:
        name.format(n=1)
    except (KeyError, IndexError, ValueError):
        raise ValueError('%s.name %r must be a format string using only {n}' % (where, name)) from None
    raw_versions = spec.get('versions')
    if not isinstance(raw_versions, list) or not raw_versions:
        raise ValueError('%s.versions must be a non-empty list of {"version", "released"}, oldest first' % where)
    versions = []
    for i, item in enumerate(raw_versions):
        here = '%s.versions[%d]' % (where, i)
        if not isinstance(item, dict):
            raise ValueError('%s: must be {"version": ..., "released": ...}' % here)
        _check_keys(item, ('version', 'released'), here)
        versions.append((_text(item, 'version', here, None), _parse_time(item.get('released'), here, 'released')))
    shares = {key: _fraction(spec, key, where) for key in ('pending', 'retried', 'failed_pending', 'maintaining')}
    common = {key: spec[key] for key in ('region_id', 'os_type', 'product_type') if key in spec}
    run = spec.get('run')
    out = []
    for n in range(1, count + 1):
        digest = hashlib.sha1(('%s/%d' % (seed, n)).encode('utf-8')).digest()
        gid = 'aig-' + _b36(digest, 17)
        pending = len(versions) >= 2 and digest[0] / 256.0 < shares['pending']
        last = len(versions) - (2 if pending else 1)
        first = 1 if last >= 1 and digest[1] % 5 == 0 else 0  # one group in five was created later
        created = versions[first][1] + _dt.timedelta(days=1 + digest[2] % 5, minutes=3 * digest[3], seconds=digest[4] % 60)
        tasks = []

        def attempt(i, number, start, status):
            tasks.append({'TaskId': _derived_id('ota-', '%s/%d/%d' % (gid, i, number)), 'OtaVersion': versions[i][0],
                          'TaskStartTime': start.astimezone(CHINA_TZ).isoformat(), 'TaskDisplayStatus': status})

        for i in range(first + 1, len(versions)):
            h = hashlib.sha1(('%s/%d' % (gid, i)).encode('utf-8')).digest()
            start = versions[i][1] + _dt.timedelta(days=2 + h[0] % 12, hours=h[1] % 10, minutes=15 * (h[2] % 4))
            failed = ('FAILED', 'TERMINATED', 'PART_FINISHED')[h[4] % 3]
            if i > last:  # the pending version: perhaps one failed attempt already
                if digest[5] / 256.0 < shares['failed_pending']:
                    attempt(i, 0, start, failed)
                continue
            if h[3] / 256.0 < shares['retried']:
                attempt(i, 0, start, failed)
                start += _dt.timedelta(days=1 + h[5] % 6, hours=h[6] % 5)
                attempt(i, 1, start, 'FINISHED')
            else:
                attempt(i, 0, start, 'FINISHED')
        group = dict(common, name=name.format(n=n), gmt_create=_gmt_text(created), tasks=tasks,
                     status='MAINTAINING' if digest[6] / 256.0 < shares['maintaining'] else 'PUBLISHED',
                     ota={'ota_version': versions[last][0], 'new_ota_version': versions[-1][0] if pending else ''})
        if run is not None:
            group['ota']['run'] = run
        out.append((gid, group))
    return out


def parse_scenario(data):
    """Validate ``data`` (the documented JSON shape) and build the internal scenario; ValueError names the problem."""
    if not isinstance(data, dict):
        raise ValueError('top level must be a JSON object with "groups" (and optionally "accounts")')
    _check_keys(data, ('accounts', 'groups', 'release_notes', 'generate_groups'), 'top level')
    raw_accounts = data.get('accounts', [DEFAULT_ACCOUNT])
    if not isinstance(raw_accounts, list):
        raise ValueError('accounts must be a list')
    accounts = {}
    for i, obj in enumerate(raw_accounts):
        acct = _parse_account(obj, 'accounts[%d]' % i)
        if acct.access_key_id in accounts:
            raise ValueError('accounts[%d]: duplicate access_key_id %r' % (i, acct.access_key_id))
        accounts[acct.access_key_id] = acct
    raw_groups = data.get('groups')
    if not isinstance(raw_groups, dict):
        raise ValueError('groups must be an object mapping delivery group ids to {"tasks": [...]}')
    notes = data.get('release_notes', {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise ValueError('release_notes must be an object mapping OTA versions to release note texts')
    notes = {k: v for k, v in notes.items() if not k.startswith('_')}
    generators = data.get('generate_groups', [])
    if not isinstance(generators, list):
        raise ValueError('generate_groups must be a list of group generators')
    entries = [(gid, group, 'groups.%s' % gid) for gid, group in raw_groups.items()]
    for i, spec in enumerate(generators):
        for gid, group in _generate_groups(spec, i, 'generate_groups[%d]' % i):
            if gid in raw_groups:
                raise ValueError('generate_groups[%d]: generated group id %s is also in groups' % (i, gid))
            entries.append((gid, group, 'generate_groups[%d].%s' % (i, gid)))
    groups, infos = {}, {}
    for gid, group, where in entries:
        if not gid:
            raise ValueError('groups: group id must be a non-empty string')
        if gid in groups:
            raise ValueError('%s: duplicate group id' % where)
        if not isinstance(group, dict):
            raise ValueError('%s: must be an object' % where)
        _check_keys(group, GROUP_KEYS, where)
        raw_tasks = group.get('tasks', [])
        if not isinstance(raw_tasks, list):
            raise ValueError('%s.tasks must be a list' % where)
        tasks = [_parse_task(obj, '%s.tasks[%d]' % (where, i)) for i, obj in enumerate(raw_tasks)]
        if 'generate' in group:
            tasks.extend(_generate(gid, group['generate'], where + '.generate'))
        seen = set()
        for task in tasks:
            if task.task_id in seen:
                raise ValueError('%s: duplicate TaskId %r' % (where, task.task_id))
            seen.add(task.task_id)
        tasks.sort(key=lambda task: task.sort_key())
        groups[gid] = tasks
        infos[gid] = _parse_group_info(gid, group, tasks, notes, where)
    return _Scenario(accounts, groups, infos)


def load_data_file(path):
    """Read a scenario JSON file; ValueError says which file and what is wrong with it."""
    try:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ValueError('data file %r: %s' % (str(path), exc.strerror or exc)) from None
    except ValueError as exc:
        raise ValueError('data file %r: invalid JSON: %s' % (str(path), exc)) from None
    try:
        parse_scenario(data)
    except ValueError as exc:
        raise ValueError('data file %r: %s' % (str(path), exc)) from None
    return data


def _fault_rules(spec, where):
    every = {}
    raw_every = spec.get('every')
    raw_every = {} if raw_every is None else raw_every
    if not isinstance(raw_every, dict):
        raise ValueError('%s.every must be an object {kind: N}' % where)
    for kind, n in raw_every.items():
        if kind not in FAULT_KINDS:
            raise ValueError('%s.every: unknown fault kind %r (known: %s)' % (where, kind, ', '.join(FAULT_KINDS)))
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError('%s.every.%s must be an integer >= 1' % (where, kind))
        every[kind] = n
    schedule = {}
    raw_schedule = spec.get('schedule')
    raw_schedule = {} if raw_schedule is None else raw_schedule
    if not isinstance(raw_schedule, dict):
        raise ValueError('%s.schedule must be an object {"N": kind}' % where)
    for key, kind in raw_schedule.items():
        if not str(key).isdigit() or int(key) < 1:
            raise ValueError('%s.schedule: key %r must be a request number >= 1' % (where, key))
        if kind not in FAULT_KINDS:
            raise ValueError('%s.schedule.%s: unknown fault kind %r (known: %s)' % (where, key, kind, ', '.join(FAULT_KINDS)))
        schedule[int(key)] = kind
    return every, schedule


def _normalise_faults(spec):
    """Validate a fault spec and return the canonical form used internally."""
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ValueError('faults must be an object')
    _check_keys(spec, ('every', 'schedule', 'actions', 'not_found', 'retry_after_ms', 'hang_seconds'), 'faults')
    every, schedule = _fault_rules(spec, 'faults')
    not_found = _not_found_faults(spec.get('not_found'))
    actions = {}
    raw_actions = spec.get('actions')
    raw_actions = {} if raw_actions is None else raw_actions
    if not isinstance(raw_actions, dict):
        raise ValueError('faults.actions must be an object {action: {"every": ..., "schedule": ...}}')
    for action, rules in raw_actions.items():
        where = 'faults.actions.%s' % action
        if action not in ACTIONS:
            raise ValueError('faults.actions: unknown action %r (known: %s)' % (action, ', '.join(ACTIONS)))
        if not isinstance(rules, dict):
            raise ValueError('%s must be an object {"every": ..., "schedule": ...}' % where)
        _check_keys(rules, ('every', 'schedule'), where)
        action_every, action_schedule = _fault_rules(rules, where)
        actions[action] = {'every': action_every, 'schedule': action_schedule}
    retry_after = spec.get('retry_after_ms')
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0):
        raise ValueError('faults.retry_after_ms must be an integer >= 0')
    hang = spec.get('hang_seconds', DEFAULT_HANG_SECONDS)
    hang = _number(hang, 'faults.hang_seconds')
    return {'every': every, 'schedule': schedule, 'actions': actions, 'not_found': not_found, 'retry_after_ms': retry_after or None,
            'hang_seconds': hang}


def _not_found_faults(raw):
    """faults.not_found: {group: {"from": N, "to": M}}: the group's ListOtaTask requests N..M (M optional) find no group."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ValueError('faults.not_found must be an object {group id: {"from": N, "to": M}}')
    groups = {}
    for group, rules in raw.items():
        where = 'faults.not_found.%s' % group
        if not isinstance(rules, dict):
            raise ValueError('%s must be an object {"from": N, "to": M}' % where)
        _check_keys(rules, ('from', 'to'), where)
        bounds = {}
        for key in ('from', 'to'):
            value = rules.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError('%s.%s must be a request number >= 1' % (where, key))
            bounds[key] = value
        if 'from' not in bounds:
            raise ValueError('%s.from is required' % where)
        if bounds.get('to', bounds['from']) < bounds['from']:
            raise ValueError('%s.to must not be less than from' % where)
        groups[group] = (bounds['from'], bounds.get('to'))
    return groups


def _pick_fault(rules, seq):
    kind = rules['schedule'].get(seq)
    if kind is None:
        for candidate in FAULT_KINDS:
            every = rules['every'].get(candidate)
            if every and seq % every == 0:
                return candidate
    return kind


def _take_token(bucket, rate):
    """Take one token from a [tokens, last refill] bucket filled at ``rate`` per second (burst = rate)."""
    now = time.monotonic()
    tokens = min(max(1.0, rate), bucket[0] + (now - bucket[1]) * rate)
    if tokens < 1.0:
        bucket[0], bucket[1] = tokens, now
        return False
    bucket[0], bucket[1] = tokens - 1.0, now
    return True


def _loopback_host(host):
    if host == 'localhost':
        return '127.0.0.1'
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError('host must be a loopback IP address (127.0.0.0/8 or ::1), got %r' % (host,)) from None
    if not addr.is_loopback:
        raise ValueError('host must be a loopback IP address (127.0.0.0/8 or ::1), got %r' % (host,))
    return str(addr)


def _request_id():
    return str(uuid.uuid4()).upper()


def _random_text(length):
    return ''.join(secrets.choice(_ALNUM) for _char in range(length))


def _utc_text(ts):
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime(DATE_FORMAT)


# ---------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------

class _Request:
    """What the emulator needs from one HTTP request (decoupled from the handler for clarity)."""

    __slots__ = ('method', 'path', 'raw_query', 'headers', 'body')

    def __init__(self, method, path, raw_query, headers, body):
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        values = [v.strip() for k, v in self.headers if k == name]
        return ','.join(values) if values else None


class _Response:
    __slots__ = ('status', 'body', 'content_type', 'headers', 'code', 'reset')

    def __init__(self, status=200, body=b'', content_type='application/json;charset=utf-8', headers=None, code=None,
                 reset=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})
        self.code = code
        self.reset = reset


def _json_response(status, obj, headers=None, code=None):
    return _Response(status, json.dumps(obj, separators=(',', ':')).encode('utf-8'), headers=headers, code=code)


class _BodyError(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    """Thin I/O layer: reads a request, lets the Emulator answer it, writes the answer."""

    protocol_version = 'HTTP/1.1'
    server_version = 'ota-emulator/1'
    sys_version = ''
    wbufsize = -1  # buffer header + body, sent in one go at the flush after each request
    timeout = 120  # idle keep-alive connections are closed after this

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silenced: the default line contains the URL query, which may hold a SecurityToken or Signature."""

    def _read_body(self, limit):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b';', 1)[0].strip() or b'0', 16)
                except ValueError:
                    raise _BodyError('bad chunk size') from None
                if size == 0:
                    while self.rfile.readline(65537) not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                total += size
                if total > limit:
                    raise _BodyError('request body too large')
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = self.headers.get('Content-Length')
        if length is None:
            return b''
        if not length.strip().isdigit():
            raise _BodyError('bad Content-Length')
        length = int(length)
        if length > limit:
            raise _BodyError('request body too large')
        return self.rfile.read(length) if length else b''

    def _dispatch(self):
        emu = self.server.emulator
        parts = urlsplit(self.path)
        admin = parts.path.startswith('/__emulator/')
        try:
            body = self._read_body(MAX_ADMIN_BODY if admin else MAX_API_BODY)
        except _BodyError as exc:
            self.close_connection = True
            self._write(_json_response(400, {'error': str(exc)}))
            return
        req = _Request(self.command, parts.path, parts.query,
                       [(k.lower(), v) for k, v in self.headers.items()], body)
        try:
            resp = emu.handle_admin(req) if admin else emu.handle_api(req)
        except Exception as exc:  # a bug must not kill the connection silently
            sys.stderr.write('ota_emulator: internal error: %s\n' % type(exc).__name__)
            resp = _json_response(500, {'error': 'internal emulator error: %s' % type(exc).__name__})
        self._write(resp)

    def _write(self, resp):
        if resp.reset:
            self._rst()
            return
        self.send_response(resp.status)
        self.send_header('Content-Type', resp.content_type)
        self.send_header('Content-Length', str(len(resp.body)))
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(resp.body)

    def _rst(self):
        """Abort the connection with a TCP RST (SO_LINGER 0) instead of an orderly FIN."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        finally:
            self.close_connection = True
            self.wfile = BytesIO()  # finish() flushes wfile: make that a no-op
            self.rfile = BytesIO()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, emulator, ssl_context=None):
        self.address_family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
        self.emulator = emulator
        self.ssl_context = ssl_context
        self._conns = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self):
        """Skip HTTPServer's socket.getfqdn(): it may send a reverse DNS query off the machine."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def track(self, conn, add):
        with self._conns_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self):
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish_request(self, request, client_address):
        """TLS handshake here, in the connection's own thread, so a slow client cannot stall accept()."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return
        try:
            tls.settimeout(None)
            super().finish_request(tls, client_address)
        finally:
            self.shutdown_request(tls)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ValueError)):
            return  # client went away, or we reset the connection on purpose
        if self.emulator.verbose:
            sys.stderr.write('ota_emulator: connection error: %s\n' % type(exc).__name__)


# ---------------------------------------------------------------------------
# The emulator
# ---------------------------------------------------------------------------

class Emulator:
    """Strict loopback emulator of the OTA APIs (appstream-center 2021-09-01) and STS AssumeRole (2015-04-01).

    Clocks (attributes tests may replace): ``_now`` (monotonic; drives task timelines, set
    before calling ``load()``) and ``_time`` (wall clock; signatures, STS expiry).
    ``clock_offset`` seconds are added to the wall clock to simulate a skewed server.
    """

    def __init__(self, data=None, host='127.0.0.1', port=0, latency_ms=0, faults=None,
                 rate_limit=None, max_in_flight=None, certfile=None, keyfile=None, region_id='cn-shanghai',
                 clock_offset=0, verbose=False, qps=0):
        self.host = _loopback_host(host)
        self._requested_port = int(port)
        self.latency_ms = float(latency_ms or 0)
        self.rate_limit = float(rate_limit) if rate_limit else None
        self.qps = float(qps or 0)  # per-AccessKey quota (Throttling.User above it); 0: none
        if self.qps < 0:
            raise ValueError('qps must be 0 (no quota) or more')
        self._key_buckets = {}
        self.max_in_flight = int(max_in_flight) if max_in_flight is not None else None
        self.region_id = region_id
        self.clock_offset = float(clock_offset or 0)
        self.verbose = verbose
        self._ssl_context = None
        if certfile or keyfile:
            if not (certfile and keyfile):
                raise ValueError('certfile and keyfile must be given together')
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(certfile, keyfile)
            self._ssl_context = ctx
        self._now = time.monotonic
        self._time = time.time
        self._lock = threading.RLock()
        self._stop_event = threading.Event()
        self._server = None
        self._thread = None
        self._scenario = None
        self._t0 = 0.0
        self._wall0 = 0.0
        self._advanced = 0.0
        self._ota_ids = {}
        self._fault_seq_by_action = {}
        self._group_seq = {}   # ListOtaTask requests per group, for faults.not_found
        self._issued = collections.OrderedDict()
        self._nonces = collections.OrderedDict()
        self._insert_seq = 0
        self._in_flight = 0
        self._bucket = None
        self._faults = _normalise_faults(None)
        self._fault_seq = 0
        self._stats = None
        self.load(SAMPLE_DATA if data is None else data)
        self.set_faults(faults)
        self.reset_stats()

    # -- lifecycle -------------------------------------------------------------
    def start(self):
        """Bind and serve in a daemon thread (connections get daemon threads too); returns self."""
        if self._server is not None:
            return self
        self._stop_event.clear()
        self._server = _Server((self.host, self._requested_port), self, self._ssl_context)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='ota-emulator', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; wakes sleeping (hang/latency) requests and shuts down open connections."""
        server, self._server = self._server, None
        self._stop_event.set()
        if server is None:
            return
        closer = threading.Thread(target=server.shutdown, daemon=True)
        closer.start()
        while closer.is_alive():  # wake serve_forever's select() with a dummy connection instead of waiting for it
            try:
                with socket.create_connection(server.server_address[:2], timeout=1):
                    pass
            except OSError:
                pass
            closer.join(0.02)
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    @property
    def port(self):
        return self._server.server_address[1] if self._server is not None else self._requested_port

    @property
    def host_port(self):
        host = '[%s]' % self.host if ':' in self.host else self.host
        return '%s:%d' % (host, self.port)

    @property
    def endpoint(self):
        return '%s://%s' % ('https' if self._ssl_context else 'http', self.host_port)

    @property
    def sts_endpoint(self):
        return self.endpoint

    # -- scenario --------------------------------------------------------------
    def load(self, data):
        """Replace the scenario (dict, or path of a JSON file); the timeline clock restarts at t=0."""
        if isinstance(data, (str, os.PathLike)):
            data = load_data_file(data)
        scenario = parse_scenario(copy.deepcopy(data))
        with self._lock:
            self._scenario = scenario
            self._t0 = self._now()
            self._wall0 = self._time()
            self._advanced = 0.0
            self._ota_ids = {}
            for info in scenario.infos.values():
                if info.pending_id:
                    info.pending_since = self._wall0 + self.clock_offset
                    self._ota_ids[info.pending_id] = info.group_id
                if info.active is not None:
                    self._ota_ids[info.active.task_id] = info.group_id

    def elapsed(self):
        """Seconds of scenario time since the last load() (timelines and appear_after use this)."""
        return self._now() - self._t0 + self._advanced

    def advance(self, seconds):
        """Move the scenario clock forward without sleeping (demo and test convenience)."""
        with self._lock:
            self._advanced += float(seconds)

    def server_time(self):
        """The emulated server wall clock (epoch seconds), including clock_offset."""
        return self._time() + self.clock_offset

    def ota_time(self, elapsed=None):
        """The clock of the OTA lifecycle (epoch seconds): the server clock incl. clock_offset, plus advance().

        It runs on the scenario clock (``_now``), so tests that replace ``_now`` drive it too.
        """
        return self._wall0 + (self.elapsed() if elapsed is None else elapsed) + self.clock_offset

    def set_clock_offset(self, seconds):
        self.clock_offset = float(seconds)

    def _visible(self, group_id):
        page = self._page(group_id, 0, None)
        return None if page is None else page[1]

    def _page(self, group_id, lo, size):
        """(TotalCount, the visible tasks lo..lo+size in API form) of a group, or None if unknown.

        Only the page is turned into API dicts, so a page of a large group costs O(page), not O(group).
        """
        tasks = self._scenario.groups.get(group_id)
        if tasks is None:
            return None
        now = self.elapsed()
        visible = tasks if now >= self._scenario.last_appear else [task for task in tasks if task.appear_after <= now]
        chosen = visible[lo:] if size is None else visible[lo:lo + size]
        return len(visible), [task.as_api(now) for task in chosen]

    def tasks(self, group_id):
        """Ground truth: the group's currently visible tasks, in API order, with API key names."""
        with self._lock:
            out = self._visible(group_id)
        if out is None:
            raise KeyError(group_id)
        return out

    def insert_task(self, group_id, task=None):
        """Insert a new (by default RUNNING) task at the head (newest) of a group; returns it in API form."""
        with self._lock:
            tasks = self._scenario.groups.get(group_id)
            if tasks is None:
                raise KeyError(group_id)
            self._insert_seq += 1
            spec = dict(task or {})
            head = 'TaskStartTime' not in spec
            if head:
                newest = max((t.start_ts for t in tasks), default=0)
                start_ts = max(int(self.server_time()), int(newest) + 60)
                spec['TaskStartTime'] = _dt.datetime.fromtimestamp(start_ts, CHINA_TZ).isoformat()
            digest = hashlib.sha1(('%s/inserted/%d' % (group_id, self._insert_seq)).encode('utf-8')).digest()
            spec.setdefault('TaskId', 'ota-' + _b36(digest, 17))
            spec.setdefault('OtaVersion', '0.0.9-R-%s' % _parse_time(spec['TaskStartTime'], 'task').strftime('%Y%m%d.%H%M%S'))
            if 'TaskDisplayStatus' not in spec and 'timeline' not in spec:
                spec['TaskDisplayStatus'] = 'RUNNING'
            new = _parse_task(spec, 'inserted task')
            if head:
                new.seq = next(_CREATED)
            if any(t.task_id == new.task_id for t in tasks):
                raise ValueError('duplicate TaskId %r' % new.task_id)
            tasks.append(new)
            tasks.sort(key=lambda task: task.sort_key())
            self._scenario.last_appear = max(self._scenario.last_appear, new.appear_after)
            return new.as_api(self.elapsed())

    # -- OTA lifecycle (docs/api-contract.md section 6) -------------------------
    def _info(self, group_id):
        info = self._scenario.infos.get(group_id)
        if info is None:
            raise KeyError(group_id)
        return info

    def _settle(self, info, elapsed):
        """Apply the end of the group's current task, if it has reached a terminal status by now."""
        task = info.active
        if task is None:
            return
        status = task.status_at(elapsed)
        if status not in TERMINAL:
            return
        info.active = None
        if status == 'FINISHED':
            info.ota_version, info.new_ota_version, info.done_task_id = task.ota_version, '', task.task_id
            return
        info.new_ota_version = task.ota_version  # PART_FINISHED / FAILED / TERMINATED: still available
        info.pending_id = 'ota-' + _b36(secrets.token_bytes(12), 17)
        if isinstance(task, _ApprovedTask):
            ended = task.ended_at()
        else:
            ended = next((self._wall0 + at + self.clock_offset for at, value in task.timeline if value in TERMINAL), None)
        info.pending_since = min(ended, self.ota_time(elapsed)) if ended is not None else self.ota_time(elapsed)
        self._ota_ids[info.pending_id] = info.group_id

    def _ota_info(self, info, elapsed):
        self._settle(info, elapsed)
        if info.active is not None:
            return {'OtaVersion': info.ota_version, 'NewOtaVersion': info.active.ota_version,
                    'TaskId': info.active.task_id}
        if info.new_ota_version:
            return {'OtaVersion': info.ota_version, 'NewOtaVersion': info.new_ota_version, 'TaskId': info.pending_id}
        return {'OtaVersion': info.ota_version, 'NewOtaVersion': '', 'TaskId': info.done_task_id}

    def _group_model(self, info, elapsed):
        return {'AppInstanceGroupId': info.group_id, 'AppInstanceGroupName': info.name, 'RegionId': info.region_id,
                'ProductType': info.product_type, 'Status': info.status, 'OsType': info.os_type,
                'GmtCreate': info.gmt_create, 'AppCenterImageId': info.image_id,
                'OtaInfo': self._ota_info(info, elapsed)}

    def ota_info(self, group_id):
        """Ground truth: the group's OtaInfo right now ({OtaVersion, NewOtaVersion, TaskId}); KeyError if unknown."""
        with self._lock:
            return self._ota_info(self._info(group_id), self.elapsed())

    def ota_state(self, group_id):
        """Ground truth with the section 4 verdicts: OtaInfo, update_available, approved, the current task, ..."""
        with self._lock:
            info = self._info(group_id)
            elapsed = self.elapsed()
            ota = self._ota_info(info, elapsed)
            task = info.active.as_api(elapsed) if info.active is not None else None
            return {'group': group_id, 'region_id': info.region_id, 'OtaInfo': ota,
                    'update_available': bool(ota['NewOtaVersion']), 'up_to_date': not ota['NewOtaVersion'],
                    'approved': task is not None, 'task': task,
                    'release_note': info.release_note(ota['NewOtaVersion']) if ota['NewOtaVersion'] else '',
                    'attempts': info.attempts, 'ota_time': _utc_text(self.ota_time(elapsed))}

    def groups(self, region_id=None):
        """Ground truth: every group (or a region's) as ListAppInstanceGroup models, in API order."""
        with self._lock:
            elapsed = self.elapsed()
            return [self._group_model(info, elapsed) for info in self._scenario.ordered
                    if region_id is None or info.region_id == region_id]

    def offer_update(self, group_id, new_ota_version, release_note=None, run=None, task_id=None):
        """Make an update available to a group now (it must have no STANDBY/RUNNING task); returns its OtaInfo."""
        if not isinstance(new_ota_version, str) or not new_ota_version:
            raise ValueError('new_ota_version must be a non-empty string')
        runs = _parse_run(run, 'run') if run is not None else None
        with self._lock:
            info = self._info(group_id)
            elapsed = self.elapsed()
            self._settle(info, elapsed)
            if info.active is not None:
                raise ValueError('group %s has a %s task (%s): offer an update when it has ended'
                                 % (group_id, info.active.status_at(elapsed), info.active.task_id))
            if new_ota_version == info.ota_version:
                raise ValueError('group %s is already at %s' % (group_id, new_ota_version))
            self._ota_ids.pop(info.pending_id, None)
            info.new_ota_version = new_ota_version
            info.pending_id = task_id or 'ota-' + _b36(secrets.token_bytes(12), 17)
            info.pending_since = self.ota_time(elapsed)
            self._ota_ids[info.pending_id] = group_id
            if release_note is not None:
                info.notes[new_ota_version] = str(release_note)
            if runs is not None:
                info.runs, info.attempts = runs, 0
            return self._ota_info(info, elapsed)

    # -- faults and stats ------------------------------------------------------
    def set_faults(self, faults):
        """Replace the fault spec and restart fault numbering at request 1."""
        normalised = _normalise_faults(faults)
        with self._lock:
            self._faults = normalised
            self._fault_seq = 0
            self._fault_seq_by_action = {}
            self._group_seq = {}

    def faults(self):
        with self._lock:
            out = copy.deepcopy(self._faults)
        out['schedule'] = {str(k): v for k, v in out['schedule'].items()}
        out['not_found'] = {group: dict({'from': first}, **({'to': last} if last else {}))
                            for group, (first, last) in out['not_found'].items()}
        for rules in out['actions'].values():
            rules['schedule'] = {str(k): v for k, v in rules['schedule'].items()}
        return out

    def reset_stats(self):
        """Zero the counters and the log, and restart fault numbering."""
        with self._lock:
            self._stats = {'requests': 0, 'calls': {}, 'ok_calls': {}, 'list_calls_by_group': {}, 'status_codes': {},
                           'error_codes': {}, 'faults_injected': {}, 'faults_injected_by_action': {},
                           'approvals_by_group': {}, 'reschedules_by_group': {}, 'refused_approvals_by_group': {},
                           'throttled_by_limit': {}, 'max_in_flight': self._in_flight,
                           'log': collections.deque(maxlen=LOG_CAPACITY), 'approval_log': []}
            self._fault_seq = 0
            self._fault_seq_by_action = {}
            self._group_seq = {}

    def stats(self):
        """Deep copy of the counters (never contains secrets, tokens or signatures)."""
        with self._lock:
            out = {k: copy.deepcopy(v) for k, v in self._stats.items() if k not in ('log', 'approval_log')}
            out['in_flight'] = self._in_flight
            out['log'] = [dict(entry) for entry in self._stats['log']]
            out['approval_log'] = [{'group': group_id, 'task_id': task.task_id, 'action': action, 'approved_at': at,
                                    'starts_at': task.run_from, 'ends_at': task.ended_at()}
                                   for group_id, task, action, at in self._stats['approval_log']]
        return out

    @staticmethod
    def _bump(counter, key, n=1):
        counter[key] = counter.get(key, 0) + n

    def _record(self, ctx, resp):
        fault = ctx.get('fault')
        status = None if resp.reset else resp.status
        with self._lock:
            st = self._stats
            st['requests'] += 1
            action = ctx.get('action') or '(none)'
            self._bump(st['calls'], action)
            if status is not None:
                self._bump(st['status_codes'], str(status))
            if resp.code:
                self._bump(st['error_codes'], resp.code)
            if status == 200 and not resp.code and fault not in ('malformed', 'badshape'):
                self._bump(st['ok_calls'], action)
            if action == 'ListOtaTask' and ctx.get('group'):
                self._bump(st['list_calls_by_group'], ctx['group'])
            if ctx.get('approval'):
                self._bump(st['approvals_by_group'], ctx['group'])
                if ctx['approval'] == 'rescheduled':
                    self._bump(st['reschedules_by_group'], ctx['group'])
            elif ctx.get('refused') and ctx.get('group'):
                self._bump(st['refused_approvals_by_group'].setdefault(ctx['group'], {}), ctx['refused'])
            entry = {'action': action, 'group': ctx.get('group'), 'page_number': ctx.get('page_number'),
                     'page_size': ctx.get('page_size'), 'status': status, 'code': resp.code, 'fault': fault}
            if action in ('ApproveOtaTask', 'GetOtaTaskByTaskId'):
                entry['task_id'] = ctx.get('task_id')
            st['log'].append(entry)
        if self.verbose:
            where = ' group=%s page=%s size=%s' % (ctx.get('group'), ctx.get('page_number'), ctx.get('page_size')) \
                if action in ('ListOtaTask', 'ListAppInstanceGroup') else ''
            if action in ('ApproveOtaTask', 'GetOtaTaskByTaskId'):
                where = ' group=%s task=%s' % (ctx.get('group'), ctx.get('task_id'))
            sys.stderr.write('ota_emulator: %s%s -> %s%s%s\n' % (
                action, where, 'reset' if status is None else status, ' ' + resp.code if resp.code else '',
                ' [fault %s]' % fault if fault else ''))
            sys.stderr.flush()

    def _next_fault(self, action='ListOtaTask'):
        """Number the request and pick its fault: the action's own rules first, then the service-wide ones.

        Service-wide rules (``every``/``schedule``) count every appstream-center request; the rules in
        ``actions[A]`` count only A's requests.  AssumeRole has only the latter.
        """
        with self._lock:
            kind = None
            seq_action = self._fault_seq_by_action.get(action, 0) + 1
            self._fault_seq_by_action[action] = seq_action
            rules = self._faults['actions'].get(action)
            if rules:
                kind = _pick_fault(rules, seq_action)
            if action in SERVICE_ACTIONS:
                self._fault_seq += 1
                if kind is None:
                    kind = _pick_fault(self._faults, self._fault_seq)
            if kind:
                self._bump(self._stats['faults_injected'], kind)
                self._bump(self._stats['faults_injected_by_action'].setdefault(action, {}), kind)
        return kind

    def _group_gone(self, group_id):
        """Number this ListOtaTask request of the group; True if faults.not_found makes the group not found for it."""
        with self._lock:
            rule = self._faults['not_found'].get(group_id)
            if rule is None:
                return False
            seq = self._group_seq[group_id] = self._group_seq.get(group_id, 0) + 1
            first, last = rule
            if first <= seq and (last is None or seq <= last):
                self._bump(self._stats['faults_injected'], 'not_found')
                self._bump(self._stats['faults_injected_by_action'].setdefault('ListOtaTask', {}), 'not_found')
                return True
            return False

    def _retry_after_headers(self):
        retry_after = self._faults['retry_after_ms']
        return {'x-acs-retry-after': str(retry_after)} if retry_after else None

    def _admit(self):
        """Gateway limits in front of appstream-center: in-flight cap, then token bucket (burst = rate)."""
        with self._lock:
            if self.max_in_flight is not None and self._in_flight >= self.max_in_flight:
                self._bump(self._stats['throttled_by_limit'], 'max_in_flight')
                return False
            if self.rate_limit:
                if self._bucket is None:
                    self._bucket = [max(1.0, self.rate_limit), time.monotonic()]
                if not _take_token(self._bucket, self.rate_limit):
                    self._bump(self._stats['throttled_by_limit'], 'rate_limit')
                    return False
            self._in_flight += 1
            self._stats['max_in_flight'] = max(self._stats['max_in_flight'], self._in_flight)
            return True

    def _within_quota(self, req, params):
        """The per-AccessKey quota (``qps``, burst = qps): False when this key's bucket is empty.

        The key is read from the request as sent (signature not checked yet); one that does not
        parse shares the bucket of ''. Refused requests take no token.
        """
        if not self.qps:
            return True
        match = AUTH_RE.match(req.header('authorization') or '')
        key = match.group(1).split('/')[0] if match else (params.get('AccessKeyId') or '')
        with self._lock:
            bucket = self._key_buckets.setdefault(key[:128], [max(1.0, self.qps), time.monotonic()])
            if _take_token(bucket, self.qps):
                return True
            self._bump(self._stats['throttled_by_limit'], 'qps')
            return False

    def _sleep(self, seconds):
        if seconds > 0:
            self._stop_event.wait(seconds)

    # -- authentication ----------------------------------------------------------
    def _lookup(self, access_key_id):
        with self._lock:
            acct = self._scenario.accounts.get(access_key_id) or self._issued.get(access_key_id)
        if acct is None:
            raise ApiError(404, 'InvalidAccessKeyId.NotFound')
        if acct.disabled:
            raise ApiError(400, 'InvalidAccessKeyId.Inactive')
        return acct

    def _check_token(self, acct, token):
        if acct.token is None:
            if token:
                raise ApiError(400, 'InvalidSecurityToken.Mismatch',
                               'Specified SecurityToken mismatch with the AccessKey. The AccessKey is not an STS AccessKey.')
            return
        if not token:
            raise ApiError(400, 'MissingSecurityToken')
        if not hmac.compare_digest(token.encode('utf-8'), acct.token.encode('utf-8')):
            raise ApiError(400, 'InvalidSecurityToken.Mismatch')
        if acct.expired or (acct.expires_at is not None and self.server_time() >= acct.expires_at):
            raise ApiError(400, 'InvalidSecurityToken.Expired')

    def _check_timestamp(self, value):
        if not value or not DATE_RE.match(value):
            raise ApiError(400, 'InvalidTimeStamp.Format')
        try:
            ts = _dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=_dt.timezone.utc).timestamp()
        except ValueError:
            raise ApiError(400, 'InvalidTimeStamp.Format') from None
        if abs(ts - self.server_time()) > MAX_SKEW_SECONDS:
            raise ApiError(400, 'InvalidTimeStamp.Expired',
                           MSG['InvalidTimeStamp.Expired'] + ' The server time is %s.' % _utc_text(self.server_time()))

    def _use_nonce(self, access_key_id, nonce):
        now = time.monotonic()
        key = (access_key_id, nonce)
        with self._lock:
            nonces = self._nonces
            while nonces:
                oldest = next(iter(nonces))
                if nonces[oldest] > now and len(nonces) < NONCE_CAPACITY:
                    break
                nonces.popitem(last=False)
            if key in nonces:
                raise ApiError(400, 'SignatureNonceUsed')
            nonces[key] = now + NONCE_TTL_SECONDS

    def _auth_v3(self, req):
        auth = req.header('authorization')
        if not auth:
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] + ' The Authorization header is missing.')
        match = AUTH_RE.match(auth)
        if not match:
            if auth.startswith('ACS3-') and not auth.startswith('ACS3-HMAC-SHA256 '):
                raise ApiError(400, 'InvalidSignatureMethod')
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] + ' The Authorization header is malformed.')
        access_key_id, signed_list, signature = match.groups()
        names = signed_list.split(';')
        if not signed_list or len(set(names)) != len(names) or any(not n or n != n.lower() for n in names):
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] + ' SignedHeaders is malformed.')
        values = {}
        for name, value in req.headers:
            values.setdefault(name, []).append(value.strip())
        for name in V3_REQUIRED_HEADERS:
            if not values.get(name) or not values[name][0]:
                raise _missing(name)
        must_sign = {'host'} | ({'content-type'} if 'content-type' in values else set())
        must_sign |= {n for n in values if n.startswith('x-acs-')}
        unsigned = sorted(must_sign - set(names))
        if unsigned:
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] +
                           ' These headers must be signed (listed in SignedHeaders): %s.' % ', '.join(unsigned))
        absent = [n for n in names if n not in values]
        if absent:
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] +
                           ' SignedHeaders lists headers that were not sent: %s.' % ', '.join(absent))
        header_ak = req.header('x-acs-accesskey-id')
        if header_ak is not None and header_ak != access_key_id:
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] +
                           ' x-acs-accesskey-id does not match the Credential of the Authorization header.')
        acct = self._lookup(access_key_id)
        self._check_token(acct, req.header('x-acs-security-token'))
        self._check_timestamp(req.header('x-acs-date'))
        hashed_payload = hashlib.sha256(req.body).hexdigest()
        if req.header('x-acs-content-sha256') != hashed_payload:
            raise ApiError(400, 'SignatureDoesNotMatch', MSG['SignatureDoesNotMatch'] +
                           ' The x-acs-content-sha256 header does not match the SHA-256 hash of the request payload.')
        canonical = v3_canonical_request(req.method, req.path,
                                         parse_qsl(req.raw_query, keep_blank_values=True),
                                         {n: ','.join(values[n]) for n in names}, names, hashed_payload)
        if not hmac.compare_digest(v3_signature(acct.secret, canonical), signature):
            raise ApiError(400, 'SignatureDoesNotMatch')
        self._use_nonce(access_key_id, req.header('x-acs-signature-nonce'))
        return acct

    def _auth_rpc(self, req, params, action):
        for name in RPC_REQUIRED_PARAMS:
            if not params.get(name):
                raise _missing(name)
        if params['SignatureMethod'] != 'HMAC-SHA1':
            raise ApiError(400, 'InvalidSignatureMethod')
        if params['SignatureVersion'] != '1.0':
            raise ApiError(400, 'IncompleteSignature', MSG['IncompleteSignature'] + ' SignatureVersion must be 1.0.')
        acct = self._lookup(params['AccessKeyId'])
        self._check_token(acct, params.get('SecurityToken'))
        self._check_timestamp(params['Timestamp'])
        signed = {k: v for k, v in params.items() if k != 'Signature'}
        encoders = (percent_encode, _quote_plus_all) if action == 'AssumeRole' else (percent_encode,)
        received = params['Signature'].encode('utf-8')
        if not any(hmac.compare_digest(rpc_signature(acct.secret, rpc_string_to_sign(req.method, signed, enc)).encode('ascii'),
                                       received) for enc in encoders):
            raise ApiError(400, 'SignatureDoesNotMatch')
        self._use_nonce(acct.access_key_id, params['SignatureNonce'])
        return acct

    def _authenticate(self, req, params, action):
        if req.header('authorization') is None and 'Signature' in params:
            return self._auth_rpc(req, params, action)
        return self._auth_v3(req)

    # -- API ------------------------------------------------------------------------
    def handle_api(self, req):
        """Answer one API request (routing, limits, faults, authentication, the action itself)."""
        rid = _request_id()
        ctx = {}
        try:
            resp = self._api(req, rid, ctx)
        except ApiError as err:
            resp = self._error(err, rid, ctx.get('action'))
        self._record(ctx, resp)
        return resp

    def _error(self, err, rid, action):
        if action == 'AssumeRole':
            host_id, product = 'sts.aliyuncs.com', 'Sts'
        else:
            host_id, product = 'appstream-center.%s.aliyuncs.com' % self.region_id, 'appstream-center'
        body = {'RequestId': rid, 'HostId': host_id, 'Code': err.code, 'Message': err.message,
                'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s' % (err.code, product, rid)}
        headers = {'x-acs-request-id': rid}
        headers.update(err.headers)
        return _json_response(err.status, body, headers, code=err.code)

    def _api(self, req, rid, ctx):
        query_pairs = parse_qsl(req.raw_query, keep_blank_values=True)
        params = dict(query_pairs)
        ctype = (req.header('content-type') or '').split(';')[0].strip().lower()
        if req.body and ctype == 'application/x-www-form-urlencoded':
            try:
                params.update(parse_qsl(req.body.decode('utf-8'), keep_blank_values=True))
            except UnicodeDecodeError:
                raise ApiError(400, 'InvalidParameter', 'The request body is not valid UTF-8.') from None
        from_header = req.header('x-acs-action')
        action = from_header or params.get('Action') or ''
        ctx['action'] = action[:64]
        if action in ('ListOtaTask', 'ListAppInstanceGroup', 'ApproveOtaTask'):
            ctx['group'] = (params.get('AppInstanceGroupId') or '')[:128] or None
        if action in ('ListOtaTask', 'ListAppInstanceGroup'):
            for key, name in (('page_number', 'PageNumber'), ('page_size', 'PageSize')):
                value = params.get(name)
                ctx[key] = int(value) if value is not None and INT_RE.match(value) else (value[:32] if value else None)
        if action in ('ApproveOtaTask', 'GetOtaTaskByTaskId'):
            ctx['task_id'] = (params.get('TaskId') or '')[:64] or None
        if req.method not in ('GET', 'POST'):
            raise ApiError(400, 'UnsupportedHTTPMethod')
        if req.path != '/' or action not in ACTIONS:
            raise ApiError(404, 'InvalidAction.NotFound')
        # V3 carries the version in x-acs-version; legacy RPC in the Version parameter (the SDK sends both).
        version = (req.header('x-acs-version') if from_header else None) or params.get('Version') or req.header('x-acs-version')
        if not version:
            raise _missing('x-acs-version' if from_header else 'Version')
        if version != ACTIONS[action]:
            raise ApiError(400, 'InvalidVersion')
        gated = action in SERVICE_ACTIONS  # the gateway limits sit in front of appstream-center only
        if gated and not self._admit():
            raise ApiError(400, 'Throttling.User', headers=self._retry_after_headers())
        try:
            over_quota = gated and not self._within_quota(req, params)
            self._sleep(self.latency_ms / 1000.0)
            if over_quota:  # answered after the same round trip as any other, like the real gateway
                raise ApiError(400, 'Throttling.User', headers=self._retry_after_headers())
            fault = ctx['fault'] = self._next_fault(action)
            if fault in PRE_FAULTS or (fault in ('malformed', 'badshape') and action == 'ListOtaTask'):
                resp = self._apply_fault(fault, params, rid)
                if resp is not None:
                    return resp
            elif fault:  # reset_after, malformed, badshape: the request is processed (a write applied), then
                try:     # its answer is dropped or garbled
                    resp = self._serve(req, params, action, rid, ctx)
                except ApiError as err:
                    resp = self._error(err, rid, action)
                return self._spoil(fault, action, resp)
            return self._serve(req, params, action, rid, ctx)
        finally:
            if gated:
                with self._lock:
                    self._in_flight -= 1

    def _serve(self, req, params, action, rid, ctx):
        acct = self._authenticate(req, params, action)
        if action == 'AssumeRole':
            return self._assume_role(acct, params, rid)
        if action == 'ListOtaTask':
            return self._list_ota_task(params, rid)
        if action == 'ListAppInstanceGroup':
            return self._list_app_instance_group(params, rid)
        if action == 'GetOtaTaskByTaskId':
            return self._get_ota_task(params, rid)
        try:
            return self._approve_ota_task(params, rid, ctx)
        except ApiError as err:
            ctx['refused'] = err.code
            raise

    @staticmethod
    def _spoil(fault, action, resp):
        """reset_after: drop the connection; malformed: truncate the body; badshape: wrong types / missing keys."""
        if fault == 'reset_after':
            return _Response(reset=True, code=resp.code)
        if fault == 'malformed':
            return _Response(resp.status, resp.body[:max(1, len(resp.body) // 2)], resp.content_type, resp.headers,
                             code=resp.code)
        if resp.status != 200:
            return resp
        body = json.loads(resp.body)
        if action == 'ListAppInstanceGroup':
            body['TotalCount'] = str(body['TotalCount'])
            models = body['AppInstanceGroupModels']
            if models:
                del models[0]['AppInstanceGroupId']
                models[0]['OtaInfo'] = []
            else:
                models.append({'AppInstanceGroupName': 'no-id', 'OtaInfo': []})
        elif action == 'GetOtaTaskByTaskId':
            body.pop('OtaVersion', None)
            body['TaskStartTime'] = 1700000000
        elif action == 'ApproveOtaTask':
            body.pop('Code', None)
            body['RequestId'] = 20260101
        elif action == 'AssumeRole':
            body['Credentials'].pop('SecurityToken', None)
        return _json_response(200, body, resp.headers, code=resp.code)

    def _apply_fault(self, fault, params, rid):
        """Return a faulty response, or None to continue normally (hang, insert_head)."""
        if fault in ('throttle', 'throttle_api'):
            raise ApiError(400, 'Throttling.User' if fault == 'throttle' else 'Throttling.Api',
                           headers=self._retry_after_headers())
        if fault == 'http500':
            raise ApiError(500, 'InternalError')
        if fault == 'http503':
            raise ApiError(503, 'ServiceUnavailable')
        if fault == 'html502':
            return _Response(502, b'<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
                             'text/html', code=None)
        if fault == 'reset':
            return _Response(reset=True)
        if fault == 'hang':
            self._sleep(self._faults['hang_seconds'])
            return None
        if fault == 'insert_head':
            group = params.get('AppInstanceGroupId')
            with self._lock:
                if group in self._scenario.groups:
                    self.insert_task(group)
            return None
        body = self._lenient_listing(params, rid)
        if fault == 'malformed':
            text = json.dumps(body, separators=(',', ':'))
            return _Response(200, text[:max(1, len(text) // 2)].encode('utf-8'), headers={'x-acs-request-id': rid})
        # badshape: valid JSON, wrong types and a task without TaskId
        body['TotalCount'] = str(body['TotalCount'])
        if body['TaskList']:
            del body['TaskList'][0]['TaskId']
        else:
            body['TaskList'].append({'OtaVersion': '0.0.1-R-20220708.110604', 'TaskDisplayStatus': 'RUNNING',
                                     'TaskStartTime': GENERATE_START})
        return _json_response(200, body, {'x-acs-request-id': rid})

    def _lenient_listing(self, params, rid):
        def _int(name, default):
            value = params.get(name) or ''
            return int(value) if INT_RE.match(value) else default
        page_size = min(100, max(1, _int('PageSize', 10)))
        page_number = max(1, _int('PageNumber', 1))
        with self._lock:
            total, page = self._page(params.get('AppInstanceGroupId'), (page_number - 1) * page_size, page_size) or (0, [])
        return {'RequestId': rid, 'TotalCount': total, 'PageSize': page_size, 'PageNumber': page_number,
                'TaskList': page}

    def _list_ota_task(self, params, rid):
        for name in LIST_PARAMS:
            if not params.get(name):
                raise _missing(name)
        page_size = params['PageSize']
        if not INT_RE.match(page_size) or not 1 <= int(page_size) <= 100:
            raise _invalid('PageSize', 'Valid values: 1 to 100.')
        page_number = params['PageNumber']
        if not INT_RE.match(page_number) or int(page_number) < 1:
            raise _invalid('PageNumber', 'It must be an integer greater than or equal to 1.')
        if params['OtaType'] != 'Fota':
            raise _invalid('OtaType', 'Valid values: Fota.')
        page_size, page_number = int(page_size), int(page_number)
        with self._lock:
            found = self._page(params['AppInstanceGroupId'], (page_number - 1) * page_size, page_size)
        if found is None or self._group_gone(params['AppInstanceGroupId']):
            raise ApiError(400, 'InvalidAppInstanceGroup.NotFound')
        body = {'RequestId': rid, 'TotalCount': found[0], 'PageSize': page_size, 'PageNumber': page_number,
                'TaskList': found[1]}
        return _json_response(200, body, {'x-acs-request-id': rid})

    def _list_app_instance_group(self, params, rid):
        product = params.get('ProductType')
        if not product:
            raise _missing('ProductType')
        if product not in PRODUCT_TYPES:
            raise _invalid('ProductType', 'Valid values: %s.' % ', '.join(PRODUCT_TYPES))
        page_size = params.get('PageSize') or str(DEFAULT_GROUP_PAGE_SIZE)
        if not INT_RE.match(page_size) or not 1 <= int(page_size) <= 100:
            raise _invalid('PageSize', 'Valid values: 1 to 100.')
        page_number = params.get('PageNumber') or '1'
        if not INT_RE.match(page_number) or int(page_number) < 1:
            raise _invalid('PageNumber', 'It must be an integer greater than or equal to 1.')
        page_size, page_number = int(page_size), int(page_number)
        indexed = []
        for key, value in params.items():
            match = STATUS_PARAM_RE.match(key)
            if match:
                indexed.append((int(match.group(1)), value))
        statuses = {value for _n, value in indexed}
        region = params.get('BizRegionId')
        group_id = params.get('AppInstanceGroupId')
        name = (params.get('AppInstanceGroupName') or '').lower()
        image = params.get('AppCenterImageId')
        with self._lock:
            elapsed = self.elapsed()
            matched = [info for info in self._scenario.ordered
                       if info.product_type == product and (not region or info.region_id == region)
                       and (not group_id or info.group_id == group_id) and (not name or name in info.name.lower())
                       and (not statuses or info.status in statuses) and (not image or info.image_id == image)]
            lo = (page_number - 1) * page_size
            models = [self._group_model(info, elapsed) for info in matched[lo:lo + page_size]]
        body = {'RequestId': rid, 'TotalCount': len(matched), 'PageNumber': page_number, 'PageSize': page_size,
                'AppInstanceGroupModels': models}
        return _json_response(200, body, {'x-acs-request-id': rid})

    def _find_ota_task(self, task_id, elapsed):
        """(version, release note, start epoch) of a pending, approved or listed task, or None."""
        group_id = self._ota_ids.get(task_id)
        candidates = [group_id] if group_id is not None else list(self._scenario.infos)
        for gid in candidates:
            info = self._scenario.infos[gid]
            self._settle(info, elapsed)
            if info.active is None and info.new_ota_version and info.pending_id == task_id:
                return info.new_ota_version, info.release_note(info.new_ota_version), info.pending_since
            for task in self._scenario.groups[gid]:
                if task.task_id == task_id and task.appear_after <= elapsed:
                    return task.ota_version, info.release_note(task.ota_version), task.start_ts
        return None

    def _get_ota_task(self, params, rid):
        task_id = params.get('TaskId')
        if not task_id:
            raise _missing('TaskId')
        with self._lock:
            found = self._find_ota_task(task_id, self.elapsed())
        if found is None:
            raise ApiError(400, 'InvalidTaskId.NotFound')
        version, note, start_ts = found
        body = {'RequestId': rid, 'OtaVersion': version, 'ReleaseNote': note,
                'TaskStartTime': _dt.datetime.fromtimestamp(start_ts, _dt.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')}
        return _json_response(200, body, {'x-acs-request-id': rid})

    @staticmethod
    def _refuse(ctx, rid, code):
        """An HTTP 200 answer whose Code is not success (how ApproveOtaTask reports OtaTask.* errors)."""
        ctx['refused'] = code
        return _json_response(200, {'RequestId': rid, 'Code': code, 'Message': MSG[code]}, {'x-acs-request-id': rid},
                              code=code)

    def _approve_ota_task(self, params, rid, ctx):
        for name in APPROVE_PARAMS:
            if not params.get(name):
                raise _missing(name)
        if params['OtaType'] != 'Fota':
            raise _invalid('OtaType', 'Valid values: Fota.')
        start = None
        if START_TIME_RE.match(params['StartTime']):
            try:
                start = _dt.datetime.strptime(params['StartTime'], '%Y-%m-%dT%H:%MZ').replace(tzinfo=_dt.timezone.utc)
            except ValueError:
                start = None
        if start is None:
            raise ApiError(400, 'InvalidParameter.StartTime')
        group_id, region = params['AppInstanceGroupId'], params['BizRegionId']
        with self._lock:
            info = self._scenario.infos.get(group_id)
            if info is None or info.region_id != region:
                raise ApiError(400, 'InvalidAppInstanceGroup.NotFound', MSG['InvalidAppInstanceGroup.NotFound'] +
                               (' It is not in region %s.' % region if info is not None else ''))
            elapsed = self.elapsed()
            self._settle(info, elapsed)
            active = info.active
            if active is None and not info.new_ota_version:
                return self._refuse(ctx, rid, 'OtaTask.NoNewVersion')
            if params['TaskId'] != (active.task_id if active is not None else info.pending_id):
                raise ApiError(400, 'InvalidTaskId.NotFound', MSG['InvalidTaskId.NotFound'] +
                               ' Each approval changes the TaskId: call ListAppInstanceGroup for the current one.')
            if active is not None and active.status_at(elapsed) != 'STANDBY':
                return self._refuse(ctx, rid, 'OtaTask.Running')
            tasks = self._scenario.groups[group_id]
            if active is not None:  # reschedule: the STANDBY task disappears, its successor takes its place
                tasks.remove(active)
                self._ota_ids.pop(active.task_id, None)
                if isinstance(active, _ApprovedTask):
                    info.attempts = max(0, info.attempts - 1)
                version, ctx['approval'] = active.ota_version, 'rescheduled'
            else:
                self._ota_ids.pop(info.pending_id, None)
                version, ctx['approval'] = info.new_ota_version, 'approved'
            run = info.runs[min(info.attempts, len(info.runs) - 1)]
            info.attempts += 1
            task = _ApprovedTask('ota-' + _b36(secrets.token_bytes(12), 17), version, start, run,
                                 max(start.timestamp(), self.ota_time(elapsed)), self.ota_time, group_id)
            tasks.append(task)
            tasks.sort(key=lambda task: task.sort_key())
            info.active, info.pending_id = task, None
            self._ota_ids[task.task_id] = group_id
            self._stats['approval_log'].append((group_id, task, ctx['approval'], self.ota_time(elapsed)))
        return _json_response(200, {'RequestId': rid, 'Code': 'success'}, {'x-acs-request-id': rid})

    def _assume_role(self, acct, params, rid):
        role_arn = params.get('RoleArn')
        if not role_arn:
            raise _missing('RoleArn')
        session = params.get('RoleSessionName')
        if not session:
            raise _missing('RoleSessionName')
        match = ROLE_ARN_RE.match(role_arn)
        if not match:
            raise _invalid('RoleArn', 'It must look like acs:ram::<account id>:role/<role name>.')
        if not SESSION_RE.match(session):
            raise _invalid('RoleSessionName', 'It must be 2 to 64 characters of letters, digits, ".", "@", "-" and "_".')
        duration = params.get('DurationSeconds', '3600')
        if not INT_RE.match(duration) or not 900 <= int(duration) <= 3600:
            raise ApiError(400, 'InvalidParameter.DurationSeconds')
        policy = params.get('Policy')
        if policy is not None:
            try:
                json.loads(policy)
            except ValueError:
                raise ApiError(400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy is not a valid JSON policy.') from None
            if not 1 <= len(policy) <= 2048:
                raise _invalid('Policy', 'It must be 1 to 2048 characters.')
        with self._lock:
            owners = self._scenario.role_owners.get(role_arn, set())
        if role_arn not in acct.roles:
            if owners:
                raise ApiError(403, 'NoPermission', MSG['NoPermission'] + ' No permission perform sts:AssumeRole on this Role.')
            raise ApiError(404, 'EntityNotExist.Role')
        expires_at = int(self.server_time()) + int(duration)
        issued = _Account('STS.' + _random_text(25),
                          _random_text(44), (),
                          'CAIS' + secrets.token_urlsafe(240), expires_at=expires_at)
        with self._lock:
            self._issued[issued.access_key_id] = issued
            horizon = self.server_time() - 86400
            while self._issued:
                oldest = next(iter(self._issued))
                if self._issued[oldest].expires_at > horizon and len(self._issued) <= ISSUED_CAPACITY:
                    break
                self._issued.popitem(last=False)
        account_id, role_name = match.groups()
        role_id = str(int.from_bytes(hashlib.sha1(role_arn.encode('utf-8')).digest()[:8], 'big'))
        body = {'RequestId': rid,
                'AssumedRoleUser': {'AssumedRoleId': '%s:%s' % (role_id, session),
                                    'Arn': 'acs:ram::%s:assumed-role/%s/%s' % (account_id, role_name, session)},
                'Credentials': {'AccessKeyId': issued.access_key_id, 'AccessKeySecret': issued.secret,
                                'SecurityToken': issued.token, 'Expiration': _utc_text(expires_at)}}
        return _json_response(200, body, {'x-acs-request-id': rid})

    # -- admin endpoints -----------------------------------------------------------------
    def handle_admin(self, req):
        """Unauthenticated loopback control endpoints under /__emulator/ (not counted in stats)."""
        route = (req.method, req.path[len('/__emulator'):].rstrip('/') or '/')
        try:
            payload = json.loads(req.body.decode('utf-8')) if req.body.strip() else None
        except ValueError as exc:
            return _json_response(400, {'error': 'request body is not valid JSON: %s' % exc})
        query = dict(parse_qsl(req.raw_query, keep_blank_values=True))
        try:
            return self._admin_route(route, payload, query)
        except ValueError as exc:
            return _json_response(400, {'error': str(exc)})
        except KeyError as exc:
            return _json_response(404, {'error': 'unknown delivery group %s' % exc})

    def _admin_route(self, route, payload, query):
        if route == ('GET', '/health'):
            with self._lock:
                groups = sorted(self._scenario.groups)
            return _json_response(200, {'status': 'ok', 'endpoint': self.endpoint, 'region_id': self.region_id,
                                        'elapsed': round(self.elapsed(), 3), 'groups': groups})
        if route == ('GET', '/stats'):
            return _json_response(200, self.stats())
        if route == ('POST', '/reset'):
            self.reset_stats()
            return _json_response(200, {'ok': True})
        if route == ('POST', '/scenario'):
            if not isinstance(payload, dict):
                raise ValueError('the body must be a scenario JSON object')
            self.load(payload)
            with self._lock:
                groups = sorted(self._scenario.groups)
            return _json_response(200, {'ok': True, 'groups': groups})
        if route == ('POST', '/faults'):
            self.set_faults(payload)
            return _json_response(200, {'ok': True, 'faults': self.faults()})
        if route == ('GET', '/faults'):
            return _json_response(200, self.faults())
        if route == ('POST', '/insert'):
            if not isinstance(payload, dict) or not isinstance(payload.get('group'), str):
                raise ValueError('the body must be {"group": "<id>", "task": {...optional...}}')
            return _json_response(200, {'ok': True, 'task': self.insert_task(payload['group'], payload.get('task'))})
        if route == ('GET', '/tasks'):
            if not query.get('group'):
                raise ValueError('query parameter "group" is required')
            tasks = self.tasks(query['group'])
            return _json_response(200, {'group': query['group'], 'TotalCount': len(tasks), 'TaskList': tasks})
        if route == ('GET', '/ota'):
            if not query.get('group'):
                raise ValueError('query parameter "group" is required')
            return _json_response(200, self.ota_state(query['group']))
        if route == ('GET', '/groups'):
            models = self.groups(query.get('region') or None)
            return _json_response(200, {'TotalCount': len(models), 'AppInstanceGroupModels': models})
        if route == ('POST', '/offer'):
            if not isinstance(payload, dict) or not isinstance(payload.get('group'), str):
                raise ValueError('the body must be {"group": "<id>", "new_ota_version": "...", "release_note": "...", '
                                 '"run": [...], "task_id": "..."} (release_note, run and task_id optional)')
            _check_keys(payload, ('group', 'new_ota_version', 'release_note', 'run', 'task_id'), 'offer')
            ota = self.offer_update(payload['group'], payload.get('new_ota_version'), payload.get('release_note'),
                                    payload.get('run'), payload.get('task_id'))
            return _json_response(200, {'ok': True, 'OtaInfo': ota})
        if route == ('POST', '/clock'):
            if not isinstance(payload, dict):
                raise ValueError('the body must be {"offset": seconds} and/or {"advance": seconds}')
            if 'offset' in payload:
                self.set_clock_offset(_number(payload['offset'], 'offset', float('-inf')))
            if 'advance' in payload:
                self.advance(_number(payload['advance'], 'advance'))
            return _json_response(200, {'ok': True, 'clock_offset': self.clock_offset, 'elapsed': round(self.elapsed(), 3)})
        return _json_response(404, {'error': 'unknown admin endpoint %s %s' % route})


# ---------------------------------------------------------------------------
# TLS helper and CLI
# ---------------------------------------------------------------------------

def make_self_signed_cert(directory, hostname='127.0.0.1'):
    """Create a throw-away self-signed certificate (2 days) with the openssl CLI; returns (certfile, keyfile)."""
    certfile = os.path.join(directory, 'emulator-cert.pem')
    keyfile = os.path.join(directory, 'emulator-key.pem')
    try:
        ipaddress.ip_address(hostname)
        own = 'IP:%s' % hostname
    except ValueError:
        own = 'DNS:%s' % hostname
    sans = [own] + [s for s in ('IP:127.0.0.1', 'DNS:localhost') if s != own]
    cmd = ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=%s' % hostname,
           '-addext', 'subjectAltName=' + ','.join(sans), '-days', '2', '-keyout', keyfile, '-out', certfile]
    try:
        subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=120)
    except FileNotFoundError:
        raise RuntimeError('the openssl command is not installed') from None
    except subprocess.CalledProcessError as exc:
        raise RuntimeError('openssl failed: %s' % exc.stderr.decode('utf-8', 'replace').strip()) from None
    os.chmod(keyfile, 0o600)
    return certfile, keyfile


def _fault_arg(text):
    """KIND:N, KIND@N, KIND:N@ACTION or KIND@N@ACTION -> (kind, number, schedule?, action or None)."""
    parts = text.split('@')
    if ':' in parts[0]:
        kind, number = parts[0].split(':', 1)
        rest, schedule = parts[1:], False
    else:
        kind, number = parts[0], parts[1] if len(parts) > 1 else ''
        rest, schedule = parts[2:], True
    action = rest[0] if len(rest) == 1 else None
    if kind not in FAULT_KINDS or not number.isdigit() or int(number) < 1 or len(rest) > 1 or \
            (rest and action not in ACTIONS):
        raise argparse.ArgumentTypeError('%r: want KIND:N (every Nth request) or KIND@N (request N only), optionally '
                                         'followed by @ACTION (count only that action); KIND in %s; ACTION in %s'
                                         % (text, ', '.join(FAULT_KINDS), ', '.join(ACTIONS)))
    return kind, int(number), schedule, action


def _build_parser():
    parser = argparse.ArgumentParser(
        prog='ota_emulator.py',
        description='Strict loopback emulator of the Alibaba Cloud App Streaming OTA APIs (ListOtaTask, ListAppInstanceGroup, '
                    'GetOtaTaskByTaskId, ApproveOtaTask) and STS AssumeRole.',
        epilog='Prints one JSON line {"endpoint", "port", "sts_endpoint"} when ready. See README.md for the data format.')
    parser.add_argument('--data', metavar='FILE', help='scenario JSON file (default: sample_data.json beside this script)')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='TCP port; 0 picks a free one (default 0)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='sleep this long in every API request')
    parser.add_argument('--fault', action='append', type=_fault_arg, default=[], metavar='KIND:N[@ACTION]',
                        help='inject KIND on every Nth appstream-center request (KIND@N: on request N only); with '
                             '@ACTION, count only that action\'s requests (e.g. reset_after@1@ApproveOtaTask); '
                             'repeatable. Kinds: ' + ', '.join(FAULT_KINDS))
    parser.add_argument('--retry-after-ms', type=int, default=None, help='send x-acs-retry-after with throttling errors')
    parser.add_argument('--hang-seconds', type=float, default=DEFAULT_HANG_SECONDS, help='duration of the hang fault')
    parser.add_argument('--rate-limit', type=float, default=None, metavar='RPS', help='appstream-center requests per second')
    parser.add_argument('--max-in-flight', type=int, default=None, metavar='N', help='concurrent appstream-center requests')
    parser.add_argument('--qps', type=float, default=0.0, metavar='N',
                        help='per-AccessKey quota: N appstream-center requests per second (burst N), Throttling.User above '
                             'it, as the real gateway answers; 0 = off (default)')
    parser.add_argument('--certfile', help='serve HTTPS with this PEM certificate')
    parser.add_argument('--keyfile', help='private key for --certfile')
    parser.add_argument('--self-signed-cert', metavar='DIR', help='create a self-signed certificate in DIR and serve HTTPS')
    parser.add_argument('--region-id', default='cn-shanghai', help='region used in error HostId (default cn-shanghai)')
    parser.add_argument('--clock-offset', type=float, default=0.0, metavar='S', help='skew the server clock by S seconds')
    parser.add_argument('--max-seconds', type=float, default=3600.0, help='exit by itself after S seconds; 0 = never')
    parser.add_argument('--ready-file', metavar='FILE', help='also write the ready JSON line to FILE')
    parser.add_argument('--verbose', action='store_true', help='log one line per API request to stderr')
    return parser


def main(argv=None):
    """CLI entry point; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if bool(args.certfile) != bool(args.keyfile):
        parser.error('--certfile and --keyfile must be given together')
    faults = {'every': {}, 'schedule': {}, 'actions': {}, 'hang_seconds': args.hang_seconds}
    for kind, number, schedule, action in args.fault:
        rules = faults if action is None else faults['actions'].setdefault(action, {'every': {}, 'schedule': {}})
        if schedule:
            rules['schedule'][str(number)] = kind
        else:
            rules['every'][kind] = number
    if args.retry_after_ms:
        faults['retry_after_ms'] = args.retry_after_ms
    try:
        data = load_data_file(args.data) if args.data else load_data_file(SAMPLE_DATA)
        certfile, keyfile = args.certfile, args.keyfile
        if args.self_signed_cert:
            certfile, keyfile = make_self_signed_cert(args.self_signed_cert, args.host)
        emu = Emulator(data, host=args.host, port=args.port, latency_ms=args.latency_ms, faults=faults,
                       rate_limit=args.rate_limit, max_in_flight=args.max_in_flight, qps=args.qps, certfile=certfile,
                       keyfile=keyfile, region_id=args.region_id, clock_offset=args.clock_offset, verbose=args.verbose)
        emu.start()
    except (ValueError, RuntimeError, OSError) as exc:
        sys.stderr.write('ota_emulator: error: %s\n' % exc)
        return 2
    stop = threading.Event()

    def _on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    ready = json.dumps({'endpoint': emu.endpoint, 'port': emu.port, 'sts_endpoint': emu.sts_endpoint})
    try:
        if args.ready_file:
            tmp = args.ready_file + '.tmp'
            with open(tmp, 'w', encoding='utf-8') as handle:
                handle.write(ready + '\n')
            os.replace(tmp, args.ready_file)
        sys.stdout.write(ready + '\n')
        sys.stdout.flush()
        deadline = time.monotonic() + args.max_seconds if args.max_seconds > 0 else None
        while not stop.wait(0.2):
            if deadline is not None and time.monotonic() >= deadline:
                break
    finally:
        emu.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
