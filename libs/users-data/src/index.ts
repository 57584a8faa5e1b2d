export * from './entities/user-item-data.entity.js';
