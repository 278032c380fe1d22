#!/usr/bin/env bash
# hack/emulate-runner-image.sh: builds the runner image's filesystem WITHOUT a container engine
# and smoke-tests it, for machines where `docker build` cannot run.
#
# It bootstraps Debian 12 (the image's base distribution) with debootstrap, installs Debian's
# python3 as the stand-in for the python:3.11-slim base, then interprets
# images/runner/Dockerfile on that root: ARG, ENV, WORKDIR, COPY (from the build context; the
# builder stage's /opt/venv is already in place) and every RUN, in order, builder stage then
# runtime stage, in one root (so build tools stay, unlike the real two-stage image). Then it
# starts the ENTRYPOINT as the image's USER in a chroot and checks: sshd takes a key, python
# with pandas and s3fs runs over ssh, password and root logins are refused, the HEALTHCHECK
# passes, gra-run records a run, SIGTERM ends the entrypoint with 143.
#
# Needs root, debootstrap, chroot, ssh, ssh-keygen, and network to a Debian mirror and PyPI.
# Build args: GT_REF, GT_REPO, TORCH_INDEX_URL from the environment. Other settings:
#   GRA_EMULATE_MIRROR  Debian mirror [http://deb.debian.org/debian]
#   GRA_EMULATE_PORT    port for the smoke test's sshd [2222]
#   GRA_EMULATE_KEEP=1  keep the root filesystem (its path is printed)
# Ends with "N passed, N failed"; exits 1 when a check failed, 2 when it cannot run here.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
context=$repo/images/runner
dockerfile=$context/Dockerfile
mirror=${GRA_EMULATE_MIRROR:-http://deb.debian.org/debian}
port=${GRA_EMULATE_PORT:-2222}
passed=0
failed=0
entry_pid=""

cannot() {
  echo "emulate-runner-image: cannot run here: $*" >&2
  exit 2
}
[ "$(id -u)" = 0 ] || cannot "needs root (debootstrap, chroot, mounts)"
for tool in debootstrap chroot ssh ssh-keygen python3 mount umount; do
  command -v "$tool" >/dev/null 2>&1 || cannot "$tool is missing (apt-get install debootstrap openssh-client)"
done

rootfs=$(mktemp -d /tmp/gra-runner-rootfs.XXXXXX)
chmod 0755 "$rootfs"
work=$(mktemp -d)

unmount_all() {
  local target
  for target in dev sys proc; do
    if grep -q " $rootfs/$target " /proc/mounts; then
      umount -R "$rootfs/$target" 2>/dev/null || umount -lR "$rootfs/$target"
    fi
  done
}

# Every process whose root is the chroot, by pid (what the smoke test started and anything
# it left behind).
kill_chrooted() {
  local link pid
  for link in /proc/[0-9]*/root; do
    pid=${link#/proc/}
    pid=${pid%/root}
    [ "$(readlink "$link" 2>/dev/null)" = "$rootfs" ] && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

cleanup() {
  kill_chrooted
  unmount_all
  if grep -q " $rootfs/" /proc/mounts; then
    echo "emulate-runner-image: $rootfs still has mounts; leaving it in place" >&2
  elif [ "${GRA_EMULATE_KEEP:-0}" = 1 ]; then
    echo "emulate-runner-image: root filesystem kept in $rootfs"
  else
    rm -rf "$rootfs"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "---- $*"; }

check() {
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
    sed 's/^/      /' "$work/out" | tail -n 20
  fi
}

step "debootstrap bookworm into $rootfs"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log"; cannot "debootstrap failed"; }
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
mount --rbind /dev "$rootfs/dev" && mount --make-rslave "$rootfs/dev"
mount --rbind /sys "$rootfs/sys" && mount --make-rslave "$rootfs/sys"
# The host's trusted CAs (it may sit behind a TLS-inspecting proxy) for pip and git in RUN steps.
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/tmp/host-ca.crt"

step "python3 from Debian as the stand-in for the python:3.11-slim base"
chroot "$rootfs" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null && ln -sf /usr/bin/python3 /usr/local/bin/python' ||
  cannot "installing python3 in the root failed"

# Turn the Dockerfile into a shell script for the chroot.
python3 - "$dockerfile" "$context" "$rootfs" >"$work/build.sh" <<'EOF'
import re, shlex, sys
dockerfile, context, rootfs = sys.argv[1:]
text = re.sub(r"\\\n", " ", open(dockerfile).read())
out = ["set -e", "cd /"]
for raw in text.splitlines():
    line = raw.strip()
    if not line or line.startswith("#"):
        continue
    keyword, _, rest = line.partition(" ")
    keyword, rest = keyword.upper(), rest.strip()
    if keyword == "ARG" and "=" in rest:
        name, _, value = rest.partition("=")
        value = value.strip('"')
        out.append(f'export {name}="${{{name}-{value}}}"')
    elif keyword == "ARG":
        out.append(f'export {rest}="${{{rest}-}}"')
    elif keyword == "ENV":
        for pair in shlex.split(rest, posix=False):
            name, _, value = pair.partition("=")
            out.append(f'export {name}="{value}"')
    elif keyword == "WORKDIR":
        out.append(f"# WORKDIR {rest}")
        out.append(f"mkdir -p {rest} && cd {rest}")
    elif keyword == "RUN":
        out.append("bash -o pipefail -c " + shlex.quote(rest))
    elif keyword == "COPY":
        words = rest.split()
        if any(w.startswith("--from=") for w in words):
            continue
        mode = next((w.split("=", 1)[1] for w in words if w.startswith("--chmod=")), None)
        paths = [w for w in words if not w.startswith("--")]
        *sources, dest = paths
        out.append(f"mkdir -p {dest if dest.endswith('/') else dest.rsplit('/', 1)[0] or '/'}")
        for source in sources:
            target = dest + source if dest.endswith("/") else dest
            out.append(f"cp /tmp/context/{source} {target}")
            if mode:
                out.append(f"chmod {mode} {target}")
    elif keyword in ("USER", "ENTRYPOINT", "HEALTHCHECK", "FROM", "SHELL", "LABEL", "EXPOSE", "VOLUME"):
        out.append(f"# {keyword} {rest}")
    else:
        raise SystemExit(f"unsupported instruction: {keyword}")
out.append("env > /tmp/image.env")
print("\n".join(out))
EOF
mkdir -p "$rootfs/tmp/context"
cp -a "$context/." "$rootfs/tmp/context/"
cp "$work/build.sh" "$rootfs/tmp/build.sh"

step "interpreting images/runner/Dockerfile (both stages)"
build_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
  DEBIAN_FRONTEND=noninteractive PIP_CERT=/tmp/host-ca.crt SSL_CERT_FILE=/tmp/host-ca.crt
  GIT_SSL_CAINFO=/tmp/host-ca.crt CURL_CA_BUNDLE=/tmp/host-ca.crt
  GT_REF="${GT_REF:-}" TORCH_INDEX_URL="${TORCH_INDEX_URL:-}")
[ -z "${GT_REPO:-}" ] || build_env+=(GT_REPO="$GT_REPO")
if ! chroot "$rootfs" /usr/bin/env -i "${build_env[@]}" /bin/bash /tmp/build.sh >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log"
  failed=$((failed + 1))
  echo "FAIL  the Dockerfile's steps"
  echo "emulate-runner-image: $passed passed, $failed failed"
  exit 1
fi
passed=$((passed + 1))
echo "ok    the Dockerfile's steps ($(grep -c . "$work/build.sh") lines)"
grep -E "GT_REF is empty|GradientTracer .* installed" "$work/build.log" | sed 's/^/      /'

user=$(sed -n 's/^# USER //p' "$work/build.sh" | tail -n 1)
user=$(chroot "$rootfs" /usr/bin/env -i /bin/bash -c "source <(sed 's/^/export /' /tmp/image.env) && echo \"$user\"")
workdir=$(sed -n 's/^# WORKDIR //p' "$work/build.sh" | tail -n 1)
entrypoint=$(sed -n 's/^# ENTRYPOINT //p' "$work/build.sh" | tail -n 1 | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)))')
healthcheck=$(sed -n 's/^# HEALTHCHECK .*CMD //p' "$work/build.sh" | tail -n 1 | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)))')
echo "      USER $user, WORKDIR $workdir, ENTRYPOINT $entrypoint, HEALTHCHECK $healthcheck, /opt/venv $(du -sh "$rootfs/opt/venv" | cut -f1)"

# run_in_image COMMAND...: COMMAND in the root as the image's user with the image's ENV.
image_env=()
while IFS= read -r line; do
  case $line in PWD=* | SHLVL=* | _=* | OLDPWD=* | PIP_CERT=* | SSL_CERT_FILE=* | GIT_SSL_CAINFO=* | CURL_CA_BUNDLE=* | DEBIAN_FRONTEND=* | GT_REF=* | GT_REPO=* | TORCH_INDEX_URL=*) continue ;; esac
  image_env+=("$line")
done <"$rootfs/tmp/image.env"
run_in_image() {
  chroot --userspec="$user" "$rootfs" /usr/bin/env -i "${image_env[@]}" GRA_SSH_PORT="$port" "$@"
}

step "smoke test: the entrypoint as $user, sshd on port $port"
ssh-keygen -q -t ed25519 -N '' -C emulate -f "$work/key"
# Started directly (not through the function, whose subshell would get the signal), so that
# chroot, env and sh exec into the entrypoint and $! is its pid.
chroot --userspec="$user" "$rootfs" /usr/bin/env -i "${image_env[@]}" GRA_SSH_PORT="$port" \
  GRA_AUTHORIZED_KEYS="$(cat "$work/key.pub")" /bin/sh -c "cd $workdir && exec $entrypoint" >"$work/entry.log" 2>&1 &
entry_pid=$!
if ss -ltn 2>/dev/null | grep -q ":$port "; then
  cannot "port $port is already in use; set GRA_EMULATE_PORT"
fi
for _ in $(seq 100); do
  grep -q "sshd listening" "$work/entry.log" && break
  sleep 0.1
done
check "the entrypoint runs as the image's user" \
  test "$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$entry_pid/status")" = "${user%%:*}"
sleep 0.5
ssh_opts=(-F /dev/null -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=10 -o LogLevel=ERROR)
check "ssh with a key runs python with pandas and s3fs" \
  test "$(ssh "${ssh_opts[@]}" -i "$work/key" runner@127.0.0.1 "python -c 'import pandas, s3fs; print(6*7)'")" = 42
check "ssh session has the image's venv on PATH" \
  test "$(ssh "${ssh_opts[@]}" -i "$work/key" runner@127.0.0.1 'command -v python')" = /opt/venv/bin/python
check "password login refused" sh -c \
  "ssh ${ssh_opts[*]} -o PubkeyAuthentication=no runner@127.0.0.1 true 2>&1 | grep -q 'Permission denied (publickey)'"
check "root login refused" sh -c "! ssh ${ssh_opts[*]} -i $work/key root@127.0.0.1 true"
check "HEALTHCHECK passes" run_in_image /bin/sh -c "cd $workdir && $healthcheck"
check "gra-run records a run with an artifact" run_in_image GRA_TERMINATION_LOG=/tmp/termination-log /bin/sh -c \
  "cd $workdir && gra-run --artifact-dir /tmp/run --artifact 'out/*' --command python -- -c 'import os; os.makedirs(\"out\", exist_ok=True); open(\"out/x\", \"w\").write(\"x\")' && grep -q '\"artifacts\":1' /tmp/termination-log"
check "no host keys baked into the image" sh -c "! ls $rootfs/etc/ssh/ssh_host_*_key 2>/dev/null | grep -q ."
kill -TERM "$entry_pid"
wait "$entry_pid"
code=$?
entry_pid=""
check "SIGTERM ends the entrypoint with 143" test "$code" = 143
left_running() {
  local link
  for link in /proc/[0-9]*/root; do
    [ "$(readlink "$link" 2>/dev/null)" = "$rootfs" ] && echo "still running: ${link%/root}"
  done
  return 0
}
check "nothing of the image is left running" test -z "$(left_running)"

echo "emulate-runner-image: $passed passed, $failed failed"
[ "$failed" = 0 ]
