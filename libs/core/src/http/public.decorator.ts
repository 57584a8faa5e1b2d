import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'marquee:public';

/** No authentication: health, login, registration, refresh. Every other route needs a credential. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
