# -*- coding: utf-8 -*-
# Copyright: alibabacloud.appstreaming contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Auth and connection options shared by every plugin of the collection.

Each option is declared once, in plugins/module_utils/options.py (CONNECTION_OPTIONS: its argument
spec, environment variables and variables); its words are here, in CONNECTION_DOCS (a one-line
summary, for the roles and the event source, and the description every plugin shows). The two
blocks Ansible reads, DOCUMENTATION and PLUGINS, are made from both when the fragment is loaded,
so nothing about an option is written twice. The words stay out of module_utils: modules carry
module_utils in every run, and need none of this.
"""

from __future__ import annotations

import json

import yaml

from ansible_collections.alibabacloud.appstreaming.plugins.module_utils.options import CONNECTION_OPTIONS, controller_variable

CONNECTION_DOCS = r'''
access_key_id:
  summary: The AccessKey ID.
  description:
    - The AccessKey ID to sign requests with.
    - When no credential option (O(access_key_id), O(access_key_secret), O(security_token), O(profile)) is given, the
      environment is read, first match wins; E(ALIBABA_CLOUD_ACCESS_KEY_ID) / E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) /
      E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_ACCESS_KEY) / E(ALICLOUD_SECRET_KEY) /
      E(ALICLOUD_SECURITY_TOKEN), then E(ALIBABA_CLOUD_PROFILE), then the alibabacloud-credentials default chain
      (C(~/.aliyun/config.json), C(~/.alibabacloud/credentials.ini), the ECS instance RAM role unless
      E(ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)).
    - Must be given together with O(access_key_secret); mutually exclusive with O(profile).
access_key_secret:
  summary: The AccessKey secret.
  description:
    - The AccessKey secret that goes with O(access_key_id). Never logged or returned.
security_token:
  summary: The STS token of a temporary key.
  description:
    - The STS security token, for temporary (C(STS.)) access keys. Never logged or returned.
profile:
  summary: A named credentials profile.
  description:
    - A named profile, looked up first in the aliyun CLI configuration C(~/.aliyun/config.json), then in
      C(~/.alibabacloud/credentials.ini) (or E(ALIBABA_CLOUD_CREDENTIALS_FILE)).
    - Mutually exclusive with O(access_key_id) and O(access_key_secret).
    - Read from E(ALIBABA_CLOUD_PROFILE) when no credential option is given.
    - Needs the Python library C(alibabacloud-credentials).
role_arn:
  summary: A RAM role to assume.
  description:
    - A RAM role to assume through STS C(AssumeRole) with the credential found as described above. The temporary key is
      obtained once per run and reused for every request.
    - Format C(acs:ram::<account id>:role/<role name>). Needs the Python library C(alibabacloud-credentials).
role_session_name:
  summary: The session name used with the RAM role.
  description:
    - The session name used with O(role_arn); 2 to 64 letters, digits or C(. @ _ -).
sts_endpoint:
  summary: The STS endpoint used to assume the RAM role.
  description:
    - The STS endpoint used with O(role_arn), as C(host[:port]) (HTTPS) or a URL. Plain C(http://) is accepted only for
      a loopback host, such as the bundled emulator.
    - Defaults to C(sts.aliyuncs.com). The STS call does not use O(validate_certs) or O(ca_bundle).
region_id:
  summary: The region of the delivery groups.
  description:
    - The region of the App Streaming endpoint, for example C(cn-shanghai) or C(ap-southeast-1).
    - When not given, read from E(ALIBABA_CLOUD_REGION_ID), then E(ALICLOUD_REGION); else the C(region_id) of the
      credential profile in use (O(profile), E(ALIBABA_CLOUD_PROFILE), or the current profile of
      C(~/.aliyun/config.json) when the default chain reads it), as the aliyun CLI does; else C(cn-shanghai).
endpoint:
  summary: Overrides the App Streaming endpoint (for example the bundled emulator).
  description:
    - Overrides the endpoint C(appstream-center.<region_id>.aliyuncs.com), as C(host[:port]) (HTTPS) or as a URL, for
      example a VPC endpoint.
    - Plain C(http://) is accepted only for a loopback host (C(127.0.0.0/8), C(::1), C(localhost)), such as the bundled
      emulator.
validate_certs:
  summary: Whether to verify TLS certificates.
  description:
    - Whether to verify the endpoint's TLS certificate. Only set this to V(false) for a test endpoint.
ca_bundle:
  summary: A file of PEM CA certificates to verify the endpoint with.
  description:
    - A PEM file of CA certificates to verify the endpoint's certificate with, instead of the system store.
timeout:
  summary: Seconds per HTTP request.
  description:
    - Connect and read timeout of each HTTP request, in seconds (the connect timeout is at most 10 seconds).
retries:
  summary: How often a failed request is tried again.
  description:
    - How many times one failed request is retried (0 to 50) on C(ServiceUnavailable), C(InternalError), any HTTP 5xx,
      connection errors, read timeouts and truncated answers.
    - Retries wait with exponential backoff and full jitter (at most 20 seconds, or what the API asks with
      C(x-acs-retry-after)); a request never spends more than 300 seconds retrying. Authentication and validation errors
      are never retried; a host name that does not exist (a mistyped O(region_id) or O(endpoint)) is retried once.
    - Throttling (C(Throttling*)) does not count against O(retries). The account's API rate limit is shared by every job
      that uses it, so throttling is normal at fleet scale; it slows a job down and is bounded only by time (a listing's
      600 seconds, O(alibabacloud.appstreaming.ota_task_wait#module:wait_timeout) for a wait, or 300 seconds for a
      single request). From the first throttling answer on, requests wait for the client's own adaptive send rate
      instead of being sent and refused, as in botocore's C(adaptive) retry mode; the rate is cut when the API
      throttles, grows back while it accepts, and nothing is sent before C(x-acs-retry-after).
max_concurrency:
  summary: At most this many requests at once.
  description:
    - At most this many requests are in flight at once (1 to 64). Pages after the first and delivery groups are fetched
      concurrently. The first round trip sends at most 8 and each accepted answer opens one more slot; when the API
      throttles, the concurrency is halved and grows back on success.
    - Lowering it does not help against throttling, which is a limit on requests per second, not on requests at once.
max_requests_per_second:
  summary: At most this many requests per second, for an account whose API rate limit you know and share.
  description:
    - Never send more than this many requests per second (greater than 0), for an account whose API rate limit you know
      and share, for example half the limit for each of two jobs that run at once.
    - Without it, the rate is not limited until the API throttles, and then adapts by itself.
'''

REQUIREMENTS = ['python >= 3.9', 'requests', 'voluptuous',
                'alibabacloud-credentials (only for O(profile), O(role_arn) and the default credential chain)']


def docs():
    """{option: {'summary': ..., 'description': [...]}}, in the order of CONNECTION_DOCS."""
    return yaml.safe_load(CONNECTION_DOCS)


def spec_fields(spec):
    """What documentation says of an argument spec entry besides its description: type, default, aliases."""
    entry = {'type': spec.get('type', 'str')}
    if 'default' in spec:
        entry['default'] = spec['default']
    if spec.get('aliases'):
        entry['aliases'] = list(spec['aliases'])
    return entry


def documented_options():
    """The options of DOCUMENTATION: every declared option that has its words here (the unit test names one without)."""
    words = docs()
    return {option['name']: dict({'description': list(words[option['name']]['description'])}, **spec_fields(option['spec']))
            for option in CONNECTION_OPTIONS if option['name'] in words}


def plugin_options():
    """The options of PLUGINS: their environment variables and ansible_appstreaming_* variables."""
    result = {}
    for option in CONNECTION_OPTIONS:
        entry = {'env': [{'name': name} for name in option['env']]} if option.get('env') else {}
        entry['vars'] = [{'name': controller_variable(option['name'])}]
        result[option['name']] = entry
    return result


class ModuleDocFragment:

    # JSON is YAML: what ansible-doc, ansible-test and antsibull-docs load.
    DOCUMENTATION = json.dumps({'options': documented_options(), 'requirements': REQUIREMENTS})

    # Controller-side plugins (the lookup) also read the ansible_appstreaming_* variables and the environment variables:
    # plugin_utils/options.py and the argument spec read them (not Ansible's configuration), in the one precedence all
    # controller-side plugins share.
    PLUGINS = json.dumps({'options': plugin_options()})
