# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every plugin takes, and the checks that options of every kind share.

The module hands ``connection_argument_spec()`` (with its own options, see module.py) to AnsibleModule;
the lookup, the actions and the event source run the same spec through ``ArgumentSpecValidator``.
After that, :func:`connection_settings` applies the checks an argument spec cannot express (ranges,
URLs, ARNs) once for all. Each plugin's own options are declared and checked next to the code that
uses them (``argument_spec()`` and ``parse()`` in tasks.py, groups.py, approval.py, rollout.py,
waiter.py and events.py), with :func:`id_list` and :func:`positive` from here.
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
from typing import NamedTuple, Optional
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from .errors import OptionError

DEFAULT_REGION = 'cn-shanghai'
ENDPOINT_TEMPLATE = 'appstream-center.{region}.aliyuncs.com'

# --- The connection options, each declared once ------------------------------------------------------------------
# Everything else about them derives from CONNECTION_OPTIONS (and, for their words, from the descriptions beside the
# doc fragment that documents them, plugins/doc_fragments/connection.py): the argument spec of every plugin, the
# environment variables credentials.py reads, the variables the controller-side plugins read (plugin_utils/options.py),
# the doc fragment itself, and what `make options` writes (tests/tools/connection_options.py): both roles' argument
# specs, the event source's DOCUMENTATION and the precedence table of docs/getting-started.md. A unit test
# (tests/unit/tools/test_connection_options.py) names any drift. Per option:
#   spec    its argument spec entry (type, default, aliases, no_log)
#   env     its environment variables, first match wins, applied by env_by: 'credentials' (credentials.py, only when no
#           credential option is given, so that an explicit profile is never overridden by keys lying around in the
#           environment) or 'fallback' (the argument spec's env_fallback)
#   role    the suffix of its role variable when that is not the option's name: the collection's roles take each option
#           as <role>_<option>, except timeout (seconds per request), <role>_request_timeout: a role's own *_timeout is
#           how long it waits in all
# Controller-side plugins also read the variable ansible_appstreaming_<option> (controller_variable()).
CONNECTION_OPTIONS = (
    dict(name='access_key_id', spec=dict(type='str', aliases=('alicloud_access_key',)),
         env=('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY'), env_by='credentials'),
    dict(name='access_key_secret', spec=dict(type='str', no_log=True, aliases=('alicloud_secret_key',)),
         env=('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY'), env_by='credentials'),
    dict(name='security_token', spec=dict(type='str', no_log=True, aliases=('alicloud_security_token',)),
         env=('ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN'), env_by='credentials'),
    dict(name='profile', spec=dict(type='str'), env=('ALIBABA_CLOUD_PROFILE',), env_by='credentials'),
    dict(name='role_arn', spec=dict(type='str')),
    dict(name='role_session_name', spec=dict(type='str', default='ansible-appstreaming')),
    dict(name='sts_endpoint', spec=dict(type='str')),
    # No default: without an explicit value or environment variable, the region of the credential profile in use
    # applies (as in the aliyun CLI), then DEFAULT_REGION (see region()).
    dict(name='region_id', spec=dict(type='str', aliases=('alicloud_region',)),
         env=('ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION'), env_by='fallback'),
    dict(name='endpoint', spec=dict(type='str')),
    dict(name='validate_certs', spec=dict(type='bool', default=True)),
    dict(name='ca_bundle', spec=dict(type='path')),
    dict(name='timeout', spec=dict(type='float', default=10.0), role='request_timeout'),
    dict(name='retries', spec=dict(type='int', default=6)),
    dict(name='max_concurrency', spec=dict(type='int', default=16)),
    dict(name='max_requests_per_second', spec=dict(type='float')),
)
VARIABLE_PREFIX = 'ansible_appstreaming_'

CREDENTIAL_ENV = {option['name']: option['env'] for option in CONNECTION_OPTIONS if option.get('env_by') == 'credentials'}
CREDENTIAL_OPTIONS = tuple(CREDENTIAL_ENV)
REGION_ENV = next(option['env'] for option in CONNECTION_OPTIONS if option['name'] == 'region_id')
ROLE_VARIABLE_NAMES = {option['name']: option['role'] for option in CONNECTION_OPTIONS if 'role' in option}

# Patterns, not compiled here: re compiles (and caches) the ones a run uses, on first use.
_ROLE_ARN = r'^acs:ram::\d+:role/[A-Za-z0-9.@_+=,/-]{1,128}$'
_SESSION_NAME = r'^[A-Za-z0-9.@_-]{2,64}$'
_REGION = r'^[a-z]{2,}(-[a-z0-9]+)+$'


def connection_argument_spec():
    """Auth and connection options, identical for the modules, the lookup, the actions and the event source."""
    spec = {}
    for option in CONNECTION_OPTIONS:
        entry = dict(option['spec'])
        if 'aliases' in entry:
            entry['aliases'] = list(entry['aliases'])
        if option.get('env_by') == 'fallback':
            entry['fallback'] = (env_fallback, list(option['env']))
        spec[option['name']] = entry
    return spec


def controller_variable(option):
    """The variable (ansible_appstreaming_<option>) the controller-side plugins read for a connection option."""
    return VARIABLE_PREFIX + option


def role_variable(role, option):
    """The variable of the role ``role`` (ota_wait, ota_rollout) that carries the option ``option``."""
    return '%s_%s' % (role, ROLE_VARIABLE_NAMES.get(option, option))


class Endpoint(NamedTuple):
    """Where requests go: the URL requests connects to and the Host header that is signed."""

    url: str
    host: str


class ConnectionSettings(NamedTuple):
    endpoint: Endpoint
    region_id: str
    verify: object  # True, False or a CA bundle path, as requests takes it
    timeout: float
    retries: int
    max_concurrency: int
    max_requests_per_second: Optional[float] = None  # None: adapt to throttling only


def is_loopback(hostname):
    if hostname == 'localhost':
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _parse_url(option, value, default_scheme='https'):
    """Split host[:port] or a URL; plain http is refused for anything but loopback."""
    text = value.strip()
    if not text:
        raise OptionError('%s must not be empty' % option)
    parts = urlsplit(text if '://' in text else '%s://%s' % (default_scheme, text))
    if parts.scheme not in ('http', 'https'):
        raise OptionError("%s %r: the scheme must be https:// (or http:// for a loopback emulator)" % (option, value))
    try:
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise OptionError('%s %r is not a valid URL: %s' % (option, value, exc)) from None
    if not hostname or parts.username or parts.password:
        raise OptionError('%s %r is not a valid host[:port] or URL' % (option, value))
    if parts.path not in ('', '/') or parts.query or parts.fragment:
        raise OptionError('%s %r must not have a path, query or fragment' % (option, value))
    if parts.scheme == 'http' and not is_loopback(hostname):
        raise OptionError('%s %r: plain http:// is only allowed to a loopback host (127.0.0.0/8, ::1, localhost); use https://'
                          % (option, value))
    host = parts.netloc
    return Endpoint(url='%s://%s/' % (parts.scheme, host), host=host), port


def resolve_endpoint(endpoint, region_id):
    if endpoint is None:
        return Endpoint(url='https://%s/' % ENDPOINT_TEMPLATE.format(region=region_id), host=ENDPOINT_TEMPLATE.format(region=region_id))
    return _parse_url('endpoint', endpoint)[0]


def sts_endpoint(value):
    """The value handed to alibabacloud-credentials (it takes http://host:port or a bare https host)."""
    if value is None:
        return None
    parsed, _port = _parse_url('sts_endpoint', value)
    if parsed.url.startswith('http://'):
        return 'http://' + parsed.host
    return parsed.host


def check_role(params):
    role_arn = params.get('role_arn')
    if role_arn is not None and not re.match(_ROLE_ARN, role_arn):
        raise OptionError("role_arn %r is not a RAM role ARN like 'acs:ram::1234567890123456:role/my-role'" % role_arn)
    name = params.get('role_session_name')
    if role_arn is not None and name is not None and not re.match(_SESSION_NAME, name):
        raise OptionError('role_session_name %r must be 2 to 64 letters, digits or . @ _ -' % name)


def check_ca_bundle(path):
    """A CA bundle must be a readable file of PEM certificates (requests would fail later, less clearly)."""
    if not os.path.isfile(path):
        raise OptionError('ca_bundle %r is not a file' % path)
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        reason = getattr(exc, 'reason', None) or exc.strerror or exc.__class__.__name__
        raise OptionError('ca_bundle %r is not a readable file of PEM CA certificates: %s' % (path, reason)) from None
    return path


def positive(params, name, number_type=float, minimum=None, maximum=None):
    """The number option ``name`` as ``number_type``, None when unset; OptionError unless it is greater than 0
    (with ``minimum``: at least that) and, with ``maximum``, at most that."""
    value = params.get(name)
    if value is None:
        return None
    low = minimum if minimum is not None else 0
    if value < low or (minimum is None and value == 0) or (maximum is not None and value > maximum):
        bounds = ('between %s and %s' % (low, maximum)) if maximum is not None else (
            'at least %s' % low if minimum is not None else 'greater than 0')
        raise OptionError('%s must be %s, got %s' % (name, bounds, value))
    return number_type(value)


def region(params, profile_region=None):
    """region_id, else the environment (applied by the argument spec), else the profile's region, else cn-shanghai."""
    return params.get('region_id') or profile_region or DEFAULT_REGION


def connection_settings(params, profile_region=None):
    """Check the connection options and turn them into ConnectionSettings.

    ``profile_region`` is the region of the credential profile in use (credentials.resolve).
    """
    region_id = region(params, profile_region)
    if not re.match(_REGION, region_id):
        raise OptionError("region_id %r is not a region id like 'cn-shanghai'" % region_id)
    check_role(params)
    ca_bundle = params.get('ca_bundle')
    verify = bool(params.get('validate_certs', True))
    if verify and ca_bundle:
        verify = check_ca_bundle(ca_bundle)
    return ConnectionSettings(
        endpoint=resolve_endpoint(params.get('endpoint'), region_id),
        region_id=region_id,
        verify=verify,
        timeout=positive(params, 'timeout'),
        retries=positive(params, 'retries', int, minimum=0, maximum=50),
        max_concurrency=positive(params, 'max_concurrency', int, minimum=1, maximum=64),
        max_requests_per_second=positive(params, 'max_requests_per_second'),
    )


def id_list(params, option, noun, required=None, label=None):
    """Ids of a list option, stripped and without repeats; an empty id is refused (it would match nothing).

    Errors name ``label`` (a role's variable) when given, else the option.
    """
    ids = []
    for value in params.get(option) or []:
        value = (value if isinstance(value, str) else str(value or '')).strip()
        if not value:
            raise OptionError('%s must not contain an empty %s' % (label or option, noun))
        if value not in ids:
            ids.append(value)
    if required and not ids:
        raise OptionError('%s needs at least one %s' % (label or option, required))
    return tuple(ids)
