/// A node of the tree decoder or encoder: one value, its key and its parent. The coding path is
/// the chain of keys up to the root, built only when asked for (an error, a `codingPath` read).
protocol CodingPathNode: AnyObject {
  var key: (any CodingKey)? { get }
  var parent: Self? { get }
}

extension CodingPathNode {
  var codingPath: [any CodingKey] {
    var path: [any CodingKey] = []
    var node: Self? = self
    while let n = node {
      if let k = n.key { path.append(k) }
      node = n.parent
    }
    return path.reversed()
  }
}
