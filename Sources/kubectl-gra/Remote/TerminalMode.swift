import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Puts the local terminal in raw mode for `exec -t` (keys go to the remote program as typed)
/// and restores it afterwards.
final class TerminalMode: @unchecked Sendable {
  private var saved = termios()
  private let active: Bool

  init(raw: Bool) {
    guard raw, isatty(STDIN_FILENO) != 0, tcgetattr(STDIN_FILENO, &saved) == 0 else {
      active = false
      return
    }
    var t = saved
    cfmakeraw(&t)
    active = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0
  }

  func restore() {
    if active { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
  }

  /// The terminal's size, if stdout is one.
  static func size() -> (width: UInt16, height: UInt16)? {
    var w = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 else { return nil }
    return (w.ws_col, w.ws_row)
  }
}
