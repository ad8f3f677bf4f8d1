# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials through alibabacloud-credentials: profiles, ``role_arn`` (STS) and the default chain.

credentials.resolve decides the order and hands over here for anything but keys given as
options or environment variables; this module, and the library with it, is imported only
then.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import logging
import os
import threading

from .credentials import Credential, StaticCredentials
from .errors import CredentialError, OptionError, hint_in_text
from .options import CREDENTIAL_ENV, sts_endpoint


class LibraryCredentials:
    """A provider of alibabacloud-credentials; it caches and refreshes on its own.

    ``get`` is serialised so that concurrent pages trigger one STS call, not several.
    """

    def __init__(self, provider, source, scrub=(), assumed_role=False, region=None):
        self._provider = provider
        self._lock = threading.Lock()
        self._scrub = [s for s in scrub if s]
        self.source = source
        self.assumed_role = assumed_role
        self.region = region  # the region_id of the profile in use, if it has one

    def get(self):
        with self._lock:
            try:
                cred = self._provider.get_credentials()
            except Exception as exc:  # the library raises CredentialException, ValueError, RetryError, ...
                text = self._clean(exc)
                code_hint = hint_in_text(text)
                raise CredentialError('could not get credentials from %s: %s%s'
                                      % (self.source, text, '. ' + code_hint if code_hint else '')) from None
        if cred is None or not cred.get_access_key_id() or not cred.get_access_key_secret():
            raise CredentialError('%s returned no access key' % self.source)
        return Credential(cred.get_access_key_id(), cred.get_access_key_secret(), cred.get_security_token() or None)

    def _clean(self, exc):
        text = str(exc) or exc.__class__.__name__
        for secret in self._scrub:
            text = text.replace(secret, '********')
        return text


def _import_library():
    try:
        from alibabacloud_credentials.provider import (
            CLIProfileCredentialsProvider, DefaultCredentialsProvider, ProfileCredentialsProvider,
            RamRoleArnCredentialsProvider, StaticAKCredentialsProvider, StaticSTSCredentialsProvider)
    except ImportError:
        raise CredentialError(
            'the Python library alibabacloud-credentials is needed for profile, role_arn and the default credential chain '
            '(pip install alibabacloud-credentials), or give access_key_id and access_key_secret') from None
    # The library attaches a stderr handler that prints warnings and tracebacks on refresh
    # failures; we report those failures ourselves, without secrets. Its HTTP layer (Tea)
    # prints every STS request URL, SecurityToken included, to stderr when DEBUG=sdk is set.
    for name in ('credentials', 'alibabacloud-tea'):
        log = logging.getLogger(name)
        log.disabled = True
        log.propagate = False
    return {
        'cli_profile': CLIProfileCredentialsProvider, 'default': DefaultCredentialsProvider,
        'ini_profile': ProfileCredentialsProvider, 'ram_role_arn': RamRoleArnCredentialsProvider,
        'static_ak': StaticAKCredentialsProvider, 'static_sts': StaticSTSCredentialsProvider,
    }


def _credential_files(environ):
    """The aliyun CLI config and the credentials.ini file, where the library looks for them."""
    home = environ.get('HOME') or os.path.expanduser('~')
    return (os.path.join(home, '.aliyun', 'config.json'),
            environ.get('ALIBABA_CLOUD_CREDENTIALS_FILE') or os.path.join(home, '.alibabacloud', 'credentials.ini'))


def _profile_provider(lib, name, environ):
    """A named profile from ~/.aliyun/config.json (aliyun CLI), else ~/.alibabacloud/credentials.ini."""
    cli_file, ini_file = _credential_files(environ)
    tried = []
    for path, kind in ((cli_file, 'cli_profile'), (ini_file, 'ini_profile')):
        if not os.path.exists(path):
            tried.append('%s (missing)' % path)
            continue
        if not os.access(path, os.R_OK):
            raise CredentialError('profile %r: %s is not readable' % (name, path))
        if kind == 'cli_profile':
            section = _cli_profile(path, name)
        else:
            section = _ini_profile(path, name)
        if section is not None:
            provider = lib[kind](profile_file=path, profile_name=name)
            return LibraryCredentials(provider, 'profile %r in %s' % (name, path), region=_region_of(section))
        tried.append('%s (no profile %r)' % (path, name))
    raise CredentialError('profile %r not found; tried %s' % (name, ', '.join(tried)))


def _read_cli_config(path, wanted):
    """The parsed aliyun CLI config; an error says what was asked for, which file is broken and where."""
    try:
        with open(path, encoding='utf-8') as handle:
            config = json.load(handle)
    except json.JSONDecodeError as exc:
        raise CredentialError('%s: %s is not valid JSON: %s at line %d column %d'
                              % (wanted, path, exc.msg, exc.lineno, exc.colno)) from None
    except (OSError, ValueError) as exc:
        raise CredentialError('%s: cannot read %s: %s' % (wanted, path, getattr(exc, 'strerror', None) or exc.__class__.__name__)) from None
    profiles = config.get('profiles') if isinstance(config, dict) else None
    if not isinstance(profiles, list):
        raise CredentialError('%s: %s is not a valid aliyun CLI config file: it has no "profiles" list' % (wanted, path))
    return config


def _cli_profile(path, name):
    """The profile ``name`` of an aliyun CLI config (a dict), or None."""
    config = _read_cli_config(path, 'profile %r was asked for' % name)
    found = [p for p in config['profiles'] if isinstance(p, dict) and p.get('name') == name]
    if found and found[0].get('mode', 'AK') in _KEYED_CLI_MODES:
        _require_keys(found[0], 'access_key_id', 'access_key_secret', name, path)
    return found[0] if found else None


def _region_of(section):
    region = section.get('region_id') if section else None
    return region.strip() if isinstance(region, str) and region.strip() else None


def current_cli_profile_region(environ):
    """The region of the aliyun CLI config's current profile: what the default chain reads its key from."""
    cli_file = _credential_files(environ)[0]
    if not os.path.exists(cli_file):
        return None
    config = _read_cli_config(cli_file, 'the default credential chain reads its current profile')
    name = config.get('current')
    found = [p for p in config['profiles'] if isinstance(p, dict) and p.get('name') == name]
    return _region_of(found[0]) if found else None


# Modes whose keys, when empty, the library would silently take from ALIBABA_CLOUD_* instead.
_KEYED_CLI_MODES = ('AK', 'StsToken', 'RamRoleArn')


def _require_keys(section, id_key, secret_key, name, path):
    missing = [key for key in (id_key, secret_key) if not str(section.get(key) or '').strip()]
    if missing:
        raise CredentialError('profile %r in %s has no %s' % (name, path, ' and no '.join(missing)))


def _ini_profile(path, name):
    """The section ``name`` of a credentials.ini file (a dict), or None."""
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding='utf-8')
    except configparser.Error as exc:
        where = ' at line %s' % exc.lineno if getattr(exc, 'lineno', None) else ''
        raise CredentialError('profile %r was asked for: %s is not a valid credentials file (%s%s)'
                              % (name, path, exc.__class__.__name__, where)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialError('profile %r was asked for: cannot read %s: %s' % (name, path, exc.__class__.__name__)) from None
    if not parser.has_section(name):
        return None
    section = dict(parser.items(name))
    if section.get('type', 'access_key') in ('access_key', 'ram_role_arn'):
        _require_keys(section, 'access_key_id', 'access_key_secret', name, path)
    return section


_ASSUMED = {}  # role_arn credentials of this process, see resolve()
_ASSUMED_LOCK = threading.Lock()


def resolve(base, params, environ):
    """The credential of ``base`` (credentials._base_source), with ``role_arn`` assumed if it is set."""
    if not isinstance(base, StaticCredentials) and base[0] == 'default':
        tried, available = _default_chain_sources(environ)
        if not available:
            # Nothing the default chain could read: say so without paying for the library.
            raise CredentialError('no credentials found; tried %s. Set access_key_id and access_key_secret, '
                                  'or profile, or the ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET '
                                  'environment variables' % ', '.join(tried))
    role_arn = params.get('role_arn')
    if isinstance(base, StaticCredentials) and not role_arn:
        return base
    lib = _import_library()
    region = None
    if isinstance(base, StaticCredentials):
        cred = base.get()
        if cred.security_token:
            base_provider = lib['static_sts'](access_key_id=cred.access_key_id, access_key_secret=cred.access_key_secret,
                                              security_token=cred.security_token)
        else:
            base_provider = lib['static_ak'](access_key_id=cred.access_key_id, access_key_secret=cred.access_key_secret)
        source, scrub = base.source, (cred.access_key_secret, cred.security_token)
        identity = hashlib.sha256(repr((cred.access_key_id, cred.access_key_secret, cred.security_token)).encode('utf-8')).hexdigest()
    elif base[0] == 'profile':
        profile_creds = _profile_provider(lib, base[1], environ)
        if not role_arn:
            return profile_creds
        base_provider, source, scrub = profile_creds._provider, profile_creds.source, ()  # pylint: disable=protected-access
        identity, region = None, profile_creds.region
    else:
        try:
            base_provider = lib['default']()
        except Exception as exc:  # constructor errors of the chain
            raise CredentialError('the default credential chain could not start: %s' % exc) from None
        if not role_arn:
            return LibraryCredentials(base_provider, _default_chain_text(environ), region=current_cli_profile_region(environ))
        source, scrub, identity = _default_chain_text(environ), (), None
        region = current_cli_profile_region(environ)
    session_name = params.get('role_session_name') or 'ansible-appstreaming'
    # One AssumeRole per process: every client of this process (several lookups in one task,
    # say) shares the provider, which caches the temporary key and renews it before it expires.
    key = (os.getpid(), role_arn, session_name, params.get('sts_endpoint'), source, identity)
    with _ASSUMED_LOCK:
        if key in _ASSUMED:
            return _ASSUMED[key]
    try:
        provider = lib['ram_role_arn'](
            credentials_provider=base_provider, role_arn=role_arn, role_session_name=session_name,
            sts_endpoint=sts_endpoint(params.get('sts_endpoint')))
    except ValueError as exc:
        raise OptionError('role_arn: %s' % exc) from None
    assumed = LibraryCredentials(provider, 'role %s assumed with %s' % (role_arn, source), scrub, assumed_role=True, region=region)
    with _ASSUMED_LOCK:
        return _ASSUMED.setdefault(key, assumed)


def _default_chain_text(environ):
    return 'the default credential chain (%s)' % ', '.join(_default_chain_sources(environ)[0])


def _default_chain_sources(environ):
    """What the alibabacloud-credentials default chain would look at, and whether any of it exists."""
    cli_file, ini_file = _credential_files(environ)
    tried = ['options access_key_id/access_key_secret and profile',
             'environment variables %s and %s' % ('/'.join(CREDENTIAL_ENV['access_key_id'][:1] + CREDENTIAL_ENV['access_key_secret'][:1]),
                                                  '/'.join(CREDENTIAL_ENV['access_key_id'][1:] + CREDENTIAL_ENV['access_key_secret'][1:]))]
    available = False
    for path in (cli_file, ini_file):
        exists = os.path.exists(path)
        available = available or exists
        tried.append(path if exists else '%s (missing)' % path)
    for names, text in ((('ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN'), 'OIDC role'),
                        (('ALIBABA_CLOUD_CREDENTIALS_URI',), 'credentials URI')):
        if all(environ.get(name) for name in names):
            available = True
            tried.append(text)
    if (environ.get('ALIBABA_CLOUD_ECS_METADATA_DISABLED') or '').lower() != 'true':
        available = True
        tried.append('the ECS instance RAM role')
    return tried, available
