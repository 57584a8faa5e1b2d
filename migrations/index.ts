import { Initial1795317170343 } from './1795317170343-Initial.js';

import { Auth1795319500605 } from './1795319500605-Auth.js';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS: Function[] = [Initial1795317170343, Auth1795319500605];
