// Integration tests cross real Postgres and NATS, and many wait with `eventually` for up to 10-30 s: jest's
// default of 5 s per test would cut those waits short on a loaded machine and fail for the wrong reason.
jest.setTimeout(60_000);
