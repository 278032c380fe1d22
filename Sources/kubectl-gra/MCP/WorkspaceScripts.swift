/// The small Python programs the file tools run in a runner through the exec bridge. They
/// resolve relative paths against `$GRA_WORKSPACE` (the runner's workspace mount, default
/// `/workspace`), move bytes as base64 so binary files survive the bridge's JSON, and report
/// in one JSON line: the result, or `{"error": <OSError class>, "message", "path"}` with exit
/// code 3. The first line names the tool, so the runner's Exec Event says what ran.
enum WorkspaceScripts {
  static let exitCodeError: Int32 = 3

  private static let prelude = """
    import base64, json, os, stat, sys, time
    def resolve(p):
        return os.path.abspath(os.path.join(os.environ.get("GRA_WORKSPACE") or "/workspace", p))
    def fail(e, p):
        print(json.dumps({"error": type(e).__name__, "message": e.strerror or str(e), "path": p}))
        sys.exit(3)

    """

  /// argv: path, offset, limit.
  static let read =
    "# kubectl gra mcp: read_file\n" + prelude + """
      p = resolve(sys.argv[1])
      off, n = int(sys.argv[2]), int(sys.argv[3])
      try:
          with open(p, "rb") as f:
              size = os.fstat(f.fileno()).st_size
              f.seek(off)
              data = f.read(n)
      except OSError as e:
          fail(e, p)
      print(json.dumps({"path": p, "size": size, "offset": off, "data": base64.b64encode(data).decode()}))
      """

  /// argv: path, mode (`w` or `a`), and optionally a prefix and a count: then only the newest
  /// `count` files of the directory whose names start with `prefix` are kept (the file just
  /// written is the newest). stdin: the content, base64.
  static let write =
    "# kubectl gra mcp: write_file\n" + prelude + """
      p = resolve(sys.argv[1])
      data = base64.b64decode(sys.stdin.read())
      try:
          os.makedirs(os.path.dirname(p), exist_ok=True)
          with open(p, sys.argv[2] + "b") as f:
              f.write(data)
          size = os.path.getsize(p)
      except OSError as e:
          fail(e, p)
      if len(sys.argv) > 4:
          prefix, keep = sys.argv[3], int(sys.argv[4])
          def mtime(e):
              try:
                  return e.stat(follow_symlinks=False).st_mtime
              except OSError:
                  return 0
          try:
              saved = [e for e in os.scandir(os.path.dirname(p))
                       if e.name.startswith(prefix) and e.is_file(follow_symlinks=False) and e.path != p]
          except OSError:
              saved = []
          for e in sorted(saved, key=mtime, reverse=True)[max(keep - 1, 0):]:
              try:
                  os.unlink(e.path)
              except OSError:
                  pass
      print(json.dumps({"path": p, "size": size, "written": len(data)}))
      """

  /// argv: path, max entries.
  static let list =
    "# kubectl gra mcp: list_directory\n" + prelude + """
      p = resolve(sys.argv[1])
      limit = int(sys.argv[2])
      try:
          names = sorted(os.listdir(p))
      except OSError as e:
          fail(e, p)
      entries = []
      for name in names[:limit]:
          try:
              s = os.lstat(os.path.join(p, name))
          except OSError:
              continue
          kind = "directory" if stat.S_ISDIR(s.st_mode) else "file" if stat.S_ISREG(s.st_mode) else "symlink" if stat.S_ISLNK(s.st_mode) else "other"
          entries.append({"name": name, "type": kind, "size": s.st_size,
                          "modified": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s.st_mtime))})
      print(json.dumps({"path": p, "total": len(names), "entries": entries}))
      """
}
