// The time app's version, reported by GET /version.

/**
 * Version of the time app. The seed's Flask app was 1.1.1; this port changes its
 * responses (real JSON nulls, 503 on a Redis outage), hence a new major version.
 */
export const APP_VERSION = '2.0.0';
