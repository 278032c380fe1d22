// The API machinery target: pure, Foundation-only functions on `JSONValue` that the local API
// server, the client and the operator share. See Package.swift and docs/api-machinery.md.
