#!/usr/bin/env bash
# hack/e2e.sh: gra end to end, against the cluster the current kubeconfig points at (minikube,
# kind, a real one). Skipped, with the reason and exit code 0, when there is no kubectl or no
# reachable cluster.
#
#   hack/e2e.sh                     install with `kubectl apply -k manifests`, run the checks
#   GRA_E2E_INSTALL=helm hack/e2e.sh   install with `helm upgrade --install` (needs helm)
#   GRA_E2E_INSTALL=none hack/e2e.sh   gra is already installed (Helm, skaffold dev)
#
# Environment:
#   GRA_E2E_INSTALL         kustomize (default), helm or none
#   GRA_E2E_OPERATOR_IMAGE  set the operator Deployment's image (e.g. one loaded with
#                           `minikube image load`)
#   GRA_E2E_RUNNER_IMAGE    image of the test Runner and TracerJobs (default: the operator's)
#   GRA_E2E_NAMESPACE       namespace for the test objects [gra-e2e-<pid>], deleted at the end
#   GRA_E2E_TIMEOUT         how long to wait for each state [300s]
#   GRA_E2E_KEEP=1          keep the namespace for a look afterwards
#
# Prints one line per check and ends with "N passed, N failed"; exits 1 when a check failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
install=${GRA_E2E_INSTALL:-kustomize}
ns=${GRA_E2E_NAMESPACE:-gra-e2e-$$}
timeout=${GRA_E2E_TIMEOUT:-300s}
runner_image=${GRA_E2E_RUNNER_IMAGE:-}
passed=0
failed=0
work=$(mktemp -d)
forward_pid=""

skip() {
  echo "e2e: skipped: $*"
  rm -rf "$work"
  exit 0
}

command -v kubectl >/dev/null 2>&1 || skip "kubectl is not installed"
if ! kubectl version --request-timeout=10s >"$work/version" 2>&1; then
  skip "no cluster answers with the current kubeconfig (${KUBECONFIG:-~/.kube/config}): $(tail -n 1 "$work/version")"
fi
echo "e2e: cluster $(kubectl config current-context 2>/dev/null || echo '?'), namespace $ns"

# check NAME COMMAND...: runs COMMAND, counts and prints the outcome with its output on failure.
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

cleanup() {
  [ -z "$forward_pid" ] || kill "$forward_pid" 2>/dev/null
  if [ "${GRA_E2E_KEEP:-0}" != 1 ]; then
    kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT

jsonpath() { kubectl -n "$ns" get "$1" -o "jsonpath=$2"; }

# ---- install -------------------------------------------------------------------------------
deployment=gra-operator
case "$install" in
  kustomize)
    check "install: kubectl apply -k manifests" kubectl apply -k "$root/manifests"
    if [ -n "${GRA_E2E_OPERATOR_IMAGE:-}" ]; then
      check "install: operator image $GRA_E2E_OPERATOR_IMAGE" \
        kubectl -n gra-system set image deployment/gra-operator "operator=$GRA_E2E_OPERATOR_IMAGE"
    fi
    ;;
  helm)
    command -v helm >/dev/null 2>&1 || skip "GRA_E2E_INSTALL=helm but helm is not installed"
    deployment=gra-gra-operator
    helm_args=(upgrade --install gra "$root/charts/gra-operator" -n gra-system --create-namespace --wait --timeout "$timeout")
    if [ -n "${GRA_E2E_OPERATOR_IMAGE:-}" ]; then
      helm_args+=(--set "image.repository=${GRA_E2E_OPERATOR_IMAGE%:*}" --set "image.tag=${GRA_E2E_OPERATOR_IMAGE##*:}")
    fi
    check "install: helm upgrade --install" helm "${helm_args[@]}"
    ;;
esac
check "operator: deployment available" kubectl -n gra-system rollout status "deployment/$deployment" --timeout="$timeout"
check "api: runners and tracerjobs served" kubectl api-resources --api-group=gra.dev -o name
kubectl create namespace "$ns" >/dev/null

# ---- a Runner ------------------------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C gra-e2e -f "$work/id_ed25519"
{
  printf 'apiVersion: gra.dev/v1alpha1\nkind: Runner\nmetadata:\n  name: e2e\nspec:\n'
  [ -z "$runner_image" ] || printf '  image: %s\n' "$runner_image"
  printf '  workspace:\n    size: 1Gi\n'
  printf '  ssh:\n    enabled: true\n    authorizedKeys:\n      - "%s"\n' "$(cat "$work/id_ed25519.pub")"
} >"$work/runner.yaml"
check "runner: created" kubectl -n "$ns" apply -f "$work/runner.yaml"
check "runner: Ready" kubectl -n "$ns" wait runner/e2e --for=condition=Ready --timeout="$timeout"
pod=$(jsonpath runner/e2e '{.status.podName}')
check "runner: pod runs as UID 1000, non-root" \
  test "$(jsonpath "pod/$pod" '{.spec.securityContext.runAsUser}{.spec.containers[0].securityContext.runAsUser}')" != "" \
  -a "$(kubectl -n "$ns" exec "$pod" -- id -u 2>/dev/null)" = 1000
check "runner: kubectl exec runs python" \
  test "$(kubectl -n "$ns" exec "$pod" -- python3 -c 'print(6*7)')" = 42
check "runner: health check passes in the pod" kubectl -n "$ns" exec "$pod" -- healthcheck
check "runner: pandas and s3fs import" kubectl -n "$ns" exec "$pod" -- python3 -c 'import pandas, s3fs'
check "runner: write to the workspace" kubectl -n "$ns" exec "$pod" -- sh -c 'echo kept > /workspace/e2e-marker'

# ssh through a port-forward to the pod's sshd
if command -v ssh >/dev/null 2>&1; then
  port=$(( (RANDOM % 20000) + 30000 ))
  kubectl -n "$ns" port-forward "pod/$pod" "$port:2222" >"$work/forward.log" 2>&1 &
  forward_pid=$!
  for _ in $(seq 50); do grep -q Forwarding "$work/forward.log" && break; sleep 0.2; done
  ssh_opts=(-F /dev/null -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10)
  check "ssh: key login runs python" \
    test "$(ssh "${ssh_opts[@]}" -i "$work/id_ed25519" -o BatchMode=yes runner@127.0.0.1 python3 -c "'print(6*7)'")" = 42
  check "ssh: only publickey is offered" sh -c \
    "ssh -v ${ssh_opts[*]} -o BatchMode=yes -o PubkeyAuthentication=no runner@127.0.0.1 true 2>&1 | grep -q 'Permission denied (publickey)'"
  check "ssh: root is refused" sh -c \
    "! ssh ${ssh_opts[*]} -i $work/id_ed25519 -o BatchMode=yes root@127.0.0.1 true"
  kill "$forward_pid" 2>/dev/null
  forward_pid=""
else
  echo "skip  ssh checks: no ssh client"
fi

# the workspace survives a deleted pod and a suspend/resume
check "runner: pod deleted" kubectl -n "$ns" delete pod "$pod" --wait=true --timeout="$timeout"
check "runner: Ready again" kubectl -n "$ns" wait runner/e2e --for=condition=Ready --timeout="$timeout"
pod=$(jsonpath runner/e2e '{.status.podName}')
check "runner: workspace kept across pods" \
  test "$(kubectl -n "$ns" exec "$pod" -- cat /workspace/e2e-marker)" = kept
check "runner: suspend" kubectl -n "$ns" patch runner/e2e --type=merge -p '{"spec":{"suspend":true}}'
check "runner: Suspended" kubectl -n "$ns" wait runner/e2e --for=condition=Suspended --timeout="$timeout"
check "runner: no pod while suspended" kubectl -n "$ns" wait "pod/$pod" --for=delete --timeout="$timeout"
check "runner: resume" kubectl -n "$ns" patch runner/e2e --type=merge -p '{"spec":{"suspend":false}}'
check "runner: Ready after resume" kubectl -n "$ns" wait runner/e2e --for=condition=Ready --timeout="$timeout"
pod=$(jsonpath runner/e2e '{.status.podName}')
check "runner: workspace kept across suspend" \
  test "$(kubectl -n "$ns" exec "$pod" -- cat /workspace/e2e-marker)" = kept
if command -v kubectl-gra >/dev/null 2>&1; then
  check "kubectl gra exec runs python" test "$(kubectl gra -n "$ns" exec e2e -- python3 -c 'print(6*7)')" = 42
fi

# the exec bridge through the aggregation layer, with the caller's own credentials
if kubectl get apiservice v1alpha1.exec.gra.dev >/dev/null 2>&1; then
  check "bridge: APIService available" \
    kubectl wait apiservice/v1alpha1.exec.gra.dev --for=condition=Available --timeout="$timeout"
  printf '{"command": ["python3", "-c", "print(6*7)"]}' >"$work/exec.json"
  # NDJSON frames: stdout chunks ({"type":"stdout","data":…}), then {"type":"exit","exitCode":N}.
  frames_ok='import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = "".join(x.get("data", "") for x in f if x.get("type") == "stdout")
sys.exit(0 if out == "42\n" and f[-1] == {"type": "exit", "exitCode": 0} else 1)'
  check "bridge: runners/exec streams stdout and exit code 0" sh -c \
    "kubectl create --raw /apis/exec.gra.dev/v1alpha1/namespaces/$ns/runners/e2e/exec -f $work/exec.json >$work/exec.out &&
     python3 -c '$frames_ok' $work/exec.out"
  check "bridge: a user without runners/exec is refused" sh -c \
    "! kubectl create --raw /apis/exec.gra.dev/v1alpha1/namespaces/$ns/runners/e2e/exec -f $work/exec.json \
       --as=system:serviceaccount:$ns:default 2>$work/exec.err && grep -q 'runners/exec' $work/exec.err"
else
  echo "skip  bridge checks: no APIService v1alpha1.exec.gra.dev"
fi

# ---- TracerJobs ----------------------------------------------------------------------------
program='import hashlib, json, os; os.makedirs("out", exist_ok=True); json.dump({"steps": [1, 2, 3]}, open("out/trace.json", "w"))'
cat >"$work/job-ok.yaml" <<EOF
apiVersion: gra.dev/v1alpha1
kind: TracerJob
metadata:
  name: e2e-ok
spec:
  runnerRef:
    name: e2e
  command: ["python3", "-c", $(printf '%s' "$program" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]
  artifacts:
    paths: ["out/*.json"]
EOF
cat >"$work/job-fail.yaml" <<EOF
apiVersion: gra.dev/v1alpha1
kind: TracerJob
metadata:
  name: e2e-fail
spec:
  runnerRef:
    name: e2e
  command: ["sh", "-c", "echo about to fail >&2; exit 3"]
EOF
check "tracerjob: created" kubectl -n "$ns" apply -f "$work/job-ok.yaml" -f "$work/job-fail.yaml"
check "tracerjob: Complete" kubectl -n "$ns" wait tracerjob/e2e-ok --for=condition=Complete --timeout="$timeout"
check "tracerjob: exit code 0 recorded" test "$(jsonpath tracerjob/e2e-ok '{.status.exitCode}')" = 0
check "tracerjob: artifact with sha256" \
  test "$(jsonpath tracerjob/e2e-ok '{.status.artifacts[0].path}')" = out/trace.json \
  -a -n "$(jsonpath tracerjob/e2e-ok '{.status.artifacts[0].sha256}')"
check "tracerjob: failure reported" kubectl -n "$ns" wait tracerjob/e2e-fail --for=condition=Failed --timeout="$timeout"
check "tracerjob: exit code 3 recorded" test "$(jsonpath tracerjob/e2e-fail '{.status.exitCode}')" = 3
check "tracerjob: log tail in the message" sh -c \
  "kubectl -n $ns get tracerjob/e2e-fail -o jsonpath='{.status.message}' | grep -q 'about to fail'"

# ---- deletion ------------------------------------------------------------------------------
claim=$(jsonpath runner/e2e '{.status.workspaceClaim}')
check "runner: deleted" kubectl -n "$ns" delete runner/e2e --wait=true --timeout="$timeout"
check "runner: pod removed with it" kubectl -n "$ns" wait "pod/$pod" --for=delete --timeout="$timeout"
if [ -n "$claim" ]; then
  check "runner: claim removed with it" kubectl -n "$ns" wait "pvc/$claim" --for=delete --timeout="$timeout"
fi

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
