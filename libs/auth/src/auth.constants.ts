export const JWT_ISSUER = 'marquee';
export const JWT_AUDIENCE = 'marquee-api';
/** Only this algorithm is accepted; `alg: none` and every other algorithm are refused. */
export const JWT_ALGORITHM = 'HS256';
export const ACCESS_TOKEN_TYPE = 'access';

export const REFRESH_COOKIE = 'marquee_refresh';
/** The refresh cookie is sent to the auth routes only. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/** A browser asks for its refresh token in an httpOnly cookie instead of the body with this header. */
export const REFRESH_TRANSPORT_HEADER = 'x-refresh-token-transport';

export const API_KEY_HEADER = 'x-api-key';
export const STREAM_TOKEN_QUERY = 'st';
