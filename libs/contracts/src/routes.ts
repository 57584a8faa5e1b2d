/** Everything the REST API serves lives under this prefix; health and metrics sit at the root. */
export const API_PREFIX = 'api/v1';
export const HEALTH_ROUTES = { liveness: 'healthz', readiness: 'readyz' } as const;
export const DOCS_ROUTE = 'api/docs';
