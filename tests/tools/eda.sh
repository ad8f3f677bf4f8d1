#!/usr/bin/env bash
# The 'eda' gate: the real ansible-rulebook (.venv-rulebook, tests/tools/requirements/rulebook.txt) runs the
# collection's rulebook and event source against the emulator: pytest tests/eda from a fresh staged copy.
# ansible-rulebook needs Java 17 or later (its rule engine is Drools): without it this gate fails, with
# how to install it. Extra arguments go to pytest.
export APPSTREAMING_VENV_NAME=rulebook
# shellcheck source=tests/tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

java_hint="ansible-rulebook needs Java 17 or later: install a JRE (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; Fedora/RHEL: dnf install java-17-openjdk-headless) or set JAVA_HOME to one"
java_bin=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java_bin="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
    java_bin=$(command -v java)
fi
[[ -n "$java_bin" ]] || die "no java found (JAVA_HOME or PATH). $java_hint"
java_version=$("$java_bin" -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[^"]*)?".*/\1/p')
[[ "$java_version" =~ ^[0-9]+$ ]] || die "cannot tell the version of $java_bin. $java_hint"
((java_version >= 17)) || die "$java_bin is Java $java_version. $java_hint"
if [[ -z "${JAVA_HOME:-}" ]]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$java_bin")")")
    export JAVA_HOME
fi
echo "eda: Java $java_version ($JAVA_HOME)"
run_pytest eda "$@"
