import { Initial1795317170343 } from './1795317170343-Initial.js';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS: Function[] = [Initial1795317170343];
