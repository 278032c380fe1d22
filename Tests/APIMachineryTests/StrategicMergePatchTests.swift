import CRDModels
import Testing

@testable import APIMachinery

@Suite struct StrategicMergePatchTests {
  let pod = StrategicMergeSchema.forKind(group: "", kind: "Pod")
  let deployment = StrategicMergeSchema.forKind(group: "apps", kind: "Deployment")

  func smp(_ patch: String, _ doc: String, _ schema: StrategicMergeSchema) throws -> JSONValue {
    try StrategicMergePatch.apply(json(patch), to: json(doc), schema: schema)
  }

  static let podCases: [(String, String, String, String)] = [
    (
      "container merged by name",
      #"{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}}"#,
      #"{"spec":{"containers":[{"name":"a","image":"z"}]}}"#,
      #"{"spec":{"containers":[{"name":"a","image":"z"},{"name":"b","image":"y"}]}}"#
    ),
    (
      "new container goes first without $setElementOrder (kube's mergeSortedSlice)",
      #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
      #"{"spec":{"containers":[{"name":"c"}]}}"#,
      #"{"spec":{"containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}}"#
    ),
    (
      "$setElementOrder as kubectl apply sends it",
      #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
      #"{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"},{"name":"c"}],"containers":[{"name":"c","image":"z"}]}}"#,
      #"{"spec":{"containers":[{"name":"b"},{"name":"a"},{"name":"c","image":"z"}]}}"#
    ),
    (
      "$setElementOrder keeps server-only elements where they were",
      #"{"spec":{"containers":[{"name":"a"},{"name":"sidecar"},{"name":"b"}]}}"#,
      #"{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"b","image":"n"}]}}"#,
      #"{"spec":{"containers":[{"name":"a"},{"name":"sidecar"},{"name":"b","image":"n"}]}}"#
    ),
    (
      "$patch: delete removes the element",
      #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
      #"{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}"#,
      #"{"spec":{"containers":[{"name":"b"}]}}"#
    ),
    (
      "$patch: replace as list element replaces the list",
      #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
      #"{"spec":{"containers":[{"$patch":"replace"},{"name":"x","image":"i"}]}}"#,
      #"{"spec":{"containers":[{"name":"x","image":"i"}]}}"#
    ),
    (
      "$patch: replace in an object replaces the object",
      #"{"metadata":{"labels":{"a":"1","b":"2"}}}"#,
      #"{"metadata":{"labels":{"$patch":"replace","c":"3"}}}"#,
      #"{"metadata":{"labels":{"c":"3"}}}"#
    ),
    (
      "$patch: delete in an object empties it",
      #"{"metadata":{"labels":{"a":"1"}}}"#,
      #"{"metadata":{"labels":{"$patch":"delete"}}}"#,
      #"{"metadata":{"labels":{}}}"#
    ),
    (
      "env merged by name, null deletes a member",
      #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":null,"valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"Y","value":"2"}]}]}}"#
    ),
    (
      "container ports merged by containerPort",
      #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":22}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"web"},{"containerPort":22}]}]}}"#
    ),
    (
      "volumeMounts merged by mountPath",
      #"{"spec":{"containers":[{"name":"a","volumeMounts":[{"mountPath":"/w","name":"ws"}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","volumeMounts":[{"mountPath":"/w","readOnly":true}]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","volumeMounts":[{"mountPath":"/w","name":"ws","readOnly":true}]}]}}"#
    ),
    (
      "tolerations are atomic",
      #"{"spec":{"tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}}"#,
      #"{"spec":{"tolerations":[{"key":"c","operator":"Exists"}]}}"#,
      #"{"spec":{"tolerations":[{"key":"c","operator":"Exists"}]}}"#
    ),
    (
      "args are atomic",
      #"{"spec":{"containers":[{"name":"a","args":["1","2"]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","args":["3"]}]}}"#,
      #"{"spec":{"containers":[{"name":"a","args":["3"]}]}}"#
    ),
    (
      "finalizers merge as a set",
      #"{"metadata":{"finalizers":["a","b"]}}"#,
      #"{"metadata":{"finalizers":["b","c"]}}"#,
      #"{"metadata":{"finalizers":["a","b","c"]}}"#
    ),
    (
      "$deleteFromPrimitiveList",
      #"{"metadata":{"finalizers":["a","b","c"]}}"#,
      #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}"#,
      #"{"metadata":{"finalizers":["a","c"]}}"#
    ),
    (
      "$deleteFromPrimitiveList with $setElementOrder",
      #"{"metadata":{"finalizers":["a","b","c"]}}"#,
      #"{"metadata":{"$setElementOrder/finalizers":["c","a"],"$deleteFromPrimitiveList/finalizers":["b"]}}"#,
      #"{"metadata":{"finalizers":["c","a"]}}"#
    ),
    (
      "ownerReferences merged by uid",
      #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x","kind":"Runner"}]}}"#,
      #"{"metadata":{"ownerReferences":[{"uid":"1","blockOwnerDeletion":true}]}}"#,
      #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x","kind":"Runner","blockOwnerDeletion":true}]}}"#
    ),
    (
      "volume source switched with $retainKeys",
      #"{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}"#,
      #"{"spec":{"volumes":[{"name":"v","$retainKeys":["configMap","name"],"configMap":{"name":"cm"}}]}}"#,
      #"{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}"#
    ),
    (
      "status conditions merged by type",
      #"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"PodScheduled","status":"True"}]}}"#,
      #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
      #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}]}}"#
    ),
    (
      "a new field is taken without nulls or directives",
      #"{"metadata":{"name":"p"}}"#,
      #"{"spec":{"containers":[{"name":"a","$patch":"delete"},{"name":"b","image":null}]},"metadata":{"labels":{"x":"1","y":null}}}"#,
      #"{"metadata":{"name":"p","labels":{"x":"1"}},"spec":{"containers":[{"name":"b"}]}}"#
    ),
    (
      "null deletes, type change replaces",
      #"{"spec":{"nodeName":"n","hostname":{"a":1}}}"#,
      #"{"spec":{"nodeName":null,"hostname":"h"}}"#,
      #"{"spec":{"hostname":"h"}}"#
    ),
  ]

  @Test(arguments: podCases)
  func podPatches(name: String, original: String, patch: String, result: String) throws {
    #expect(try smp(patch, original, pod) == json(result), "\(name)")
  }

  @Test func deploymentStrategyRetainKeys() throws {
    let original = #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#
    let patch = #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#
    #expect(try smp(patch, original, deployment) == json(#"{"spec":{"strategy":{"type":"Recreate"}}}"#))
  }

  @Test func deploymentPodTemplateContainersMerge() throws {
    let original =
      #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v1"},{"name":"side","image":"s"}]}}}}"#
    let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v2"}]}}}}"#
    let expected =
      #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"v2"},{"name":"side","image":"s"}]}}}}"#
    #expect(try smp(patch, original, deployment) == json(expected))
  }

  @Test func servicePortsMergeByPort() throws {
    let svc = StrategicMergeSchema.forKind(group: "", kind: "Service")
    let original = #"{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":22}]}}"#
    let patch = #"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#
    #expect(try smp(patch, original, svc) == json(#"{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":22}]}}"#))
  }

  @Test func configMapDataMergesAsAnObject() throws {
    let cm = StrategicMergeSchema.forKind(group: "", kind: "ConfigMap")
    #expect(try smp(#"{"data":{"b":"2","a":null}}"#, #"{"data":{"a":"1"}}"#, cm) == json(#"{"data":{"b":"2"}}"#))
  }

  @Test func rbacRulesAreAtomic() throws {
    let role = StrategicMergeSchema.forKind(group: "rbac.authorization.k8s.io", kind: "Role")
    let original = #"{"rules":[{"verbs":["get"],"resources":["pods"]},{"verbs":["list"],"resources":["pods"]}]}"#
    let patch = #"{"rules":[{"verbs":["*"],"resources":["pods"]}]}"#
    #expect(try smp(patch, original, role) == json(patch))
  }

  @Test func missingMergeKeyIsAServerError() {
    let error = #expect(throws: StrategicMergePatchError.self) {
      try smp(#"{"spec":{"containers":[{"image":"x"}]}}"#, #"{"spec":{"containers":[{"name":"a"}]}}"#, pod)
    }
    #expect(error?.code == 500)
    #expect(error?.message == "map: map[image:x] does not contain declared merge key: name")
  }

  @Test func retainKeysMismatchIs422() {
    let error = #expect(throws: StrategicMergePatchError.self) {
      try smp(
        #"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"#, #"{"spec":{"strategy":{}}}"#, deployment)
    }
    #expect(error == StrategicMergePatchError.notMatchRetainKeys)
    #expect(error?.status.code == 422)
    #expect(error?.status.reason == "Invalid")
  }

  @Test func badDirectiveFormatsAre400() {
    #expect(throws: StrategicMergePatchError.badRetainKeys) { try smp(#"{"$retainKeys":"x"}"#, "{}", pod) }
    #expect(throws: StrategicMergePatchError.badPrimitiveList) {
      try smp(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}}"#, #"{"metadata":{"finalizers":["a"]}}"#, pod)
    }
    #expect(throws: StrategicMergePatchError.badSetElementOrder) {
      try smp(#"{"metadata":{"$setElementOrder/finalizers":"x"}}"#, #"{"metadata":{"finalizers":["a"]}}"#, pod)
    }
    #expect(StrategicMergePatchError.badRetainKeys.status.code == 400)
  }

  @Test func unknownPatchDirective() {
    let error = #expect(throws: StrategicMergePatchError.self) {
      try smp(#"{"metadata":{"$patch":"frob"}}"#, "{}", pod)
    }
    #expect(error?.message == "unknown patch type: frob in map: map[$patch:frob]")
  }

  @Test func nonObjectPatchIs400() {
    let error = #expect(throws: StrategicMergePatchError.self) { try smp("[]", "{}", pod) }
    #expect(error?.code == 400)
  }
}

@Suite struct PatchTypesTests {
  @Test func strategicMergePatchOnACustomResourceIs415() {
    let s = PatchTypes.unsupportedMediaTypeStatus(customResource: true)
    #expect(s.code == 415)
    #expect(s.reason == "UnsupportedMediaType")
    #expect(
      s.message
        == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )
    #expect(PatchTypes.accepted(customResource: false).contains(PatchTypes.strategicMergePatch))
  }
}

/// Current + three-way patch → result, from k8s.io/apimachinery strategicpatch's own fixtures.
@Suite struct StrategicMergePatchKubeFixtureTests {
  let schema = StrategicMergeSchema(mergeLists: [
    "mergingList": .init(mergeKey: "name"), "mergingIntList": .init(mergeKey: nil),
  ])

  static let fixtures: [(String, String, String, String)] = [
    (
      "add an item in a list and preserve order",
      #"{"mergingList":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}"#,
      #"{"$setElementOrder/mergingList":[{"name":"3"},{"name":"1"},{"name":"2"}],"mergingList":[{"name":"3","value":"3"}]}"#,
      #"{"mergingList":[{"name":"3","value":"3"},{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}"#
    ),
    (
      "delete items in lists of scalars",
      #"{"mergingIntList":[1,2,3,4]}"#,
      #"{"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
      #"{"mergingIntList":[1,2,4]}"#
    ),
    (
      "nested patch merge with empty list",
      #"{"name":"hi","mergingList":[{"name":"hello2"}]}"#,
      #"{"$setElementOrder/mergingList":[{"name":"hello"},{"name":"doesntexist"}],"mergingList":[{"name":"hello"}]}"#,
      #"{"name":"hi","mergingList":[{"name":"hello"},{"name":"hello2"}]}"#
    ),
    (
      "server-only items keep their place between reordered ones",
      #"{"mergingIntList":[1,2,7,9,8,3,4]}"#,
      #"{"$setElementOrder/mergingIntList":[2,1,4,3]}"#,
      #"{"mergingIntList":[2,1,7,9,8,4,3]}"#
    ),
    (
      "delete and reorder in one list",
      #"{"mergingList":[{"name":"a","value":"a"},{"name":"b","value":"b"}]}"#,
      #"{"$setElementOrder/mergingList":[{"name":"b"}],"mergingList":[{"$patch":"delete","name":"a"}]}"#,
      #"{"mergingList":[{"name":"b","value":"b"}]}"#
    ),
  ]

  @Test(arguments: fixtures)
  func matchesKubesFixture(name: String, current: String, patch: String, result: String) throws {
    #expect(try StrategicMergePatch.apply(json(patch), to: json(current), schema: schema) == json(result), "\(name)")
  }
}
