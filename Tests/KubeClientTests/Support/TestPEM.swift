/// A self-signed EC certificate and its key (CN gra-test), generated once with openssl for
/// tests; not used anywhere else.
enum TestPEM {
  static let certificate = """
    -----BEGIN CERTIFICATE-----
    MIIBfDCCASGgAwIBAgIUE7LPHGX8MUAKUMnRxvLU5HFDh0owCgYIKoZIzj0EAwIw
    EzERMA8GA1UEAwwIZ3JhLXRlc3QwHhcNMjYxMTIxMTk0MDA5WhcNMzYxMTE4MTk0
    MDA5WjATMREwDwYDVQQDDAhncmEtdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEH
    A0IABHVTOkWEhzwEzj7fJtLvrM2Zh8qUPxXAbKZvj7XbGljoxvooRMoWWiFbZ2Sh
    APFS0WWO7HczBCjpxkh2xwAQ9PyjUzBRMB0GA1UdDgQWBBT4uPJAbiP15BMqMosS
    d3xf6KS8PDAfBgNVHSMEGDAWgBT4uPJAbiP15BMqMosSd3xf6KS8PDAPBgNVHRMB
    Af8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQD61mb+Re8BfEWhZAVpXsNSJzyr
    cmRLAvy3eqz0h5H9DQIhAKBpyBtiKG6uDTRzbZ8tlJZ1D3RCQZV7cEKiGkjwlYx4
    -----END CERTIFICATE-----
    """
  static let key = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnMU31JadoF4BvZA/
    SorAa1+HaX0pvdqD3k3iydfGRWGhRANCAAR1UzpFhIc8BM4+3ybS76zNmYfKlD8V
    wGymb4+12xpY6Mb6KETKFlohW2dkoQDxUtFljux3MwQo6cZIdscAEPT8
    -----END PRIVATE KEY-----
    """
}
