#!/usr/bin/env python
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Strict loopback emulator of Alibaba Cloud App Streaming ``ListOtaTask`` and STS ``AssumeRole``.

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
ACTIONS = {'ListOtaTask': API_VERSION, 'AssumeRole': STS_VERSION}
STATUSES = ('FAILED', 'RUNNING', 'TERMINATED', 'PART_FINISHED', 'STANDBY', 'FINISHED')
# Precedence order when several 'every' faults fire on the same request.
FAULT_KINDS = ('throttle', 'throttle_api', 'http500', 'http503', 'html502', 'reset',
               'malformed', 'badshape', 'hang', 'insert_head')
LIST_PARAMS = ('AppInstanceGroupId', 'OtaType', 'PageNumber', 'PageSize')
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
# Signature algorithms (written from api-facts.md section 2; independent of any SDK code)
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


def _parse_time(value, where):
    if not isinstance(value, str) or not value:
        raise ValueError('%s: TaskStartTime must be a non-empty ISO 8601 string' % where)
    text = value[:-1] + '+00:00' if value[-1:] in ('Z', 'z') else value
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError('%s: TaskStartTime %r is not an ISO 8601 date-time' % (where, value)) from None
    if parsed.tzinfo is None:
        raise ValueError('%s: TaskStartTime %r has no UTC offset (write e.g. +08:00 or Z)' % (where, value))
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

    __slots__ = ('task_id', 'ota_version', 'start_text', 'start_ts', 'status', 'timeline', 'appear_after')

    def __init__(self, task_id, ota_version, start, status, timeline=(), appear_after=0.0, start_text=None):
        self.task_id = task_id
        self.ota_version = ota_version
        self.start_text = start_text or start.isoformat()
        self.start_ts = start.timestamp()
        self.status = status if status is not None else timeline[0][1]
        self.timeline = timeline
        self.appear_after = appear_after

    def sort_key(self):
        return (-self.start_ts, self.task_id)

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


class _Scenario:
    __slots__ = ('accounts', 'groups', 'role_owners', 'last_appear')

    def __init__(self, accounts, groups):
        self.accounts = accounts
        self.groups = groups
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
    _check_keys(obj, ('TaskId', 'OtaVersion', 'TaskStartTime', 'TaskDisplayStatus', 'timeline', 'appear_after'), where)
    for key in ('TaskId', 'OtaVersion'):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            raise ValueError('%s: %s must be a non-empty string' % (where, key))
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


def parse_scenario(data):
    """Validate ``data`` (the documented JSON shape) and build the internal scenario; ValueError names the problem."""
    if not isinstance(data, dict):
        raise ValueError('top level must be a JSON object with "groups" (and optionally "accounts")')
    _check_keys(data, ('accounts', 'groups'), 'top level')
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
    groups = {}
    for gid, group in raw_groups.items():
        where = 'groups.%s' % gid
        if not gid:
            raise ValueError('groups: group id must be a non-empty string')
        if not isinstance(group, dict):
            raise ValueError('%s: must be an object' % where)
        _check_keys(group, ('tasks', 'generate'), where)
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
        tasks.sort(key=_Task.sort_key)
        groups[gid] = tasks
    return _Scenario(accounts, groups)


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


def _normalise_faults(spec):
    """Validate a fault spec and return the canonical form used internally."""
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ValueError('faults must be an object')
    _check_keys(spec, ('every', 'schedule', 'retry_after_ms', 'hang_seconds'), 'faults')
    every = {}
    for kind, n in (spec.get('every') or {}).items():
        if kind not in FAULT_KINDS:
            raise ValueError('faults.every: unknown fault kind %r (known: %s)' % (kind, ', '.join(FAULT_KINDS)))
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError('faults.every.%s must be an integer >= 1' % kind)
        every[kind] = n
    schedule = {}
    for key, kind in (spec.get('schedule') or {}).items():
        if not str(key).isdigit() or int(key) < 1:
            raise ValueError('faults.schedule: key %r must be a request number >= 1' % (key,))
        if kind not in FAULT_KINDS:
            raise ValueError('faults.schedule.%s: unknown fault kind %r (known: %s)' % (key, kind, ', '.join(FAULT_KINDS)))
        schedule[int(key)] = kind
    retry_after = spec.get('retry_after_ms')
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0):
        raise ValueError('faults.retry_after_ms must be an integer >= 0')
    hang = spec.get('hang_seconds', DEFAULT_HANG_SECONDS)
    hang = _number(hang, 'faults.hang_seconds')
    return {'every': every, 'schedule': schedule, 'retry_after_ms': retry_after or None, 'hang_seconds': hang}


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
    """Strict loopback emulator of ListOtaTask (appstream-center 2021-09-01) and STS AssumeRole (2015-04-01).

    Clocks (attributes tests may replace): ``_now`` (monotonic; drives task timelines, set
    before calling ``load()``) and ``_time`` (wall clock; signatures, STS expiry).
    ``clock_offset`` seconds are added to the wall clock to simulate a skewed server.
    """

    def __init__(self, data=None, host='127.0.0.1', port=0, latency_ms=0, faults=None,
                 rate_limit=None, max_in_flight=None, certfile=None, keyfile=None, region_id='cn-shanghai',
                 clock_offset=0, verbose=False):
        self.host = _loopback_host(host)
        self._requested_port = int(port)
        self.latency_ms = float(latency_ms or 0)
        self.rate_limit = float(rate_limit) if rate_limit else None
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
        self._advanced = 0.0
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
            self._advanced = 0.0

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
            if 'TaskStartTime' not in spec:
                newest = max((t.start_ts for t in tasks), default=0)
                start_ts = max(int(self.server_time()), int(newest) + 60)
                spec['TaskStartTime'] = _dt.datetime.fromtimestamp(start_ts, CHINA_TZ).isoformat()
            digest = hashlib.sha1(('%s/inserted/%d' % (group_id, self._insert_seq)).encode('utf-8')).digest()
            spec.setdefault('TaskId', 'ota-' + _b36(digest, 17))
            spec.setdefault('OtaVersion', '0.0.9-R-%s' % _parse_time(spec['TaskStartTime'], 'task').strftime('%Y%m%d.%H%M%S'))
            if 'TaskDisplayStatus' not in spec and 'timeline' not in spec:
                spec['TaskDisplayStatus'] = 'RUNNING'
            new = _parse_task(spec, 'inserted task')
            if any(t.task_id == new.task_id for t in tasks):
                raise ValueError('duplicate TaskId %r' % new.task_id)
            tasks.append(new)
            tasks.sort(key=_Task.sort_key)
            self._scenario.last_appear = max(self._scenario.last_appear, new.appear_after)
            return new.as_api(self.elapsed())

    # -- faults and stats ------------------------------------------------------
    def set_faults(self, faults):
        """Replace the fault spec and restart fault numbering at request 1."""
        normalised = _normalise_faults(faults)
        with self._lock:
            self._faults = normalised
            self._fault_seq = 0

    def faults(self):
        with self._lock:
            out = copy.deepcopy(self._faults)
        out['schedule'] = {str(k): v for k, v in out['schedule'].items()}
        return out

    def reset_stats(self):
        """Zero the counters and the log, and restart fault numbering."""
        with self._lock:
            self._stats = {'requests': 0, 'calls': {}, 'ok_calls': {}, 'list_calls_by_group': {}, 'status_codes': {},
                           'error_codes': {}, 'faults_injected': {}, 'throttled_by_limit': {},
                           'max_in_flight': self._in_flight, 'log': collections.deque(maxlen=LOG_CAPACITY)}
            self._fault_seq = 0

    def stats(self):
        """Deep copy of the counters (never contains secrets, tokens or signatures)."""
        with self._lock:
            out = {k: copy.deepcopy(v) for k, v in self._stats.items() if k != 'log'}
            out['in_flight'] = self._in_flight
            out['log'] = [dict(entry) for entry in self._stats['log']]
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
            if status == 200 and fault not in ('malformed', 'badshape'):
                self._bump(st['ok_calls'], action)
            if action == 'ListOtaTask' and ctx.get('group'):
                self._bump(st['list_calls_by_group'], ctx['group'])
            st['log'].append({'action': action, 'group': ctx.get('group'), 'page_number': ctx.get('page_number'),
                              'page_size': ctx.get('page_size'), 'status': status, 'code': resp.code, 'fault': fault})
        if self.verbose:
            where = ' group=%s page=%s size=%s' % (ctx.get('group'), ctx.get('page_number'), ctx.get('page_size')) \
                if action == 'ListOtaTask' else ''
            sys.stderr.write('ota_emulator: %s%s -> %s%s%s\n' % (
                action, where, 'reset' if status is None else status, ' ' + resp.code if resp.code else '',
                ' [fault %s]' % fault if fault else ''))
            sys.stderr.flush()

    def _next_fault(self):
        with self._lock:
            self._fault_seq += 1
            seq = self._fault_seq
            kind = self._faults['schedule'].get(seq)
            if kind is None:
                for candidate in FAULT_KINDS:
                    every = self._faults['every'].get(candidate)
                    if every and seq % every == 0:
                        kind = candidate
                        break
            if kind:
                self._bump(self._stats['faults_injected'], kind)
        return kind

    def _retry_after_headers(self):
        retry_after = self._faults['retry_after_ms']
        return {'x-acs-retry-after': str(retry_after)} if retry_after else None

    def _admit(self):
        """Gateway limits in front of ListOtaTask: in-flight cap, then token bucket (burst = rate)."""
        with self._lock:
            if self.max_in_flight is not None and self._in_flight >= self.max_in_flight:
                self._bump(self._stats['throttled_by_limit'], 'max_in_flight')
                return False
            if self.rate_limit:
                now = time.monotonic()
                burst = max(1.0, self.rate_limit)
                if self._bucket is None:
                    self._bucket = [burst, now]
                tokens = min(burst, self._bucket[0] + (now - self._bucket[1]) * self.rate_limit)
                if tokens < 1.0:
                    self._bucket = [tokens, now]
                    self._bump(self._stats['throttled_by_limit'], 'rate_limit')
                    return False
                self._bucket = [tokens - 1.0, now]
            self._in_flight += 1
            self._stats['max_in_flight'] = max(self._stats['max_in_flight'], self._in_flight)
            return True

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
        if action == 'ListOtaTask':
            ctx['group'] = (params.get('AppInstanceGroupId') or '')[:128] or None
            for key, name in (('page_number', 'PageNumber'), ('page_size', 'PageSize')):
                value = params.get(name)
                ctx[key] = int(value) if value is not None and INT_RE.match(value) else (value[:32] if value else None)
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
        if action == 'AssumeRole':
            self._sleep(self.latency_ms / 1000.0)
            acct = self._authenticate(req, params, action)
            return self._assume_role(acct, params, rid)
        if not self._admit():
            raise ApiError(400, 'Throttling.User', headers=self._retry_after_headers())
        try:
            self._sleep(self.latency_ms / 1000.0)
            fault = ctx['fault'] = self._next_fault()
            if fault:
                resp = self._apply_fault(fault, params, rid)
                if resp is not None:
                    return resp
            self._authenticate(req, params, action)
            return self._list_ota_task(params, rid)
        finally:
            with self._lock:
                self._in_flight -= 1

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
        if found is None:
            raise ApiError(400, 'InvalidAppInstanceGroup.NotFound')
        body = {'RequestId': rid, 'TotalCount': found[0], 'PageSize': page_size, 'PageNumber': page_number,
                'TaskList': found[1]}
        return _json_response(200, body, {'x-acs-request-id': rid})

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
    kind, sep, number = text.replace('@', ':@', 1).partition(':')
    schedule = number.startswith('@')
    number = number.lstrip('@')
    if not sep or kind not in FAULT_KINDS or not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError('%r: want KIND:N (every Nth request) or KIND@N (request N only); KIND in %s'
                                         % (text, ', '.join(FAULT_KINDS)))
    return kind, int(number), schedule


def _build_parser():
    parser = argparse.ArgumentParser(
        prog='ota_emulator.py',
        description='Strict loopback emulator of the Alibaba Cloud App Streaming ListOtaTask API and STS AssumeRole.',
        epilog='Prints one JSON line {"endpoint", "port", "sts_endpoint"} when ready. See README.md for the data format.')
    parser.add_argument('--data', metavar='FILE', help='scenario JSON file (default: sample_data.json beside this script)')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='TCP port; 0 picks a free one (default 0)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='sleep this long in every API request')
    parser.add_argument('--fault', action='append', type=_fault_arg, default=[], metavar='KIND:N',
                        help='inject KIND on every Nth ListOtaTask request (KIND@N: on request N only); repeatable. '
                             'Kinds: ' + ', '.join(FAULT_KINDS))
    parser.add_argument('--retry-after-ms', type=int, default=None, help='send x-acs-retry-after with throttling errors')
    parser.add_argument('--hang-seconds', type=float, default=DEFAULT_HANG_SECONDS, help='duration of the hang fault')
    parser.add_argument('--rate-limit', type=float, default=None, metavar='RPS', help='ListOtaTask requests per second')
    parser.add_argument('--max-in-flight', type=int, default=None, metavar='N', help='concurrent ListOtaTask requests')
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
    faults = {'every': {}, 'schedule': {}, 'hang_seconds': args.hang_seconds}
    for kind, number, schedule in args.fault:
        if schedule:
            faults['schedule'][str(number)] = kind
        else:
            faults['every'][kind] = number
    if args.retry_after_ms:
        faults['retry_after_ms'] = args.retry_after_ms
    try:
        data = load_data_file(args.data) if args.data else load_data_file(SAMPLE_DATA)
        certfile, keyfile = args.certfile, args.keyfile
        if args.self_signed_cert:
            certfile, keyfile = make_self_signed_cert(args.self_signed_cert, args.host)
        emu = Emulator(data, host=args.host, port=args.port, latency_ms=args.latency_ms, faults=faults,
                       rate_limit=args.rate_limit, max_in_flight=args.max_in_flight, certfile=certfile,
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
