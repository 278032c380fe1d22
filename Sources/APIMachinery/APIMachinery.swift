// The API machinery target; see Package.swift.
