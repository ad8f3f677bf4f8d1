# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the access key comes from.

Order: explicit access_key_id + access_key_secret (+ security_token); an explicit
``profile``; the environment (ALIBABA_CLOUD_* then ALICLOUD_*, then ALIBABA_CLOUD_PROFILE);
the alibabacloud-credentials default chain. ``role_arn`` then assumes a role with that
credential through STS. Keys given as options or environment variables are handled here,
with no library and no I/O; every other path is in credential_chain, which this module
imports only when it is needed (it and alibabacloud-credentials are not needed to sign
with explicit keys, and the library alone costs about 0.2 s of import).
"""

from __future__ import annotations

import os

from .errors import CredentialError, OptionError
from .options import CREDENTIAL_ENV


class Credential:
    """An access key, with its STS token if it is temporary."""

    __slots__ = ('access_key_id', 'access_key_secret', 'security_token')

    def __init__(self, access_key_id, access_key_secret, security_token=None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token

    def __eq__(self, other):
        if not isinstance(other, Credential):
            return NotImplemented
        return (self.access_key_id, self.access_key_secret, self.security_token) == (
            other.access_key_id, other.access_key_secret, other.security_token)

    def __hash__(self):
        return hash((self.access_key_id, self.access_key_secret, self.security_token))

    def __repr__(self):
        # Never let a secret reach a log line or a traceback through repr().
        return 'Credential(access_key_id=%r, security_token=%s)' % (self.access_key_id, 'set' if self.security_token else None)


class StaticCredentials:
    """Keys given as options or environment variables: no library, no I/O."""

    region = None  # no profile, so no profile region

    def __init__(self, credential, source):
        self._credential = credential
        self.source = source

    def get(self):
        return self._credential


def _env(names, environ):
    for name in names:
        value = environ.get(name)
        if value:
            return name, value
    return None, None


def _static(access_key_id, access_key_secret, security_token, source):
    return StaticCredentials(Credential(access_key_id, access_key_secret, security_token or None), source)


def _base_source(params, environ):
    """The credential before any role is assumed, and whether it needs the library."""
    key_id, secret, token, profile = (params.get(k) or None for k in ('access_key_id', 'access_key_secret', 'security_token', 'profile'))
    if key_id or secret:
        if not (key_id and secret):
            raise OptionError('access_key_id and access_key_secret must be given together (%s is missing)'
                              % ('access_key_secret' if key_id else 'access_key_id'))
        if profile:
            raise OptionError('profile and access_key_id/access_key_secret are mutually exclusive: give one or the other')
        return _static(key_id, secret, token, 'access_key_id option')
    if token:
        raise OptionError('security_token needs access_key_id and access_key_secret')
    if profile:
        return ('profile', profile, 'profile option')
    # Each family (ALIBABA_CLOUD_*, then ALICLOUD_*) is taken whole: a key id of one family is
    # never paired with the secret or token of the other.
    for id_var, secret_var, token_var in zip(*(CREDENTIAL_ENV[k] for k in ('access_key_id', 'access_key_secret', 'security_token'))):
        key_id, secret, token = environ.get(id_var), environ.get(secret_var), environ.get(token_var)
        if key_id or secret or token:
            if not (key_id and secret):
                raise CredentialError('%s is set but %s is not' % (
                    ' and '.join(v for v, value in ((id_var, key_id), (secret_var, secret), (token_var, token)) if value),
                    ' and '.join(v for v, value in ((id_var, key_id), (secret_var, secret)) if not value)))
            return _static(key_id, secret, token, 'environment variable %s' % id_var)
    _profile_var, profile = _env(CREDENTIAL_ENV['profile'], environ)
    if profile:
        return ('profile', profile, 'environment variable ALIBABA_CLOUD_PROFILE')
    return ('default', None, 'the default credential chain')


def resolve(params, environ=None):
    """Return an object whose ``get()`` gives the Credential to sign with."""
    environ = os.environ if environ is None else environ
    base = _base_source(params, environ)
    if isinstance(base, StaticCredentials) and not params.get('role_arn'):
        return base
    from . import credential_chain  # profiles, role_arn and the default chain only
    return credential_chain.resolve(base, params, environ)
