import CRDModels

extension Runner {
  /// ``withDefaults()`` with `image` as the runner image when `spec.image` is unset or empty:
  /// the operator's `--runner-image`, which ``GraDefaults/runnerImage`` only stands in for.
  public func withDefaults(image: String) -> Runner {
    var r = self
    if r.spec?.image?.isEmpty ?? true {
      var s = r.spec ?? RunnerSpec()
      s.image = image
      r.spec = s
    }
    return r.withDefaults()
  }
}
