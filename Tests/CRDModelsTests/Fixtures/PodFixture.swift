/// A pod exactly as a real API server (v1.30) returns it from
/// `GET /api/v1/namespaces/default/pods/rn-demo`: managedFields, defaulted fields gra does not
/// model (`dnsPolicy`, `preemptionPolicy`, `resizePolicy`, …), status with a restarted container.
let podJSON = #"""
  {
    "kind": "Pod",
    "apiVersion": "v1",
    "metadata": {
      "name": "rn-demo",
      "namespace": "default",
      "uid": "5f0c2c1e-8a0b-4c4e-9d87-1f3f4b1d2a10",
      "resourceVersion": "48213",
      "creationTimestamp": "2024-05-01T10:00:00Z",
      "labels": {
        "app.kubernetes.io/managed-by": "gra",
        "gra.dev/runner": "demo"
      },
      "annotations": {
        "gra.dev/spec-hash": "9c1d"
      },
      "ownerReferences": [
        {
          "apiVersion": "gra.dev/v1alpha1",
          "kind": "Runner",
          "name": "demo",
          "uid": "0d3c6f8e-1111-4a4a-8888-000000000001",
          "controller": true,
          "blockOwnerDeletion": true
        }
      ],
      "managedFields": [
        {
          "manager": "gra-operator",
          "operation": "Update",
          "apiVersion": "v1",
          "time": "2024-05-01T10:00:00Z",
          "fieldsType": "FieldsV1",
          "fieldsV1": {
            "f:metadata": {"f:labels": {".": {}, "f:gra.dev/runner": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"runner\"}": {".": {}, "f:image": {}}}}
          }
        },
        {
          "manager": "kubelet",
          "operation": "Update",
          "apiVersion": "v1",
          "time": "2024-05-01T10:00:07Z",
          "fieldsType": "FieldsV1",
          "fieldsV1": {"f:status": {"f:conditions": {}}},
          "subresource": "status"
        }
      ]
    },
    "spec": {
      "volumes": [
        {
          "name": "workspace",
          "persistentVolumeClaim": {"claimName": "demo-workspace"}
        },
        {
          "name": "ssh-keys",
          "secret": {"secretName": "demo-ssh", "defaultMode": 256}
        },
        {
          "name": "kube-api-access-x7k2p",
          "projected": {
            "sources": [
              {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
              {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
            ],
            "defaultMode": 420
          }
        }
      ],
      "containers": [
        {
          "name": "runner",
          "image": "ghcr.io/gra-dev/gra-runner:latest",
          "ports": [{"name": "ssh", "containerPort": 2222, "protocol": "TCP"}],
          "env": [
            {"name": "GRA_RUNNER", "value": "demo"},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
            {"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "access-key"}}}
          ],
          "resources": {
            "limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"},
            "requests": {"cpu": "500m", "memory": "1Gi"}
          },
          "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
          "volumeMounts": [
            {"name": "workspace", "mountPath": "/workspace"},
            {"name": "kube-api-access-x7k2p", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
          ],
          "readinessProbe": {
            "tcpSocket": {"port": 2222},
            "initialDelaySeconds": 2,
            "timeoutSeconds": 1,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 3
          },
          "livenessProbe": {
            "exec": {"command": ["/usr/local/bin/healthcheck"]},
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3
          },
          "terminationMessagePath": "/dev/termination-log",
          "terminationMessagePolicy": "File",
          "imagePullPolicy": "Always",
          "securityContext": {
            "capabilities": {"drop": ["ALL"]},
            "runAsUser": 1000,
            "runAsNonRoot": true,
            "readOnlyRootFilesystem": false,
            "allowPrivilegeEscalation": false
          }
        }
      ],
      "restartPolicy": "Always",
      "terminationGracePeriodSeconds": 30,
      "dnsPolicy": "ClusterFirst",
      "serviceAccountName": "default",
      "serviceAccount": "default",
      "automountServiceAccountToken": false,
      "nodeName": "minikube",
      "securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
      "schedulerName": "default-scheduler",
      "tolerations": [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
      ],
      "priority": 0,
      "enableServiceLinks": true,
      "preemptionPolicy": "PreemptLowerPriority"
    },
    "status": {
      "phase": "Running",
      "conditions": [
        {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:03Z"},
        {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:00Z"},
        {"type": "Ready", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:07Z"},
        {"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:07Z"},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2024-05-01T10:00:00Z"}
      ],
      "hostIP": "192.168.49.2",
      "hostIPs": [{"ip": "192.168.49.2"}],
      "podIP": "10.244.0.17",
      "podIPs": [{"ip": "10.244.0.17"}],
      "startTime": "2024-05-01T10:00:00Z",
      "containerStatuses": [
        {
          "name": "runner",
          "state": {"running": {"startedAt": "2024-05-01T10:00:05Z"}},
          "lastState": {
            "terminated": {
              "exitCode": 137,
              "reason": "OOMKilled",
              "startedAt": "2024-05-01T10:00:02Z",
              "finishedAt": "2024-05-01T10:00:04Z",
              "containerID": "containerd://aaaa"
            }
          },
          "ready": true,
          "restartCount": 1,
          "image": "ghcr.io/gra-dev/gra-runner:latest",
          "imageID": "ghcr.io/gra-dev/gra-runner@sha256:0123456789abcdef",
          "containerID": "containerd://bbbb",
          "started": true
        }
      ],
      "qosClass": "Burstable"
    }
  }
  """#
