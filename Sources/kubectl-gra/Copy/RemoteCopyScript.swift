/// The Python program `kubectl gra cp` runs in the runner (the runner image always has
/// Python; no `tar` binary is needed). Run as `python3 -c SCRIPT MODE BASE ARGS…`; relative
/// paths are relative to BASE, the runner's workspace. Binary data travels base64 on stdin
/// (the exec bridge carries stdin as text) and raw on stdout (the bridge frames it).
///
/// - `put BASE ID FIRST`: appends the base64 stdin to the staging file of upload ID.
/// - `extract BASE DEST NAME ID|-`: unpacks the staged tar (or `-`: base64 stdin) to DEST; if
///   DEST is a directory or ends in `/`, into DEST/NAME. Parents are created. Members with an
///   absolute path or `..` are refused (and Python's `data` filter applies when present).
///   Prints the path written.
/// - `pack BASE SRC ID INLINE`: tars SRC; if it is at most INLINE bytes, writes it to stdout,
///   else stages it for `read`. The last stderr line is `{"size": N, "inline": bool}`.
/// - `read BASE ID OFFSET LENGTH`: a piece of a staged tar; the last piece removes it.
/// - `rm BASE ID`: removes a staging file.
///
/// Exit codes: 0 ok, 3 no such file, 1 anything else (message on stderr).
enum RemoteCopyScript {
  static let source = """
    import base64, io, json, os, sys, tarfile, tempfile
    def die(code, msg):
        sys.stderr.write("gra-cp: %s\\n" % msg)
        sys.exit(code)
    mode, base = sys.argv[1], sys.argv[2]
    def resolve(p):
        return os.path.normpath(os.path.join(base, p))
    def staged(i):
        return os.path.join(tempfile.gettempdir(), "gra-cp-%s.tar" % i)
    try:
        if mode == "put":
            with open(staged(sys.argv[3]), "wb" if sys.argv[4] == "1" else "ab") as f:
                f.write(base64.b64decode(sys.stdin.read()))
        elif mode == "extract":
            dest, name, src = sys.argv[3], sys.argv[4], sys.argv[5]
            target = resolve(dest)
            if dest.endswith("/") or os.path.isdir(target):
                target = os.path.join(target, name)
            parent = os.path.dirname(target)
            os.makedirs(parent, exist_ok=True)
            data = io.BytesIO(base64.b64decode(sys.stdin.read())) if src == "-" else open(staged(src), "rb")
            root = os.path.basename(target)
            with tarfile.open(fileobj=data, mode="r:") as t:
                members = []
                for m in t.getmembers():
                    parts = m.name.split("/")
                    if m.name.startswith("/") or ".." in parts:
                        die(1, "refusing archive member %r: it would land outside %s" % (m.name, target))
                    if not (m.isfile() or m.isdir() or m.issym()):
                        continue
                    if m.issym() and (m.linkname.startswith("/") or ".." in m.linkname.split("/")):
                        sys.stderr.write("gra-cp: skipping symlink %s -> %s (points outside)\\n" % (m.name, m.linkname))
                        continue
                    parts[0] = root
                    m.name = "/".join(parts)
                    members.append(m)
                extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                t.extractall(parent, members=members, **extra)
            if src != "-":
                data.close()
                os.unlink(staged(src))
            print(target)
        elif mode == "pack":
            src = resolve(sys.argv[3])
            if not os.path.lexists(src):
                die(3, "%s: no such file or directory" % src)
            path = staged(sys.argv[4])
            with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
                t.add(src, arcname=os.path.basename(src) or "root")
            size = os.path.getsize(path)
            inline = size <= int(sys.argv[5])
            if inline:
                with open(path, "rb") as f:
                    sys.stdout.buffer.write(f.read())
                os.unlink(path)
            sys.stdout.flush()
            sys.stderr.write(json.dumps({"size": size, "inline": inline}) + "\\n")
        elif mode == "read":
            path, offset, length = staged(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
            with open(path, "rb") as f:
                f.seek(offset)
                sys.stdout.buffer.write(f.read(length))
            if offset + length >= os.path.getsize(path):
                os.unlink(path)
        elif mode == "rm":
            if os.path.exists(staged(sys.argv[3])):
                os.unlink(staged(sys.argv[3]))
        else:
            die(1, "unknown mode %s" % mode)
    except FileNotFoundError as e:
        die(3, "%s: no such file or directory" % (e.filename or e))
    except (OSError, tarfile.TarError, ValueError) as e:
        die(1, str(e))
    """

  static func command(_ mode: String, _ args: String...) -> [String] { ["python3", "-c", source, mode] + args }
}
